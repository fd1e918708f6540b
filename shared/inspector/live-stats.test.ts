import type Redis from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { inspectRedis } from './inspect';
import { LiveStatsMonitor, type LiveStatsSnapshot } from './live-stats';
import { ownLookupTotals } from './own-lookups';
import { startRedis, type SpawnedRedis } from './redis-process';
import { parseInfo } from './server-info';
import { redisTestFixtures } from './testing/servers';

/**
 * The live monitor against redis-server processes started here: known access patterns must come out as exact
 * ratios, an inspection running meanwhile must not move them, and a server that dies and comes back on the same
 * port must be reported and then followed again.
 */
const { server, client } = redisTestFixtures();

const monitors: LiveStatsMonitor[] = [];
const restartedServers: SpawnedRedis[] = [];

afterEach(async () => {
  await Promise.all(monitors.splice(0).map((monitor) => monitor.stop()));
});

afterAll(async () => {
  await Promise.all(restartedServers.map((restarted) => restarted.stop()));
});

function monitorOf(url: string, options: { intervalMs?: number; windowMs?: number; maxBackoffMs?: number } = {}): LiveStatsMonitor {
  // A long interval by default: tests take samples themselves with sampleNow, at the moments they choose.
  const monitor = new LiveStatsMonitor({ url, intervalMs: options.intervalMs ?? 600_000, windowMs: options.windowMs ?? 3_600_000, maxBackoffMs: options.maxBackoffMs });
  monitors.push(monitor);
  return monitor;
}

async function seedStrings(connection: Redis, count: number): Promise<void> {
  const pairs: string[] = [];
  for (let index = 0; index < count; index += 1) pairs.push(`item:${index}`, `value-${index}`);
  await connection.mset(...pairs);
}

/** `hits` GETs of existing keys and `misses` GETs of missing ones, pipelined. */
async function drive(connection: Redis, hits: number, misses: number): Promise<void> {
  const pipeline = connection.pipeline();
  for (let index = 0; index < hits; index += 1) pipeline.get(`item:${index % 300}`);
  for (let index = 0; index < misses; index += 1) pipeline.get(`absent:${index}`);
  const replies = (await pipeline.exec()) ?? [];
  expect(replies.filter(([, value]) => value !== null)).toHaveLength(hits);
}

async function rawCounters(connection: Redis): Promise<{ hits: number; misses: number }> {
  const fields = parseInfo(await connection.info('stats'));
  return { hits: Number(fields.get('keyspace_hits')), misses: Number(fields.get('keyspace_misses')) };
}

