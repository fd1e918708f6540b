import * as vscode from 'vscode';

/** A Redis the inspector view lists: from the `cachescope.inspector.connections` setting, or the demo server. */
export interface RedisConnection {
  name: string;
  /** The URL without a password; undefined for the demo, whose URL is known only once it runs. */
  url?: string;
  demo: boolean;
}

export const demoConnectionName = 'Demo Redis';

/** Reads the setting; entries without a name or URL are skipped rather than shown half-made. */
export function configuredConnections(): RedisConnection[] {
  const raw = vscode.workspace.getConfiguration('cachescope').get<unknown>('inspector.connections', []);
  const connections: RedisConnection[] = [];
  for (const entry of Array.isArray(raw) ? raw : []) {
    if (typeof entry !== 'object' || entry === null) continue;
    const { name, url } = entry as { name?: unknown; url?: unknown };
    if (typeof name !== 'string' || name.trim() === '' || typeof url !== 'string' || url.trim() === '') continue;
    if (name === demoConnectionName) continue;
    connections.push({ name, url: url.trim(), demo: false });
  }
  return [...connections, { name: demoConnectionName, demo: true }];
}

/** Whether a URL carries a password, which the setting must not hold (settings files get committed and synced). */
export function urlHasPassword(url: string): boolean {
  try {
    return new URL(url).password !== '';
  } catch {
    return false;
  }
}

/** The URL with the password from secret storage put in; URLs that cannot carry one are returned unchanged. */
export function urlWithPassword(url: string, password: string | undefined): string {
  if (!password) return url;
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') return url;
    parsed.password = encodeURIComponent(password);
    return parsed.toString();
  } catch {
    return url;
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
