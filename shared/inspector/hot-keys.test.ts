import { spawnSync } from 'node:child_process';
import Redis from 'ioredis';
import { describe, expect, it } from 'vitest';
import { formatInspectReport } from './format-text';
import { decodeMonitorArgument, hotKeyFeatures, keysReadBy, parseHotkeysGetReply, parseInfoKeysizes } from './hot-keys';
import { inspectRedis } from './inspect';
import { ownLookupTotals } from './own-lookups';
import { redisTestFixtures } from './testing/servers';

/**
 * Hot keys against real redis-server processes started here on free ports: LFU counters checked against
 * redis-cli --hotkeys on the same server, a MONITOR window against traffic driven while it runs, and the
 * parsers of replies this machine's Redis 7.0 cannot give (HOTKEYS GET, INFO keysizes) on documented replies.
 */
const { server, client } = redisTestFixtures();

async function keyspaceStats(connection: Redis): Promise<{ hits: number; misses: number }> {
  const info = await connection.info('stats');
  return { hits: Number(/keyspace_hits:(\d+)/.exec(info)?.[1]), misses: Number(/keyspace_misses:(\d+)/.exec(info)?.[1]) };
}

describe('hot keys from LFU counters', () => {
  it('puts the key read 2,000 times on top, like redis-cli --hotkeys, and subtracts its own OBJECT FREQ lookups', async () => {
    const redis = await server(['--maxmemory-policy', 'allkeys-lfu']);
    const connection = client(redis.url);
    const seed = connection.pipeline();
    for (let index = 0; index < 300; index += 1) seed.set(`item:${index}`, `value ${index}`);
    seed.set('hot:key', 'popular');
    seed.set('warm:key', 'less popular');
    await seed.exec();
    const reads = connection.pipeline();
    for (let index = 0; index < 2000; index += 1) reads.get('hot:key');
    for (let index = 0; index < 30; index += 1) reads.get('warm:key');
    for (let index = 0; index < 300; index += 3) reads.get(`item:${index}`);
    await reads.exec();

    const before = await keyspaceStats(connection);
    const ledgerBefore = ownLookupTotals(redis.url);
    const report = await inspectRedis({ url: redis.url, scanCount: 100, pipelineSize: 40 });
    const after = await keyspaceStats(connection);
    const ledgerAfter = ownLookupTotals(redis.url);

    expect(report.hotKeys?.source).toBe('lfu');
    expect(report.hotKeys?.keysSampled).toBe(302);
    expect(report.hotKeys?.keys.map((entry) => entry.key.text).slice(0, 2)).toEqual(['hot:key', 'warm:key']);
    expect(report.hotKeys?.keys).toHaveLength(10);
    expect(report.scan.commandsSent['OBJECT FREQ']).toBe(302);
    // Every lookup between the two INFO calls was the inspector's: OBJECT FREQ included, nothing left over.
    expect(report.server.inspectorLookups.hits).toBe(after.hits - before.hits);
    expect(report.server.inspectorLookups.misses).toBe(after.misses - before.misses);
    expect(report.server.keyspaceHits).toBe(before.hits);
    expect(report.server.otherClientsDuringScan).toEqual({ hits: 0, misses: 0 });
    // The ledger a live monitor subtracts holds the same lookups, the LFU pass's OBJECT FREQ included.
    expect(ledgerAfter.hits - ledgerBefore.hits).toBe(after.hits - before.hits);
    expect(ledgerAfter.misses - ledgerBefore.misses).toBe(after.misses - before.misses);

    const text = formatInspectReport(report, { color: false });
    expect(text).toMatch(/Hot keys \(LFU counters of 302 keys, OBJECT FREQ\)\n\s*key\s+LFU counter\nhot:key\s+\d+\nwarm:key/);

    const cli = spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', String(redis.port), '--hotkeys'], { encoding: 'utf8', timeout: 30_000 });
    expect(cli.status).toBe(0);
    const found = [...cli.stdout.matchAll(/hot key found with counter: (\d+)\s+keyname: (\S+)/g)].map((match) => ({ counter: Number(match[1]), key: match[2].replace(/^"|"$/g, '') }));
    expect(found.length).toBeGreaterThan(1);
    const cliTop = found.reduce((best, entry) => (entry.counter > best.counter ? entry : best));
    expect(cliTop.key).toBe(report.hotKeys?.keys[0].key.text);
    expect(Math.abs(cliTop.counter - (report.hotKeys?.keys[0].count ?? 0))).toBeLessThanOrEqual(1);
  });

  it('reads no counters under an LRU policy and says how to get hot keys there', async () => {
    const redis = await server(['--maxmemory-policy', 'allkeys-lru']);
    await client(redis.url).set('some:key', '1');
    const report = await inspectRedis({ url: redis.url });
    expect(report.hotKeys).toBeUndefined();
    expect(report.scan.commandsSent['OBJECT FREQ']).toBeUndefined();
    expect(report.unavailable.join('\n')).toMatch(/hot keys: maxmemory-policy is allkeys-lru.*--hotkeys-monitor SECONDS/);
  });
});

