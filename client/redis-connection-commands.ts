import * as vscode from 'vscode';
import { InspectError, parseRedisUrl } from '../shared/inspector';
import { addRedisConnectionCommand, removeRedisConnectionCommand } from './command-ids';
import { configuredConnections, demoConnectionName, urlHasPassword, type RedisConnection, type RedisPasswords } from './redis-connections';
import type { RedisNode } from './redis-tree';

const connectionsSetting = 'inspector.connections';

interface StoredConnection {
  name: string;
  url: string;
}

/** Add Redis Connection (asks for a name, a URL and an optional password) and Remove Redis Connection. */
export function registerConnectionCommands(passwords: RedisPasswords): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(addRedisConnectionCommand, () => addConnection(passwords)),
    vscode.commands.registerCommand(removeRedisConnectionCommand, (node?: RedisNode) => removeConnection(passwords, node)),
  ];
}

/** Whether a URL is one the inspector can open, without a password in it; the message says what is wrong. */
export function validateConnectionUrl(url: string): string | undefined {
  if (url.trim() === '') return 'A URL such as redis://localhost:6379/0';
  if (urlHasPassword(url)) return 'Leave the password out of the URL: it is asked for next and kept in secret storage.';
  try {
    parseRedisUrl(url.trim());
    return undefined;
  } catch (error) {
    return error instanceof InspectError ? error.message : String(error);
  }
}

async function addConnection(passwords: RedisPasswords): Promise<void> {
  const taken = new Set(configuredConnections().map((connection) => connection.name));
  const name = await vscode.window.showInputBox({
    title: 'Add Redis Connection (1/3): name',
    prompt: 'The name shown in the Redis view',
    ignoreFocusOut: true,
    validateInput: (text) => (text.trim() === '' ? 'A name is needed' : taken.has(text.trim()) || text.trim() === demoConnectionName ? 'That name is taken' : undefined),
  });
  if (name === undefined) return;
  const url = await vscode.window.showInputBox({
    title: 'Add Redis Connection (2/3): URL',
    prompt: 'redis://[user@]host:port[/db], rediss://... for TLS, unix:///path/to.sock, or redis-sentinel://host:26379[,host:26379]#master',
    value: 'redis://localhost:6379',
    ignoreFocusOut: true,
    validateInput: validateConnectionUrl,
  });
  if (url === undefined) return;
  const password = await vscode.window.showInputBox({
    title: 'Add Redis Connection (3/3): password',
    prompt: 'Leave empty when the server needs none. It is kept in the editor\'s secret storage, never in settings.',
    password: true,
    ignoreFocusOut: true,
  });
  if (password === undefined) return;
  const configuration = vscode.workspace.getConfiguration('cachescope');
  const inUser = storedConnections(configuration.inspect<unknown>(connectionsSetting)?.globalValue);
  await configuration.update(connectionsSetting, [...inUser, { name: name.trim(), url: url.trim() }], vscode.ConfigurationTarget.Global);
  if (password !== '') await passwords.store(name.trim(), password);
}

async function removeConnection(passwords: RedisPasswords, node: RedisNode | undefined): Promise<void> {
  let connection: RedisConnection | undefined = node?.kind === 'connection' ? node.connection : undefined;
  if (!connection) {
    const picked = await vscode.window.showQuickPick(
      configuredConnections()
        .filter((candidate) => !candidate.demo)
        .map((candidate) => ({ label: candidate.name, description: candidate.url, connection: candidate })),
      { title: 'CacheScope: remove which Redis connection?' },
    );
    connection = picked?.connection;
  }
  if (!connection || connection.demo) return;
  const configuration = vscode.workspace.getConfiguration('cachescope');
  const inspected = configuration.inspect<unknown>(connectionsSetting);
  const scopes: [unknown, vscode.ConfigurationTarget][] = [
    [inspected?.globalValue, vscode.ConfigurationTarget.Global],
    [inspected?.workspaceValue, vscode.ConfigurationTarget.Workspace],
  ];
  for (const [value, target] of scopes) {
    const stored = storedConnections(value);
    const kept = stored.filter((entry) => entry.name !== connection.name);
    if (kept.length !== stored.length) await configuration.update(connectionsSetting, kept, target);
  }
  await passwords.forget(connection.name);
}

function storedConnections(value: unknown): StoredConnection[] {
  if (!Array.isArray(value)) return [];
  return value.filter((entry): entry is StoredConnection => typeof entry === 'object' && entry !== null && typeof (entry as StoredConnection).name === 'string');
}
