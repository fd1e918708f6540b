import * as vscode from 'vscode';
import { renderNameForTerminal } from '../shared/inspector/key-names';
import { deleteKey, parseTtlInput, setKeyTtl, type KeyWriteResult } from '../shared/inspector/key-writes';
import { copyKeyNameCommand, deleteKeyCommand, loadMoreKeysCommand, setKeyTtlCommand, sortRedisBySizeCommand, sortRedisByTtlCommand } from './command-ids';
import type { RedisAccess } from './redis-access';
import { describeError, formatTtl, type KeysNode, type RedisNode, type RedisTreeProvider } from './redis-tree';

/** The setting that unlocks the two write actions; off unless the user turns it on. */
export const allowWritesSetting = 'inspector.allowWrites';

type KeyRow = Extract<RedisNode, { kind: 'key' }>;

/**
 * Commands on the rows of the key browser: sorting, paging, copying a name, and the only two actions that
 * change a Redis (delete a key, set its TTL), each refused unless `cachescope.inspector.allowWrites` is on
 * and confirmed in a modal dialog that names the key and the server.
 */
export function registerKeyCommands(tree: RedisTreeProvider, access: RedisAccess, output: vscode.LogOutputChannel): vscode.Disposable[] {
  const setOrderContext = (order: 'memory' | 'ttl') => vscode.commands.executeCommand('setContext', 'cachescope.redisOrder', order);
  void setOrderContext(tree.order);
  return [
    vscode.commands.registerCommand(sortRedisBySizeCommand, () => {
      tree.setOrder('memory');
      void setOrderContext('memory');
    }),
    vscode.commands.registerCommand(sortRedisByTtlCommand, () => {
      tree.setOrder('ttl');
      void setOrderContext('ttl');
    }),
    vscode.commands.registerCommand(loadMoreKeysCommand, (node?: KeysNode) => {
      if (node?.kind === 'keys') tree.loadMore(node);
    }),
    vscode.commands.registerCommand(copyKeyNameCommand, async (node?: KeyRow) => {
      if (node?.kind !== 'key') return;
      await vscode.env.clipboard.writeText(renderNameForTerminal(node.record.name));
    }),
    vscode.commands.registerCommand(deleteKeyCommand, async (node?: KeyRow) => {
      if (node?.kind !== 'key' || !(await writesAllowed())) return;
      const name = renderNameForTerminal(node.record.name);
      const confirmed = await vscode.window.showWarningMessage(
        `Delete the key "${name}" from ${node.connection.name}?`,
        { modal: true, detail: `UNLINK removes it from ${node.connection.url ?? 'the demo Redis'} at once; it cannot be undone. The next read is a cache miss.` },
        'Delete Key',
      );
      if (confirmed !== 'Delete Key') return;
      await runWrite(`delete ${name}`, () => access.withServer(node.connection, (address) => deleteKey(address, node.record.name)), node, tree, output);
    }),
    vscode.commands.registerCommand(setKeyTtlCommand, async (node?: KeyRow) => {
      if (node?.kind !== 'key' || !(await writesAllowed())) return;
      const name = renderNameForTerminal(node.record.name);
      const answer = await vscode.window.showInputBox({
        title: `Set the TTL of "${name}"`,
        prompt: `Now: ${formatTtl(node.record.pttlMs)}. Seconds, or a number with s, m, h or d (e.g. 15m).`,
        validateInput: (text) => (parseTtlInput(text) === undefined ? 'A whole number of seconds above 0, or e.g. 90s, 15m, 2h, 1d' : undefined),
      });
      const seconds = answer === undefined ? undefined : parseTtlInput(answer);
      if (seconds === undefined) return;
      const confirmed = await vscode.window.showWarningMessage(
        `Set the TTL of "${name}" on ${node.connection.name} to ${seconds} s?`,
        { modal: true, detail: `EXPIRE makes ${node.connection.url ?? 'the demo Redis'} drop the key in ${formatTtl(seconds * 1000).replace(/^TTL /, '')}.` },
        'Set TTL',
      );
      if (confirmed !== 'Set TTL') return;
      await runWrite(`set the TTL of ${name}`, () => access.withServer(node.connection, (address) => setKeyTtl(address, node.record.name, seconds)), node, tree, output);
    }),
  ];
}

async function writesAllowed(): Promise<boolean> {
  if (vscode.workspace.getConfiguration('cachescope').get<boolean>(allowWritesSetting, false)) return true;
  const open = await vscode.window.showInformationMessage(
    'CacheScope inspects Redis read-only. To delete keys or set TTLs from the Redis view, turn on "cachescope.inspector.allowWrites".',
    'Open Setting',
  );
  if (open) await vscode.commands.executeCommand('workbench.action.openSettings', 'cachescope.inspector.allowWrites');
  return false;
}

async function runWrite(what: string, write: () => Promise<KeyWriteResult>, node: KeyRow, tree: RedisTreeProvider, output: vscode.LogOutputChannel): Promise<void> {
  try {
    const result = await write();
    output.info(`Redis write on ${node.connection.name}: ${what}: ${result.done ? 'done' : result.reason}`);
    if (result.done) void vscode.window.showInformationMessage(`CacheScope: done: ${what}.`);
    else void vscode.window.showWarningMessage(`CacheScope: nothing changed: ${result.reason}.`);
  } catch (error) {
    void vscode.window.showErrorMessage(`CacheScope: could not ${what}: ${describeError(error)}`);
  }
  tree.relist(node.parent);
}