describe('hot keys from a MONITOR window', () => {
  it('counts the GET-family reads of other clients during the window, with exact key bytes', async () => {
    const redis = await server();
    const reader = client(redis.url);
    const binaryKey = Buffer.from([0x68, 0x22, 0x20, 0x22, 0x5c, 0xff, 0x0a]);
    await reader.mset('page:home', 'home', 'page:about', 'about', 'other', 'x');
    await reader.set(binaryKey, 'binary');
    let traffic: Promise<void> | undefined;
    const report = await inspectRedis({
      url: redis.url,
      hotKeysMonitorSeconds: 2,
      onHotKeysMonitorStarted: () => {
        traffic = (async () => {
          for (let index = 0; index < 300; index += 1) await reader.get('page:home');
          for (let index = 0; index < 20; index += 1) await reader.get('page:about');
          for (let index = 0; index < 7; index += 1) await reader.getBuffer(binaryKey);
          await reader.mget('page:about', 'other');
          await reader.set('written', 'not a read');
        })();
      },
    });
    await traffic;
    const hot = report.hotKeys;
    expect(hot?.source).toBe('monitor');
    expect(hot?.stoppedBy).toBe('window');
    expect(hot?.windowMs).toBeGreaterThanOrEqual(2000);
    expect(hot?.readsCounted).toBe(300 + 20 + 7 + 2);
    expect(hot?.commandsSampled).toBeGreaterThanOrEqual(300 + 20 + 7 + 1 + 1);
    expect(hot?.keys.map((entry) => [entry.key.text, entry.count])).toEqual([
      ['page:home', 300],
      ['page:about', 21],
      [expect.any(String), 7],
      ['other', 1],
    ]);
    expect(Buffer.from(hot?.keys[2].key.base64 ?? '', 'base64')).toEqual(binaryKey);
    expect(report.scan.commandsSent.MONITOR).toBe(1);
    expect(formatInspectReport(report, { color: false })).toMatch(/Hot keys \(GET-family reads in a 2\.\d s MONITOR window, \d+ commands sampled\)\n\s*key\s+reads\npage:home\s+300/);
  });

  it('stops at the command limit before the window ends', async () => {
    const redis = await server();
    const reader = client(redis.url);
    await reader.set('k', 'v');
    let traffic: Promise<void> | undefined;
    const report = await inspectRedis({
      url: redis.url,
      hotKeysMonitorSeconds: 10,
      hotKeysMonitorMaxCommands: 50,
      onHotKeysMonitorStarted: () => {
        traffic = (async () => {
          for (let index = 0; index < 200; index += 1) await reader.get('k');
        })();
      },
    });
    await traffic;
    expect(report.hotKeys).toMatchObject({ source: 'monitor', stoppedBy: 'command-limit', commandsSampled: 50, readsCounted: 50 });
    expect(report.hotKeys?.windowMs).toBeLessThan(10_000);
  });
});

