import { describe, expect, it } from 'vitest';
import type { InspectReport } from '../inspector/report';
import type { CodeFamily, CodeSite } from './code-families';
import { renderCodeAndLiveHtml } from './html-section';
import { joinTallyWithReport, ttlPolicyOf } from './join';
import { LiveTally } from './live-tally';

/**
 * The join's decisions on hand-made families and key records (no server): TTL policies, the levels
 * when the caller has no rule verdicts, sampling scale, and escaping in the HTML section.
 */

const site = (access: CodeSite['access'], ttl?: string, rules?: string[]): CodeSite => ({ file: 'src/a.ts', line: 1, column: 1, access, command: 'set', ...(ttl ? { ttl } : {}), ...(rules ? { rules } : {}) });
const family = (pattern: string, sites: CodeSite[], display = pattern): CodeFamily => ({ pattern, display, sites });
const scanOf = (overrides: Partial<InspectReport['scan']> = {}): Pick<InspectReport, 'scan' | 'cliffs'> => ({
  scan: { keysScanned: 0, complete: true, sampled: false, scale: 1, delimiter: ':', depth: 2, sortBy: 'memory', commandsSent: {}, noTouch: false, durationMs: 0, ...overrides } as InspectReport['scan'],
  cliffs: [],
});
const key = (name: string, pttlMs: number, memoryBytes = 100) => ({ name: Buffer.from(name), type: 'string', pttlMs, memoryBytes, elements: 1 });

describe('ttlPolicyOf', () => {
  it('tells always, without, set-then-expire and not written apart', () => {
    expect(ttlPolicyOf(family('a:*', [site('write', 'EX 60'), site('write', 'PX ttlMs')]))).toMatchObject({ ttlPolicy: 'always', longestTtlSeconds: undefined });
    expect(ttlPolicyOf(family('a:*', [site('write', 'EX 60'), site('write', 'EX 2 * 60')]))).toMatchObject({ ttlPolicy: 'always', longestTtlSeconds: 120 });
    expect(ttlPolicyOf(family('a:*', [site('write', 'no TTL in this call'), site('write', 'EX 60')])).ttlPolicy).toBe('without');
    expect(ttlPolicyOf(family('a:*', [site('write', 'no TTL in this call'), site('expire', 'EX 60')])).ttlPolicy).toBe('set-then-expire');
    expect(ttlPolicyOf(family('a:*', [site('read'), site('invalidate')])).ttlPolicy).toBe('not-written');
  });

  it('takes fixed TTLs from the jitter rule when given, else from a constant TTL text', () => {
    expect(ttlPolicyOf(family('a:*', [site('write', 'EX 60')])).fixedTtl).toHaveLength(1);
    expect(ttlPolicyOf(family('a:*', [site('write', 'EX 60', [])])).fixedTtl).toHaveLength(0);
    expect(ttlPolicyOf(family('a:*', [site('write', 'EX ttl', ['require-ttl-jitter'])])).fixedTtl).toHaveLength(1);
  });
});

describe('joinTallyWithReport', () => {
  it('reports a write without TTL as warn when no rule verdicts were given, and scales sampled figures', () => {
    const families = [family('a:*', [site('write', 'no TTL in this call')])];
    const tally = new LiveTally(families);
    for (let i = 0; i < 10; i++) tally.onKey(key(`a:${i}`, -1));
    const joined = joinTallyWithReport(families, tally, scanOf({ keysScanned: 10, complete: false, sampled: true, scale: 3 }));
    expect(joined.findings.map((finding) => [finding.id, finding.level, finding.evidence.live.noTtlKeys, finding.evidence.sample?.scale])).toEqual([['no-ttl-confirmed', 'warn', 30, 3]]);
    expect(joined.families[0].live).toMatchObject({ keys: 30, memoryBytes: 3000, keysScanned: 10 });
  });

  it('leaves families alone whose live keys agree with the code, and honours the thresholds', () => {
    const families = [family('a:*', [site('write', 'EX 60', []), site('read')]), family('b:*', [site('write', 'EX 60', [])])];
    const tally = new LiveTally(families);
    for (let i = 0; i < 5; i++) tally.onKey(key(`a:${i}`, 59_000));
    tally.onKey(key('b:1', -1));
    tally.onKey(key('b:2', 61_500));
    expect(joinTallyWithReport(families, tally, scanOf()).findings.map((finding) => [finding.id, finding.family?.pattern])).toEqual([
      ['live-keys-without-ttl', 'b:*'],
      ['ttl-longer-than-code', 'b:*'],
    ]);
    expect(joinTallyWithReport(families, tally, scanOf(), { noTtlMinKeys: 2, ttlSlackSeconds: 2 }).findings).toEqual([]);
  });

  it('does not call a family dead when a --prefix scan could not have seen it', () => {
    const families = [family('a:*', [site('read')]), family('b:*', [site('read')])];
    const joined = joinTallyWithReport(families, new LiveTally(families), scanOf({ prefix: { text: 'b:' } }));
    expect(joined.findings.map((finding) => finding.family?.pattern)).toEqual(['b:*']);
  });

  it('escapes code text and key names in the HTML section', () => {
    const families = [family('x:*', [{ ...site('write', 'no TTL in this call', ['require-ttl']), file: 'src/<img src=x onerror=alert(1)>.ts' }], 'x:{<script>}')];
    const tally = new LiveTally(families);
    tally.onKey(key('x:1', -1));
    for (let i = 0; i < 60; i++) tally.onKey(key(`<b>:${i}`, -1));
    const html = renderCodeAndLiveHtml(joinTallyWithReport(families, tally, scanOf()));
    expect(html).toContain('x:{&lt;script&gt;}');
    expect(html).toContain('src/&lt;img src=x onerror=alert(1)&gt;.ts:1');
    expect(html).toContain('<code>&lt;b&gt;:</code>');
    expect(html).not.toMatch(/<(script|img|b)[\s>]/);
    expect(html).toContain('<div class="issue error"><p><span class="level">error</span>');
  });
});
