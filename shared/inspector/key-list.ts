import { ConnectionSettings, ConnectionTimeouts, defaultTimeouts, openConnection, parseRedisUrl } from './connection';
import { KeyRecord, scanKeyspace } from './scan';

/** How a key browser orders the keys it lists. */
export type KeyOrder = 'memory' | 'ttl' | 'name';

export interface ListKeysOptions {
  url: string;
  /** TLS files and checks beyond what the URL says. */
  connection?: ConnectionSettings;
  /** Only keys starting with these bytes; the whole keyspace when absent. */
  prefix?: Buffer;
  /** List at most this many keys (SCAN stops there): a browser page, not an inventory. */
  limit: number;
  order?: KeyOrder;
  timeouts?: ConnectionTimeouts;
}

export interface KeyListing {
  keys: KeyRecord[];
  /** True when SCAN went round the whole keyspace: the listing holds every key of the prefix. */
  complete: boolean;
  /** The keyspace lookups the listing made (TYPE, PTTL, lengths), which Redis counts as hits and misses. */
  ownLookups: { hits: number; misses: number };
}

/**
 * Lists the keys under a prefix with their type, TTL, memory and element count, read-only and bounded:
 * the same SCAN walk as an inspection, stopped after `limit` keys. Sorting applies to the keys listed, so a
 * listing that is not complete is a sorted page of the prefix, and says so through `complete`.
 */
export async function listKeys(options: ListKeysOptions): Promise<KeyListing> {
  const target = parseRedisUrl(options.url, options.connection);
  const timeouts = options.timeouts ?? defaultTimeouts;
  const client = await openConnection(target, timeouts);
  try {
    const keys: KeyRecord[] = [];
    const outcome = await scanKeyspace(client, {
      prefix: options.prefix,
      scanCount: 1000,
      pipelineSize: 100,
      maxKeys: options.limit,
      // A page of keys is a few pipelines: no pause is needed to keep the server responsive.
      dutyCycle: 1,
      commandTimeoutMs: timeouts.commandTimeoutMs,
      target: target.display,
      onKey: (record) => keys.push(record),
    });
    return { keys: sortKeys(keys, options.order ?? 'memory'), complete: outcome.complete, ownLookups: outcome.ownLookups };
  } finally {
    client.disconnect();
  }
}

/**
 * Orders keys for a browser. By memory: largest first. By TTL: keys without a TTL first (they never leave the
 * cache, which is what a TTL sort is usually looking for), then the longest remaining TTL first. By name: bytewise.
 */
export function sortKeys(keys: KeyRecord[], order: KeyOrder): KeyRecord[] {
  const byName = (a: KeyRecord, b: KeyRecord) => Buffer.compare(a.name, b.name);
  const sorted = [...keys];
  if (order === 'name') return sorted.sort(byName);
  if (order === 'memory') return sorted.sort((a, b) => (b.memoryBytes ?? -1) - (a.memoryBytes ?? -1) || byName(a, b));
  const ttlRank = (key: KeyRecord) => (key.pttlMs < 0 ? Number.POSITIVE_INFINITY : key.pttlMs);
  return sorted.sort((a, b) => {
    const difference = ttlRank(b) - ttlRank(a);
    if (Number.isNaN(difference) || difference === 0) return byName(a, b);
    return difference;
  });
}
