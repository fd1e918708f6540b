import type Redis from 'ioredis';
import { ConnectionSettings, ConnectionTarget, defaultTimeouts, InspectError, openConnection, parseRedisUrl, withTimeout } from './connection';
import { renderNameForJson } from './key-names';
import { BigKey, densestExpiryWindow, KeyspaceAccumulator, PrefixStats, ttlBuckets } from './keyspace';
import { formatBytes } from './format-text';
import type { BigKeyReport, CliffReport, ClusterReport, HotKeysReport, InspectReport, PrefixReport, Warning } from './report';
import { KeyRecord, PacingSession, PacingSettings, scanKeyspace, startPosition, WalkPosition } from './scan';
import { PacingStats } from './pacing';
import { collectHotKeys, CollectedHotKeys, HotKeysResult, LfuHotKeys, MonitorHotKeys } from './hot-keys';
import { nodeTarget, readClusterMasters } from './cluster';
import { InfoStats, readInfoStats, readServerFacts, ServerFacts, versionAtLeast } from './server-info';

export interface InspectOptions {
  url: string;
  /** TLS files and options beyond the URL; they apply to every node of a cluster too. */
  connection?: ConnectionSettings;
  prefix?: Buffer;
  delimiter?: string;
  depth?: number;
  sortBy?: 'memory' | 'keys';
  /** Stop after this many keys and scale the counts to DBSIZE. */
  sample?: number;
  topN?: number;
  scanCount?: number;
  pipelineSize?: number;
  /**
   * A fixed share of wall time the inspector may keep the server busy, in (0, 1]. Without it the pacing is
   * latency-driven: flat out while the server's PING latency stays within `latencyBudgetMs` of idle.
   */
  dutyCycle?: number;
  /** How far (ms) the server's PING round trip may rise above its idle baseline before the inspector backs off. */
  latencyBudgetMs?: number;
  /** How often (ms) the latency probe PINGs while the inspector scans. */
  probeIntervalMs?: number;
  connectTimeoutMs?: number;
  commandTimeoutMs?: number;
  /** Thresholds of the findings. */
  cliffWindowSeconds?: number;
  cliffMinKeys?: number;
  cliffMinShare?: number;
  noTtlMinKeys?: number;
  noTtlMinShare?: number;
  onProgress?(keysScanned: number, dbsize: number | undefined): void;
  /** Called once for every key scanned, after its per-key figures were read. */
  onKey?(record: KeyRecord): void;
  /**
   * Stops the inspection after the batch in flight: it then resolves with the figures of the keys scanned so
   * far, marked `scan.cancelled`, or rejects with an InspectError of kind 'cancelled' when none was scanned.
   */
  signal?: AbortSignal;
  /** Sample hot keys with MONITOR for this many seconds (at most 30) instead of reading LFU counters. */
  hotKeysMonitorSeconds?: number;
  /** Stop the MONITOR sample after this many commands even if the window has not ended. */
  hotKeysMonitorMaxCommands?: number;
  onHotKeysMonitorStarted?(): void;
}

interface Settings {
  delimiter: string;
  depth: number;
  sortBy: 'memory' | 'keys';
  topN: number;
  scanCount: number;
  pipelineSize: number;
  latencyBudgetMs: number;
  probeIntervalMs: number;
  cliffWindowSeconds: number;
  cliffMinKeys: number;
  cliffMinShare: number;
  noTtlMinKeys: number;
  noTtlMinShare: number;
}

const defaults: Settings = {
  delimiter: ':',
  depth: 2,
  sortBy: 'memory',
  topN: 10,
  scanCount: 1000,
  pipelineSize: 100,
  latencyBudgetMs: 1,
  probeIntervalMs: 50,
  cliffWindowSeconds: 60,
  cliffMinKeys: 50,
  cliffMinShare: 0.5,
  noTtlMinKeys: 100,
  noTtlMinShare: 0.9,
};

/** PING round trips of the idle baseline taken on each server before its scan. */
const baselinePings = 20;

/** Connects, inspects read-only and disconnects; rejects with an InspectError a user can read. */
export async function inspectRedis(options: InspectOptions): Promise<InspectReport> {
  return new KeyspaceInspection(options).next({ maxKeys: options.sample });
}

