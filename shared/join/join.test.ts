import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisTestFixtures } from '../inspector/testing/servers';
import type { SpawnedRedis } from '../inspector/redis-process';
import { joinCodeWithLive } from './inspect-with-code';
import type { CodeAndLiveReport, JoinFinding } from './join';
import { projectKeyIndex, ProjectKeyIndex } from './project-key-index';
import { formatCodeAndLive } from './format-text';

/**
 * The join end to end: the fixture service's key index (the real analyzer) against a spawned redis-server
 * seeded with keys that must produce each finding, and look-alikes that must not.
 */

const fixture = path.resolve(__dirname, '../../fixtures/code-and-live');
const redis = redisTestFixtures();
let server: SpawnedRedis;
let index: ProjectKeyIndex;
// Each server gets an empty --dir of its own: a redis-server loads any dump.rdb in its working directory at start.
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cachescope-join-'));
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));
const emptyServer = () => redis.server(['--dir', dataDir]);

async function seed(url: string, keyPrefix = ''): Promise<void> {
  const client = redis.client(url);
  const batch = client.pipeline();
  const k = (name: string) => keyPrefix + name;
  // Look-alike: always written with a TTL, and every live key has one (TTLs spread, so no cliff).
  for (let i = 0; i < 80; i++) batch.set(k(`product:${i}`), 'p'.repeat(100), 'EX', 3600 + i * 37);
  // Cache-aside without a TTL, flagged by require-ttl: confirmed live.
  for (let i = 0; i < 30; i++) batch.set(k(`catalog:page:${i}`), 'c'.repeat(200));
  // Written without a TTL, but require-ttl judges sessions to be data.
  for (let i = 0; i < 20; i++) batch.set(k(`session:s${i}`), 'token');
  // A fixed TTL of 600 s, written in one burst: an expiry cliff.
  for (let i = 0; i < 60; i++) batch.set(k(`rate:C${i}`), '1.08', 'EX', 550);
  // Always written with EX 300, yet 5 live keys have no TTL.
  for (let i = 0; i < 10; i++) batch.set(k(`user:${i}:profile`), '{}', 'EX', 200);
  for (let i = 10; i < 15; i++) batch.set(k(`user:${i}:profile`), '{}');
  // Written with EX 1800 at most, yet 3 keys have a day left: another writer.
  for (let i = 0; i < 5; i++) batch.set(k(`cart:${i}`), '[]', 'EX', 1000);
  for (let i = 5; i < 8; i++) batch.set(k(`cart:${i}`), '[]', 'EX', 86_400);
  // No family matches these: a large prefix (reported) and a small one (not).
  for (let i = 0; i < 200; i++) batch.rpush(k(`queue:jobs:${i}`), 'job');
  for (let i = 0; i < 3; i++) batch.set(k(`tmp:${i}`), 'x');
  await batch.exec();
}

/** A finding reduced to what identifies it and its evidence. */
function summary(finding: JoinFinding) {
  return {
    id: finding.id,
    level: finding.level,
    ruleId: finding.ruleId,
    subject: finding.family?.pattern ?? finding.prefix?.text,
    code: finding.evidence.code.map((site) => `${path.relative(fixture, site.file)}:${site.line} ${site.command}${site.ttl ? ` ${site.ttl}` : ''}`),
    keys: finding.evidence.live.keys,
    noTtlKeys: finding.evidence.live.noTtlKeys,
  };
}

const expectedFindings = [
  { id: 'no-ttl-confirmed', level: 'error', ruleId: 'require-ttl', subject: 'catalog:page:*', code: ['src/catalog.ts:12 set no TTL in this call'], keys: 30, noTtlKeys: 30 },
  { id: 'ttl-longer-than-code', level: 'warn', ruleId: undefined, subject: 'cart:*', code: ['src/users.ts:12 set EX 1800'], keys: 8, noTtlKeys: 0 },
  { id: 'cliff-on-fixed-ttl', level: 'warn', ruleId: 'require-ttl-jitter', subject: 'rate:*', code: ['src/rates.ts:5 set EX 600'], keys: 60, noTtlKeys: 0 },
  { id: 'live-keys-without-ttl', level: 'warn', ruleId: undefined, subject: 'user:*:profile', code: ['src/users.ts:4 set EX 300'], keys: 15, noTtlKeys: 5 },
  { id: 'family-not-live', level: 'info', ruleId: undefined, subject: 'feature:*', code: ['src/features.ts:5 get'], keys: 0, noTtlKeys: 0 },
  { id: 'unmatched-prefix', level: 'info', ruleId: undefined, subject: 'queue:jobs:', code: [], keys: 200, noTtlKeys: 200 },
  { id: 'no-ttl-confirmed', level: 'info', ruleId: 'require-ttl', subject: 'session:*', code: ['src/sessions.ts:5 set no TTL in this call'], keys: 20, noTtlKeys: 20 },
];

beforeAll(async () => {
  index = projectKeyIndex(fixture);
  server = await emptyServer();
  await seed(server.url);
});

