import type Redis from 'ioredis';
import { classifyError, InspectError, withTimeout } from './connection';

/** What the inspector learned about one key. */
export interface KeyRecord {
  name: Buffer;
  type: string;
  /** Remaining time to live in ms; -1 when the key has no TTL. */
  pttlMs: number;
  /** `MEMORY USAGE` with Redis's default sampling; null when unavailable. */
  memoryBytes: number | null;
  /** Element count (string length for strings); null for types without an O(1) count. */
  elements: number | null;
}

export interface ScanOptions {
  /** Only keys starting with these bytes (sent as a SCAN MATCH pattern with glob characters escaped). */
  prefix?: Buffer;
  /** The COUNT hint of each SCAN call. */
  scanCount: number;
  /** How many keys' per-key commands go in one pipeline. */
  pipelineSize: number;
  /** Stop after this many keys (sampling); undefined for the whole keyspace. */
  maxKeys?: number;
  /**
   * The share of wall time the inspector may keep the server busy, in (0, 1]. After each SCAN batch it sleeps
   * so that work / (work + pause) stays at this share: 0.5 means a pause as long as the batch took.
   */
  dutyCycle: number;
  commandTimeoutMs: number;
  target: string;
  onKey(record: KeyRecord): void;
  onProgress?(keysScanned: number): void;
}

/** Commands whose lookups Redis counts in keyspace_hits/keyspace_misses, and how they came out. */
export interface OwnLookups {
  hits: number;
  misses: number;
}

export interface ScanOutcome {
  keysScanned: number;
  /** True when SCAN went round the whole keyspace (the cursor came back to 0). */
  complete: boolean;
  ownLookups: OwnLookups;
  /** How many of each command the inspector sent, for the report. */
  commandsSent: Record<string, number>;
  /** Parts of the per-key figures the server refused (ACL), with the server's reason. */
  unavailable: string[];
}

/** The O(1) element count of each type; other types (module types) get none. */
const lengthCommandByType: Record<string, string> = {
  string: 'strlen',
  hash: 'hlen',
  set: 'scard',
  zset: 'zcard',
  list: 'llen',
  stream: 'xlen',
};

/** A prefix as a literal SCAN MATCH pattern: its glob metacharacters escaped. */
export function escapeGlob(prefix: Buffer): Buffer {
  const bytes: number[] = [];
  for (const byte of prefix) {
    // * ? [ ] \ are SCAN MATCH metacharacters.
    if (byte === 0x2a || byte === 0x3f || byte === 0x5b || byte === 0x5d || byte === 0x5c) bytes.push(0x5c);
    bytes.push(byte);
  }
  return Buffer.from(bytes);
}

/** What a walk of the keyspace needs: the bounds and pacing every SCAN pass of the inspector shares. */
export type KeyspaceWalkOptions = Pick<ScanOptions, 'prefix' | 'scanCount' | 'pipelineSize' | 'maxKeys' | 'dutyCycle' | 'commandTimeoutMs' | 'target' | 'onProgress'>;

/**
 * SCAN over the keyspace (or a prefix) with a bounded COUNT, hands each pipeline-sized batch of names to
 * `onBatch`, stops after `maxKeys` keys (as counted by `keysDone`), and pauses after each SCAN batch to keep
 * to the duty cycle. Returns whether the cursor went all the way round. A failure is classified, naming
 * how many keys were done.
 */
export async function walkKeyspace(
  client: Redis,
  options: KeyspaceWalkOptions,
  count: (command: string, n?: number) => void,
  keysDone: () => number,
  onBatch: (names: Buffer[]) => Promise<void>,
): Promise<boolean> {
  const bounded = <T>(promise: Promise<T>, what: string) => withTimeout(promise, options.commandTimeoutMs + 1000, `${options.target} (${what})`);
  const matchArgs: (string | Buffer)[] = options.prefix ? ['MATCH', Buffer.concat([escapeGlob(options.prefix), Buffer.from('*')])] : [];
  let cursor = '0';
  let truncated = false;
  try {
    do {
      const started = Date.now();
      count('SCAN');
      const [nextCursor, names] = (await bounded(client.callBuffer('SCAN', cursor, ...matchArgs, 'COUNT', options.scanCount), 'SCAN')) as [Buffer, Buffer[]];
      cursor = nextCursor.toString();
      let batch = names;
      if (options.maxKeys !== undefined) batch = batch.slice(0, Math.max(0, options.maxKeys - keysDone()));
      // Keys left out of the last batch mean the walk did not see the whole keyspace, even if the cursor is back at 0.
      if (batch.length < names.length) truncated = true;
      for (let index = 0; index < batch.length; index += options.pipelineSize) {
        await onBatch(batch.slice(index, index + options.pipelineSize));
      }
      options.onProgress?.(keysDone());
      if (options.maxKeys !== undefined && keysDone() >= options.maxKeys) break;
      if (cursor === '0') break;
      await pauseForDutyCycle(Date.now() - started, options.dutyCycle);
    } while (cursor !== '0');
    return cursor === '0' && !truncated;
  } catch (error) {
    if (error instanceof InspectError && error.kind !== 'timeout') throw error;
    throw classifyError(error, options.target, true, keysDone());
  }
}

