import type Redis from 'ioredis';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { classifyError, InspectError, withTimeout } from './connection';
import { FixedPacer, LatencyPacer, Pacer, PacingStats, percentile } from './pacing';
import { recordOwnLookups } from './own-lookups';

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
   * A fixed share of wall time the inspector may keep the server busy, in (0, 1], used when no pacer is given:
   * after each SCAN batch it sleeps so that work / (work + pause) stays at this share.
   */
  dutyCycle?: number;
  /** Decides the pause after each SCAN batch (see pacing.ts). */
  pacer?: Pacer;
  /** Stops the walk after the batch in flight; the names not inspected stay in the position. */
  signal?: AbortSignal;
  /** Continue from here (updated as the walk goes); a fresh walk when absent. */
  position?: WalkPosition;
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

/** Where a walk of one server's keyspace stands: resumable after a sample, a cancellation or a failure. */
export interface WalkPosition {
  /** The SCAN cursor to continue from; '0' before the first call and after the last. */
  cursor: string;
  /** Names SCAN returned that were not inspected yet (a sample or cancellation stopped mid-batch). */
  pending: Buffer[];
  /** True when SCAN went round (the cursor came back to 0) and every name it returned was inspected. */
  done: boolean;
  /** Whether SCAN has been called at all: cursor '0' means "start" before and "finished" after. */
  started: boolean;
}

export function startPosition(): WalkPosition {
  return { cursor: '0', pending: [], done: false, started: false };
}

/** What a walk of the keyspace needs: the bounds and pacing every SCAN pass of the inspector shares. */
export type KeyspaceWalkOptions = Omit<ScanOptions, 'onKey'>;

/**
 * SCAN over the keyspace (or a prefix) with a bounded COUNT, hands each pipeline-sized batch of names to
 * `onBatch`, stops after `maxKeys` keys (as counted by `keysDone`) or when the signal is aborted, and pauses
 * after each SCAN batch as the pacer says. The position records the cursor and the names returned but not yet
 * inspected, so a later walk continues exactly where this one stopped: no key is skipped or inspected twice by
 * the resumption itself. Returns whether the walk went all the way round. A failure is classified, naming how
 * many keys were done.
 */
export async function walkKeyspace(
  client: Redis,
  options: KeyspaceWalkOptions,
  count: (command: string, n?: number) => void,
  keysDone: () => number,
  /** The pass's count of the lookups it made; what each batch adds goes to the own-lookups ledger. */
  lookups: OwnLookups,
  onBatch: (names: Buffer[]) => Promise<void>,
): Promise<boolean> {
  const bounded = <T>(promise: Promise<T>, what: string) => withTimeout(promise, options.commandTimeoutMs + 1000, `${options.target} (${what})`);
  const matchArgs: (string | Buffer)[] = options.prefix ? ['MATCH', Buffer.concat([escapeGlob(options.prefix), Buffer.from('*')])] : [];
  const position = options.position ?? startPosition();
  const pacer = options.pacer ?? new FixedPacer(options.dutyCycle ?? 1);
  const limitReached = () => options.maxKeys !== undefined && keysDone() >= options.maxKeys;
  const stopped = () => limitReached() || options.signal?.aborted === true;
  const session = pacer instanceof PacingSession ? pacer : undefined;
  session?.enter();
  try {
    while (!position.done && !stopped()) {
      const started = Date.now();
      if (position.pending.length === 0) {
        count('SCAN');
        const [nextCursor, names] = (await bounded(client.callBuffer('SCAN', position.cursor, ...matchArgs, 'COUNT', options.scanCount), 'SCAN')) as [Buffer, Buffer[]];
        position.cursor = nextCursor.toString();
        position.started = true;
        position.pending = names;
      }
      while (position.pending.length > 0 && !stopped()) {
        let size = Math.min(options.pipelineSize, position.pending.length);
        if (options.maxKeys !== undefined) size = Math.min(size, options.maxKeys - keysDone());
        const before = { ...lookups };
        await onBatch(position.pending.slice(0, size));
        // Batch by batch, so a live hit-ratio monitor running meanwhile can subtract them.
        recordOwnLookups(options.target, lookups.hits - before.hits, lookups.misses - before.misses);
        // Only once inspected do the names leave the position: a failure leaves them to the next walk.
        position.pending = position.pending.slice(size);
      }
      if (position.pending.length === 0 && position.cursor === '0' && position.started) position.done = true;
      options.onProgress?.(keysDone());
      if (position.done || stopped()) break;
      const worked = Date.now() - started;
      const pause = pacer.pauseAfter(worked);
      if (pause > 0) await sleep(pause, options.signal);
    }
    return position.done;
  } catch (error) {
    if (error instanceof InspectError && error.kind !== 'timeout') throw error;
    throw classifyError(error, options.target, true, keysDone());
  } finally {
    session?.leave();
  }
}

