import { formatBytes } from '../inspector/format-text';
import { renderNameForJson, RenderedName } from '../inspector/key-names';
import type { InspectReport } from '../inspector/report';
import type { CodeFamily, CodeSite } from './code-families';
import { literalHead } from './family-matcher';
import type { FamilyTally, LiveTally, UnmatchedPrefix } from './live-tally';
import { writtenTtl } from './ttl-text';

/**
 * The join itself: the code's key families next to what the live keyspace holds of each, and the
 * findings only the two together can give. Pure: it takes the inspector's report and the tally its
 * `onKey` callback filled, so the CLI and an editor client run the same logic.
 */

export type JoinLevel = 'info' | 'warn' | 'error';

export type JoinFindingId =
  | 'live-keys-without-ttl'
  | 'no-ttl-confirmed'
  | 'ttl-longer-than-code'
  | 'unmatched-prefix'
  | 'family-not-live'
  | 'cliff-on-fixed-ttl';

/** Live figures of a family or a prefix, scaled to the whole keyspace when the scan was a sample. */
export interface LiveFigures {
  keys: number;
  noTtlKeys: number;
  memoryBytes: number;
  /** Longest and median remaining TTL of the keys that have one, in seconds; null when none has. */
  maxTtlSeconds: number | null;
  p50TtlSeconds: number | null;
  /** Remaining-TTL buckets (the inspector's), raw counts of scanned keys. */
  ttlHistogram: Record<string, number>;
  /** Keys actually scanned (before scaling). */
  keysScanned: number;
}

export interface FamilyJoin {
  pattern: string;
  display: string;
  /** How the code expires the family: every write sets a TTL, some write none, or nothing to tell. */
  ttlPolicy: 'always' | 'without' | 'set-then-expire' | 'not-written' | 'unknown';
  /** The longest TTL the code writes, in seconds, when every TTL it writes is a constant. */
  longestTtlSeconds?: number;
  sites: CodeSite[];
  live: LiveFigures;
}

export interface JoinFinding {
  id: JoinFindingId;
  level: JoinLevel;
  message: string;
  why: string;
  fix: string;
  /** The lint rule whose finding this backs with live figures, or whose sites it points at. */
  ruleId?: string;
  family?: { pattern: string; display: string };
  prefix?: RenderedName;
  evidence: {
    /** The code sites concerned, with the TTL as written. */
    code: CodeSite[];
    live: LiveFigures;
    /** Present when the scan was a sample: its size and the scale applied to counts. */
    sample?: { keysScanned: number; scale: number; shareErrorBound95?: number };
  };
}

export interface UnmatchedReport {
  prefix: RenderedName;
  undelimited?: boolean;
  keys: number;
  noTtlKeys: number;
  memoryBytes: number;
  children: UnmatchedReport[];
}

export interface CodeAndLiveReport {
  keyPrefix?: string;
  scan: { keysScanned: number; complete: boolean; sampled: boolean; scale: number };
  families: FamilyJoin[];
  matched: { keys: number; memoryBytes: number };
  unmatched: { keys: number; memoryBytes: number; prefixes: UnmatchedReport[] };
  findings: JoinFinding[];
}

export interface JoinThresholds {
  /** Live keys without a TTL it takes to report a family the code always expires (or never does). Default 1. */
  noTtlMinKeys: number;
  /** Seconds a live TTL may exceed the code's longest TTL before it counts (clock skew, rounding). Default 1. */
  ttlSlackSeconds: number;
  /** An unmatched prefix is reported from this many keys... Default 50. */
  unmatchedMinKeys: number;
  /** ...and this share of the scanned keys or of their memory. Default 0.1. */
  unmatchedMinShare: number;
}

export const defaultJoinThresholds: JoinThresholds = { noTtlMinKeys: 1, ttlSlackSeconds: 1, unmatchedMinKeys: 50, unmatchedMinShare: 0.1 };

