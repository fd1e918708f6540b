import { spawnSync } from 'node:child_process';
import Redis from 'ioredis';
import { beforeAll, describe, expect, it } from 'vitest';
import { InspectError } from './connection';
import { demoFamilies, seedDemoKeyspace } from './demo';
import { formatInspectReport } from './format-text';
import { inspectRedis } from './inspect';
import { stringifyJsonSafely } from './key-names';
import type { SpawnedRedis } from './redis-process';
import { redisTestFixtures } from './testing/servers';
import type { InspectReport, PrefixReport } from './report';

/**
 * The inspector against real redis-server processes started here on free ports: its figures are checked
 * against an independent enumeration of the same server, and the server's own command statistics prove it
 * sent nothing but reads.
 */
const { server, client } = redisTestFixtures();

function topLevel(report: InspectReport, prefix: string): PrefixReport {
  const found = report.prefixes.find((node) => node.prefix.text === prefix);
  if (!found) throw new Error(`no prefix ${prefix} in ${report.prefixes.map((node) => node.prefix.text).join(', ')}`);
  return found;
}

interface Truth {
  keys: number;
  noTtl: number;
  memory: number;
  types: Record<string, number>;
}

/** Every key of the server, listed by redis-cli --scan and measured one by one: the reference figures. */
async function enumerate(port: number, url: string): Promise<Map<string, Truth>> {
  const listing = spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), '--scan'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  expect(listing.status).toBe(0);
  const names = listing.stdout.split('\n').filter(Boolean);
  const connection = client(url);
  const truth = new Map<string, Truth>();
  for (const name of names) {
    const [type, pttl, memory] = await Promise.all([connection.type(name), connection.pttl(name), connection.call('MEMORY', 'USAGE', name) as Promise<number>]);
    const colon = name.indexOf(':');
    const prefix = colon >= 0 && colon < name.length - 1 ? name.slice(0, colon + 1) : '';
    const entry = truth.get(prefix) ?? { keys: 0, noTtl: 0, memory: 0, types: {} };
    entry.keys += 1;
    if (pttl === -1) entry.noTtl += 1;
    entry.memory += memory;
    entry.types[type] = (entry.types[type] ?? 0) + 1;
    truth.set(prefix, entry);
  }
  return truth;
}

