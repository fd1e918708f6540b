import * as vscode from 'vscode';
import { workspaceCodeFamilies } from './code-families';
import { registerCommands } from './commands';
import { ServerConnection } from './server-connection';
import { RedisInspector } from './redis-inspector';
import { ServerStatusItem } from './status-item';

/**
 * The CacheScope extension: starts the bundled language server, shows its state in the status bar and
 * contributes the commands. Diagnostics, code actions and hovers come from the server itself. The Redis view
 * inspects live servers read-only, without the language server.
 */
let connection: ServerConnection | undefined;
let inspector: RedisInspector | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel('CacheScope', { log: true });
  const status = new ServerStatusItem();
  connection = new ServerConnection(context, output, status);
  context.subscriptions.push(output, status, connection);
  registerCommands(context, output, connection);
  const server = connection;
  inspector = new RedisInspector(context, output, () => workspaceCodeFamilies(server, output));
  context.subscriptions.push(inspector);
  await connection.start();
}

export async function deactivate(): Promise<void> {
  const stopping = connection;
  const stoppingInspector = inspector;
  connection = undefined;
  inspector = undefined;
  await Promise.all([stopping?.stop(), stoppingInspector?.stopDemoServer()]);
}
