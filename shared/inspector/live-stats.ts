import { classifyError, InspectError, parseRedisUrl, withTimeout, type ConnectionSettings, type ConnectionTarget, type InspectErrorKind } from './connection';
import { openLiveConnection, type LiveConnection } from './live-connection';
import { ownLookupTotals, ownLookupTotalsBefore, type LookupTotals } from './own-lookups';
import { parseInfo } from './server-info';

/**
 * A live view of a server's cache behaviour: `INFO stats` and `INFO memory` every few seconds on a connection of
 * its own, kept for a sliding window. It sends nothing but `INFO` (and whatever authenticating takes), so it
 * never counts in the keyspace_hits/keyspace_misses it reports; lookups the inspector makes meanwhile (a scan of
 * the same server from this process) are read from the own-lookups ledger and subtracted. The connection
 * reconnects by itself with capped exponential backoff; while it is down, samples fail at once and say why.
 */

export interface LiveStatsOptions {
  /** redis://, rediss:// or unix:// URL; a password in it is used but never shown. */
  url: string;
  /** TLS files and checks beyond what the URL says. */
  connection?: ConnectionSettings;
  /** Time between samples; default 2 s. */
  intervalMs?: number;
  /** How far back the window figures and the series reach; default 60 s. */
  windowMs?: number;
  /** Longest wait between reconnect attempts, and between samples while INFO is refused; default 30 s. */
  maxBackoffMs?: number;
  connectTimeoutMs?: number;
  commandTimeoutMs?: number;
}

/**
 * `connecting`: no sample yet. `live`: the last sample succeeded. `unreachable`: the server went away or cannot
 * be reached; polling goes on with backoff. `info-not-allowed`: the ACL refuses INFO; polling goes on with
 * backoff in case it is granted. `failed`: a wrong password or URL, which retrying cannot fix. `stopped`.
 */
export type LiveState = 'connecting' | 'live' | 'unreachable' | 'info-not-allowed' | 'failed' | 'stopped';

/** One interval between two samples: the ratio of the lookups made in it and the commands per second. */
export interface LivePoint {
  /** When the interval ended (ms since the epoch). */
  at: number;
  /** hits / (hits + misses) of the interval; null when it had no lookups. */
  hitRatio: number | null;
  opsPerSec: number | null;
}

export interface LookupWindow {
  /** Seconds between the oldest and newest sample of the window. */
  seconds: number;
  hits: number;
  misses: number;
  /** null when no lookups happened in the window. */
  hitRatio: number | null;
}

export interface LiveStatsSnapshot {
  /** The address without credentials. */
  target: string;
  state: LiveState;
  /** Why the state is not `live`, in words a user can act on. */
  message?: string;
  errorKind?: InspectErrorKind;
  /** When this snapshot was made (ms since the epoch). */
  takenAt: number;
  /** Successful samples since the monitor started (over every series). */
  samplesTaken: number;
  intervalMs: number;
  windowMs: number;
  version?: string;
  /**
   * keyspace_hits/misses since the server started (or its counters were reset), minus the lookups this process's
   * inspector recorded on it since then.
   */
  sinceStart?: { hits: number; misses: number; hitRatio: number | null };
  /** The same counters over the sliding window; absent until two samples of one series exist. */
  window?: LookupWindow;
  /** One point per interval of the window, oldest first. */
  series: LivePoint[];
  /** Commands per second over the last interval, without the monitor's own INFO calls. */
  opsPerSec?: number;
  evictedKeys?: number;
  expiredKeys?: number;
  /** Over the window. */
  evictedPerSec?: number;
  expiredPerSec?: number;
  usedMemoryBytes?: number;
  /** 0 means no limit. */
  maxmemoryBytes?: number;
  maxmemoryPolicy?: string;
  /** The inspector's lookups subtracted from the figures since start (those in the window are part of them). */
  ownLookupsSubtracted: LookupTotals;
  /** How many times the counters went down (restart, CONFIG RESETSTAT), each starting a new series. */
  counterResets: number;
  /** Set when the current series started after a reset. */
  resetNotice?: string;
}

