import * as vscode from 'vscode';
import { parseRedisUrl, type TlsSettings } from '../shared/inspector';

/** A Redis the inspector view lists: from the `cachescope.inspector.connections` setting, or the demo server. */
export interface RedisConnection {
  name: string;
  /** The URL without a password; undefined for the demo, whose URL is known only once it runs. */
  url?: string;
  demo: boolean;
  /** TLS files and checks beyond what the URL says (`rediss://` alone verifies against the system's CAs). */
  tls?: TlsSettings;
  /** What the application's client prepends to every key (ioredis `keyPrefix`), for joining keys with the code. */
  keyPrefix?: string;
}

export const demoConnectionName = 'Demo Redis';

/** Reads the setting; entries without a name or URL are skipped rather than shown half-made. */
export function configuredConnections(): RedisConnection[] {
  const raw = vscode.workspace.getConfiguration('cachescope').get<unknown>('inspector.connections', []);
  const connections: RedisConnection[] = [];
  for (const entry of Array.isArray(raw) ? raw : []) {
    if (typeof entry !== 'object' || entry === null) continue;
    const { name, url, tls, keyPrefix } = entry as { name?: unknown; url?: unknown; tls?: unknown; keyPrefix?: unknown };
    if (typeof name !== 'string' || name.trim() === '' || typeof url !== 'string' || url.trim() === '') continue;
    if (name === demoConnectionName) continue;
    connections.push({ name, url: url.trim(), demo: false, tls: tlsSettings(tls), keyPrefix: typeof keyPrefix === 'string' && keyPrefix !== '' ? keyPrefix : undefined });
  }
  return [...connections, { name: demoConnectionName, demo: true }];
}

/** The `tls` object of a connection entry, keeping only the fields of the right type. */
function tlsSettings(raw: unknown): TlsSettings | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const entry = raw as Record<string, unknown>;
  const text = (key: string) => (typeof entry[key] === 'string' && entry[key] !== '' ? (entry[key] as string) : undefined);
  return {
    caFile: text('caFile'),
    certFile: text('certFile'),
    keyFile: text('keyFile'),
    servername: text('servername'),
    insecure: entry.insecure === true ? true : undefined,
  };
}

/** Whether a URL carries a password, which the setting must not hold (settings files get committed and synced). */
export function urlHasPassword(url: string): boolean {
  try {
    return Boolean(parseRedisUrl(url).options.password);
  } catch {
    return false;
  }
}

/** Passwords live in the editor's SecretStorage, one entry per connection name. */
export class RedisPasswords {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  get(connectionName: string): Thenable<string | undefined> {
    return this.secrets.get(secretKey(connectionName));
  }

  store(connectionName: string, password: string): Thenable<void> {
    return this.secrets.store(secretKey(connectionName), password);
  }

  forget(connectionName: string): Thenable<void> {
    return this.secrets.delete(secretKey(connectionName));
  }

  /** Asks for the password; undefined when the user cancels. */
  async ask(connectionName: string, reason: string): Promise<string | undefined> {
    const password = await vscode.window.showInputBox({
      title: `Password for Redis "${connectionName}"`,
      prompt: `${reason} It is kept in the editor's secret storage, never in settings.`,
      password: true,
      ignoreFocusOut: true,
    });
    return password === undefined || password === '' ? undefined : password;
  }
}

function secretKey(connectionName: string): string {
  return `cachescope.redis.password.${connectionName}`;
}