describe('joinCodeWithLive', () => {
  let joined: CodeAndLiveReport;

  beforeAll(async () => {
    ({ codeAndLive: joined } = await joinCodeWithLive(index.families, { inspect: { url: server.url } }));
  });

  it('reads the fixture project into families with the rules that flag each write', () => {
    expect(index.families.map((family) => family.pattern)).toEqual(['cart:*', 'catalog:page:*', 'feature:*', 'product:*', 'rate:*', 'session:*', 'user:*:profile']);
    const rates = index.families.find((family) => family.pattern === 'rate:*')!;
    expect(rates.sites.map((site) => [site.access, site.line, site.ttl, site.rules])).toEqual([
      ['write', 5, 'EX 600', ['require-ttl-jitter']],
      ['read', 9, undefined, []],
    ]);
  });

  it('reports exactly the findings the seeded keyspace holds, and none for the look-alikes', () => {
    expect(joined.findings.map(summary)).toEqual(expectedFindings);
  });

  it('tallies every family and the keys no family matches', () => {
    const live = Object.fromEntries(joined.families.map((family) => [family.pattern, [family.ttlPolicy, family.live.keys, family.live.noTtlKeys]]));
    expect(live).toEqual({
      'cart:*': ['always', 8, 0],
      'catalog:page:*': ['without', 30, 30],
      'feature:*': ['not-written', 0, 0],
      'product:*': ['always', 80, 0],
      'rate:*': ['always', 60, 0],
      'session:*': ['without', 20, 20],
      'user:*:profile': ['always', 15, 5],
    });
    const cart = joined.families.find((family) => family.pattern === 'cart:*')!;
    expect(cart.longestTtlSeconds).toBe(1800);
    expect(cart.live.maxTtlSeconds).toBeGreaterThan(86_000);
    expect(cart.live.p50TtlSeconds).toBeGreaterThan(990);
    expect(cart.live.p50TtlSeconds).toBeLessThanOrEqual(1000);
    expect(joined.families.find((family) => family.pattern === 'product:*')!.longestTtlSeconds).toBeUndefined();
    expect(joined.matched.keys).toBe(213);
    expect(joined.unmatched.keys).toBe(203);
    expect(joined.unmatched.prefixes.map((prefix) => [prefix.prefix.text, prefix.keys])).toEqual([
      ['queue:', 200],
      ['tmp:', 3],
    ]);
  });

  it('prints a Code and live section with paths relative to the project', () => {
    const text = formatCodeAndLive(joined, { color: false, root: fixture });
    expect(text).toContain('Code and live');
    expect(text).toMatch(/^rate:\{currency\}\s+rate:\*\s+TTL in code: always \(at most 10 min\)$/m);
    expect(text).toContain('  write        src/rates.ts:5  set  EX 600  [require-ttl-jitter]');
    expect(text).toMatch(/error catalog:page:\{page\}: written without a TTL, and the live cache confirms it: 30 keys/);
    expect(text).not.toContain(fixture);
  });
});

describe('joinCodeWithLive on a sample', () => {
  it('scales the figures, says so in the evidence, and does not call a family dead from a partial scan', async () => {
    const { report, codeAndLive } = await joinCodeWithLive(index.families, { inspect: { url: server.url, sample: 100 } });
    expect(report.scan.keysScanned).toBe(100);
    expect(codeAndLive.scan).toMatchObject({ sampled: true, complete: false, keysScanned: 100, scale: 4.16 });
    expect(codeAndLive.matched.keys + codeAndLive.unmatched.keys).toBeGreaterThanOrEqual(415);
    expect(codeAndLive.matched.keys + codeAndLive.unmatched.keys).toBeLessThanOrEqual(417);
    expect(codeAndLive.findings.map((finding) => finding.id)).not.toContain('family-not-live');
    expect(codeAndLive.findings.length).toBeGreaterThan(0);
    for (const finding of codeAndLive.findings) expect(finding.evidence.sample).toMatchObject({ keysScanned: 100, scale: 4.16 });
  });
});

describe('joinCodeWithLive with a client key prefix', () => {
  it('matches keys under the prefix and leaves keys without it unmatched', async () => {
    const prefixed = await emptyServer();
    await seed(prefixed.url, 'shop:');
    const client = redis.client(prefixed.url);
    await client.set('product:1', 'written by a client without the prefix', 'EX', 60);
    const { codeAndLive } = await joinCodeWithLive(index.families, { inspect: { url: prefixed.url, depth: 3 }, keyPrefix: 'shop:' });
    expect(codeAndLive.keyPrefix).toBe('shop:');
    expect(codeAndLive.families.find((family) => family.pattern === 'product:*')!.live.keys).toBe(80);
    expect(codeAndLive.unmatched.keys).toBe(204);
    // Findings of one level are ordered by family or prefix text: the prefixed queue now sorts after session:*.
    const unmatched = expectedFindings.find((finding) => finding.id === 'unmatched-prefix')!;
    expect(codeAndLive.findings.map(summary)).toEqual([...expectedFindings.filter((finding) => finding !== unmatched), { ...unmatched, subject: 'shop:queue:jobs:' }]);
  });
});