const fillAccess = new Set(['write', 'read-through']);
const readAccess = new Set(['read', 'read-through']);
const levelOrder: Record<JoinLevel, number> = { error: 0, warn: 1, info: 2 };
const unmatchedChildrenShown = 10;

interface Policy {
  ttlPolicy: FamilyJoin['ttlPolicy'];
  longestTtlSeconds?: number;
  neverExpiring: CodeSite[];
  expiring: CodeSite[];
  fixedTtl: CodeSite[];
}

/** What the code's writes say about a family's expiry. */
export function ttlPolicyOf(family: CodeFamily): Policy {
  const neverExpiring: CodeSite[] = [];
  const expiring: CodeSite[] = [];
  const fixedTtl: CodeSite[] = [];
  const seconds: number[] = [];
  let allConstant = true;
  let fills = 0;
  for (const site of family.sites) {
    const ttl = writtenTtl(site.ttl);
    if (ttl === undefined || !(fillAccess.has(site.access) || site.access === 'expire')) continue;
    if (site.access !== 'expire') fills += 1;
    if (ttl.kind === 'none') {
      neverExpiring.push(site);
      continue;
    }
    if (ttl.kind === 'fixed' || ttl.kind === 'variable') expiring.push(site);
    if (ttl.kind === 'fixed') seconds.push(ttl.seconds!);
    else allConstant = false;
    // The jitter rule's verdict when the caller gave findings; else the TTL text: one constant number.
    if (site.rules ? site.rules.includes('require-ttl-jitter') : ttl.kind === 'fixed') fixedTtl.push(site);
  }
  const longestTtlSeconds = allConstant && seconds.length > 0 && seconds.length === expiring.length ? Math.max(...seconds) : undefined;
  let ttlPolicy: FamilyJoin['ttlPolicy'];
  if (fills === 0 && expiring.length === 0) ttlPolicy = 'not-written';
  else if (neverExpiring.length > 0) ttlPolicy = family.sites.some((site) => site.access === 'expire') ? 'set-then-expire' : 'without';
  else if (expiring.length > 0) ttlPolicy = 'always';
  else ttlPolicy = 'unknown';
  return { ttlPolicy, longestTtlSeconds, neverExpiring, expiring, fixedTtl };
}