/** Sleeps for `ms`, or less when the signal is aborted meanwhile. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

export interface PacingSettings {
  /** A fixed duty cycle forces the old behaviour; otherwise the latency pacer decides. */
  dutyCycle?: number;
  /** Allowed rise of the probe's latency over the idle baseline, ms. */
  latencyBudgetMs: number;
  /** How often the probe PINGs while the inspector works, ms. */
  probeIntervalMs: number;
  /** PINGs of the idle baseline taken before any work. */
  baselineSamples: number;
  commandTimeoutMs: number;
}

/** A second connection that times PINGs: an idle baseline first, then one sample per interval until closed. */
interface LatencyProbe {
  where: 'thread' | 'main-thread';
  baseline: number[];
  onSample(listener: (latencyMs: number) => void): void;
  close(): Promise<void>;
}

/**
 * The probe's code, run in a worker thread so that its timings are not delayed by the main thread's own work
 * (parsing replies, garbage collection): only the server and the network are measured. It is given as source
 * text because the inspector also runs from a bundle, where no worker file sits next to this one.
 */
const probeWorkerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const { performance } = require('node:perf_hooks');
const Redis = require(workerData.ioredisPath);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const client = new Redis({ ...workerData.options, lazyConnect: true, commandTimeout: workerData.timeoutMs, maxRetriesPerRequest: 0,
  retryStrategy: () => null, reconnectOnError: () => false, enableOfflineQueue: false, enableReadyCheck: false, disconnectTimeout: 200 });
