/**
 * The keyspace lookups this process's inspector made itself, per server. Redis counts the inspector's `TYPE`,
 * `PTTL` and element counts in `keyspace_hits`/`keyspace_misses`, so a live hit-ratio monitor running beside an
 * inspection reads these totals and subtracts what was recorded between two of its samples, and, for the ratio
 * since the server started, everything recorded since then.
 *
 * The ledger is process-wide on purpose: the scan and the monitor use different connections and never see
 * each other, and both name the server by the same credential-free display address.
 */

export interface LookupTotals {
  hits: number;
  misses: number;
}

interface Checkpoint extends LookupTotals {
  /** Second (ms since the epoch, floored to the second) of the last record it includes. */
  at: number;
}

/** Running totals, one checkpoint per second in which something was recorded (oldest first). */
const checkpointsByServer = new Map<string, Checkpoint[]>();

/**
 * The counters `keyspace_hits`/`keyspace_misses` belong to the server, not to a database, so `redis://h:p/2`
 * and `redis://h:p` (or `unix:///s.sock?db=1` and `unix:///s.sock`) name the same ledger entry.
 */
export function serverKey(target: string): string {
  return target.replace(/\?db=\d+$/, '').replace(/^(rediss?:\/\/[^/]+)\/\d+$/, '$1');
}

/** Adds lookups the inspector made on `target` (called after each pipelined batch, as the replies arrive). */
export function recordOwnLookups(target: string, hits: number, misses: number, now = Date.now()): void {
  if (hits === 0 && misses === 0) return;
  const key = serverKey(target);
  const checkpoints = checkpointsByServer.get(key) ?? [];
  const last = checkpoints[checkpoints.length - 1];
  const second = Math.floor(now / 1000) * 1000;
  if (last && last.at === second) {
    last.hits += hits;
    last.misses += misses;
  } else {
    checkpoints.push({ at: second, hits: (last?.hits ?? 0) + hits, misses: (last?.misses ?? 0) + misses });
  }
  checkpointsByServer.set(key, checkpoints);
}

/** Everything recorded for `target` since this process started; a copy, so callers can keep it as a baseline. */
export function ownLookupTotals(target: string): LookupTotals {
  const checkpoints = checkpointsByServer.get(serverKey(target));
  const last = checkpoints?.[checkpoints.length - 1];
  return { hits: last?.hits ?? 0, misses: last?.misses ?? 0 };
}

/**
 * What had been recorded for `target` before `time` (ms since the epoch), to one second: lookups made before a
 * server restarted are not in its new counters. Records in the second of `time` itself count as after it.
 */
export function ownLookupTotalsBefore(target: string, time: number): LookupTotals {
  const checkpoints = checkpointsByServer.get(serverKey(target)) ?? [];
  const second = Math.floor(time / 1000) * 1000;
  let found: Checkpoint | undefined;
  for (const checkpoint of checkpoints) {
    if (checkpoint.at >= second) break;
    found = checkpoint;
  }
  return { hits: found?.hits ?? 0, misses: found?.misses ?? 0 };
}