function waitForSnapshot(monitor: LiveStatsMonitor, accept: (snapshot: LiveStatsSnapshot) => boolean, timeoutMs = 15_000): Promise<LiveStatsSnapshot> {
  if (accept(monitor.latest)) return Promise.resolve(monitor.latest);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`no matching snapshot within ${timeoutMs} ms; last: ${JSON.stringify(monitor.latest)}`));
    }, timeoutMs);
    const unsubscribe = monitor.onSnapshot((snapshot) => {
      if (!accept(snapshot)) return;
      clearTimeout(timer);
      unsubscribe();
      resolve(snapshot);
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('LiveStatsMonitor', () => {
  it('measures 300 hits and 100 misses between two samples as a window ratio of exactly 0.75', async () => {
    const redis = await server();
    const connection = client(redis.url);
    await seedStrings(connection, 300);
    const monitor = monitorOf(redis.url);

    const first = await monitor.sampleNow();
    expect(first.state).toBe('live');
    expect(first.window).toBeUndefined();
    await drive(connection, 300, 100);
    const second = await monitor.sampleNow();

    expect(second.window).toMatchObject({ hits: 300, misses: 100, hitRatio: 0.75 });
    expect(second.series).toHaveLength(1);
    expect(second.series[0].hitRatio).toBe(0.75);
    expect(second.sinceStart).toEqual({ hits: 300, misses: 100, hitRatio: 0.75 });
    expect(second.samplesTaken).toBe(2);
    expect(second.version).toMatch(/^\d+\.\d+/);
    expect(second.maxmemoryBytes).toBe(0);
    expect(second.usedMemoryBytes).toBeGreaterThan(0);
    // 400 GETs in the interval, plus at most a handful of connection commands of the test's client.
    expect(second.series[0].opsPerSec! * (second.window!.seconds)).toBeGreaterThanOrEqual(400);
  });

  it('subtracts the lookups of an inspection that runs during the window', async () => {
    const redis = await server();
    const connection = client(redis.url);
    await seedStrings(connection, 300);
    const monitor = monitorOf(redis.url);

    await monitor.sampleNow();
    const rawBefore = await rawCounters(connection);
    const ledgerBefore = ownLookupTotals(redis.url);
    await drive(connection, 300, 100);
    const report = await inspectRedis({ url: redis.url });
    const snapshot = await monitor.sampleNow();
    const rawAfter = await rawCounters(connection);

    expect(report.scan.keysScanned).toBeGreaterThanOrEqual(300);
    // The inspection's TYPE, PTTL and STRLEN are real lookups (three per string key): the server's own counters
    // moved by more than 300/100 ...
    const ledgerAfter = ownLookupTotals(redis.url);
    const inspectorHits = ledgerAfter.hits - ledgerBefore.hits;
    expect(inspectorHits).toBe(3 * report.scan.keysScanned);
    expect(rawAfter.hits - rawBefore.hits).toBe(300 + inspectorHits);
    expect(rawAfter.misses - rawBefore.misses).toBe(100 + ledgerAfter.misses - ledgerBefore.misses);
    // ... and the live figures do not show them.
    expect(snapshot.ownLookupsSubtracted).toEqual({ hits: inspectorHits, misses: ledgerAfter.misses - ledgerBefore.misses });
    expect(snapshot.window).toMatchObject({ hits: 300, misses: 100, hitRatio: 0.75 });
    expect(snapshot.sinceStart?.hitRatio).toBe(0.75);
  });

  it('leaves out of the ratio since start the lookups of an inspection made before it started', async () => {
    const redis = await server();
    const connection = client(redis.url);
    await seedStrings(connection, 300);
    await drive(connection, 300, 100);
    const report = await inspectRedis({ url: redis.url });
    const own = report.server.inspectorLookups;
    expect(own.hits).toBeGreaterThanOrEqual(900);

    const snapshot = await monitorOf(redis.url).sampleNow();
    expect(snapshot.sinceStart).toEqual({ hits: 300, misses: 100, hitRatio: 0.75 });
    expect(snapshot.ownLookupsSubtracted).toEqual(own);
  });

  it('keeps the window exact while it polls on its own during an inspection', async () => {
    const redis = await server();
    const connection = client(redis.url);
    await seedStrings(connection, 300);
    const monitor = monitorOf(redis.url, { intervalMs: 100 });
    monitor.start();
    await waitForSnapshot(monitor, (snapshot) => snapshot.samplesTaken >= 1);

    await drive(connection, 300, 100);
    const samplesBefore = monitor.latest.samplesTaken;
    const inspecting = inspectRedis({ url: redis.url });
    // The monitor's own timer keeps sampling while the scan runs.
    await waitForSnapshot(monitor, (next) => next.samplesTaken > samplesBefore);
    const report = await inspecting;
    expect(report.server.inspectorLookups.hits).toBeGreaterThanOrEqual(900);
    const snapshot = await monitor.sampleNow();

    expect(snapshot.window).toMatchObject({ hits: 300, misses: 100, hitRatio: 0.75 });
    expect(snapshot.sinceStart?.hitRatio).toBe(0.75);
  });

  it('sends only INFO, so an idle server shows no lookups and no operations', async () => {
    const redis = await server();
    const monitor = monitorOf(redis.url);
    for (let index = 0; index < 4; index += 1) await monitor.sampleNow();
    const snapshot = monitor.latest;
    expect(snapshot.series).toHaveLength(3);
    expect(snapshot.series.map((point) => point.opsPerSec)).toEqual([0, 0, 0]);
    expect(snapshot.series.map((point) => point.hitRatio)).toEqual([null, null, null]);
    expect(snapshot.window?.hitRatio).toBeNull();

    const connection = client(redis.url);
    const commands = [...parseInfo(await connection.info('commandstats')).keys()].map((name) => name.replace(/^cmdstat_/, ''));
    // The test's own client sent INFO too (ready check and this call); nothing else reached the server.
    expect(commands).toEqual(['info']);
    expect(await rawCounters(connection)).toEqual({ hits: 0, misses: 0 });
  });

  it('keeps only the samples of its window', async () => {
    const redis = await server();
    const monitor = monitorOf(redis.url, { intervalMs: 100, windowMs: 300 });
    for (let index = 0; index < 8; index += 1) {
      await monitor.sampleNow();
      await sleep(100);
    }
    const snapshot = monitor.latest;
    expect(snapshot.samplesTaken).toBe(8);
    expect(snapshot.series.length).toBeLessThanOrEqual(4);
    expect(snapshot.series.length).toBeGreaterThanOrEqual(2);
    expect(snapshot.window!.seconds).toBeLessThanOrEqual(0.35 + 0.1);
  });

  it('starts a new series when the counters go down (CONFIG RESETSTAT)', async () => {
    const redis = await server();
    const connection = client(redis.url);
    await seedStrings(connection, 300);
    const monitor = monitorOf(redis.url);
    await monitor.sampleNow();
    await drive(connection, 50, 50);
    expect((await monitor.sampleNow()).window?.hitRatio).toBe(0.5);

    await connection.config('RESETSTAT');
    const reset = await monitor.sampleNow();
    expect(reset.counterResets).toBe(1);
    expect(reset.resetNotice).toMatch(/counters went down/);
    expect(reset.window).toBeUndefined();
    expect(reset.series).toEqual([]);

    await drive(connection, 90, 10);
    const next = await monitor.sampleNow();
    expect(next.window).toMatchObject({ hits: 90, misses: 10, hitRatio: 0.9 });
    expect(next.sinceStart).toEqual({ hits: 90, misses: 10, hitRatio: 0.9 });
  });

  it('reports a server that goes away and follows it again when it comes back on the same port', async () => {
    const redis = await server();
    const monitor = monitorOf(redis.url, { intervalMs: 150, windowMs: 10_000, maxBackoffMs: 600 });
    monitor.start();
    await waitForSnapshot(monitor, (snapshot) => snapshot.state === 'live' && snapshot.samplesTaken >= 2);

    redis.process.kill('SIGKILL');
    const down = await waitForSnapshot(monitor, (snapshot) => snapshot.state === 'unreachable');
    expect(down.message).toContain(`127.0.0.1:${redis.port}`);
    // The last known figures stay visible while it is down.
    expect(down.samplesTaken).toBeGreaterThanOrEqual(2);
    await waitForSnapshot(monitor, (snapshot) => snapshot.state === 'unreachable' && /refused/.test(snapshot.message ?? ''));
    expect(monitor.isRunning).toBe(true);

    restartedServers.push(await startRedis([], { port: redis.port }));
    const back = await waitForSnapshot(monitor, (snapshot) => snapshot.state === 'live' && snapshot.counterResets === 1);
    expect(back.resetNotice).toMatch(/restarted/);
    const following = await waitForSnapshot(monitor, (snapshot) => snapshot.state === 'live' && snapshot.window !== undefined);
    expect(following.counterResets).toBe(1);
  });

  it('says INFO is not allowed when the ACL forbids it, and keeps going', async () => {
    const redis = await server();
    const admin = client(redis.url);
    await admin.call('ACL', 'SETUSER', 'watcher', 'on', '>watch-secret', '~*', '+@all', '-info');
    const monitor = monitorOf(`redis://watcher:watch-secret@127.0.0.1:${redis.port}`, { intervalMs: 100, maxBackoffMs: 200 });

    const snapshot = await monitor.sampleNow();
    expect(snapshot.state).toBe('info-not-allowed');
    expect(snapshot.message).toMatch(/INFO not allowed/);
    expect(snapshot.message).not.toContain('watch-secret');
    expect(snapshot.target).toBe(`redis://127.0.0.1:${redis.port}`);

    // Granting INFO is picked up without a new monitor.
    monitor.start();
    await admin.call('ACL', 'SETUSER', 'watcher', '+info');
    await waitForSnapshot(monitor, (next) => next.state === 'live');
  });

  it('stops retrying when the password is refused', async () => {
    const redis = await server(['--requirepass', 'right-secret']);
    const monitor = monitorOf(`redis://:wrong-secret@127.0.0.1:${redis.port}`, { intervalMs: 100 });
    monitor.start();
    const failed = await waitForSnapshot(monitor, (snapshot) => snapshot.state === 'failed');
    expect(failed.errorKind).toBe('auth-failed');
    await sleep(300);
    expect(monitor.isRunning).toBe(false);
    expect(monitor.latest.state).toBe('failed');
  });
});
