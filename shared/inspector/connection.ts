import Redis, { RedisOptions } from 'ioredis';

/** Why an inspection could not run or finish, in words a user can act on. */
export type InspectErrorKind = 'bad-url' | 'connection-refused' | 'auth-failed' | 'no-permission' | 'timeout' | 'went-away' | 'unreachable';

export class InspectError extends Error {
  constructor(
    readonly kind: InspectErrorKind,
    message: string,
    /** Keys fully inspected before a failure mid-scan. */
    readonly keysScanned?: number,
  ) {
    super(message);
  }
}

export interface ConnectionTarget {
  options: RedisOptions;
  /** The address without credentials, for messages and the report. */
  display: string;
}

export interface ConnectionTimeouts {
  connectTimeoutMs: number;
  commandTimeoutMs: number;
}

export const defaultTimeouts: ConnectionTimeouts = { connectTimeoutMs: 5000, commandTimeoutMs: 10_000 };

function parseDb(value: string | null | undefined, url: string): number | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  if (!/^\d+$/.test(value)) throw new InspectError('bad-url', `invalid database number "${value}" in ${url}`);
  return Number(value);
}

/**
 * Accepts `redis://[user:pass@]host:port[/db]`, `rediss://` (TLS) and `unix:///path/to.sock[?db=N]`.
 * Parsed here rather than by ioredis so that a malformed URL is a clear usage error, not a connection attempt
 * to a guessed address.
 */
export function parseRedisUrl(raw: string): ConnectionTarget {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new InspectError('bad-url', `not a Redis URL: "${raw}" (expected redis://host:port, rediss://host:port or unix:///path/to.sock)`);
  }
  const username = url.username ? decodeURIComponent(url.username) : undefined;
  const password = url.password ? decodeURIComponent(url.password) : undefined;
  if (url.protocol === 'unix:') {
    if (!url.pathname || url.pathname === '/') throw new InspectError('bad-url', `no socket path in "${raw}"`);
    const socketPath = decodeURIComponent(url.pathname);
    const db = parseDb(url.searchParams.get('db'), raw);
    return {
      options: { path: socketPath, username, password, db },
      display: `unix://${socketPath}${db !== undefined ? `?db=${db}` : ''}`,
    };
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new InspectError('bad-url', `unsupported scheme "${url.protocol}" in "${raw}" (expected redis://, rediss:// or unix://)`);
  }
  if (!url.hostname) throw new InspectError('bad-url', `no host in "${raw}"`);
  const port = url.port ? Number(url.port) : 6379;
  const dbText = url.pathname.replace(/^\//, '');
  const db = parseDb(dbText || url.searchParams.get('db'), raw);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const options: RedisOptions = { host, port, username, password, db };
  if (url.protocol === 'rediss:') options.tls = { servername: host };
  return { options, display: `${url.protocol}//${url.host}${db !== undefined ? `/${db}` : ''}` };
}

/** Resolves the promise, or rejects with a timeout error after `ms`; never leaves a caller waiting forever. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new InspectError('timeout', `${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Maps what ioredis and the server say to one of the kinds above. */
export function classifyError(error: unknown, target: string, connected: boolean, keysScanned?: number): InspectError {
  if (error instanceof InspectError) {
    if (error.kind === 'timeout' && keysScanned !== undefined && error.keysScanned === undefined) {
      return new InspectError('timeout', `${error.message} (after ${keysScanned} keys scanned)`, keysScanned);
    }
    return error;
  }
  const message = messageOf(error);
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (/WRONGPASS|NOAUTH|invalid password|invalid username-password/i.test(message)) {
    return new InspectError('auth-failed', `authentication to ${target} failed: ${message.split('\n')[0]}`);
  }
  if (/^NOPERM/.test(message)) return new InspectError('no-permission', `${target} refused a command the inspector needs: ${message}`, keysScanned);
  if (/Command timed out|ETIMEDOUT|connect ETIMEDOUT/i.test(message)) {
    const suffix = keysScanned !== undefined ? ` (after ${keysScanned} keys scanned)` : '';
    return new InspectError('timeout', `${target} did not answer in time${suffix}`, keysScanned);
  }
  if (connected) {
    return new InspectError(
      'went-away',
      `${target} went away during the inspection after ${keysScanned ?? 0} keys scanned (${message})`,
      keysScanned ?? 0,
    );
  }
  if (/Protocol error/.test(message)) return new InspectError('unreachable', `${target} did not answer like a Redis server (is it the right port?)`);
  if (code === 'ECONNREFUSED' || /ECONNREFUSED/.test(message)) return new InspectError('connection-refused', `connection to ${target} refused: is Redis running there?`);
  if (code === 'ENOENT' && /unix/.test(target)) return new InspectError('connection-refused', `no Redis socket at ${target}`);
  return new InspectError('unreachable', `cannot connect to ${target}: ${message}`);
}

/**
 * A connection that gives up instead of waiting: no reconnects, no offline queue, one try per command,
 * and a command timeout, so a dead or slow server ends the inspection with an error rather than a hang.
 */
export async function openConnection(target: ConnectionTarget, timeouts: ConnectionTimeouts = defaultTimeouts): Promise<Redis> {
  let lastError: unknown;
  const client = new Redis({
    ...target.options,
    lazyConnect: true,
    connectTimeout: timeouts.connectTimeoutMs,
    commandTimeout: timeouts.commandTimeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    reconnectOnError: () => false,
    enableOfflineQueue: false,
    // The ready check sends INFO, which an ACL may forbid; the inspector asks for INFO itself and degrades.
    enableReadyCheck: false,
    autoResubscribe: false,
    // ioredis otherwise keeps a failed socket's process alive for 2 s before giving up on a clean close.
    disconnectTimeout: 200,
    // No connectionName: CLIENT SETNAME is one more command a restrictive ACL may refuse.
  });
  client.on('error', (error: unknown) => {
    lastError = error;
  });
  try {
    await withTimeout(client.connect(), timeouts.connectTimeoutMs + 1000, `connecting to ${target.display}`);
    // AUTH failures surface as an 'error' event, not as a rejected connect: a PING tells for sure.
    await withTimeout(client.ping(), timeouts.commandTimeoutMs, `${target.display}`);
  } catch (error) {
    client.disconnect();
    // The 'error' event carries the server's own words (WRONGPASS, ECONNREFUSED); prefer it to a generic rejection.
    throw classifyError(lastError ?? error, target.display, false);
  }
  return client;
}
