import * as vscode from 'vscode';
import { State, type LanguageClient } from 'vscode-languageclient/node';
import { statusNotification, type StatusParams } from '../server/protocol';
import { createLanguageClient } from './language-client';
import type { ServerStatusItem } from './status-item';

/**
 * Owns the language client for the extension's lifetime. A client whose start failed cannot be started
 * again (languageclient keeps the failed start), so a restart after a failure builds a new client; a
 * running client is restarted in place. Start failures go to the output channel and the status item.
 */
export class ServerConnection implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private clientSubscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly output: vscode.LogOutputChannel,
    private readonly status: ServerStatusItem,
  ) {}

  /** The client, when its server is up and answering. */
  get runningClient(): LanguageClient | undefined {
    return this.client?.isRunning() ? this.client : undefined;
  }

  /** The client once a start in progress has finished; undefined when the server is not running. */
  async whenRunning(): Promise<LanguageClient | undefined> {
    await this.settleStart();
    return this.runningClient;
  }

  async start(): Promise<void> {
    try {
      const client = createLanguageClient(this.context, this.output);
      this.client = client;
      this.clientSubscriptions.push(
        client.onNotification(statusNotification, (params: StatusParams) => this.status.showStatus(params)),
        client.onDidChangeState(({ newState }) => {
          if (newState === State.Starting) this.status.showStarting();
          else if (newState === State.Stopped) this.status.showStopped('the language server stopped');
        }),
      );
      await client.start();
    } catch (error) {
      this.reportStartFailure(error);
    }
  }

  async restart(): Promise<void> {
    await this.settleStart();
    if (this.client?.isRunning()) {
      this.output.info('Restarting the CacheScope language server.');
      await this.client.restart();
      return;
    }
    await this.stop();
    this.output.info('Starting the CacheScope language server.');
    await this.start();
  }

  async stop(): Promise<void> {
    await this.settleStart();
    const client = this.client;
    this.client = undefined;
    for (const subscription of this.clientSubscriptions.splice(0)) subscription.dispose();
    if (!client) return;
    if (client.isRunning()) {
      await client.stop();
      return;
    }
    // languageclient refuses to stop a client that is not running (its start failed, or it stopped after
    // crashing); end a server process such a client may have left behind.
    const serverProcess = client.serverProcess;
    if (serverProcess && serverProcess.exitCode === null && serverProcess.signalCode === null) serverProcess.kill();
  }

  /** Waits for a start in progress to succeed or fail, so restart and stop see a settled state. */
  private async settleStart(): Promise<void> {
    if (this.client?.state !== State.Starting) return;
    try {
      await this.client.start();
    } catch {
      // start() has reported the failure (reportStartFailure); the caller handles the failed client.
    }
  }

  dispose(): void {
    void this.stop();
  }

  private reportStartFailure(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    this.output.error(`The CacheScope language server could not start: ${message}`);
    if (error instanceof Error && error.stack) this.output.error(error.stack);
    this.status.showStopped(`the language server could not start: ${message}`);
    void vscode.window
      .showErrorMessage(`CacheScope could not start its language server: ${message}`, 'Show Output')
      .then((choice) => {
        if (choice) this.output.show(true);
      });
  }
}