/** One step of a resumable inspection. */
export interface InspectionStep {
  /** Stops this step after the batch in flight (default: the inspection's own signal). */
  signal?: AbortSignal;
  /** Scan at most this many more keys in this step; the rest of the keyspace when absent. */
  maxKeys?: number;
  /** Keys scanned so far over every step, and DBSIZE (default: the inspection's own callback). */
  onProgress?(keysScanned: number, dbsize: number | undefined): void;
}

/** One server's share of the walk: its SCAN position and what was scanned there, kept between steps. */
interface NodeProgress {
  position: WalkPosition;
  keysScanned: number;
  dbsize?: number;
}

/** A server of the current step: the URL's own, or a cluster master. */
interface ScanNode {
  target: ConnectionTarget;
  client: Redis;
  /** Connections opened for a cluster master, closed after the step; the URL's own connection is not. */
  owned: boolean;
  progress: NodeProgress;
  maxKeys?: number;
  pacing?: PacingSession;
}

/**
 * An inspection that can stop and go on: it owns the figures gathered so far and the SCAN cursor of every server
 * (one per master on a cluster). Each `next()` connects afresh, re-reads the server facts, continues SCAN from
 * the saved cursors and resolves with a report of everything scanned so far. Until the cursors have gone round
 * (`complete`), the report is labelled as a sample with its error bound, so a partial scan never looks complete.
 * Hot keys are gathered in the first step only.
 */
export class KeyspaceInspection {
  private readonly target: ConnectionTarget;
  private readonly settings: Settings;
  private readonly timeouts: { connectTimeoutMs: number; commandTimeoutMs: number };
  private readonly accumulator: KeyspaceAccumulator;
  /** Per server address: where its walk stands. */
  private readonly nodes = new Map<string, NodeProgress>();
  /** The servers of the last step: a cluster master that went away between steps no longer counts. */
  private current: NodeProgress[] = [];
  private readonly pacing = new PacingStats();
  private readonly unavailableInScan = new Set<string>();
  private readonly commandsSent: Record<string, number> = {};
  private readonly ownLookups = { hits: 0, misses: 0 };
  private hotKeys?: CollectedHotKeys;
  private statsBefore?: InfoStats;
  private scanned = 0;
  private durationMs = 0;
  private running = false;

  constructor(private readonly options: InspectOptions) {
    this.target = parseRedisUrl(options.url, options.connection);
    this.settings = { ...defaults, ...definedOnly(options) } as Settings;
    this.timeouts = {
      connectTimeoutMs: options.connectTimeoutMs ?? defaultTimeouts.connectTimeoutMs,
      commandTimeoutMs: options.commandTimeoutMs ?? defaultTimeouts.commandTimeoutMs,
    };
    this.accumulator = new KeyspaceAccumulator({ delimiter: Buffer.from(this.settings.delimiter), depth: this.settings.depth, topN: this.settings.topN });
  }

  /** True once SCAN went round on every server of the last step and every key it returned was inspected. */
  get complete(): boolean {
    return this.current.length > 0 && this.current.every((node) => node.position.done);
  }

  /** Keys inspected over every step so far. */
  get keysScanned(): number {
    return this.scanned;
  }

  async next(step: InspectionStep = {}): Promise<InspectReport> {
    if (this.running) throw new Error('a step of this inspection is still running');
    this.running = true;
    const signal = step.signal ?? this.options.signal;
    try {
      if (signal?.aborted && this.scanned === 0) throw cancelledError();
      const client = await openConnection(this.target, this.timeouts);
      try {
        return await this.step(client, step, signal);
      } finally {
        client.disconnect();
      }
    } finally {
      this.running = false;
    }
  }

