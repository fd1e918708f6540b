import type * as vscode from 'vscode';
import { keyFamiliesRequest, type KeyFamiliesParams, type KeyFamiliesResult } from '../server/protocol';
import { codeFamiliesFromLsp, type CodeFamily } from '../shared/join/code-families';
import type { ServerConnection } from './server-connection';

/**
 * The workspace's cache key families, as the language server indexed them: what the Redis view joins with a
 * live keyspace. Undefined when the server is not running (the view then shows the keyspace alone).
 */
export async function workspaceCodeFamilies(server: ServerConnection, output: vscode.LogOutputChannel): Promise<CodeFamily[] | undefined> {
  // The Redis view may be opened while the server is still starting: its families are worth the wait.
  const client = await server.whenRunning();
  if (!client) return undefined;
  try {
    const result = await client.sendRequest<KeyFamiliesResult>(keyFamiliesRequest, {} satisfies KeyFamiliesParams);
    if (!result.complete) output.warn('The workspace scan had not finished: the Redis view joins the key families found so far.');
    return codeFamiliesFromLsp(result.families);
  } catch (error) {
    output.warn(`The key families of the workspace are unavailable: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}
