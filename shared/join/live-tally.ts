import { prefixesOf, ttlBucketOf } from '../inspector/keyspace';
import type { KeyRecord } from '../inspector/scan';
import { FamilyMatcher, FamilyPattern } from './family-matcher';

/**
 * The live side of the join, folded key by key while the inspector scans (its `onKey` callback): per
 * code family the keys, keys without a TTL, memory and remaining TTLs; and the keys no family matches,
 * in the same prefix tree the inspector builds. Figures are raw scan counts, before any sampling scale.
 */

export interface FamilyTally {
  keys: number;
  noTtlKeys: number;
  memoryBytes: number;
  /** Longest remaining TTL seen, in ms; null when no key of the family had one. */
  maxTtlMs: number | null;
  /**
   * Remaining TTLs (ms) of the family's keys that have one: all of them up to `ttlSampleSize`, then a
   * uniform reservoir sample, so medians and "how many above X" stay exact for small families.
   */
  ttlSampleMs: number[];
  /** Keys with a TTL, of which `ttlSampleMs` is a sample. */
  ttlKeys: number;
  ttlHistogram: Record<string, number>;
}

export interface UnmatchedPrefix {
  /** The prefix bytes, delimiter included; empty for the group of keys without the delimiter. */
  prefix: Buffer;
  undelimited: boolean;
  keys: number;
  noTtlKeys: number;
  memoryBytes: number;
  children: Map<string, UnmatchedPrefix>;
  /** Keys of children beyond `maxChildren`, which are not tracked one by one. */
  untrackedChildKeys: number;
}

export interface LiveTallyOptions {
  /** Bytes the client prepends to every key (ioredis `keyPrefix`); see FamilyMatcher. */
  keyPrefix?: string;
  /** The inspector's delimiter and depth, so unmatched keys group like its prefix tree. */
  delimiter?: string;
  depth?: number;
  ttlSampleSize?: number;
  maxChildren?: number;
}

const newUnmatched = (prefix: Buffer, undelimited: boolean): UnmatchedPrefix => ({
  prefix,
  undelimited,
  keys: 0,
  noTtlKeys: 0,
  memoryBytes: 0,
  children: new Map(),
  untrackedChildKeys: 0,
});

export class LiveTally {
  readonly families = new Map<string, FamilyTally>();
  readonly unmatched = newUnmatched(Buffer.alloc(0), false);
  readonly keyPrefix: string;
  keys = 0;
  memoryBytes = 0;
  private readonly matcher: FamilyMatcher<FamilyPattern>;
  private readonly delimiter: Buffer;
  private readonly depth: number;
  private readonly ttlSampleSize: number;
  private readonly maxChildren: number;

  constructor(families: readonly FamilyPattern[], options: LiveTallyOptions = {}) {
    this.keyPrefix = options.keyPrefix ?? '';
    this.matcher = new FamilyMatcher(families, this.keyPrefix);
    this.delimiter = Buffer.from(options.delimiter ?? ':');
    this.depth = options.depth ?? 2;
    this.ttlSampleSize = options.ttlSampleSize ?? 10_000;
    this.maxChildren = options.maxChildren ?? 1000;
    for (const family of families) this.families.set(family.pattern, emptyFamily());
  }

  /** The inspector's per-key callback: pass it as `InspectOptions.onKey`. */
  readonly onKey = (record: KeyRecord): void => {
    this.keys += 1;
    this.memoryBytes += record.memoryBytes ?? 0;
    const family = this.matcher.match(record.name);
    if (family) this.addToFamily(this.families.get(family.pattern)!, record);
    else this.addUnmatched(record);
  };

  private addToFamily(tally: FamilyTally, record: KeyRecord): void {
    tally.keys += 1;
    tally.memoryBytes += record.memoryBytes ?? 0;
    const bucket = ttlBucketOf(record.pttlMs);
    tally.ttlHistogram[bucket] = (tally.ttlHistogram[bucket] ?? 0) + 1;
    if (record.pttlMs < 0) {
      tally.noTtlKeys += 1;
      return;
    }
    tally.ttlKeys += 1;
    tally.maxTtlMs = Math.max(tally.maxTtlMs ?? 0, record.pttlMs);
    if (tally.ttlSampleMs.length < this.ttlSampleSize) tally.ttlSampleMs.push(record.pttlMs);
    else {
      const slot = Math.floor(Math.random() * tally.ttlKeys);
      if (slot < this.ttlSampleSize) tally.ttlSampleMs[slot] = record.pttlMs;
    }
  }

  private addUnmatched(record: KeyRecord): void {
    const prefixes = prefixesOf(record.name, this.delimiter, this.depth);
    const path = [this.unmatched];
    if (prefixes.length === 0) {
      const child = this.child(this.unmatched, Buffer.alloc(0), true);
      if (child) path.push(child);
    } else {
      let node = this.unmatched;
      for (const prefix of prefixes) {
        const child = this.child(node, prefix, false);
        if (!child) break;
        path.push(child);
        node = child;
      }
    }
    for (const node of path) {
      node.keys += 1;
      node.memoryBytes += record.memoryBytes ?? 0;
      if (record.pttlMs < 0) node.noTtlKeys += 1;
    }
  }

  /** The child node for a prefix, or undefined (counted as untracked) when the parent already has too many. */
  private child(parent: UnmatchedPrefix, prefix: Buffer, undelimited: boolean): UnmatchedPrefix | undefined {
    const id = undelimited ? '\u0000undelimited' : prefix.toString('latin1');
    let node = parent.children.get(id);
    if (!node) {
      if (parent.children.size >= this.maxChildren) {
        parent.untrackedChildKeys += 1;
        return undefined;
      }
      node = newUnmatched(Buffer.from(prefix), undelimited);
      parent.children.set(id, node);
    }
    return node;
  }
}

function emptyFamily(): FamilyTally {
  return { keys: 0, noTtlKeys: 0, memoryBytes: 0, maxTtlMs: null, ttlSampleMs: [], ttlKeys: 0, ttlHistogram: {} };
}