describe('inspectRedis on a seeded cache keyspace', () => {
  let redis: SpawnedRedis;
  let report: InspectReport;
  const drivenHits = 37;
  const drivenMisses = 11;

  beforeAll(async () => {
    redis = await server();
    await seedDemoKeyspace(redis.url);
    const driver = client(redis.url);
    // Statistics from here on: only the lookups below and whatever the inspector does.
    await driver.config('RESETSTAT');
    for (let i = 0; i < drivenHits; i += 1) await driver.get(`price:${i}`);
    for (let i = 0; i < drivenMisses; i += 1) await driver.get(`absent:${i}`);
    report = await inspectRedis({ url: redis.url, scanCount: 500, pipelineSize: 50 });
  });

  it('agrees with an independent enumeration on counts, TTL shares, memory and types', async () => {
    const truth = await enumerate(redis.port, redis.url);
    expect(report.scan.complete).toBe(true);
    expect(report.scan.keysScanned).toBe([...truth.values()].reduce((sum, entry) => sum + entry.keys, 0));
    expect(report.scan.keysScanned).toBeGreaterThan(3000);
    for (const [prefix, expected] of truth) {
      const node = topLevel(report, prefix);
      expect({ prefix, keys: node.keys, noTtlShare: node.noTtlShare, memory: node.memoryBytes, types: node.types }).toEqual({
        prefix,
        keys: expected.keys,
        noTtlShare: expected.noTtl / expected.keys,
        memory: expected.memory,
        types: expected.types,
      });
    }
    const user = topLevel(report, 'user:');
    expect(user.children.map((child) => [child.prefix.text, child.keys]).sort()).toEqual([
      ['user:feed:', demoFamilies.userFeeds.keys],
      ['user:profile:', demoFamilies.userProfiles.keys],
    ]);
  });

  it('puts keys in the right TTL buckets and finds the expiry cliff of the fixed-TTL family only', () => {
    expect(topLevel(report, 'price:').ttlHistogram).toMatchObject({ '1-10m': demoFamilies.prices.keys, none: 0 });
    expect(topLevel(report, 'product:').ttlHistogram).toMatchObject({ none: demoFamilies.products.keys });
    expect(report.cliffs.map((cliff) => cliff.prefix.text)).toEqual(['price:']);
    expect(report.cliffs[0]).toMatchObject({ keys: demoFamilies.prices.keys, ttlKeys: demoFamilies.prices.keys, windowSeconds: 60 });
    expect(report.findings.map((finding) => `${finding.id} ${finding.prefix?.text}`).sort()).toEqual(['expiry-cliff price:', 'prefix-without-ttl product:']);
  });

  it('lists the big keys by memory and by element count', () => {
    expect(report.bigKeys.byMemory[0].key.text).toBe('leaderboard:global');
    expect(report.bigKeys.byElements.slice(0, 2).map((key) => [key.key.text, key.elements])).toEqual([
      ['leaderboard:global', 20_000],
      ['catalog:index', 5000],
    ]);
  });

  it("reports the hit ratio without the inspector's own lookups", () => {
    expect(report.server.inspectorLookups.hits).toBeGreaterThan(report.scan.keysScanned);
    expect(report.server.keyspaceHits).toBe(drivenHits);
    expect(report.server.keyspaceMisses).toBe(drivenMisses);
    expect(report.server.hitRatio).toBeCloseTo(drivenHits / (drivenHits + drivenMisses), 10);
  });

  it('sent only read commands: no writes, no KEYS, no MONITOR', async () => {
    const stats = await client(redis.url).info('commandstats');
    const commands = [...stats.matchAll(/^cmdstat_([^:]+):/gm)].map((match) => match[1]);
    const reads = new Set(['get', 'config|resetstat', 'config|get', 'info', 'ping', 'dbsize', 'scan', 'type', 'pttl', 'memory|usage', 'strlen', 'hlen', 'scard', 'zcard', 'llen', 'xlen']);
    // The test's own GETs and CONFIG RESETSTAT come before the inspection; everything else is the inspector's.
    expect(commands.filter((command) => !reads.has(command))).toEqual([]);
    expect(commands).toEqual(expect.arrayContaining(['scan', 'type', 'pttl', 'memory|usage']));
  });

  it('samples: stops after N keys, scales to DBSIZE and states the error bound', async () => {
    const sampled = await inspectRedis({ url: redis.url, sample: 400 });
    expect(sampled.scan).toMatchObject({ sampled: true, keysScanned: 400, complete: false });
    const dbsize = sampled.scan.dbsize ?? 0;
    expect(sampled.scan.scale).toBeCloseTo(dbsize / 400, 10);
    const total = sampled.prefixes.reduce((sum, node) => sum + node.keys, 0);
    expect(Math.abs(total - dbsize)).toBeLessThanOrEqual(sampled.prefixes.length);
    const bound = sampled.scan.shareErrorBound95 ?? 0;
    expect(bound).toBeCloseTo(1.96 * 0.5 * Math.sqrt(1 / 400) * Math.sqrt((dbsize - 400) / (dbsize - 1)), 10);
  });

  it('restricts the scan to --prefix, matching glob characters literally', async () => {
    await client(redis.url).set('odd*[x]:1', 'v');
    const only = await inspectRedis({ url: redis.url, prefix: Buffer.from('odd*[') });
    expect(only.scan.keysScanned).toBe(1);
    const users = await inspectRedis({ url: redis.url, prefix: Buffer.from('user:') });
    expect(users.scan.keysScanned).toBe(demoFamilies.userFeeds.keys + demoFamilies.userProfiles.keys);
  });
});

