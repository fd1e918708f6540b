import * as vscode from 'vscode';
import { InspectError, type ConnectionSettings } from '../shared/inspector';
import type { DemoRedis } from './demo-redis';
import { RedisPasswords, type RedisConnection } from './redis-connections';

/** What the inspector core needs to reach a server: the URL and the settings beside it (TLS files, the password). */
export interface RedisServerAddress {
  url: string;
  connection: ConnectionSettings;
}

/**
 * Turns a connection of the Redis view into the address the inspector core can use: the demo server's once it
 * runs, or the configured URL with its TLS settings and the password from secret storage (passed beside the
 * URL, never spliced into it). A server that refuses the stored
 * password (or needs one and has none) gets one question, and the answer is kept only if it works.
 */
export class RedisAccess {
  constructor(
    private readonly demo: DemoRedis,
    private readonly passwords: RedisPasswords,
    private readonly output: vscode.LogOutputChannel,
    private readonly onProgress: (message: string) => void = () => undefined,
  ) {}

  /** Runs `use` with the connection's address, asking for a password once when the server refuses. */
  async withServer<T>(connection: RedisConnection, use: (address: RedisServerAddress) => Promise<T>, report: (message: string) => void = this.onProgress): Promise<T> {
    if (connection.demo) {
      report('starting redis-server with the demo keyspace');
      const url = await this.demo.url();
      this.output.info(`Connecting to the demo Redis at ${url}`);
      return await use({ url, connection: {} });
    }
    const url = connection.url ?? '';
    const stored = await this.passwords.get(connection.name);
    try {
      this.output.info(`Connecting to ${connection.name} (${url})`);
      return await use({ url, connection: { tls: connection.tls, password: stored } });
    } catch (error) {
      if (!(error instanceof InspectError) || error.kind !== 'auth-failed') throw error;
      const password = await this.passwords.ask(connection.name, stored ? 'The stored password was refused.' : `${connection.name} needs a password.`);
      if (!password) throw error;
      const result = await use({ url, connection: { tls: connection.tls, password } });
      await this.passwords.store(connection.name, password);
      return result;
    }
  }
}
