import * as fs from 'node:fs';
import * as net from 'node:net';
import Redis, { RedisOptions } from 'ioredis';
import type { ConnectionOptions as TlsOptions } from 'node:tls';
import { answersPlainRedis, completesTlsHandshake } from './protocol-probe';

/** Why an inspection could not run or finish, in words a user can act on. */
export type InspectErrorKind =
  | 'bad-url'
  | 'bad-config'
  | 'connection-refused'
  | 'auth-failed'
  | 'no-permission'
  | 'timeout'
  | 'went-away'
  | 'unreachable'
  | 'tls'
  | 'unknown-master'
  /** The caller aborted the inspection before any key was scanned. */
  | 'cancelled';

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

/** TLS beyond what the URL says, modelled on redis-cli's flags; any of it turns TLS on. */
export interface TlsSettings {
  /** PEM file of the CA(s) that signed the server's certificate (`--cacert`). */
  caFile?: string;
  /** PEM client certificate and its key, for servers that verify clients (`--cert`, `--key`). */
  certFile?: string;
  keyFile?: string;
  /** Name to send as SNI and to check the certificate against, instead of the URL's host (`--sni`). */
  servername?: string;
  /** Accept any certificate: no CA or host name check (`--insecure`). */
  insecure?: boolean;
}

export interface ConnectionSettings {
  tls?: TlsSettings;
  /**
   * The password, when it is kept apart from the URL (the editor keeps it in secret storage); it wins over one
   * in the URL. For a Sentinel URL it is the master's.
   */
  password?: string;
}

export interface ConnectionTimeouts {
  connectTimeoutMs: number;
  commandTimeoutMs: number;
}

export const defaultTimeouts: ConnectionTimeouts = { connectTimeoutMs: 5000, commandTimeoutMs: 10_000 };

const defaultSentinelPort = 26379;

function parseDb(value: string | null | undefined, url: string): number | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  if (!/^\d+$/.test(value)) throw new InspectError('bad-url', `invalid database number "${value}" in ${url}`);
  return Number(value);
}

function readPemFile(file: string, what: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : String(error);
    throw new InspectError('bad-config', `cannot read the ${what} file "${file}": ${reason}`);
  }
}

/**
 * Node's TLS options for the settings. The files are read here, when the connection is about to be opened,
 * so that a missing file is a configuration error naming it rather than a failed handshake.
 */
export function tlsOptions(settings: TlsSettings, host?: string): TlsOptions {
  if (Boolean(settings.certFile) !== Boolean(settings.keyFile)) {
    throw new InspectError('bad-config', 'a client certificate needs both its certificate and its key file (--cert and --key)');
  }
  const options: TlsOptions = {};
  const servername = settings.servername ?? host;
  // SNI carries host names only (RFC 6066); for an IP address Node checks the certificate against the address.
  if (servername && net.isIP(servername) === 0) options.servername = servername;
  if (settings.caFile) options.ca = readPemFile(settings.caFile, 'CA certificate');
  if (settings.certFile) options.cert = readPemFile(settings.certFile, 'client certificate');
  if (settings.keyFile) options.key = readPemFile(settings.keyFile, 'client key');
  if (settings.insecure) options.rejectUnauthorized = false;
  return options;
}

function parsePort(text: string | undefined, fallback: number, raw: string): number {
  if (text === undefined || text === '') return fallback;
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65535) throw new InspectError('bad-url', `invalid port "${text}" in ${raw}`);
  return port;
}

function decodeOrThrow(text: string, raw: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new InspectError('bad-url', `invalid percent-encoding in "${raw}"`);
  }
}

