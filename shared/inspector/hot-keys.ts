import type Redis from 'ioredis';
import { classifyError, InspectError, withTimeout } from './connection';
import { walkKeyspace, type KeyspaceWalkOptions, type OwnLookups } from './scan';
import { parseInfo, versionAtLeast } from './server-info';

/**
 * Hot keys: which keys are read most. Three sources, each with its own limits:
 * - LFU counters (`OBJECT FREQ`), free to read when the server already keeps them (an LFU maxmemory-policy);
 * - a bounded MONITOR sample, only when the user asks for one, because MONITOR costs the server throughput;
 * - Redis 8.6+ `HOTKEYS GET` and 8.0+ `INFO keysizes`, whose replies are parsed here; the inspector never
 *   starts a HOTKEYS session itself (that is server state with the @admin and @dangerous flags).
 */

export interface HotKey {
  name: Buffer;
  /** LFU: the logarithmic access counter; MONITOR: reads seen in the window. */
  count: number;
}

export interface LfuHotKeys {
  source: 'lfu';
  keys: HotKey[];
  /** Keys whose OBJECT FREQ was read. */
  keysSampled: number;
  complete: boolean;
  ownLookups: OwnLookups;
  commandsSent: Record<string, number>;
}

export interface MonitorHotKeys {
  source: 'monitor';
  keys: HotKey[];
  windowMs: number;
  /** Every command MONITOR showed in the window, read or not. */
  commandsSampled: number;
  /** GET-family reads among them, whose keys were counted. */
  readsCounted: number;
  stoppedBy: 'window' | 'command-limit';
}

export type HotKeysResult = LfuHotKeys | MonitorHotKeys;

export function isLfuPolicy(policy: string | undefined): boolean {
  return policy === 'allkeys-lfu' || policy === 'volatile-lfu';
}

/** Keeps the N largest counts without holding every key: a small sorted array is enough for N around 10. */
class TopCounts {
  readonly entries: HotKey[] = [];
  constructor(private readonly size: number) {}

  offer(name: Buffer, count: number): void {
    if (this.entries.length >= this.size && count <= this.entries[this.entries.length - 1].count) return;
    this.entries.push({ name, count });
    this.entries.sort((a, b) => b.count - a.count);
    if (this.entries.length > this.size) this.entries.pop();
  }
}

/** The main scan's bounds, pacing and cancellation (see KeyspaceWalkOptions), and how many keys to rank. */
export type LfuOptions = Omit<KeyspaceWalkOptions, 'position' | 'onProgress'> & { topN: number };

/**
 * A SCAN pass of its own that reads `OBJECT FREQ` for each key, pipelined in small batches, with the same pause
 * budget as the main scan. It runs before the main scan so that the element-count commands of that scan (which
 * touch the LFU counter on servers without CLIENT NO-TOUCH) cannot raise the frequencies it reads.
 * OBJECT looks keys up without touching them but Redis counts the lookup in keyspace_hits/misses, so each
 * reply is counted as a hit (a number) or a miss (nil: the key went away) for the hit-ratio correction.
 */
export async function lfuHotKeys(client: Redis, options: LfuOptions): Promise<LfuHotKeys> {
  const result: LfuHotKeys = { source: 'lfu', keys: [], keysSampled: 0, complete: false, ownLookups: { hits: 0, misses: 0 }, commandsSent: {} };
  const top = new TopCounts(options.topN);
  const count = (command: string, n = 1) => {
    result.commandsSent[command] = (result.commandsSent[command] ?? 0) + n;
  };
  const bounded = <T>(promise: Promise<T>, what: string) => withTimeout(promise, options.commandTimeoutMs + 1000, `${options.target} (${what})`);
  result.complete = await walkKeyspace(client, options, count, () => result.keysSampled, result.ownLookups, async (slice) => {
    const pipeline = client.pipeline();
    for (const name of slice) pipeline.call('OBJECT', 'FREQ', name);
    count('OBJECT FREQ', slice.length);
    const replies = ((await bounded(pipeline.exec(), 'OBJECT FREQ')) ?? []) as [Error | null, unknown][];
    slice.forEach((name, position) => {
      const [error, frequency] = replies[position] ?? [new Error('pipeline returned fewer replies than commands'), null];
      if (error) {
        // A policy changed to non-LFU mid-pass makes OBJECT FREQ fail; anything but a reply error ends the pass.
        if (error.name === 'ReplyError') return;
        throw error;
      }
      if (typeof frequency !== 'number') {
        result.ownLookups.misses += 1;
        return;
      }
      result.ownLookups.hits += 1;
      result.keysSampled += 1;
      top.offer(name, frequency);
    });
  });
  result.keys = top.entries;
  return result;
}

