import type { KeyRecord } from './scan';

/** Remaining-TTL buckets, shortest first; `none` counts keys without a TTL. */
export const ttlBuckets = ['<1m', '1-10m', '10m-1h', '1-6h', '6-24h', '1-7d', '>7d', 'none'] as const;
export type TtlBucket = (typeof ttlBuckets)[number];

const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;

export function ttlBucketOf(pttlMs: number): TtlBucket {
  if (pttlMs < 0) return 'none';
  if (pttlMs < minute) return '<1m';
  if (pttlMs < 10 * minute) return '1-10m';
  if (pttlMs < hour) return '10m-1h';
  if (pttlMs < 6 * hour) return '1-6h';
  if (pttlMs < day) return '6-24h';
  if (pttlMs < 7 * day) return '1-7d';
  return '>7d';
}

/** Counts for one prefix of the tree; raw figures, before any sampling scale. */
export interface PrefixStats {
  /** The prefix bytes, delimiter included; empty for the group of keys without the delimiter. */
  prefix: Buffer;
  /** True for the group of top-level keys that contain no delimiter. */
  undelimited: boolean;
  depth: number;
  keys: number;
  noTtlKeys: number;
  memoryBytes: number;
  types: Map<string, number>;
  ttlHistogram: Map<TtlBucket, number>;
  /** Absolute expiry times (ms since epoch) of the keys with a TTL, for cliff detection. */
  expiries: number[];
  children: Map<string, PrefixStats>;
}

export interface BigKey {
  name: Buffer;
  type: string;
  memoryBytes: number | null;
  elements: number | null;
  pttlMs: number;
}

export interface KeyspaceOptions {
  delimiter: Buffer;
  depth: number;
  topN: number;
}

function newStats(prefix: Buffer, depth: number, undelimited = false): PrefixStats {
  return { prefix, undelimited, depth, keys: 0, noTtlKeys: 0, memoryBytes: 0, types: new Map(), ttlHistogram: new Map(), expiries: [], children: new Map() };
}

/** Keeps the N largest entries by a measure, without holding every key. */
class TopN {
  readonly entries: BigKey[] = [];
  constructor(
    private readonly size: number,
    private readonly measure: (key: BigKey) => number | null,
  ) {}

  offer(key: BigKey): void {
    const value = this.measure(key);
    if (value === null || this.size <= 0) return;
    if (this.entries.length >= this.size && value <= (this.measure(this.entries[this.entries.length - 1]) ?? 0)) return;
    this.entries.push(key);
    this.entries.sort((a, b) => (this.measure(b) ?? 0) - (this.measure(a) ?? 0));
    if (this.entries.length > this.size) this.entries.pop();
  }
}

/** The prefixes of a key at depths 1..maxDepth, each ending with the delimiter. */
export function prefixesOf(name: Buffer, delimiter: Buffer, maxDepth: number): Buffer[] {
  const prefixes: Buffer[] = [];
  let from = 0;
  while (prefixes.length < maxDepth) {
    const at = name.indexOf(delimiter, from);
    // A delimiter at the very end names no deeper family: "a:b:" is a key of "a:", not of "a:b:".
    if (at < 0 || at + delimiter.length >= name.length) break;
    prefixes.push(name.subarray(0, at + delimiter.length));
    from = at + delimiter.length;
  }
  return prefixes;
}

/** Folds key records into the prefix tree, the totals and the big-key lists as they stream in. */
export class KeyspaceAccumulator {
  readonly root = newStats(Buffer.alloc(0), 0);
  readonly byMemory: TopN;
  readonly byElements: TopN;

  constructor(private readonly options: KeyspaceOptions) {
    this.byMemory = new TopN(options.topN, (key) => key.memoryBytes);
    this.byElements = new TopN(options.topN, (key) => key.elements);
  }

  add(record: KeyRecord, now: number): void {
    const path = [this.root];
    const prefixes = prefixesOf(record.name, this.options.delimiter, this.options.depth);
    if (prefixes.length === 0) {
      path.push(this.child(this.root, Buffer.alloc(0), 1, true));
    } else {
      let node = this.root;
      for (const prefix of prefixes) {
        node = this.child(node, prefix, node.depth + 1, false);
        path.push(node);
      }
    }
    const bucket = ttlBucketOf(record.pttlMs);
    for (const node of path) {
      node.keys += 1;
      if (record.pttlMs < 0) node.noTtlKeys += 1;
      else node.expiries.push(now + record.pttlMs);
      node.memoryBytes += record.memoryBytes ?? 0;
      node.types.set(record.type, (node.types.get(record.type) ?? 0) + 1);
      node.ttlHistogram.set(bucket, (node.ttlHistogram.get(bucket) ?? 0) + 1);
    }
    const big: BigKey = { name: record.name, type: record.type, memoryBytes: record.memoryBytes, elements: record.elements, pttlMs: record.pttlMs };
    this.byMemory.offer(big);
    this.byElements.offer(big);
  }

  private child(parent: PrefixStats, prefix: Buffer, depth: number, undelimited: boolean): PrefixStats {
    const id = undelimited ? '\u0000undelimited' : prefix.toString('latin1');
    let node = parent.children.get(id);
    if (!node) {
      node = newStats(prefix, depth, undelimited);
      parent.children.set(id, node);
    }
    return node;
  }
}

export interface CliffWindow {
  /** Start and end of the window, ms since epoch. */
  from: number;
  to: number;
  keys: number;
  ttlKeys: number;
}

/** The fixed-width window holding the most expiries (two pointers over the sorted expiry times). */
export function densestExpiryWindow(expiries: number[], windowMs: number): CliffWindow | undefined {
  if (expiries.length === 0) return undefined;
  const sorted = [...expiries].sort((a, b) => a - b);
  let best = { from: sorted[0], keys: 0 };
  let start = 0;
  for (let end = 0; end < sorted.length; end += 1) {
    while (sorted[end] - sorted[start] > windowMs) start += 1;
    const keys = end - start + 1;
    if (keys > best.keys) best = { from: sorted[start], keys };
  }
  return { from: best.from, to: best.from + windowMs, keys: best.keys, ttlKeys: sorted.length };
}