  private async step(client: Redis, step: InspectionStep, signal: AbortSignal | undefined): Promise<InspectReport> {
    const { settings, options, target } = this;
    const commandTimeoutMs = this.timeouts.commandTimeoutMs;
    const started = Date.now();
    const facts = await readServerFacts(client, commandTimeoutMs).catch((error: unknown) => {
      throw error instanceof InspectError ? error : new InspectError('went-away', `${target.display} went away before the scan: ${String(error)}`, 0);
    });
    const unavailable = [...facts.unavailable];

    // CLIENT NO-TOUCH keeps the inspector's lookups from refreshing LRU/LFU data; it exists from Redis 7.2 on.
    let noTouch = false;
    if (versionAtLeast(facts.version, '7.2')) {
      try {
        await withTimeout(client.call('CLIENT', 'NO-TOUCH', 'ON'), commandTimeoutMs, 'CLIENT NO-TOUCH');
        noTouch = true;
      } catch (error) {
        unavailable.push(`CLIENT NO-TOUCH: ${error instanceof Error ? error.message : String(error)}`);
      }
    }

    const { after, cluster } = await this.scanAllNodes(client, facts, noTouch, step, signal);
    const hotKeys = this.hotKeys ?? { ownLookups: { hits: 0, misses: 0 }, commandsSent: {}, unavailable: [] };
    unavailable.push(...hotKeys.unavailable, ...this.unavailableInScan);
    this.durationMs += Date.now() - started;

    const complete = this.complete;
    const cancelled = !complete && signal?.aborted === true;
    if (cancelled && this.scanned === 0) throw cancelledError();
    const keysScanned = this.scanned;
    // An incomplete scan is a sample of the keyspace, whether it was asked for, cancelled or is still to be resumed.
    const sampled = !complete && keysScanned > 0;
    let scale = 1;
    let shareErrorBound95: number | undefined;
    if (sampled) {
      if (options.prefix === undefined && facts.dbsize !== undefined && facts.dbsize > keysScanned) scale = facts.dbsize / keysScanned;
      else if (options.prefix !== undefined) unavailable.push('scaling: with --prefix the number of matching keys is unknown, so sampled counts are not scaled');
      shareErrorBound95 = errorBound95(keysScanned, options.prefix === undefined ? facts.dbsize : undefined);
    }

    const accumulator = this.accumulator;
    const topLevel = sortTree([...accumulator.root.children.values()], settings.sortBy);
    const prefixes = topLevel.slice(0, maxTopLevelPrefixes).map((node) => prefixReport(node, scale, settings.sortBy));
    const unlisted = topLevel.slice(maxTopLevelPrefixes);
    const cliffs = findCliffs(accumulator.root, settings, scale);
    const noTtlShareOverall = accumulator.root.keys > 0 ? accumulator.root.noTtlKeys / accumulator.root.keys : 0;
    const findings: Warning[] = [...ttlFindings(accumulator.root, settings, scale), ...cliffs.map(cliffFinding)];

    const ownLookups = { hits: this.ownLookups.hits + hotKeys.ownLookups.hits, misses: this.ownLookups.misses + hotKeys.ownLookups.misses };
    const commandsSent = { ...this.commandsSent };
    addCounts(commandsSent, hotKeys.commandsSent);
    const server = serverSection(facts, this.statsBefore, after, ownLookups);
    return {
      target: target.display,
      generatedAt: new Date(started).toISOString(),
      server,
      scan: {
        keysScanned,
        complete,
        ...(cancelled ? { cancelled: true as const } : {}),
        dbsize: facts.dbsize,
        sampled,
        scale,
        shareErrorBound95,
        prefix: options.prefix ? renderNameForJson(options.prefix) : undefined,
        delimiter: settings.delimiter,
        depth: settings.depth,
        sortBy: settings.sortBy,
        commandsSent,
        noTouch,
        durationMs: this.durationMs,
        pacing: this.pacing.report(),
      },
      prefixes,
      ...(unlisted.length > 0 ? { morePrefixes: summed(unlisted, scale) } : {}),
      cliffs,
      bigKeys: { byMemory: accumulator.byMemory.entries.map(bigKeyReport), byElements: accumulator.byElements.entries.map(bigKeyReport) },
      warnings: configWarnings(facts, noTtlShareOverall, accumulator.root.keys),
      findings,
      unavailable,
      ...(hotKeys.result ? { hotKeys: hotKeysReport(hotKeys.result) } : {}),
      ...(cluster ? { cluster } : {}),
    };
  }

  private progressOf(address: string): NodeProgress {
    let progress = this.nodes.get(address);
    if (!progress) {
      progress = { position: startPosition(), keysScanned: 0 };
      this.nodes.set(address, progress);
    }
    return progress;
  }