/**
 * Reads whose keys MONITOR sampling counts, with where the keys are in the arguments: 'all' for commands
 * whose every argument is a key, 1 for commands whose first argument is the key.
 */
const readCommandKeys: Record<string, 'all' | 1> = {
  GET: 1,
  GETEX: 1,
  GETRANGE: 1,
  MGET: 'all',
  HGET: 1,
  HMGET: 1,
  HGETALL: 1,
  SMEMBERS: 1,
  SISMEMBER: 1,
  ZRANGE: 1,
  ZSCORE: 1,
  LRANGE: 1,
  EXISTS: 'all',
};

export const monitorMaxSeconds = 30;
export const monitorDefaultMaxCommands = 100_000;

/**
 * Turns one argument of a MONITOR line back into its exact bytes. Redis prints each argument quoted with
 * `\\`, `\"`, `\n`, `\r`, `\t`, `\a`, `\b` and `\xHH` escapes, every other byte as printable ASCII.
 * ioredis has already split the line on `" "` and turned `\"` into `"`; since every quote inside an
 * argument was escaped, putting the backslash back restores Redis's text exactly.
 */
export function decodeMonitorArgument(argument: string): Buffer {
  const text = argument.replace(/"/g, '\\"');
  const bytes: number[] = [];
  const simple: Record<string, number> = { '\\': 0x5c, '"': 0x22, n: 0x0a, r: 0x0d, t: 0x09, a: 0x07, b: 0x08 };
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index];
    if (char !== '\\' || index + 1 >= text.length) {
      bytes.push(text.charCodeAt(index) & 0xff);
      continue;
    }
    const next = text[index + 1];
    if (next === 'x' && /^[0-9a-fA-F]{2}$/.test(text.slice(index + 2, index + 4))) {
      bytes.push(parseInt(text.slice(index + 2, index + 4), 16));
      index += 3;
    } else if (simple[next] !== undefined) {
      bytes.push(simple[next]);
      index += 1;
    } else {
      bytes.push(0x5c);
    }
  }
  return Buffer.from(bytes);
}

/** The keys a MONITOR line reads, for the GET family; none for other commands. */
export function keysReadBy(args: Buffer[]): Buffer[] {
  if (args.length < 2) return [];
  const position = readCommandKeys[args[0].toString('latin1').toUpperCase()];
  if (position === undefined) return [];
  return position === 'all' ? args.slice(1) : [args[1]];
}

export interface MonitorOptions {
  seconds: number;
  maxCommands: number;
  /** Only reads in this database count (MONITOR shows every database). */
  db: number;
  topN: number;
  commandTimeoutMs: number;
  target: string;
  /** Called once MONITOR is running, so a caller can tell the user (or a test can start its traffic). */
  onStarted?(): void;
}

/**
 * A bounded MONITOR sample on a connection of its own (ioredis duplicates the inspector's connection with the
 * same address, credentials and give-up settings), closed after the window or after `maxCommands` lines,
 * whichever comes first. MONITOR makes Redis copy every command to this connection, so the window is short and
 * capped at 30 s.
 */
export async function monitorHotKeys(client: Redis, options: MonitorOptions): Promise<MonitorHotKeys> {
  if (!(options.seconds > 0 && options.seconds <= monitorMaxSeconds)) {
    throw new RangeError(`the MONITOR window must be more than 0 and at most ${monitorMaxSeconds} seconds, got ${options.seconds}`);
  }
  // Duplicated here rather than with client.monitor(), so that a refused MONITOR still closes the connection.
  const monitor = client.duplicate({ monitor: true, lazyConnect: false });
  // Errors after the start (the server going away) end the window through 'close'; they must not go unhandled.
  monitor.on('error', () => undefined);
  try {
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        monitor.once('error', reject);
        monitor.once('monitoring', () => resolve());
      }),
      options.commandTimeoutMs,
      `${options.target} (MONITOR)`,
    );
  } catch (error) {
    monitor.disconnect();
    throw classifyError(error, options.target, true);
  }
  const counts = new Map<string, { name: Buffer; count: number }>();
  let commandsSampled = 0;
  let readsCounted = 0;
  const started = Date.now();
  let stoppedBy: MonitorHotKeys['stoppedBy'] = 'window';
  try {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, options.seconds * 1000);
      monitor.on('close', () => {
        clearTimeout(timer);
        resolve();
      });
      monitor.on('monitor', (_time: string, args: string[], _source: string, database: string) => {
        if (commandsSampled >= options.maxCommands) return;
        commandsSampled += 1;
        if (Number(database) === options.db) {
          for (const key of keysReadBy(args.map(decodeMonitorArgument))) {
            readsCounted += 1;
            const id = key.toString('base64');
            const entry = counts.get(id);
            if (entry) entry.count += 1;
            else counts.set(id, { name: key, count: 1 });
          }
        }
        if (commandsSampled >= options.maxCommands) {
          stoppedBy = 'command-limit';
          clearTimeout(timer);
          resolve();
        }
      });
      options.onStarted?.();
    });
  } finally {
    monitor.disconnect();
  }
  const top = new TopCounts(options.topN);
  for (const entry of counts.values()) top.offer(entry.name, entry.count);
  return { source: 'monitor', keys: top.entries, windowMs: Date.now() - started, commandsSampled, readsCounted, stoppedBy };
}

