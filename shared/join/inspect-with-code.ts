import type { KeySite } from '../analyzer/types';
import { inspectRedis, InspectOptions } from '../inspector/inspect';
import type { InspectReport } from '../inspector/report';
import { CodeFamily, codeFamiliesFromKeySites } from './code-families';
import { CodeAndLiveReport, joinTallyWithReport, JoinThresholds } from './join';
import { LiveTally } from './live-tally';

export interface JoinCodeWithLiveOptions {
  /** The inspection to run; `onKey` is chained after the join's own tally. */
  inspect: InspectOptions;
  /** Bytes the application's client prepends to every key (ioredis `keyPrefix`), which the key sites do not show. */
  keyPrefix?: string;
  thresholds?: Partial<JoinThresholds>;
}

/**
 * Inspects a live Redis and joins it with the code's key families in one pass over the keyspace. `code`
 * is either the analyzer's key sites (with no findings, so rule verdicts come from the TTL text) or
 * families already grouped (see `codeFamiliesFromKeySites`, `projectKeyIndex`).
 */
export async function joinCodeWithLive(
  code: readonly KeySite[] | readonly CodeFamily[],
  options: JoinCodeWithLiveOptions,
): Promise<{ report: InspectReport; codeAndLive: CodeAndLiveReport }> {
  const families = isKeySites(code) ? codeFamiliesFromKeySites(code) : [...code];
  const tally = new LiveTally(families, { keyPrefix: options.keyPrefix, delimiter: options.inspect.delimiter, depth: options.inspect.depth });
  const chained = options.inspect.onKey;
  const report = await inspectRedis({
    ...options.inspect,
    onKey: (record) => {
      tally.onKey(record);
      chained?.(record);
    },
  });
  return { report, codeAndLive: joinTallyWithReport(families, tally, report, options.thresholds) };
}

function isKeySites(code: readonly KeySite[] | readonly CodeFamily[]): code is readonly KeySite[] {
  return code.length > 0 && 'family' in code[0];
}