describe('configuration warnings', () => {
  async function warningsOf(args: string[], fill?: (connection: Redis) => Promise<unknown>): Promise<string[]> {
    const started = await server(args);
    if (fill) await fill(client(started.url));
    const result = await inspectRedis({ url: started.url });
    return result.warnings.map((warning) => `${warning.level} ${warning.id}`).sort();
  }

  it('flags an unset maxmemory, and noeviction without persistence once a limit is set', async () => {
    expect(await warningsOf([])).toEqual(['warn maxmemory-unset']);
    expect(await warningsOf(['--maxmemory', '64mb'])).toEqual(['warn noeviction-without-persistence']);
    expect(await warningsOf(['--maxmemory', '64mb', '--maxmemory-policy', 'allkeys-lru'])).toEqual([]);
  });

  it('flags a volatile policy while most keys have no TTL', async () => {
    const fill = async (connection: Redis) => {
      const pipeline = connection.pipeline();
      for (let i = 0; i < 30; i += 1) pipeline.set(`forever:${i}`, 'v');
      for (let i = 0; i < 10; i += 1) pipeline.set(`brief:${i}`, 'v', 'EX', 300);
      await pipeline.exec();
    };
    expect(await warningsOf(['--maxmemory', '64mb', '--maxmemory-policy', 'volatile-lru'], fill)).toEqual(['warn volatile-policy-without-ttls']);
  });

  it('errors when used memory is near maxmemory under noeviction', async () => {
    const fill = async (connection: Redis) => {
      const pipeline = connection.pipeline();
      for (let i = 0; i < 300; i += 1) pipeline.set(`blob:${i}`, 'x'.repeat(10_000));
      await pipeline.exec().catch(() => undefined);
    };
    const warnings = await warningsOf(['--maxmemory', '3mb'], fill);
    expect(warnings).toContain('error near-maxmemory-noeviction');
  });
});

describe('wide keyspaces', () => {
  it('lists the largest prefixes and sums the rest, at the top level and below', async () => {
    const started = await server();
    const pipeline = client(started.url).pipeline();
    for (let i = 0; i < 70; i += 1) pipeline.set(`family${i}:item`, 'v'.repeat(i + 1));
    for (let i = 0; i < 30; i += 1) pipeline.set(`tenant:${i}:config`, 'v'.repeat(200 + i));
    await pipeline.exec();
    const report = await inspectRedis({ url: started.url, sortBy: 'keys' });
    expect(report.prefixes).toHaveLength(50);
    expect(report.prefixes[0].prefix.text).toBe('tenant:');
    expect(report.morePrefixes?.prefixes).toBe(71 - 50);
    expect(report.prefixes.reduce((sum, node) => sum + node.keys, 0) + (report.morePrefixes?.keys ?? 0)).toBe(100);
    const tenant = report.prefixes[0];
    expect(tenant.children).toHaveLength(20);
    expect(tenant.moreChildren).toMatchObject({ prefixes: 10, keys: 10 });
    expect(formatInspectReport(report, { color: false })).toMatch(/\(21 more prefixes\)\s+21/);
  });
});

describe('untrusted key names', () => {
  it('escapes binary and HTML key names in JSON and on the terminal', async () => {
    const started = await server();
    const connection = client(started.url);
    const binary = Buffer.concat([Buffer.from([0x00, 0xff]), Buffer.from('<script>alert(1)</script>')]);
    await connection.set(binary, 'x'.repeat(5000));
    await connection.set(Buffer.from('evil:\u001b[31mred\u001b[0m'), 'x'.repeat(4000));
    const report = await inspectRedis({ url: started.url });

    const json = stringifyJsonSafely(report);
    expect(json).not.toContain('<script>');
    expect(json).not.toContain('\u001b');
    const parsed = JSON.parse(json) as InspectReport;
    const binaryEntry = parsed.bigKeys.byMemory.find((key) => key.key.base64 !== undefined);
    expect(binaryEntry?.key).toEqual({ text: '\\x00\\xff<script>alert(1)</script>', base64: binary.toString('base64') });
    expect(Buffer.from(binaryEntry?.key.base64 ?? '', 'base64').equals(binary)).toBe(true);
    expect(parsed.bigKeys.byMemory.map((key) => key.key.text)).toContain('evil:\u001b[31mred\u001b[0m');

    const text = formatInspectReport(report, { color: false });
    expect(text).toContain('\\x00\\xff<script>alert(1)</script>');
    expect(text).toContain('evil:\\x1b[31mred\\x1b[0m');
    expect(/[\u0000-\u0008\u000b-\u001f\u007f\u0080-\u009f\ufffd]/.test(text)).toBe(false);
  });
});