describe('reply parsers', () => {
  it('decodes MONITOR arguments back to their bytes', () => {
    // As ioredis hands them over: split on '" "' with \" already turned into ".
    expect(decodeMonitorArgument('plain:key')).toEqual(Buffer.from('plain:key'));
    expect(decodeMonitorArgument('a"b\\\\c\\n\\xff')).toEqual(Buffer.from([0x61, 0x22, 0x62, 0x5c, 0x63, 0x0a, 0xff]));
    expect(keysReadBy(['mget', 'a', 'b'].map((arg) => Buffer.from(arg))).map(String)).toEqual(['a', 'b']);
    expect(keysReadBy(['HGET', 'h', 'field'].map((arg) => Buffer.from(arg))).map(String)).toEqual(['h']);
    expect(keysReadBy(['SET', 'k', 'v'].map((arg) => Buffer.from(arg)))).toEqual([]);
  });

  it('parses HOTKEYS GET as documented for Redis 8.6', () => {
    const reply = [
      'tracking-active', 1,
      'sample-ratio', 1,
      'selected-slots', [],
      'all-commands-all-slots-us', 220,
      'net-bytes-all-commands-all-slots', 200,
      'collection-start-time-unix-ms', 1769420604522,
      'collection-duration-ms', 6408,
      'total-cpu-time-user-ms', 3,
      'total-cpu-time-sys-ms', 11,
      'by-cpu-time-us', ['x', 104, 'y', 98, 'z', 18],
      'by-net-bytes', [Buffer.from([0xff, 0x3a]), 900],
    ];
    const parsed = parseHotkeysGetReply(reply);
    expect(parsed).toMatchObject({ trackingActive: true, sampleRatio: 1, collectionStartTimeUnixMs: 1769420604522, collectionDurationMs: 6408 });
    expect(parsed?.figures).toEqual({ 'all-commands-all-slots-us': 220, 'net-bytes-all-commands-all-slots': 200, 'total-cpu-time-user-ms': 3, 'total-cpu-time-sys-ms': 11 });
    expect(parsed?.byCpuTimeUs?.map((entry) => [String(entry.name), entry.count])).toEqual([['x', 104], ['y', 98], ['z', 18]]);
    expect(parsed?.byNetBytes?.[0]).toEqual({ name: Buffer.from([0xff, 0x3a]), count: 900 });
    expect(parseHotkeysGetReply(null)).toBeUndefined();
    expect(() => parseHotkeysGetReply('OK')).toThrow(/array/);
  });

  it('parses INFO keysizes with K/M suffixed power-of-two buckets', () => {
    const info = '# Keysizes\r\ndb0_distrib_strings_sizes:2=1,4=1,8K=3\r\ndb0_distrib_lists_items:4=1\r\ndb3_distrib_hashes_items:1M=2,2G=1\r\n';
    const parsed = parseInfoKeysizes(info);
    expect([...parsed.keys()]).toEqual([0, 3]);
    expect([...(parsed.get(0)?.get('strings') ?? [])]).toEqual([[2, 1], [4, 1], [8192, 3]]);
    expect([...(parsed.get(0)?.get('lists') ?? [])]).toEqual([[4, 1]]);
    expect([...(parsed.get(3)?.get('hashes') ?? [])]).toEqual([[2 ** 20, 2], [2 * 2 ** 30, 1]]);
    expect(parseInfoKeysizes('# Keysizes\r\n').size).toBe(0);
  });

  it('tells HOTKEYS and INFO keysizes apart by version, and Valkey from Redis', () => {
    expect(hotKeyFeatures('# Server\r\nredis_version:7.0.15\r\n')).toEqual({ flavor: 'redis', version: '7.0.15', hotkeysCommand: false, keysizesInfo: false });
    expect(hotKeyFeatures('redis_version:8.0.2\r\n')).toMatchObject({ hotkeysCommand: false, keysizesInfo: true });
    expect(hotKeyFeatures('redis_version:8.6.0\r\n')).toMatchObject({ hotkeysCommand: true, keysizesInfo: true });
    expect(hotKeyFeatures('redis_version:7.2.4\r\nserver_name:valkey\r\nvalkey_version:8.1.1\r\n')).toEqual({ flavor: 'valkey', version: '8.1.1', hotkeysCommand: false, keysizesInfo: false });
  });
});
