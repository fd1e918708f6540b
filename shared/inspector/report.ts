import type { RenderedName } from './key-names';
import type { PacingReport } from './pacing';

/** The JSON report of `cachescope inspect --json`; every figure says what it is in its name or its note. */
export interface InspectReport {
  target: string;
  generatedAt: string;
  server: ServerSection;
  scan: ScanSection;
  /** Prefix tree, sorted as asked (memory or keys), counts scaled to the whole keyspace when sampling. */
  prefixes: PrefixReport[];
  /** Top-level prefixes beyond the listed ones, summed. */
  morePrefixes?: { prefixes: number; keys: number; memoryBytes: number };
  cliffs: CliffReport[];
  bigKeys: { byMemory: BigKeyReport[]; byElements: BigKeyReport[] };
  warnings: Warning[];
  findings: Warning[];
  /** Parts of the report the server did not allow (ACL) or did not provide, with the reason. */
  unavailable: string[];
  /** The most-read keys, from LFU counters or a MONITOR sample; absent when neither was available or asked for. */
  hotKeys?: HotKeysReport;
  /** Present for a server in cluster mode: every master was scanned and the figures above are merged. */
  cluster?: ClusterReport;
}

export interface ClusterReport {
  masters: { address: string; dbsize?: number; keysScanned: number }[];
}

export interface HotKeysReport {
  /** lfu: OBJECT FREQ counters (logarithmic, decaying); monitor: GET-family reads counted in a MONITOR window. */
  source: 'lfu' | 'monitor';
  keys: { key: RenderedName; count: number }[];
  /** lfu: keys whose counter was read. */
  keysSampled?: number;
  /** monitor: length of the window, commands seen in it, and GET-family key reads counted. */
  windowMs?: number;
  commandsSampled?: number;
  readsCounted?: number;
  stoppedBy?: 'window' | 'command-limit';
  note: string;
}

export interface ServerSection {
  version?: string;
  role?: string;
  usedMemoryBytes?: number;
  /** 0 means unset (no limit). */
  maxmemoryBytes?: number;
  maxmemoryPolicy?: string;
  persistence?: { save?: string; appendonly?: boolean };
  evictedKeys?: number;
  expiredKeys?: number;
  opsPerSec?: number;
  /** Keyspace hits and misses since the server started, with the inspector's own lookups subtracted. */
  keyspaceHits?: number;
  keyspaceMisses?: number;
  hitRatio?: number | null;
  /** Lookups the inspector itself caused (TYPE, PTTL and element counts), already subtracted above. */
  inspectorLookups: { hits: number; misses: number };
  /** Lookups by other clients while the inspection ran. */
  otherClientsDuringScan?: { hits: number; misses: number };
  hitRatioNote: string;
}

export interface ScanSection {
  keysScanned: number;
  complete: boolean;
  /** Present when the inspection was cancelled before the scan went round: the figures cover the keys scanned. */
  cancelled?: true;
  /** DBSIZE of the selected database when readable. */
  dbsize?: number;
  sampled: boolean;
  /** Multiplier applied to scanned counts to estimate the whole keyspace (1 when not sampling). */
  scale: number;
  /** 95% error bound (absolute, as a fraction) of shares computed from the sample; absent when not sampling. */
  shareErrorBound95?: number;
  prefix?: RenderedName;
  delimiter: string;
  depth: number;
  sortBy: 'memory' | 'keys';
  commandsSent: Record<string, number>;
  noTouch: boolean;
  /** Time spent inspecting, summed over the steps of a resumed inspection. */
  durationMs: number;
  /** How the inspector paced itself: its duty cycle and the server's PING latency idle and during the scan. */
  pacing?: PacingReport;
}

export interface PrefixReport {
  prefix: RenderedName;
  /** True for the group of keys that contain no delimiter. */
  undelimited?: boolean;
  depth: number;
  keys: number;
  keysScanned: number;
  noTtlShare: number;
  memoryBytes: number;
  types: Record<string, number>;
  ttlHistogram: Record<string, number>;
  /** The largest children (by the sort order); the rest are summed in moreChildren. */
  children: PrefixReport[];
  moreChildren?: { prefixes: number; keys: number; memoryBytes: number };
}

export interface CliffReport {
  prefix: RenderedName;
  from: string;
  to: string;
  windowSeconds: number;
  keys: number;
  ttlKeys: number;
  share: number;
}

export interface BigKeyReport {
  key: RenderedName;
  type: string;
  memoryBytes: number | null;
  elements: number | null;
  ttlSeconds: number | null;
}

export type WarningLevel = 'warn' | 'error';

export interface Warning {
  id: string;
  level: WarningLevel;
  message: string;
  why: string;
  fix: string;
  prefix?: RenderedName;
}