/** The sentence every live view shows next to the ratio. */
export const liveHitRatioNote =
  "The inspector's own lookups (TYPE, PTTL, element counts during an inspection from this editor or command) are subtracted; the live monitor itself sends only INFO.";

interface Sample {
  at: number;
  /** Raw server counters. */
  rawHits: number;
  rawMisses: number;
  /** Counters with the inspector's lookups since the series began taken out. */
  hits: number;
  misses: number;
  ownLookups: LookupTotals;
  commands?: number;
  /** Commands the monitor itself had sent before this sample's INFO stats, which Redis counts in total_commands_processed. */
  ownCommands: number;
  instantaneousOps?: number;
  evicted?: number;
  expired?: number;
}

type Listener = (snapshot: LiveStatsSnapshot) => void;

function numberField(fields: Map<string, string>, name: string): number | undefined {
  const value = fields.get(name);
  if (value === undefined || value === '') return undefined;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : undefined;
}

function ratio(hits: number, misses: number): number | null {
  return hits + misses > 0 ? hits / (hits + misses) : null;
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0];
}

function isReplyError(error: unknown): boolean {
  return error instanceof Error && error.name === 'ReplyError';
}

export class LiveStatsMonitor {
  readonly target: ConnectionTarget;
  readonly intervalMs: number;
  readonly windowMs: number;
  private readonly maxBackoffMs: number;
  private readonly timeouts: { connectTimeoutMs: number; commandTimeoutMs: number };
  private readonly listeners = new Set<Listener>();

  private connection: LiveConnection | undefined;
  /** What the last connection attempt reported; cleared when the connection is up. */
  private connectionError: InspectError | undefined;
  /** Reading INFO server again after every (re)connection tells a restarted server by its new run_id. */
  private needServerInfo = true;
  /** The connection's wait before its next reconnect attempt, for the message while it is down. */
  private reconnectDelayMs: number | undefined;
  /** Samples waiting for the connection to come up or fail. */
  private readonly waiters = new Set<() => void>();
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  /** Samples run one at a time, whether from the timer or `sampleNow`. */
  private queue: Promise<unknown> = Promise.resolve();
  private failures = 0;
  private ownCommands = 0;

  private samples: Sample[] = [];
  private runId: string | undefined;
  private version: string | undefined;
  private ownBaseline: LookupTotals | undefined;
  /**
   * Since when the server's counters have been counting (its start, from INFO server's uptime), so lookups the
   * inspector made before the monitor started are subtracted too; undefined after CONFIG RESETSTAT, whose time
   * is known only to the interval, where the series starts from the lookups recorded by its first sample.
   */
  private countingSince: number | undefined;
  private samplesTaken = 0;
  private counterResets = 0;
  private resetNotice: string | undefined;
  private current: LiveStatsSnapshot;

  /** Throws an InspectError of kind `bad-url` for a URL that is not a Redis URL. */
  constructor(options: LiveStatsOptions) {
    this.target = parseRedisUrl(options.url, options.connection);
    this.intervalMs = Math.max(100, options.intervalMs ?? 2000);
    this.windowMs = Math.max(this.intervalMs, options.windowMs ?? 60_000);
    this.maxBackoffMs = Math.max(this.intervalMs, options.maxBackoffMs ?? 30_000);
    this.timeouts = { connectTimeoutMs: options.connectTimeoutMs ?? 5000, commandTimeoutMs: options.commandTimeoutMs ?? 5000 };
    this.current = this.snapshot('connecting');
  }

