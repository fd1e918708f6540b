import * as vscode from 'vscode';
import { registerCommands } from './commands';
import { ServerConnection } from './server-connection';
import { ServerStatusItem } from './status-item';

/**
 * The CacheScope extension: starts the bundled language server, shows its state in the status bar and
 * contributes the commands. Diagnostics, code actions and hovers come from the server itself.
 */
let connection: ServerConnection | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel('CacheScope', { log: true });
  const status = new ServerStatusItem();
  connection = new ServerConnection(context, output, status);
  context.subscriptions.push(output, status, connection);
  registerCommands(context, output, connection);
  await connection.start();
}

export async function deactivate(): Promise<void> {
  const stopping = connection;
  connection = undefined;
  await stopping?.stop();
}