/** Joins the code's families with a finished inspection and the tally its `onKey` filled. */
export function joinTallyWithReport(
  families: readonly CodeFamily[],
  tally: LiveTally,
  report: Pick<InspectReport, 'scan' | 'cliffs'>,
  thresholds: Partial<JoinThresholds> = {},
): CodeAndLiveReport {
  const limits: JoinThresholds = { ...defaultJoinThresholds, ...thresholds };
  const scale = report.scan.scale;
  const sample = report.scan.sampled ? { keysScanned: report.scan.keysScanned, scale, shareErrorBound95: report.scan.shareErrorBound95 } : undefined;
  const findings: JoinFinding[] = [];
  const joined: FamilyJoin[] = [];
  const policies = new Map<string, Policy>();

  for (const family of families) {
    const policy = ttlPolicyOf(family);
    policies.set(family.pattern, policy);
    const live = liveFigures(tally.families.get(family.pattern), scale);
    joined.push({ pattern: family.pattern, display: family.display, ttlPolicy: policy.ttlPolicy, longestTtlSeconds: policy.longestTtlSeconds, sites: family.sites, live });
    const about = { pattern: family.pattern, display: family.display };
    const evidence = (code: CodeSite[]) => ({ code, live, ...(sample ? { sample } : {}) });

    if (policy.ttlPolicy === 'always' && live.noTtlKeys >= limits.noTtlMinKeys) {
      findings.push({
        id: 'live-keys-without-ttl',
        level: 'warn',
        family: about,
        message: `${family.display}: the code always writes it with a TTL, but ${live.noTtlKeys} of ${live.keys} live keys have none (${formatBytes(noTtlMemory(live))})`,
        why: 'These keys were written before the TTL was added, or by another writer (a script, another service, an old deploy). They never expire and can serve stale data for good.',
        fix: 'Find the other writer, or expire the old keys once (a SCAN over the pattern with EXPIRE); the code itself is fine.',
        evidence: evidence(policy.expiring),
      });
    }
    if (policy.ttlPolicy === 'without' && live.noTtlKeys >= limits.noTtlMinKeys) {
      const flagged = policy.neverExpiring.filter((site) => site.rules?.includes('require-ttl'));
      const rulesKnown = policy.neverExpiring.every((site) => site.rules !== undefined);
      const level: JoinLevel = flagged.length > 0 ? 'error' : rulesKnown ? 'info' : 'warn';
      findings.push({
        id: 'no-ttl-confirmed',
        level,
        ruleId: 'require-ttl',
        family: about,
        message: `${family.display}: written without a TTL, and the live cache confirms it: ${live.noTtlKeys} keys, ${formatBytes(noTtlMemory(live))} with no TTL${
          level === 'info' ? ' (require-ttl judges these writes to be data, not cache, and does not report them)' : ''
        }`,
        why: 'Every key the code writes this way stays until it is deleted or evicted: memory grows with every new id, and a missed invalidation serves stale data for good.',
        fix: level === 'info' ? 'If the family is a cache, give its writes a TTL; if it is data, keep it apart from the cache (another database or instance).' : 'Give the writes a TTL with jitter (the require-ttl suggestion adds one), then expire the keys already written.',
        evidence: evidence(flagged.length > 0 ? flagged : policy.neverExpiring),
      });
    }
    if (policy.longestTtlSeconds !== undefined && live.maxTtlSeconds !== null) {
      const limitMs = (policy.longestTtlSeconds + limits.ttlSlackSeconds) * 1000;
      const longer = keysAbove(tally.families.get(family.pattern), limitMs, scale);
      if (longer > 0) {
        findings.push({
          id: 'ttl-longer-than-code',
          level: 'warn',
          family: about,
          message: `${family.display}: ${longer} live keys expire later than the code's longest TTL allows (up to ${formatSeconds(live.maxTtlSeconds)} left, the code writes at most ${formatSeconds(policy.longestTtlSeconds)})`,
          why: 'A remaining TTL longer than any TTL the code sets means another writer sets these keys: another service, a script, or an older version with a longer TTL. Its writes are invisible to this code and to its invalidations.',
          fix: 'Find the other writer (the keys, their values and OBJECT IDLETIME can tell), and give the family one owner.',
          evidence: evidence(policy.expiring),
        });
      }
    }
    if (live.keys === 0 && report.scan.complete && !report.scan.sampled && family.sites.some((site) => readAccess.has(site.access)) && scanCovers(report, tally.keyPrefix + literalHead(family.pattern))) {
      findings.push({
        id: 'family-not-live',
        level: 'info',
        family: about,
        message: `${family.display}: the code reads it, but no live key matches ${tally.keyPrefix}${family.pattern}`,
        why: policy.ttlPolicy === 'not-written'
          ? 'Nothing in this code writes the family, and nothing live holds it: every read misses. The writer is gone (a dead read), writes to another database or instance, or uses a client keyPrefix the analysis does not know (see --key-prefix).'
          : 'The code writes the family too, yet nothing live holds it: the path is cold (not run since the cache was emptied, or its keys expired), it writes to another database or instance, or its client adds a keyPrefix the analysis does not know (see --key-prefix).',
        fix: policy.ttlPolicy === 'not-written' ? 'Remove the reads if the writer is gone; otherwise check the connection and the key prefix the writer uses.' : 'Nothing to fix if the path is just cold; otherwise check the connection, the database number and the key prefix.',
        evidence: evidence(family.sites.filter((site) => readAccess.has(site.access))),
      });
    }
  }

  for (const cliff of report.cliffs) {
    for (const family of joined) {
      const policy = policies.get(family.pattern)!;
      if (family.live.keys === 0 || policy.fixedTtl.length === 0) continue;
      // A family whose key starts with a variable part could be under any prefix: no cliff is its own.
      const head = tally.keyPrefix + literalHead(family.pattern);
      if (head.length === 0 || !overlaps(head, cliff.prefix.text)) continue;
      findings.push({
        id: 'cliff-on-fixed-ttl',
        level: 'warn',
        ruleId: 'require-ttl-jitter',
        family: { pattern: family.pattern, display: family.display },
        prefix: cliff.prefix,
        message: `${family.display}: ${cliff.keys} keys of ${cliff.prefix.text}* expire within ${cliff.windowSeconds} s from ${cliff.from}, and the code writes the family with a fixed TTL`,
        why: 'A fixed TTL makes keys written together expire together; the live cliff shows it happening, and their reloads will hit the backing store at once.',
        fix: 'Add random jitter to the TTL at the sites below (the require-ttl-jitter suggestion does).',
        evidence: { code: policy.fixedTtl, live: family.live, ...(sample ? { sample } : {}) },
      });
    }
  }

  const unmatchedReport = unmatchedPrefixes(tally.unmatched, scale);
  for (const node of deepestQualifying(tally.unmatched, tally, limits, scale)) {
    const prefix = node.undelimited ? { text: '' } : renderNameForJson(node.prefix);
    const live: LiveFigures = { keys: Math.round(node.keys * scale), noTtlKeys: Math.round(node.noTtlKeys * scale), memoryBytes: Math.round(node.memoryBytes * scale), maxTtlSeconds: null, p50TtlSeconds: null, ttlHistogram: {}, keysScanned: node.keys };
    findings.push({
      id: 'unmatched-prefix',
      level: 'info',
      prefix,
      message: `${node.undelimited ? 'keys without a delimiter' : `${prefix.text}*`}: ${live.keys} keys (${percent(node.keys / Math.max(1, tally.keys))} of the keys, ${formatBytes(live.memoryBytes)}) that no key family in the code matches`,
      why: 'Not written by this code: another service, or a key built in a way the analyzer cannot follow (a key from configuration, a helper with several returns, a client keyPrefix).',
      fix: 'If this service owns these keys, name the key in one helper the analyzer can read; if another service does, lint that service too.',
      evidence: { code: [], live, ...(sample ? { sample } : {}) },
    });
  }

  findings.sort((a, b) => levelOrder[a.level] - levelOrder[b.level] || (a.family?.pattern ?? a.prefix?.text ?? '').localeCompare(b.family?.pattern ?? b.prefix?.text ?? '') || a.id.localeCompare(b.id));
  const matchedKeys = [...tally.families.values()].reduce((sum, family) => sum + family.keys, 0);
  const matchedMemory = [...tally.families.values()].reduce((sum, family) => sum + family.memoryBytes, 0);
  return {
    ...(tally.keyPrefix ? { keyPrefix: tally.keyPrefix } : {}),
    scan: { keysScanned: report.scan.keysScanned, complete: report.scan.complete, sampled: report.scan.sampled, scale },
    families: joined,
    matched: { keys: Math.round(matchedKeys * scale), memoryBytes: Math.round(matchedMemory * scale) },
    unmatched: { keys: Math.round(tally.unmatched.keys * scale), memoryBytes: Math.round(tally.unmatched.memoryBytes * scale), prefixes: unmatchedReport },
    findings,
  };
}