  /** The latest snapshot (state `connecting` before the first sample). */
  get latest(): LiveStatsSnapshot {
    return this.current;
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Calls `listener` with every new snapshot; returns the unsubscribe function. */
  onSnapshot(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Starts polling: a sample now, then one every interval (longer after failures). Idempotent. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  /** Stops polling and closes the connection; samples are kept, so a restart continues the series. */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.queue;
    this.closeConnection();
    this.publish(this.snapshot('stopped'));
  }

  /** Takes one sample now (after any sample in flight) and returns the resulting snapshot. */
  sampleNow(): Promise<LiveStatsSnapshot> {
    const next = this.queue.then(() => this.sampleOnce());
    this.queue = next.catch(() => undefined);
    return next;
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.sampleNow().then((snapshot) => {
        if (!this.running || this.timer) return;
        if (snapshot.state === 'failed') {
          this.running = false;
          return;
        }
        this.schedule(snapshot.state === 'live' ? this.intervalMs : this.backoffMs());
      });
    }, delayMs);
  }

  /** Capped exponential: one interval after the first failure, then twice as long each time, at most maxBackoffMs. */
  private backoffMs(): number {
    return Math.min(this.maxBackoffMs, this.intervalMs * 2 ** Math.max(0, this.failures - 1));
  }

  private openConnectionOnce(): LiveConnection {
    if (this.connection) return this.connection;
    const connection = openLiveConnection(this.target, {
      initialDelayMs: this.intervalMs,
      maxDelayMs: this.maxBackoffMs,
      connectTimeoutMs: this.timeouts.connectTimeoutMs,
      commandTimeoutMs: this.timeouts.commandTimeoutMs,
    });
    connection.on('connected', () => {
      this.connectionError = undefined;
      this.needServerInfo = true;
      this.wakeWaiters();
      // Back after an outage: sample now rather than at the end of the backoff.
      if (this.running && this.failures > 0) this.schedule(0);
    });
    connection.on('reconnecting', (delayMs) => {
      this.reconnectDelayMs = delayMs;
    });
    connection.on('error', (error) => {
      this.connectionError = error;
      this.wakeWaiters();
    });
    this.connection = connection;
    return connection;
  }

  private wakeWaiters(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  /**
   * Undefined once the connection is ready; otherwise why not. Waits only while nothing is known yet (the first
   * connection, or a reconnect whose outcome has not been reported), at most the connect timeout.
   */
  private whenReady(connection: LiveConnection): Promise<InspectError | undefined> {
    if (connection.client.status === 'ready') return Promise.resolve(undefined);
    if (this.connectionError) return Promise.resolve(this.connectionError);
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        this.waiters.delete(finish);
        if (connection.client.status === 'ready') resolve(undefined);
        else resolve(this.connectionError ?? new InspectError('timeout', `${this.target.display} did not accept a connection within ${this.timeouts.connectTimeoutMs} ms`));
      };
      const timer = setTimeout(finish, this.timeouts.connectTimeoutMs + 1000);
      this.waiters.add(finish);
    });
  }

  private async sampleOnce(): Promise<LiveStatsSnapshot> {
    const timeoutMs = this.timeouts.commandTimeoutMs;
    const connection = this.openConnectionOnce();
    const notReady = await this.whenReady(connection);
    if (notReady) return this.fail(notReady);
    const client = connection.client;
    if (this.needServerInfo) {
      try {
        this.ownCommands += 1;
        const server = parseInfo(await withTimeout(client.info('server'), timeoutMs, `${this.target.display} (INFO server)`));
        this.needServerInfo = false;
        this.version = server.get('redis_version');
        const runId = server.get('run_id');
        // Another run id is another server process: its counters started from zero.
        if (runId !== undefined && this.runId !== undefined && runId !== this.runId) this.startNewSeries('the server restarted');
        this.runId = runId;
        const uptimeSeconds = numberField(server, 'uptime_in_seconds');
        // Uptime is in whole seconds, so the start is up to a second earlier than it suggests: count from there.
        if (uptimeSeconds !== undefined && this.ownBaseline === undefined) this.countingSince = Date.now() - (uptimeSeconds + 1) * 1000;
      } catch (error) {
        return this.fail(error);
      }
    }

    let stats: Map<string, string>;
    let memory: Map<string, string>;
    let ownLookups: LookupTotals;
    const ownCommandsBefore = this.ownCommands;
    try {
      this.ownCommands += 1;
      stats = parseInfo(await withTimeout(client.info('stats'), timeoutMs, `${this.target.display} (INFO stats)`));
      // Read right after the counters: a batch recorded later is subtracted from the next interval instead.
      ownLookups = ownLookupTotals(this.target.display);
      this.ownCommands += 1;
      memory = parseInfo(await withTimeout(client.info('memory'), timeoutMs, `${this.target.display} (INFO memory)`));
    } catch (error) {
      return this.fail(error);
    }

    const rawHits = numberField(stats, 'keyspace_hits');
    const rawMisses = numberField(stats, 'keyspace_misses');
    if (rawHits === undefined || rawMisses === undefined) {
      return this.fail(new InspectError('unreachable', `${this.target.display} reports no keyspace_hits/keyspace_misses in INFO stats`));
    }
    const commands = numberField(stats, 'total_commands_processed');
    const previous = this.samples[this.samples.length - 1];
    if (previous && (rawHits < previous.rawHits || rawMisses < previous.rawMisses || (commands !== undefined && previous.commands !== undefined && commands < previous.commands))) {
      this.startNewSeries('the counters went down (a restart or CONFIG RESETSTAT)');
      this.countingSince = undefined;
    }
    if (!this.ownBaseline) this.ownBaseline = this.countingSince !== undefined ? ownLookupTotalsBefore(this.target.display, this.countingSince) : ownLookups;
    const ownSinceSeries = { hits: ownLookups.hits - this.ownBaseline.hits, misses: ownLookups.misses - this.ownBaseline.misses };
    const sample: Sample = {
      at: Date.now(),
      rawHits,
      rawMisses,
      hits: rawHits - ownSinceSeries.hits,
      misses: rawMisses - ownSinceSeries.misses,
      ownLookups,
      commands,
      ownCommands: ownCommandsBefore,
      instantaneousOps: numberField(stats, 'instantaneous_ops_per_sec'),
      evicted: numberField(stats, 'evicted_keys'),
      expired: numberField(stats, 'expired_keys'),
    };
    this.samples.push(sample);
    // The window keeps samples back to windowMs before the newest; half an interval of slack absorbs timer jitter.
    const oldestKept = sample.at - this.windowMs - this.intervalMs / 2;
    while (this.samples.length > 2 && this.samples[0].at < oldestKept) this.samples.shift();
    this.samplesTaken += 1;
    this.failures = 0;

    const snapshot = this.snapshot('live');
    snapshot.usedMemoryBytes = numberField(memory, 'used_memory');
    snapshot.maxmemoryBytes = numberField(memory, 'maxmemory');
    snapshot.maxmemoryPolicy = memory.get('maxmemory_policy');
    return this.publish(snapshot);
  }

  /** Forgets the samples of the old series; the next sample starts a new one with a fresh own-lookups baseline. */
  private startNewSeries(reason: string): void {
    this.samples = [];
    this.ownBaseline = undefined;
    this.counterResets += 1;
    this.resetNotice = `A new series started at ${new Date().toISOString()}: ${reason}.`;
  }

  /**
   * Turns a failed sample into a snapshot. Refused INFO (ACL) and a server that went away keep polling; a wrong
   * password cannot get better by retrying, so it closes the connection and ends polling.
   */
  private fail(error: unknown): LiveStatsSnapshot {
    this.failures += 1;
    const classified = error instanceof InspectError ? error : isReplyError(error) ? classifyError(error, this.target.display, false) : undefined;
    if (classified && (classified.kind === 'auth-failed' || classified.kind === 'bad-url' || classified.kind === 'bad-config')) {
      this.closeConnection();
      const snapshot = this.snapshot('failed', classified.message);
      snapshot.errorKind = classified.kind;
      return this.publish(snapshot);
    }
    if (classified?.kind === 'no-permission') {
      const snapshot = this.snapshot('info-not-allowed', `INFO not allowed for this user: ${firstLine(error)}. Live figures need the ACL permission +info.`);
      snapshot.errorKind = 'no-permission';
      return this.publish(snapshot);
    }
    const reason = classified && !isReplyError(error) ? classified.message : `${this.target.display} stopped answering (${firstLine(error)})`;
    const retry = this.reconnectDelayMs !== undefined && this.connection?.client.status !== 'ready' ? `; next attempt in ${Math.round(this.reconnectDelayMs / 100) / 10} s` : '';
    const snapshot = this.snapshot('unreachable', `${reason}${retry}.`);
    snapshot.errorKind = classified?.kind ?? 'went-away';
    return this.publish(snapshot);
  }

  private closeConnection(): void {
    this.connection?.close();
    this.connection = undefined;
    this.connectionError = undefined;
    this.needServerInfo = true;
    this.wakeWaiters();
  }

  private publish(snapshot: LiveStatsSnapshot): LiveStatsSnapshot {
    this.current = snapshot;
    for (const listener of this.listeners) {
      try {
        listener(snapshot);
      } catch {
        // A failing view must not stop the monitor.
      }
    }
    return snapshot;
  }

  /** The figures of the samples held, in the given state; failures keep showing the last known figures. */
  private snapshot(state: LiveState, message?: string): LiveStatsSnapshot {
    const snapshot: LiveStatsSnapshot = {
      target: this.target.display,
      state,
      message,
      takenAt: Date.now(),
      samplesTaken: this.samplesTaken,
      intervalMs: this.intervalMs,
      windowMs: this.windowMs,
      version: this.version,
      series: [],
      ownLookupsSubtracted: { hits: 0, misses: 0 },
      counterResets: this.counterResets,
      resetNotice: this.resetNotice,
    };
    if (this.current) {
      snapshot.usedMemoryBytes = this.current.usedMemoryBytes;
      snapshot.maxmemoryBytes = this.current.maxmemoryBytes;
      snapshot.maxmemoryPolicy = this.current.maxmemoryPolicy;
    }
    const newest = this.samples[this.samples.length - 1];
    if (!newest) return snapshot;
    const oldest = this.samples[0];
    const baseline = this.ownBaseline ?? newest.ownLookups;
    snapshot.ownLookupsSubtracted = { hits: newest.ownLookups.hits - baseline.hits, misses: newest.ownLookups.misses - baseline.misses };
    const hits = Math.max(0, newest.hits);
    const misses = Math.max(0, newest.misses);
    snapshot.sinceStart = { hits, misses, hitRatio: ratio(hits, misses) };
    snapshot.evictedKeys = newest.evicted;
    snapshot.expiredKeys = newest.expired;
    snapshot.opsPerSec = newest.instantaneousOps;
    if (oldest === newest) return snapshot;

    const seconds = (newest.at - oldest.at) / 1000;
    const windowHits = Math.max(0, newest.hits - oldest.hits);
    const windowMisses = Math.max(0, newest.misses - oldest.misses);
    snapshot.window = { seconds, hits: windowHits, misses: windowMisses, hitRatio: ratio(windowHits, windowMisses) };
    if (seconds > 0) {
      if (newest.evicted !== undefined && oldest.evicted !== undefined) snapshot.evictedPerSec = (newest.evicted - oldest.evicted) / seconds;
      if (newest.expired !== undefined && oldest.expired !== undefined) snapshot.expiredPerSec = (newest.expired - oldest.expired) / seconds;
    }
    for (let index = 1; index < this.samples.length; index += 1) {
      snapshot.series.push(intervalPoint(this.samples[index - 1], this.samples[index]));
    }
    const last = snapshot.series[snapshot.series.length - 1];
    if (last.opsPerSec !== null) snapshot.opsPerSec = last.opsPerSec;
    return snapshot;
  }
}

function intervalPoint(from: Sample, to: Sample): LivePoint {
  const hits = Math.max(0, to.hits - from.hits);
  const misses = Math.max(0, to.misses - from.misses);
  const seconds = (to.at - from.at) / 1000;
  let opsPerSec: number | null = to.instantaneousOps ?? null;
  if (to.commands !== undefined && from.commands !== undefined && seconds > 0) {
    // Redis counts a command once it has run, so the INFO calls the monitor sent from one INFO stats up to the next are in the delta.
    const others = to.commands - from.commands - (to.ownCommands - from.ownCommands);
    opsPerSec = Math.max(0, others) / seconds;
  }
  return { at: to.at, hitRatio: ratio(hits, misses), opsPerSec };
}