const sentinelUrlPattern = /^(rediss?)-sentinel:\/\/(?:([^@/?#]*)@)?([^/?#]*)(?:\/([^?#]*))?(?:\?([^#]*))?(?:#(.*))?$/i;

/**
 * `redis-sentinel://[user:pass@]host1:26379[,host2:26379...][/db]#masterName` (Lettuce's form; also
 * `?sentinelMasterId=name`). The credentials are the master's; `?sentinelPassword=` (and `sentinelUsername`)
 * authenticate to the sentinels. `rediss-sentinel://` speaks TLS to the sentinels and to the master.
 */
function parseSentinelUrl(raw: string, match: RegExpExecArray, settings: ConnectionSettings): ConnectionTarget {
  const [, scheme, userinfo, hostList, path, query, fragment] = match;
  const params = new URLSearchParams(query ?? '');
  const name = fragment ? decodeOrThrow(fragment, raw) : (params.get('sentinelMasterId') ?? '');
  if (!name) throw new InspectError('bad-url', `no master name in "${redactUserinfo(raw)}" (add #masterName, as in redis-sentinel://host:26379#mymaster)`);
  if (!hostList) throw new InspectError('bad-url', `no sentinel address in "${redactUserinfo(raw)}"`);
  const sentinels = hostList.split(',').map((entry) => {
    const address = /^\[([^\]]+)\](?::(\d*))?$/.exec(entry) ?? /^([^:[\]]+)(?::(\d*))?$/.exec(entry);
    if (!address) throw new InspectError('bad-url', `invalid sentinel address "${entry}" in "${redactUserinfo(raw)}"`);
    return { host: address[1], port: parsePort(address[2], defaultSentinelPort, redactUserinfo(raw)) };
  });
  const db = parseDb(path || params.get('db'), redactUserinfo(raw));
  let username: string | undefined;
  let password: string | undefined;
  if (userinfo) {
    const colon = userinfo.indexOf(':');
    username = decodeOrThrow(colon >= 0 ? userinfo.slice(0, colon) : userinfo, raw) || undefined;
    password = colon >= 0 ? decodeOrThrow(userinfo.slice(colon + 1), raw) || undefined : undefined;
  }
  const options: RedisOptions = {
    sentinels,
    name,
    role: 'master',
    db,
    username,
    password,
    sentinelUsername: params.get('sentinelUsername') ?? undefined,
    sentinelPassword: params.get('sentinelPassword') ?? undefined,
  };
  const useTls = scheme.toLowerCase() === 'rediss' || settings.tls !== undefined;
  if (useTls) {
    const tls = tlsOptions(settings.tls ?? {});
    options.tls = tls;
    options.sentinelTLS = tls;
    options.enableTLSForSentinelMode = true;
  }
  const addresses = sentinels.map(({ host, port }) => `${host.includes(':') ? `[${host}]` : host}:${port}`).join(',');
  return {
    options,
    display: `${useTls ? 'rediss' : 'redis'}-sentinel://${addresses}${db !== undefined ? `/${db}` : ''}#${name}`,
  };
}

/** The URL with any `user:pass@` removed, for messages about a URL that did not parse. */
function redactUserinfo(raw: string): string {
  return raw.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/?#]*@/i, '$1');
}

/**
 * Accepts `redis://[user:pass@]host:port[/db]`, `rediss://` (TLS), `unix:///path/to.sock[?db=N]` and
 * `redis-sentinel://host:port[,host:port...][/db]#master`. Parsed here rather than by ioredis so that a malformed
 * URL is a clear usage error, not a connection attempt to a guessed address. `settings.tls` turns TLS on for a
 * `redis://` URL too, and its certificate files are read now.
 */
export function parseRedisUrl(raw: string, settings: ConnectionSettings = {}): ConnectionTarget {
  const target = parseUrlOnly(raw, settings);
  if (settings.password !== undefined && settings.password !== '') target.options.password = settings.password;
  return target;
}

function parseUrlOnly(raw: string, settings: ConnectionSettings): ConnectionTarget {
  const sentinel = sentinelUrlPattern.exec(raw);
  if (sentinel) return parseSentinelUrl(raw, sentinel, settings);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new InspectError(
      'bad-url',
      `not a Redis URL: "${redactUserinfo(raw)}" (expected redis://host:port, rediss://host:port, unix:///path/to.sock or redis-sentinel://host:port#master)`,
    );
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
    throw new InspectError('bad-url', `unsupported scheme "${url.protocol}" in "${redactUserinfo(raw)}" (expected redis://, rediss://, unix:// or redis-sentinel://)`);
  }
  if (!url.hostname) throw new InspectError('bad-url', `no host in "${raw}"`);
  const port = url.port ? Number(url.port) : 6379;
  const dbText = url.pathname.replace(/^\//, '');
  const db = parseDb(dbText || url.searchParams.get('db'), raw);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const options: RedisOptions = { host, port, username, password, db };
  const useTls = url.protocol === 'rediss:' || settings.tls !== undefined;
  if (useTls) options.tls = tlsOptions(settings.tls ?? {}, host);
  return { options, display: `${useTls ? 'rediss:' : 'redis:'}//${url.host}${db !== undefined ? `/${db}` : ''}` };
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

/** Certificate checks that fail because the client does not trust the CA that signed the server's certificate. */
const untrustedCertificateCodes = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
]);

/** A TLS failure in words, or undefined when the error is not about TLS. */
function classifyTlsError(message: string, code: string | undefined, target: string): InspectError | undefined {
  if (code && untrustedCertificateCodes.has(code)) {
    return new InspectError('tls', `TLS to ${target}: the server's certificate is not signed by a trusted CA (${message}): pass --cacert FILE with the CA that signed it, or --insecure to skip verification`);
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return new InspectError('tls', `TLS to ${target}: the certificate does not match the host name (${message}): connect by a name the certificate lists, or pass --sni NAME`);
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    return new InspectError('tls', `TLS to ${target}: the server's certificate is ${code === 'CERT_HAS_EXPIRED' ? 'expired' : 'not valid yet'} (${message})`);
  }
  if (/certificate required|alert bad certificate|alert unknown ca|TLSV1_ALERT_UNKNOWN_CA|ALERT_CERTIFICATE_REQUIRED|ALERT_BAD_CERTIFICATE/i.test(`${code ?? ''} ${message}`)) {
    return new InspectError('tls', `TLS to ${target}: the server refused the client certificate (${message}): pass --cert FILE and --key FILE with a certificate its CA signed`);
  }
  if (/wrong version number|packet length too long|unknown protocol|record layer failure|http request/i.test(message)) {
    return new InspectError('tls', `TLS to ${target} failed: the server does not speak TLS on this port (${message}); use redis:// without --tls`);
  }
  if (code?.startsWith('ERR_SSL_') || code?.startsWith('ERR_TLS_') || /^(CERT_|UNABLE_TO_)/.test(code ?? '')) {
    return new InspectError('tls', `TLS to ${target} failed: ${message}`);
  }
  return undefined;
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
  if (!connected) {
    const tls = classifyTlsError(message, code, target);
    if (tls) return tls;
  }
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

/** `failed to connect to sentinel HOST:PORT because REASON`, as ioredis reports each sentinel it tried. */
const sentinelFailure = /^failed to connect to sentinel (\S+) because (.*)$/s;

/**
 * Why no sentinel gave the master's address: a sentinel that answered but does not monitor the master is told
 * apart from sentinels that could not be reached, since the fixes differ (the name versus the addresses).
 */
export function classifySentinelFailure(sentinelErrors: string[], target: ConnectionTarget, finalError: unknown): InspectError {
  const master = String(target.options.name);
  const failures = sentinelErrors.map((text) => sentinelFailure.exec(text)).filter((match): match is RegExpExecArray => match !== null);
  const unknown = failures.find(([, , reason]) => /No such master|invalid reply: null/i.test(reason));
  if (unknown) {
    return new InspectError('unknown-master', `sentinel ${unknown[1]} does not know master '${master}' (${target.display}): check the name after #`);
  }
  const auth = failures.find(([, , reason]) => /WRONGPASS|NOAUTH|invalid password|invalid username-password/i.test(reason));
  if (auth) return new InspectError('auth-failed', `authentication to sentinel ${auth[1]} failed: ${auth[2]} (set ?sentinelPassword= in the URL)`);
  const refused = failures.filter(([, , reason]) => /Connection is closed|ECONNREFUSED|ECONNRESET/i.test(reason));
  const timedOut = failures.filter(([, , reason]) => /timed out|ETIMEDOUT/i.test(reason));
  const addresses = failures.map(([, address]) => address).join(', ');
  if (failures.length > 0 && refused.length === failures.length) {
    return new InspectError('connection-refused', `no sentinel of ${target.display} could be reached (${addresses}): are the sentinels running there?`);
  }
  if (timedOut.length > 0 && refused.length + timedOut.length === failures.length) {
    return new InspectError('timeout', `no sentinel of ${target.display} answered in time (${addresses})`);
  }
  if (failures.length > 0) {
    return new InspectError('unreachable', `no sentinel of ${target.display} gave the address of master '${master}': ${failures.map(([, address, reason]) => `${address}: ${reason.trim()}`).join('; ')}`);
  }
  return classifyError(finalError, target.display, false);
}

/**
 * After a failed connection the error alone often cannot tell a TLS/plain mismatch from a dead server (the socket
 * is just closed, or the handshake waits for bytes that never come). One short probe of the other protocol tells
 * for sure, and turns "connection closed" into the fix.
 */
async function explainProtocolMismatch(target: ConnectionTarget, error: InspectError, probeTimeoutMs: number): Promise<InspectError> {
  const { host, port } = target.options;
  if (target.options.sentinels || target.options.path || host === undefined || port === undefined) return error;
  if (!['timeout', 'unreachable', 'tls'].includes(error.kind) || /certificate|--sni/.test(error.message)) return error;
  if (target.options.tls) {
    if (await answersPlainRedis(host, port, probeTimeoutMs)) {
      return new InspectError('tls', `TLS to ${target.display} failed: the server does not speak TLS on this port (it answers plain Redis): use redis:// without --tls`);
    }
    // With TLS 1.3 a server that requires a client certificate checks it after the client's handshake is done,
    // and Redis then just closes the socket: the client sees a reset, not the reason.
    if (!target.options.tls.cert && /ECONNRESET|Connection is closed|socket disconnected/i.test(error.message) && (await completesTlsHandshake(host, port, probeTimeoutMs))) {
      return new InspectError('tls', `TLS to ${target.display}: the server closed the connection after the handshake; it probably requires a client certificate: pass --cert FILE and --key FILE`);
    }
  } else if (await completesTlsHandshake(host, port, probeTimeoutMs)) {
    return new InspectError('tls', `${target.display} closed the connection: the server expects TLS: use rediss:// (or --tls)`);
  }
  return error;
}

/**
 * A connection that gives up instead of waiting: no reconnects, no offline queue, one try per command,
 * and a command timeout, so a dead or slow server ends the inspection with an error rather than a hang.
 * Through sentinels, each sentinel is asked once; none answering is an error, not a retry loop.
 */
export async function openConnection(target: ConnectionTarget, timeouts: ConnectionTimeouts = defaultTimeouts): Promise<Redis> {
  let lastError: unknown;
  const sentinelErrors: string[] = [];
  const client = new Redis({
    ...target.options,
    lazyConnect: true,
    connectTimeout: timeouts.connectTimeoutMs,
    commandTimeout: timeouts.commandTimeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    sentinelRetryStrategy: () => null,
    sentinelCommandTimeout: timeouts.commandTimeoutMs,
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
  client.on('sentinelError', (error: unknown) => {
    sentinelErrors.push(messageOf(error));
  });
  try {
    await withTimeout(client.connect(), timeouts.connectTimeoutMs + 1000, `connecting to ${target.display}`);
    // AUTH failures surface as an 'error' event, not as a rejected connect: a PING tells for sure.
    await withTimeout(client.ping(), timeouts.commandTimeoutMs, `${target.display}`);
  } catch (error) {
    client.disconnect();
    if (target.options.sentinels && /All sentinels are unreachable/.test(messageOf(lastError ?? error))) {
      throw classifySentinelFailure(sentinelErrors, target, lastError ?? error);
    }
    // The 'error' event carries the server's own words (WRONGPASS, ECONNREFUSED); prefer it to a generic rejection.
    const classified = classifyError(lastError ?? error, target.display, false);
    throw await explainProtocolMismatch(target, classified, Math.min(timeouts.connectTimeoutMs, 2000));
  }
  return client;
}