/** Which hot-key facilities a server offers, from INFO server. */
export interface HotKeyFeatures {
  flavor: 'redis' | 'valkey';
  version?: string;
  /** `HOTKEYS START/GET` (Redis 8.6 and later). */
  hotkeysCommand: boolean;
  /** The `keysizes` section of INFO (Redis 8.0 and later). */
  keysizesInfo: boolean;
}

/**
 * Valkey reports `redis_version` for compatibility (7.2.4) next to its own `valkey_version` and
 * `server_name:valkey`; the HOTKEYS command and INFO keysizes are Redis features, so neither is assumed there.
 */
export function hotKeyFeatures(infoServer: string): HotKeyFeatures {
  const fields = parseInfo(infoServer);
  const valkey = fields.get('server_name') === 'valkey' || fields.has('valkey_version');
  if (valkey) return { flavor: 'valkey', version: fields.get('valkey_version') ?? fields.get('redis_version'), hotkeysCommand: false, keysizesInfo: false };
  const version = fields.get('redis_version');
  return { flavor: 'redis', version, hotkeysCommand: versionAtLeast(version, '8.6'), keysizesInfo: versionAtLeast(version, '8.0') };
}

export interface HotkeysGetReply {
  trackingActive: boolean;
  sampleRatio?: number;
  collectionStartTimeUnixMs?: number;
  collectionDurationMs?: number;
  /** Top keys by CPU time in microseconds, when the session tracked CPU. */
  byCpuTimeUs?: HotKey[];
  /** Top keys by network bytes, when the session tracked NET. */
  byNetBytes?: HotKey[];
  /** Every other numeric field, under its Redis name. */
  figures: Record<string, number>;
}

function toBuffer(value: unknown): Buffer {
  return Buffer.isBuffer(value) ? value : Buffer.from(String(value));
}

function toNumber(value: unknown): number | undefined {
  const parsed = typeof value === 'number' ? value : Number(toBuffer(value).toString());
  return Number.isFinite(parsed) ? parsed : undefined;
}

function keyValuePairs(value: unknown): HotKey[] {
  if (!Array.isArray(value)) return [];
  const keys: HotKey[] = [];
  for (let index = 0; index + 1 < value.length; index += 2) keys.push({ name: toBuffer(value[index]), count: toNumber(value[index + 1]) ?? 0 });
  return keys;
}

/**
 * Parses the RESP2 reply of `HOTKEYS GET`: a flat array of field names and values, where `by-cpu-time-us` and
 * `by-net-bytes` are themselves flat arrays of key names and figures. A nil reply (no session) gives undefined.
 */
export function parseHotkeysGetReply(reply: unknown): HotkeysGetReply | undefined {
  if (reply === null || reply === undefined) return undefined;
  if (!Array.isArray(reply)) throw new Error('HOTKEYS GET: expected an array reply');
  const parsed: HotkeysGetReply = { trackingActive: false, figures: {} };
  for (let index = 0; index + 1 < reply.length; index += 2) {
    const field = toBuffer(reply[index]).toString();
    const value = reply[index + 1];
    if (field === 'by-cpu-time-us') parsed.byCpuTimeUs = keyValuePairs(value);
    else if (field === 'by-net-bytes') parsed.byNetBytes = keyValuePairs(value);
    else if (field === 'tracking-active') parsed.trackingActive = toNumber(value) === 1;
    else if (field === 'sample-ratio') parsed.sampleRatio = toNumber(value);
    else if (field === 'collection-start-time-unix-ms') parsed.collectionStartTimeUnixMs = toNumber(value);
    else if (field === 'collection-duration-ms') parsed.collectionDurationMs = toNumber(value);
    else if (!Array.isArray(value)) {
      const number = toNumber(value);
      if (number !== undefined) parsed.figures[field] = number;
    }
  }
  return parsed;
}

/** One histogram of INFO keysizes: bucket lower bound (a power of two) to number of keys. */
export type KeysizesHistogram = Map<number, number>;

const sizeSuffixes: Record<string, number> = { K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40, P: 2 ** 50 };

function parseBucketBound(text: string): number | undefined {
  const match = /^(\d+)([KMGTP]?)$/.exec(text);
  if (!match) return undefined;
  return Number(match[1]) * (match[2] ? sizeSuffixes[match[2]] : 1);
}