  /**
   * Hot keys (first step only) and the key scan on the server of the URL or, when it is in cluster mode, on every
   * master (each holds only its own slots), all feeding one accumulator; counters are summed over the nodes. A
   * step's key budget is shared evenly among the masters still to finish, so that every slot range is represented.
   */
  private async scanAllNodes(
    client: Redis,
    facts: ServerFacts,
    noTouch: boolean,
    step: InspectionStep,
    signal: AbortSignal | undefined,
  ): Promise<{ after?: InfoStats; cluster?: ClusterReport }> {
    const { options, settings, target } = this;
    const commandTimeoutMs = this.timeouts.commandTimeoutMs;
    const masters = await readClusterMasters(client, commandTimeoutMs);
    const nodes: ScanNode[] = [];
    try {
      if (masters && masters.length > 0) {
        for (const master of masters) {
          const masterTarget = nodeTarget(target, master);
          const masterClient = await openConnection(masterTarget, this.timeouts);
          const node: ScanNode = { target: masterTarget, client: masterClient, owned: true, progress: this.progressOf(masterTarget.display) };
          nodes.push(node);
          if (noTouch) {
            // Refused on a master (ACL) costs only the no-touch guarantee there, as on the node of the URL.
            await withTimeout(masterClient.call('CLIENT', 'NO-TOUCH', 'ON'), commandTimeoutMs, 'CLIENT NO-TOUCH').catch((error: unknown) => {
              if (!(error instanceof Error && error.name === 'ReplyError')) throw error;
            });
          }
          node.progress.dbsize = await withTimeout(masterClient.dbsize(), commandTimeoutMs, `${masterTarget.display} (DBSIZE)`);
        }
        // DBSIZE of one node counts its own slots only; the report's figure is the cluster's.
        facts.dbsize = nodes.reduce((sum, node) => sum + (node.progress.dbsize ?? 0), 0);
      } else {
        const progress = this.progressOf(target.display);
        progress.dbsize = facts.dbsize;
        nodes.push({ target, client, owned: false, progress });
      }
      this.current = nodes.map((node) => node.progress);
      const unfinished = nodes.filter((node) => !node.progress.position.done);
      unfinished.forEach((node, index) => {
        node.maxKeys = shareOf(step.maxKeys, unfinished.length, index);
      });

      const pacingSettings: PacingSettings = {
        dutyCycle: options.dutyCycle,
        latencyBudgetMs: settings.latencyBudgetMs,
        probeIntervalMs: settings.probeIntervalMs,
        baselineSamples: baselinePings,
        commandTimeoutMs,
      };
      // Baselines first, on every server at once and before any work, so they see the servers idle.
      await Promise.all(
        unfinished.map(async (node) => {
          node.pacing = await PacingSession.open(node.client, pacingSettings, this.pacing);
        }),
      );

      const infoStats = (node: ScanNode, when: string) =>
        readInfoStats(node.client, commandTimeoutMs).catch((error: unknown) => {
          throw new InspectError('went-away', `${node.target.display} went away ${when} (${this.scanned} keys scanned): ${String(error)}`, this.scanned);
        });
      if (this.hotKeys === undefined) {
        this.statsBefore = sumStats(await Promise.all(nodes.map((node) => readInfoStats(node.client, commandTimeoutMs))));
        this.hotKeys = await this.collectHotKeys(nodes, facts, signal);
      }

      const onProgress = step.onProgress ?? options.onProgress;
      for (const node of unfinished) {
        if (signal?.aborted) break;
        const outcome = await scanKeyspace(node.client, {
          prefix: options.prefix,
          scanCount: settings.scanCount,
          pipelineSize: settings.pipelineSize,
          maxKeys: node.maxKeys,
          pacer: node.pacing,
          signal,
          position: node.progress.position,
          commandTimeoutMs,
          target: node.target.display,
          onKey: (record) => {
            this.accumulator.add(record, Date.now());
            this.scanned += 1;
            node.progress.keysScanned += 1;
            options.onKey?.(record);
          },
          onProgress: () => onProgress?.(this.scanned, facts.dbsize),
        });
        this.ownLookups.hits += outcome.ownLookups.hits;
        this.ownLookups.misses += outcome.ownLookups.misses;
        addCounts(this.commandsSent, outcome.commandsSent);
        for (const reason of outcome.unavailable) this.unavailableInScan.add(reason);
      }
      const after = sumStats(await Promise.all(nodes.map((node) => infoStats(node, 'after the scan'))));
      const cluster = masters && masters.length > 0 ? { masters: nodes.map((node) => ({ address: node.target.display, dbsize: node.progress.dbsize, keysScanned: node.progress.keysScanned })) } : undefined;
      return { after, cluster };
    } finally {
      await Promise.all(nodes.map((node) => node.pacing?.close()));
      for (const node of nodes) if (node.owned) node.client.disconnect();
    }
  }

