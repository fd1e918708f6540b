import * as vscode from 'vscode';
import { lintWorkspaceRequest, type LintWorkspaceParams, type LintWorkspaceResult } from '../server/protocol';
import { lintWorkspaceCommand, restartServerCommand, showOutputCommand } from './command-ids';
import type { ServerConnection } from './server-connection';
import { formatDuration, plural } from './status-text';

/**
 * The extension's commands. Lint Workspace needs a running server and says so when there is none
 * (its start failed); Restart Server also recovers from a failed start.
 */
export function registerCommands(context: vscode.ExtensionContext, output: vscode.LogOutputChannel, connection: ServerConnection): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(showOutputCommand, () => output.show(true)),
    vscode.commands.registerCommand(lintWorkspaceCommand, () => lintWorkspace(output, connection)),
    vscode.commands.registerCommand(restartServerCommand, () => connection.restart()),
  );
}

/** Re-lints every workspace file, opens Problems and reports the counts; returns them to callers of the command. */
async function lintWorkspace(output: vscode.LogOutputChannel, connection: ServerConnection): Promise<LintWorkspaceResult | undefined> {
  const client = connection.runningClient;
  if (!client) {
    reportNotRunning(output);
    return undefined;
  }
  const params: LintWorkspaceParams = {};
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: 'CacheScope: linting the workspace' },
    () => client.sendRequest<LintWorkspaceResult>(lintWorkspaceRequest, params),
  );
  await vscode.commands.executeCommand('workbench.actions.view.problems');
  // Not awaited: the message resolves only when the user dismisses it, and callers want the counts now.
  void vscode.window.showInformationMessage(
    `CacheScope linted ${plural(result.files, 'file')} in ${formatDuration(result.durationMs)}: ` +
      `${plural(result.errors, 'error')}, ${plural(result.warnings, 'warning')}.`,
  );
  return result;
}

function reportNotRunning(output: vscode.LogOutputChannel): void {
  output.warn('The CacheScope language server is not running.');
  void vscode.window.showWarningMessage('The CacheScope language server is not running; see the CacheScope output, or run "CacheScope: Restart Server".', 'Show Output').then(
    (choice) => {
      if (choice) output.show(true);
    },
  );
}