function liveFigures(tally: FamilyTally | undefined, scale: number): LiveFigures {
  if (!tally) return { keys: 0, noTtlKeys: 0, memoryBytes: 0, maxTtlSeconds: null, p50TtlSeconds: null, ttlHistogram: {}, keysScanned: 0 };
  const sorted = [...tally.ttlSampleMs].sort((a, b) => a - b);
  const median = sorted.length === 0 ? null : sorted[Math.floor((sorted.length - 1) / 2)];
  return {
    keys: Math.round(tally.keys * scale),
    noTtlKeys: Math.round(tally.noTtlKeys * scale),
    memoryBytes: Math.round(tally.memoryBytes * scale),
    maxTtlSeconds: tally.maxTtlMs === null ? null : Math.round(tally.maxTtlMs / 1000),
    p50TtlSeconds: median === null ? null : Math.round(median / 1000),
    ttlHistogram: { ...tally.ttlHistogram },
    keysScanned: tally.keys,
  };
}

/** Memory of the keys without a TTL, estimated from the family's share (per-key memory is not kept). */
function noTtlMemory(live: LiveFigures): number {
  return live.keys > 0 ? Math.round((live.memoryBytes * live.noTtlKeys) / live.keys) : 0;
}

/** Keys whose remaining TTL exceeds `limitMs`, from the TTL sample scaled to all keys with a TTL. */
function keysAbove(tally: FamilyTally | undefined, limitMs: number, scale: number): number {
  if (!tally || tally.ttlSampleMs.length === 0) return 0;
  const above = tally.ttlSampleMs.filter((ms) => ms > limitMs).length;
  return Math.round((above * tally.ttlKeys * scale) / tally.ttlSampleMs.length);
}