  /** Before the main scan: its element counts would otherwise raise the LFU counters being read. */
  private async collectHotKeys(nodes: ScanNode[], facts: ServerFacts, signal: AbortSignal | undefined): Promise<CollectedHotKeys> {
    const { options, settings, target } = this;
    let monitorsStarted = 0;
    const perNode = await Promise.all(
      nodes.map((node) =>
        collectHotKeys(node.client, {
          policy: facts.maxmemoryPolicy,
          monitorSeconds: options.hotKeysMonitorSeconds,
          monitorMaxCommands: options.hotKeysMonitorMaxCommands,
          onMonitorStarted: () => {
            monitorsStarted += 1;
            if (monitorsStarted === nodes.length) options.onHotKeysMonitorStarted?.();
          },
          db: node.owned ? 0 : (target.options.db ?? 0),
          lfu: { prefix: options.prefix, scanCount: settings.scanCount, pipelineSize: settings.pipelineSize, maxKeys: node.maxKeys, pacer: node.pacing, signal },
          topN: settings.topN,
          commandTimeoutMs: this.timeouts.commandTimeoutMs,
          target: node.target.display,
        }),
      ),
    );
    return mergeHotKeys(perNode, settings.topN);
  }
}

function cancelledError(): InspectError {
  return new InspectError('cancelled', 'the inspection was cancelled before any key was scanned', 0);
}

/** Shares `total` among `parts` as evenly as whole numbers allow. */
function shareOf(total: number | undefined, parts: number, index: number): number | undefined {
  if (total === undefined) return undefined;
  return Math.floor(total / parts) + (index < total % parts ? 1 : 0);
}

function sumStats(stats: (InfoStats | undefined)[]): InfoStats | undefined {
  if (stats.some((entry) => entry?.keyspaceHits === undefined || entry.keyspaceMisses === undefined)) return undefined;
  return { keyspaceHits: stats.reduce((sum, entry) => sum + (entry?.keyspaceHits ?? 0), 0), keyspaceMisses: stats.reduce((sum, entry) => sum + (entry?.keyspaceMisses ?? 0), 0) };
}

function addCounts(into: Record<string, number>, from: Record<string, number>): void {
  for (const [command, sent] of Object.entries(from)) into[command] = (into[command] ?? 0) + sent;
}

/** One hot-key result from the per-node ones: a key lives on one node only, so the lists merge without sums. */
function mergeHotKeys(perNode: CollectedHotKeys[], topN: number): CollectedHotKeys {
  if (perNode.length === 1) return perNode[0];
  const merged: CollectedHotKeys = { ownLookups: { hits: 0, misses: 0 }, commandsSent: {}, unavailable: [] };
  for (const node of perNode) {
    merged.ownLookups.hits += node.ownLookups.hits;
    merged.ownLookups.misses += node.ownLookups.misses;
    addCounts(merged.commandsSent, node.commandsSent);
    for (const reason of node.unavailable) if (!merged.unavailable.includes(reason)) merged.unavailable.push(reason);
  }
  const results = perNode.map((node) => node.result).filter((result): result is HotKeysResult => result !== undefined);
  if (results.length === 0) return merged;
  const keys = results.flatMap((result) => result.keys).sort((a, b) => b.count - a.count).slice(0, topN);
  const lfu = results.filter((result): result is LfuHotKeys => result.source === 'lfu');
  const monitor = results.filter((result): result is MonitorHotKeys => result.source === 'monitor');
  if (lfu.length > 0) {
    merged.result = { ...lfu[0], keys, keysSampled: lfu.reduce((sum, result) => sum + result.keysSampled, 0), complete: lfu.every((result) => result.complete) };
  } else {
    merged.result = {
      source: 'monitor',
      keys,
      windowMs: Math.max(...monitor.map((result) => result.windowMs)),
      commandsSampled: monitor.reduce((sum, result) => sum + result.commandsSampled, 0),
      readsCounted: monitor.reduce((sum, result) => sum + result.readsCounted, 0),
      stoppedBy: monitor.some((result) => result.stoppedBy === 'command-limit') ? 'command-limit' : 'window',
    };
  }
  return merged;
}