describe('failures are classified and bounded', () => {
  it('a server killed mid-scan ends the inspection with "went away" and the keys scanned so far', async () => {
    const started = await server();
    const connection = client(started.url);
    for (let batch = 0; batch < 5; batch += 1) {
      const pipeline = connection.pipeline();
      for (let i = 0; i < 10_000; i += 1) pipeline.set(`bulk:${batch}:${i}`, 'v');
      await pipeline.exec();
    }
    let batches = 0;
    const inspection = inspectRedis({
      url: started.url,
      scanCount: 200,
      commandTimeoutMs: 5000,
      onProgress: () => {
        batches += 1;
        if (batches === 3) started.process.kill('SIGKILL');
      },
    });
    const error = await inspection.then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(InspectError);
    const inspectError = error as InspectError;
    expect(inspectError.kind).toBe('went-away');
    expect(inspectError.keysScanned).toBeGreaterThan(0);
    expect(inspectError.keysScanned).toBeLessThan(50_000);
    expect(inspectError.message).toContain(`after ${inspectError.keysScanned} keys scanned`);
  });

  it('a server that stops answering ends the inspection with a timeout, not a hang', async () => {
    const started = await server();
    const connection = client(started.url);
    const pipeline = connection.pipeline();
    for (let i = 0; i < 5000; i += 1) pipeline.set(`bulk:${i}`, 'v');
    await pipeline.exec();
    let batches = 0;
    const error = await inspectRedis({
      url: started.url,
      scanCount: 200,
      commandTimeoutMs: 500,
      onProgress: () => {
        batches += 1;
        if (batches === 2) started.process.kill('SIGSTOP');
      },
    }).catch((failure: unknown) => failure);
    started.process.kill('SIGCONT');
    expect(error).toBeInstanceOf(InspectError);
    expect((error as InspectError).kind).toBe('timeout');
    expect((error as InspectError).keysScanned).toBeGreaterThan(0);
    expect((error as InspectError).message).toMatch(/after \d+ keys scanned/);

    // Stopped before the inspector connects: the kernel still accepts the connection, the PING gets no answer.
    started.process.kill('SIGSTOP');
    const silent = await inspectRedis({ url: started.url, connectTimeoutMs: 500, commandTimeoutMs: 500 }).catch((failure: unknown) => failure);
    started.process.kill('SIGCONT');
    expect((silent as InspectError).kind).toBe('timeout');
  });

  it('degrades when an ACL forbids INFO and CONFIG, and classifies a wrong password', async () => {
    const started = await server();
    const admin = client(started.url);
    await admin.call('ACL', 'SETUSER', 'viewer', 'on', '>viewer-pass', '~*', '+@read', '+ping', '+scan', '-info', '-config');
    for (let i = 0; i < 120; i += 1) await admin.set(`plain:${i}`, 'v');
    const report = await inspectRedis({ url: `redis://viewer:viewer-pass@127.0.0.1:${started.port}` });
    expect(report.scan.keysScanned).toBe(120);
    expect(topLevel(report, 'plain:').noTtlShare).toBe(1);
    expect(report.server.version).toBeUndefined();
    expect(report.server.hitRatio).toBeUndefined();
    expect(report.unavailable.join('\n')).toMatch(/^INFO: NOPERM/m);
    expect(report.unavailable.join('\n')).toMatch(/^CONFIG GET: NOPERM/m);
    expect(formatInspectReport(report, { color: false })).toContain('Not available');

    const wrong = await inspectRedis({ url: `redis://viewer:nope@127.0.0.1:${started.port}` }).catch((failure: unknown) => failure);
    expect(wrong).toBeInstanceOf(InspectError);
    expect((wrong as InspectError).kind).toBe('auth-failed');
  });

  it('classifies a refused connection and a malformed URL', async () => {
    const started = await server();
    const port = started.port;
    await started.stop();
    const refused = await inspectRedis({ url: `redis://127.0.0.1:${port}` }).catch((failure: unknown) => failure);
    expect((refused as InspectError).kind).toBe('connection-refused');
    const bad = await inspectRedis({ url: 'http://127.0.0.1:1' }).catch((failure: unknown) => failure);
    expect((bad as InspectError).kind).toBe('bad-url');
  });
});