/** Sleeps so that `workedMs` of work is `dutyCycle` of the time: the server's share of the inspector's attention. */
export async function pauseForDutyCycle(workedMs: number, dutyCycle: number): Promise<void> {
  const pause = Math.ceil((workedMs * (1 - dutyCycle)) / dutyCycle);
  if (pause > 0) await sleep(pause);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

type PipelineResults = [Error | null, unknown][];

function isReplyError(error: Error): boolean {
  return error.name === 'ReplyError';
}

export async function scanKeyspace(client: Redis, options: ScanOptions): Promise<ScanOutcome> {
  const outcome: ScanOutcome = { keysScanned: 0, complete: false, ownLookups: { hits: 0, misses: 0 }, commandsSent: {}, unavailable: [] };
  const count = (command: string, n = 1) => {
    outcome.commandsSent[command] = (outcome.commandsSent[command] ?? 0) + n;
  };
  const unavailable = new Map<string, string>();
  const bounded = <T>(promise: Promise<T>, what: string) => withTimeout(promise, options.commandTimeoutMs + 1000, `${options.target} (${what})`);

  /** Per-command results: reply errors such as NOPERM degrade a figure; anything else ends the scan. */
  const valueOf = (entry: [Error | null, unknown] | undefined, figure: string): unknown => {
    if (!entry) throw new Error('pipeline returned fewer replies than commands');
    const [error, value] = entry;
    if (!error) return value;
    if (isReplyError(error)) {
      unavailable.set(figure, error.message);
      return null;
    }
    throw error;
  };

  const inspectBatch = async (names: Buffer[]) => {
    const first = client.pipeline();
    for (const name of names) {
      first.type(name);
      first.pttl(name);
      first.call('MEMORY', 'USAGE', name);
    }
    count('TYPE', names.length);
    count('PTTL', names.length);
    count('MEMORY USAGE', names.length);
    const firstResults = ((await bounded(first.exec(), 'TYPE/PTTL/MEMORY USAGE')) ?? []) as PipelineResults;
    const records: KeyRecord[] = [];
    names.forEach((name, index) => {
      const type = valueOf(firstResults[index * 3], 'key types');
      const pttl = valueOf(firstResults[index * 3 + 1], 'TTLs');
      const memory = valueOf(firstResults[index * 3 + 2], 'memory usage');
      if (type === null || type === 'none') outcome.ownLookups.misses += 1;
      else outcome.ownLookups.hits += 1;
      if (pttl === -2) outcome.ownLookups.misses += 1;
      else if (pttl !== null) outcome.ownLookups.hits += 1;
      // Keys that expired or were deleted between SCAN and TYPE are no longer part of the keyspace.
      if (type === 'none' || pttl === -2) return;
      records.push({
        name,
        type: typeof type === 'string' ? type : 'unknown',
        pttlMs: typeof pttl === 'number' ? pttl : -1,
        memoryBytes: typeof memory === 'number' ? memory : null,
        elements: null,
      });
    });

    const second = client.pipeline();
    const measured: KeyRecord[] = [];
    for (const record of records) {
      const command = lengthCommandByType[record.type];
      if (!command) continue;
      second.call(command.toUpperCase(), record.name);
      count(command.toUpperCase());
      measured.push(record);
    }
    if (measured.length > 0) {
      const secondResults = ((await bounded(second.exec(), 'element counts')) ?? []) as PipelineResults;
      measured.forEach((record, index) => {
        const elements = valueOf(secondResults[index], 'element counts');
        if (typeof elements === 'number') {
          record.elements = elements;
          // An empty aggregate does not exist in Redis, so 0 means the key went away (a miss); an empty string is a hit.
          if (elements === 0 && record.type !== 'string') outcome.ownLookups.misses += 1;
          else outcome.ownLookups.hits += 1;
        }
      });
    }
    for (const record of records) {
      options.onKey(record);
      outcome.keysScanned += 1;
    }
  };

  outcome.complete = await walkKeyspace(client, options, count, () => outcome.keysScanned, async (names) => {
    await inspectBatch(names);
  });
  outcome.unavailable = [...unavailable].map(([figure, reason]) => `${figure}: ${reason}`);
  return outcome;
}