function hotKeysReport(result: HotKeysResult): HotKeysReport {
  const keys = result.keys.map((entry) => ({ key: renderNameForJson(entry.name), count: entry.count }));
  if (result.source === 'lfu') {
    return {
      source: 'lfu',
      keys,
      keysSampled: result.keysSampled,
      note: `OBJECT FREQ of ${result.keysSampled} keys: Redis's LFU counter, logarithmic (a counter of 20 is far more than twice 10) and decaying over lfu-decay-time, so it ranks keys rather than counting reads.`,
    };
  }
  return {
    source: 'monitor',
    keys,
    windowMs: result.windowMs,
    commandsSampled: result.commandsSampled,
    readsCounted: result.readsCounted,
    stoppedBy: result.stoppedBy,
    note: `GET-family reads (GET, MGET, HGET, HGETALL, SMEMBERS, ZRANGE and similar) seen by MONITOR in ${(result.windowMs / 1000).toFixed(1)} s, ${result.commandsSampled} commands sampled${result.stoppedBy === 'command-limit' ? ', stopped early at the command limit' : ''}: a short window, so a key hot at other times of day can be missing.`,
  };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
}

/** Normal approximation of a proportion at its widest (p = 0.5), with the finite-population correction. */
export function errorBound95(sampleSize: number, population: number | undefined): number {
  const base = 1.96 * Math.sqrt(0.25 / sampleSize);
  if (population === undefined || population <= 1 || population <= sampleSize) return base;
  return base * Math.sqrt((population - sampleSize) / (population - 1));
}

/** How many children of each prefix, and how many top-level prefixes, the report lists one by one. */
const maxChildrenPerPrefix = 20;
const maxTopLevelPrefixes = 50;

function summed(nodes: PrefixStats[], scale: number): { prefixes: number; keys: number; memoryBytes: number } {
  return {
    prefixes: nodes.length,
    keys: Math.round(nodes.reduce((sum, node) => sum + node.keys, 0) * scale),
    memoryBytes: Math.round(nodes.reduce((sum, node) => sum + node.memoryBytes, 0) * scale),
  };
}

function sortTree(nodes: PrefixStats[], sortBy: 'memory' | 'keys'): PrefixStats[] {
  return nodes.sort((a, b) => (sortBy === 'memory' ? b.memoryBytes - a.memoryBytes || b.keys - a.keys : b.keys - a.keys || b.memoryBytes - a.memoryBytes));
}

function prefixReport(node: PrefixStats, scale: number, sortBy: 'memory' | 'keys'): PrefixReport {
  const histogram: Record<string, number> = {};
  for (const bucket of ttlBuckets) histogram[bucket] = Math.round((node.ttlHistogram.get(bucket) ?? 0) * scale);
  // Prefixes such as "user:<id>:" make one child per id: report the largest and sum the rest.
  const children = sortTree([...node.children.values()], sortBy);
  const shown = children.slice(0, maxChildrenPerPrefix);
  const hidden = children.slice(maxChildrenPerPrefix);
  return {
    prefix: renderNameForJson(node.prefix),
    ...(node.undelimited ? { undelimited: true } : {}),
    depth: node.depth,
    keys: Math.round(node.keys * scale),
    keysScanned: node.keys,
    noTtlShare: node.keys > 0 ? node.noTtlKeys / node.keys : 0,
    memoryBytes: Math.round(node.memoryBytes * scale),
    types: Object.fromEntries([...node.types].map(([type, count]) => [type, Math.round(count * scale)])),
    ttlHistogram: histogram,
    children: shown.map((child) => prefixReport(child, scale, sortBy)),
    ...(hidden.length > 0 ? { moreChildren: summed(hidden, scale) } : {}),
  };
}