/** Whether a scan limited to `--prefix` could have seen keys starting with `head`. */
function scanCovers(report: Pick<InspectReport, 'scan'>, head: string): boolean {
  const prefix = report.scan.prefix;
  if (!prefix) return true;
  if (prefix.base64 !== undefined) return false;
  return overlaps(head, prefix.text);
}

/** Two literal key heads can name the same keys when one starts with the other. */
function overlaps(a: string, b: string): boolean {
  return a.startsWith(b) || b.startsWith(a);
}

function deepestQualifying(root: UnmatchedPrefix, tally: LiveTally, limits: JoinThresholds, scale: number): UnmatchedPrefix[] {
  const qualifies = (node: UnmatchedPrefix) =>
    node.keys * scale >= limits.unmatchedMinKeys &&
    (node.keys / Math.max(1, tally.keys) >= limits.unmatchedMinShare || (tally.memoryBytes > 0 && node.memoryBytes / tally.memoryBytes >= limits.unmatchedMinShare));
  const found: UnmatchedPrefix[] = [];
  const visit = (node: UnmatchedPrefix): boolean => {
    let deeper = false;
    for (const child of node.children.values()) deeper = visit(child) || deeper;
    if (deeper) return true;
    if (node !== root && qualifies(node)) {
      found.push(node);
      return true;
    }
    return false;
  };
  visit(root);
  return found.sort((a, b) => b.keys - a.keys);
}

function unmatchedPrefixes(node: UnmatchedPrefix, scale: number): UnmatchedReport[] {
  return [...node.children.values()]
    .sort((a, b) => b.memoryBytes - a.memoryBytes || b.keys - a.keys)
    .slice(0, unmatchedChildrenShown)
    .map((child) => ({
      prefix: child.undelimited ? { text: '' } : renderNameForJson(child.prefix),
      ...(child.undelimited ? { undelimited: true } : {}),
      keys: Math.round(child.keys * scale),
      noTtlKeys: Math.round(child.noTtlKeys * scale),
      memoryBytes: Math.round(child.memoryBytes * scale),
      children: unmatchedPrefixes(child, scale),
    }));
}

function percent(share: number): string {
  return `${Math.round(share * 100)}%`;
}

export function formatSeconds(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 2 * 86400) return `${(seconds / 3600).toFixed(1).replace(/\.0$/, '')} h`;
  return `${(seconds / 86400).toFixed(1).replace(/\.0$/, '')} d`;
}
