import * as vscode from 'vscode';
import type { StatusParams } from '../server/protocol';
import { describeStatus, startingStatus, stoppedStatus, type StatusText } from './status-text';
import { showOutputCommand } from './command-ids';

/** The status bar item fed by the server's `cachescope/status` notifications; a click shows the log. */
export class ServerStatusItem implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('cachescope.status', vscode.StatusBarAlignment.Right, 100);

  constructor() {
    this.item.name = 'CacheScope';
    this.item.command = showOutputCommand;
    this.render(startingStatus);
    this.item.show();
  }

  showStatus(status: StatusParams): void {
    this.render(describeStatus(status));
  }

  showStarting(): void {
    this.render(startingStatus);
  }

  showStopped(reason: string): void {
    this.render(stoppedStatus(reason));
  }

  dispose(): void {
    this.item.dispose();
  }

  private render(status: StatusText): void {
    this.item.text = status.text;
    this.item.tooltip = status.tooltip;
    this.item.backgroundColor =
      status.emphasis === 'error' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
  }
}