/**
 * The deepest prefixes that satisfy a test: a family and its parent usually both qualify, and the
 * narrower family is the one to act on.
 */
function deepestMatching(root: PrefixStats, test: (node: PrefixStats) => boolean): PrefixStats[] {
  const found: PrefixStats[] = [];
  const visit = (node: PrefixStats): boolean => {
    let childFound = false;
    for (const child of node.children.values()) childFound = visit(child) || childFound;
    if (childFound) return true;
    if (node !== root && test(node)) {
      found.push(node);
      return true;
    }
    return false;
  };
  visit(root);
  return found;
}

function findCliffs(root: PrefixStats, settings: Settings, scale: number): CliffReport[] {
  const windowMs = settings.cliffWindowSeconds * 1000;
  const windows = new Map<PrefixStats, ReturnType<typeof densestExpiryWindow>>();
  const qualifies = (node: PrefixStats) => {
    const window = densestExpiryWindow(node.expiries, windowMs);
    windows.set(node, window);
    return window !== undefined && window.keys * scale >= settings.cliffMinKeys && window.keys / window.ttlKeys >= settings.cliffMinShare;
  };
  return deepestMatching(root, qualifies)
    .map((node) => {
      const window = windows.get(node)!;
      return {
        prefix: renderNameForJson(node.prefix),
        from: new Date(window.from).toISOString(),
        to: new Date(window.to).toISOString(),
        windowSeconds: settings.cliffWindowSeconds,
        keys: Math.round(window.keys * scale),
        ttlKeys: Math.round(window.ttlKeys * scale),
        share: window.keys / window.ttlKeys,
      };
    })
    .sort((a, b) => b.keys - a.keys);
}

function cliffFinding(cliff: CliffReport): Warning {
  return {
    id: 'expiry-cliff',
    level: 'warn',
    prefix: cliff.prefix,
    message: `${cliff.keys} keys of ${cliff.prefix.text}* (${Math.round(cliff.share * 100)}% of its keys with a TTL) expire within ${cliff.windowSeconds} s, from ${cliff.from}`,
    why: 'Keys that expire together are all missed together: the backing store takes every recomputation at once (a cache stampede).',
    fix: 'Add random jitter to the TTL when writing these keys (the require-ttl-jitter rule finds the writes), or refresh them ahead of expiry.',
  };
}

function ttlFindings(root: PrefixStats, settings: Settings, scale: number): Warning[] {
  const qualifies = (node: PrefixStats) => !node.undelimited && node.keys * scale >= settings.noTtlMinKeys && node.noTtlKeys / node.keys >= settings.noTtlMinShare;
  return deepestMatching(root, qualifies).map((node) => {
    const prefix = renderNameForJson(node.prefix);
    const keys = Math.round(node.keys * scale);
    return {
      id: 'prefix-without-ttl',
      level: 'warn' as const,
      prefix,
      message: `${prefix.text}*: ${Math.round((node.noTtlKeys / node.keys) * 100)}% of ${keys} keys have no TTL`,
      why: 'A cache entry without a TTL lives until it is evicted or deleted: stale data stays forever when an invalidation is missed, and volatile-* eviction policies can never free it.',
      fix: 'Write these keys with an expiry (SET key value EX seconds); the require-ttl rule finds the writes. If the family is not a cache, keep it in a separate database or instance.',
    };
  });
}

function bigKeyReport(key: BigKey): BigKeyReport {
  return {
    key: renderNameForJson(key.name),
    type: key.type,
    memoryBytes: key.memoryBytes,
    elements: key.elements,
    ttlSeconds: key.pttlMs < 0 ? null : Math.round(key.pttlMs / 1000),
  };
}