client.on('error', () => undefined);
let stopped = false;
parentPort.on('message', (message) => { if (message === 'stop') stopped = true; });
const time = async () => { const sent = performance.now(); await client.ping(); return performance.now() - sent; };
(async () => {
  try {
    await client.connect();
    // One untimed PING first: the first round trip also pays for connection setup and compilation.
    await client.ping();
    const samples = [];
    for (let index = 0; index < workerData.baselineSamples; index += 1) { samples.push(await time()); await sleep(5); }
    parentPort.postMessage({ type: 'baseline', samples });
  } catch (error) {
    parentPort.postMessage({ type: 'failed', message: String((error && error.message) || error) });
    client.disconnect();
    return;
  }
  while (!stopped) {
    await sleep(workerData.intervalMs);
    if (stopped) break;
    let latency;
    try { latency = await time(); } catch { latency = Infinity; }
    parentPort.postMessage({ type: 'sample', latency });
  }
  client.disconnect();
  parentPort.close();
})();
`;

/** The connection options of a client without its functions (retry strategies), which cannot cross to a thread. */
function transferableOptions(client: Redis): Record<string, unknown> {
  return Object.fromEntries(Object.entries(client.options).filter(([, value]) => typeof value !== 'function'));
}

async function openThreadProbe(client: Redis, settings: PacingSettings): Promise<LatencyProbe> {
  const worker = new Worker(probeWorkerSource, {
    eval: true,
    workerData: {
      ioredisPath: require.resolve('ioredis'),
      options: transferableOptions(client),
      timeoutMs: settings.commandTimeoutMs,
      baselineSamples: settings.baselineSamples,
      intervalMs: settings.probeIntervalMs,
    },
  });
  const listeners: ((latencyMs: number) => void)[] = [];
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  const baseline = await withTimeout(
    new Promise<number[]>((resolve, reject) => {
      worker.on('message', (message: { type: string; samples?: number[]; latency?: number; message?: string }) => {
        if (message.type === 'baseline') resolve(message.samples ?? []);
        else if (message.type === 'failed') reject(new Error(message.message));
        else if (message.type === 'sample') for (const listener of listeners) listener(message.latency ?? Number.POSITIVE_INFINITY);
      });
      worker.once('error', reject);
      worker.once('exit', () => reject(new Error('the latency probe thread ended')));
    }),
    settings.commandTimeoutMs * 2,
    'latency probe',
  ).catch(async (error: unknown) => {
    await worker.terminate();
    throw error;
  });
  return {
    where: 'thread',
    baseline,
    onSample: (listener) => listeners.push(listener),
    close: async () => {
      worker.postMessage('stop');
      // The worker ends after its PING in flight; one that does not is stopped.
      const timer = setTimeout(() => void worker.terminate(), settings.probeIntervalMs + 1000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The same probe on the main thread, for when no worker thread can load ioredis (a bundle without node_modules). */
async function openInlineProbe(client: Redis, settings: PacingSettings): Promise<LatencyProbe> {
  const probe = client.duplicate({ lazyConnect: true });
  probe.on('error', () => undefined);
  try {
    await withTimeout(probe.connect(), settings.commandTimeoutMs, 'latency probe');
    await timePing(probe, settings.commandTimeoutMs);
    const baseline: number[] = [];
    for (let index = 0; index < settings.baselineSamples; index += 1) {
      baseline.push(await timePing(probe, settings.commandTimeoutMs));
      await sleep(5);
    }
    const listeners: ((latencyMs: number) => void)[] = [];
    let stopped = false;
    const loop = (async () => {
      while (!stopped) {
        await sleep(settings.probeIntervalMs);
        if (stopped) break;
        const latency = await timePing(probe, settings.commandTimeoutMs).catch(() => Number.POSITIVE_INFINITY);
        for (const listener of listeners) listener(latency);
      }
    })();
    return {
      where: 'main-thread',
      baseline,
      onSample: (listener) => listeners.push(listener),
      close: async () => {
        stopped = true;
        await loop;
        probe.disconnect();
      },
    };
  } catch (error) {
    probe.disconnect();
    throw error;
  }
}

/**
 * The pacing of the walks on one server. In latency mode it measures the server's responsiveness itself: a
 * second connection takes an idle baseline of PING round trips before any work, then PINGs every
 * `probeIntervalMs` while the session is open and feeds each round trip to a LatencyPacer. The probe's own
 * traffic is one PING per interval, nothing a server notices. When the second connection cannot be opened (a
 * connection limit, say), it falls back to the fixed duty cycle of 0.5 and says so in the report.
 */
export class PacingSession implements Pacer {
  private walking = 0;

  private constructor(
    private readonly pacer: Pacer,
    private readonly stats: PacingStats,
    private readonly probe?: LatencyProbe,
  ) {
    probe?.onSample((latency) => {
      // A failed PING (infinite latency) says the server is in trouble: slow down as far as the pacer goes.
      if (this.walking === 0) return;
      if (Number.isFinite(latency)) this.stats.duringSamples.push(latency);
      if (this.pacer instanceof LatencyPacer) this.pacer.observe(latency);
    });
  }

  static async open(client: Redis, settings: PacingSettings, stats: PacingStats): Promise<PacingSession> {
    if (settings.dutyCycle !== undefined) {
      stats.mode = 'fixed';
      return new PacingSession(new FixedPacer(settings.dutyCycle), stats);
    }
    let probe: LatencyProbe;
    try {
      probe = await openThreadProbe(client, settings).catch(() => openInlineProbe(client, settings));
    } catch (error) {
      stats.mode = 'fixed';
      stats.note(`no latency probe (${error instanceof Error ? error.message.split('\n')[0] : String(error)}), so a fixed duty cycle of 0.5 was used`);
      return new PacingSession(new FixedPacer(0.5), stats);
    }
    stats.idleSamples.push(...probe.baseline);
    // Over several servers or steps, one probe on the main thread makes the figures the main thread's.
    if (stats.probe !== 'main-thread') stats.probe = probe.where;
    stats.budgetMs = settings.latencyBudgetMs;
    const sorted = [...probe.baseline].sort((a, b) => a - b);
    const pacer = new LatencyPacer({ p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) }, { budgetMs: settings.latencyBudgetMs });
    return new PacingSession(pacer, stats, probe);
  }

  get dutyCycle(): number {
    return this.pacer.dutyCycle;
  }

  /** A walk starts or ends: probe samples count as "during the scan" only while one runs. */
  enter(): void {
    this.walking += 1;
  }

  leave(): void {
    this.walking -= 1;
  }

  pauseAfter(workedMs: number): number {
    const pause = this.pacer.pauseAfter(workedMs);
    this.stats.recordBatch(workedMs, pause, this.pacer.dutyCycle);
    return pause;
  }

  async close(): Promise<void> {
    await this.probe?.close();
  }
}

async function timePing(probe: Redis, timeoutMs: number): Promise<number> {
  const sent = performance.now();
  await withTimeout(probe.ping(), timeoutMs, 'latency probe PING');
  return performance.now() - sent;
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

  outcome.complete = await walkKeyspace(client, options, count, () => outcome.keysScanned, outcome.ownLookups, inspectBatch);
  outcome.unavailable = [...unavailable].map(([figure, reason]) => `${figure}: ${reason}`);
  return outcome;
}
