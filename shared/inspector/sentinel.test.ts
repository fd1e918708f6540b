import * as net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InspectError, parseRedisUrl } from './connection';
import { inspectRedis } from './inspect';
import { freePort, SpawnedRedis, startSentinel } from './redis-process';
import { redisTestFixtures } from './testing/servers';

/**
 * Sentinel URLs parsed, then a real master, one replica and one sentinel started here on free ports: the
 * inspector asks the sentinel for the master and scans it, and each way of getting it wrong ends in an error
 * that says which part was wrong.
 */
describe('parseRedisUrl with redis-sentinel://', () => {
  it('reads the sentinels, the master name, the database and both sets of credentials, and shows none of the secrets', () => {
    const target = parseRedisUrl('redis-sentinel://app:s3cr%40t@10.0.0.1:26379,sentinel-b,[::1]:26380/3?sentinelPassword=sp#cache-master');
    expect(target.options).toMatchObject({
      sentinels: [
        { host: '10.0.0.1', port: 26379 },
        { host: 'sentinel-b', port: 26379 },
        { host: '::1', port: 26380 },
      ],
      name: 'cache-master',
      db: 3,
      username: 'app',
      password: 's3cr@t',
      sentinelPassword: 'sp',
    });
    expect(target.options.tls).toBeUndefined();
    expect(target.display).toBe('redis-sentinel://10.0.0.1:26379,sentinel-b:26379,[::1]:26380/3#cache-master');
    expect(target.display).not.toMatch(/s3cr|sp@|app/);
    expect(parseRedisUrl('redis-sentinel://h:1?sentinelMasterId=m').options.name).toBe('m');
  });

  it('speaks TLS to the sentinels and the master with rediss-sentinel:// or TLS settings', () => {
    for (const target of [parseRedisUrl('rediss-sentinel://h:26379#m'), parseRedisUrl('redis-sentinel://h:26379#m', { tls: { insecure: true } })]) {
      expect(target.options.enableTLSForSentinelMode).toBe(true);
      expect(target.options.tls).toBeDefined();
      expect(target.options.sentinelTLS).toBeDefined();
      expect(target.display).toBe('rediss-sentinel://h:26379#m');
    }
  });

  it('rejects a URL without a master name or with a bad address as bad-url, without echoing the password', () => {
    for (const url of ['redis-sentinel://user:hunter2@h:26379', 'redis-sentinel://h:26379/x#m', 'redis-sentinel://h:99999#m', 'redis-sentinel://#m']) {
      let caught: unknown;
      try {
        parseRedisUrl(url);
      } catch (error) {
        caught = error;
      }
      expect(caught, url).toBeInstanceOf(InspectError);
      expect((caught as InspectError).kind, url).toBe('bad-url');
      expect((caught as InspectError).message).not.toContain('hunter2');
    }
    expect(() => parseRedisUrl('redis-sentinel://h:26379')).toThrow(/no master name/);
  });
});

describe('inspecting through a sentinel', () => {
  const { server, client } = redisTestFixtures();
  let master: SpawnedRedis;
  let sentinel: SpawnedRedis;
  const masterName = 'cache-master';
  const connectTimeoutMs = 1000;

  beforeAll(async () => {
    master = await server();
    const replica = await server(['--replicaof', '127.0.0.1', String(master.port)]);
    sentinel = await startSentinel(master.port, masterName);
    const writer = client(master.url);
    const pipeline = writer.pipeline();
    for (let i = 0; i < 40; i += 1) pipeline.set(`user:${i}`, 'v');
    pipeline.select(2);
    for (let i = 0; i < 9; i += 1) pipeline.set(`cart:${i}`, 'v', 'EX', 600);
    await pipeline.exec();
    // The replica holds the same keys; the report's role must still be the master's.
    const replicaClient = client(replica.url);
    for (let waited = 0; (await replicaClient.dbsize()) < 40 && waited < 100; waited += 1) await new Promise((resolve) => setTimeout(resolve, 50));
  }, 30_000);

  afterAll(async () => {
    await sentinel?.stop();
  });

  it('asks the sentinel for the master and scans the master, in the database of the URL', async () => {
    const report = await inspectRedis({ url: `redis-sentinel://127.0.0.1:${sentinel.port}#${masterName}`, connectTimeoutMs });
    expect(report.server.role).toBe('master');
    expect(report.scan.keysScanned).toBe(40);
    expect(report.prefixes.map((prefix) => prefix.prefix.text)).toEqual(['user:']);
    expect(report.target).toBe(`redis-sentinel://127.0.0.1:${sentinel.port}#${masterName}`);
    const db2 = await inspectRedis({ url: `redis-sentinel://127.0.0.1:${sentinel.port}/2#${masterName}`, connectTimeoutMs });
    expect(db2.scan.keysScanned).toBe(9);
  });

  it('goes on to the next sentinel when the first one is down', async () => {
    const dead = await freePort();
    const report = await inspectRedis({ url: `redis-sentinel://127.0.0.1:${dead},127.0.0.1:${sentinel.port}#${masterName}`, connectTimeoutMs });
    expect(report.scan.keysScanned).toBe(40);
  });

  it('says which sentinel does not know the master name', async () => {
    const error = await inspectRedis({ url: `redis-sentinel://127.0.0.1:${sentinel.port}#no-such-master`, connectTimeoutMs }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InspectError);
    expect((error as InspectError).kind).toBe('unknown-master');
    expect((error as InspectError).message).toContain(`sentinel 127.0.0.1:${sentinel.port} does not know master 'no-such-master'`);
  });

  it('names every sentinel when none can be reached, promptly', async () => {
    const [a, b] = [await freePort(), await freePort()];
    const started = Date.now();
    const error = await inspectRedis({ url: `redis-sentinel://127.0.0.1:${a},127.0.0.1:${b}#${masterName}`, connectTimeoutMs }).catch((caught: unknown) => caught);
    expect(Date.now() - started).toBeLessThan(3000);
    expect((error as InspectError).kind).toBe('connection-refused');
    expect((error as InspectError).message).toContain(`no sentinel of redis-sentinel://127.0.0.1:${a},127.0.0.1:${b}#${masterName} could be reached (127.0.0.1:${a}, 127.0.0.1:${b})`);
  });

  it('gives up on a sentinel that accepts connections but never answers, within the timeouts', async () => {
    const silent = net.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as net.AddressInfo).port;
    try {
      const started = Date.now();
      const error = await inspectRedis({ url: `redis-sentinel://127.0.0.1:${port}#${masterName}`, connectTimeoutMs, commandTimeoutMs: 1000 }).catch((caught: unknown) => caught);
      expect(Date.now() - started).toBeLessThan(4000);
      expect((error as InspectError).kind).toBe('timeout');
      expect((error as InspectError).message).toContain(`no sentinel of redis-sentinel://127.0.0.1:${port}#${masterName} answered in time`);
    } finally {
      silent.close();
    }
  });
});