function serverSection(
  facts: ServerFacts,
  before: { keyspaceHits?: number; keyspaceMisses?: number } | undefined,
  after: { keyspaceHits?: number; keyspaceMisses?: number } | undefined,
  own: { hits: number; misses: number },
): InspectReport['server'] {
  const hitRatioNote =
    'keyspace_hits/keyspace_misses since the server started, minus the lookups the inspector itself caused (its TYPE, PTTL, element-count and OBJECT FREQ commands count as lookups in Redis; MEMORY USAGE and SCAN do not).';
  const section: InspectReport['server'] = {
    version: facts.version,
    role: facts.role,
    usedMemoryBytes: facts.usedMemory,
    maxmemoryBytes: facts.maxmemory,
    maxmemoryPolicy: facts.maxmemoryPolicy,
    persistence: facts.save !== undefined || facts.appendonly !== undefined ? { save: facts.save, appendonly: facts.appendonly } : undefined,
    evictedKeys: facts.evictedKeys,
    expiredKeys: facts.expiredKeys,
    opsPerSec: facts.opsPerSec,
    inspectorLookups: own,
    hitRatioNote,
  };
  if (after?.keyspaceHits !== undefined && after.keyspaceMisses !== undefined) {
    const hits = Math.max(0, after.keyspaceHits - own.hits);
    const misses = Math.max(0, after.keyspaceMisses - own.misses);
    section.keyspaceHits = hits;
    section.keyspaceMisses = misses;
    section.hitRatio = hits + misses > 0 ? hits / (hits + misses) : null;
    if (before?.keyspaceHits !== undefined && before.keyspaceMisses !== undefined) {
      section.otherClientsDuringScan = {
        hits: Math.max(0, after.keyspaceHits - before.keyspaceHits - own.hits),
        misses: Math.max(0, after.keyspaceMisses - before.keyspaceMisses - own.misses),
      };
    }
  }
  return section;
}

export function configWarnings(facts: ServerFacts, noTtlShare: number, keysScanned: number): Warning[] {
  const warnings: Warning[] = [];
  const noPersistence = facts.save === '' && facts.appendonly === false;
  if (facts.maxmemory === 0) {
    warnings.push({
      id: 'maxmemory-unset',
      level: 'warn',
      message: 'maxmemory is 0 (no limit)',
      why: 'Without a memory limit Redis never evicts: a cache grows until the machine runs out of memory and the operating system kills Redis (or it swaps and every request slows down).',
      fix: 'Set maxmemory to about 70-80% of the memory Redis may use, with an eviction policy such as allkeys-lru or allkeys-lfu.',
    });
  }
  // With maxmemory 0 nothing is ever evicted anyway; the warning above covers that case.
  if (facts.maxmemoryPolicy === 'noeviction' && noPersistence && facts.maxmemory !== undefined && facts.maxmemory > 0) {
    warnings.push({
      id: 'noeviction-without-persistence',
      level: 'warn',
      message: 'maxmemory-policy is noeviction on a server without persistence (save "" and appendonly no)',
      why: 'A server that keeps nothing on disk is a cache, yet with noeviction every write fails with an OOM error once maxmemory is reached instead of dropping old entries.',
      fix: 'Use allkeys-lru or allkeys-lfu (or volatile-* when every cache key has a TTL).',
    });
  }
  if (facts.maxmemoryPolicy === 'noeviction' && facts.maxmemory && facts.usedMemory !== undefined && facts.usedMemory >= 0.9 * facts.maxmemory) {
    warnings.push({
      id: 'near-maxmemory-noeviction',
      level: 'error',
      message: `used memory ${formatBytes(facts.usedMemory)} is ${Math.round((facts.usedMemory / facts.maxmemory) * 100)}% of maxmemory ${formatBytes(facts.maxmemory)} with noeviction`,
      why: 'At maxmemory with noeviction, Redis rejects every write with an OOM error.',
      fix: 'Raise maxmemory or switch to an eviction policy (allkeys-lru / allkeys-lfu) now.',
    });
  }
  if (facts.maxmemoryPolicy?.startsWith('volatile-') && keysScanned > 0 && noTtlShare > 0.5) {
    warnings.push({
      id: 'volatile-policy-without-ttls',
      level: 'warn',
      message: `maxmemory-policy is ${facts.maxmemoryPolicy} but ${Math.round(noTtlShare * 100)}% of the scanned keys have no TTL`,
      why: 'volatile-* policies only evict keys that have a TTL: keys without one can never be freed, so at maxmemory writes fail with OOM errors although most memory is cache.',
      fix: 'Give cache keys a TTL, or use allkeys-lru / allkeys-lfu.',
    });
  }
  return warnings;
}