/**
 * Parses the `keysizes` section of INFO (Redis 8.0+): lines such as `db0_distrib_strings_sizes:2=1,4K=3` or
 * `db0_distrib_hashes_items:8=12`, giving, per database and type, how many keys fall in each power-of-two
 * bucket of string length or element count.
 */
export function parseInfoKeysizes(text: string): Map<number, Map<string, KeysizesHistogram>> {
  const databases = new Map<number, Map<string, KeysizesHistogram>>();
  for (const [field, value] of parseInfo(text)) {
    const match = /^db(\d+)_distrib_([a-z]+)_(sizes|items)$/.exec(field);
    if (!match) continue;
    const histogram: KeysizesHistogram = new Map();
    for (const part of value.split(',')) {
      const [bound, keys] = part.split('=');
      const lower = parseBucketBound(bound ?? '');
      const count = Number(keys);
      if (lower !== undefined && Number.isInteger(count)) histogram.set(lower, count);
    }
    const db = Number(match[1]);
    const types = databases.get(db) ?? new Map<string, KeysizesHistogram>();
    types.set(match[2], histogram);
    databases.set(db, types);
  }
  return databases;
}

export interface CollectHotKeysOptions {
  policy: string | undefined;
  /** A MONITOR window in seconds, when the user asked for one. */
  monitorSeconds?: number;
  monitorMaxCommands?: number;
  onMonitorStarted?(): void;
  db: number;
  lfu: Omit<LfuOptions, 'target' | 'commandTimeoutMs' | 'topN'>;
  topN: number;
  commandTimeoutMs: number;
  target: string;
}

export interface CollectedHotKeys {
  result?: HotKeysResult;
  ownLookups: OwnLookups;
  commandsSent: Record<string, number>;
  /** Why there are no hot keys, or what was refused. */
  unavailable: string[];
}

/**
 * A MONITOR sample when the user asked for one (they chose to pay for it), else LFU counters when the policy
 * keeps them, else nothing, with a note saying what would give hot keys on this server.
 */
export async function collectHotKeys(client: Redis, options: CollectHotKeysOptions): Promise<CollectedHotKeys> {
  const collected: CollectedHotKeys = { ownLookups: { hits: 0, misses: 0 }, commandsSent: {}, unavailable: [] };
  const refused = (what: string, error: unknown) => {
    if (error instanceof Error && error.name === 'ReplyError') {
      collected.unavailable.push(`hot keys (${what}): ${error.message.split('\n')[0]}`);
      return true;
    }
    return false;
  };
  if (options.monitorSeconds !== undefined) {
    try {
      collected.result = await monitorHotKeys(client, {
        seconds: options.monitorSeconds,
        maxCommands: options.monitorMaxCommands ?? monitorDefaultMaxCommands,
        db: options.db,
        topN: options.topN,
        commandTimeoutMs: options.commandTimeoutMs,
        target: options.target,
        onStarted: options.onMonitorStarted,
      });
      collected.commandsSent.MONITOR = 1;
    } catch (error) {
      // An ACL without +monitor costs the hot keys only, not the whole inspection.
      if (!(error instanceof InspectError && error.kind === 'no-permission')) throw error;
      collected.unavailable.push(`hot keys (MONITOR): ${error.message}`);
    }
    return collected;
  }
  if (isLfuPolicy(options.policy)) {
    try {
      const lfu = await lfuHotKeys(client, { ...options.lfu, target: options.target, commandTimeoutMs: options.commandTimeoutMs, topN: options.topN });
      collected.result = lfu;
      collected.ownLookups = lfu.ownLookups;
      collected.commandsSent = lfu.commandsSent;
    } catch (error) {
      if (!refused('OBJECT FREQ', error)) throw error;
    }
    return collected;
  }
  let features: HotKeyFeatures | undefined;
  try {
    collected.commandsSent.INFO = 1;
    features = hotKeyFeatures(await withTimeout(client.info('server'), options.commandTimeoutMs, 'INFO server'));
  } catch (error) {
    if (!(error instanceof Error && error.name === 'ReplyError')) throw error;
  }
  const serverSide = features?.hotkeysCommand
    ? '; this server also tracks hot keys itself with HOTKEYS START METRICS 1 CPU DURATION <seconds> then HOTKEYS GET (Redis 8.6+), which the inspector does not start because it changes server state'
    : '';
  collected.unavailable.push(
    `hot keys: maxmemory-policy is ${options.policy ?? 'unknown'}, not allkeys-lfu or volatile-lfu, so Redis keeps no access frequencies; pass --hotkeys-monitor SECONDS for a bounded MONITOR sample${serverSide}`,
  );
  return collected;
}
