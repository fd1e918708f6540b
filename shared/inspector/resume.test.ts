import Redis from 'ioredis';
import { beforeAll, describe, expect, it } from 'vitest';
import { InspectError } from './connection';
import { formatInspectReport } from './format-text';
import { renderHtmlReport } from './html-report';
import { inspectRedis, KeyspaceInspection } from './inspect';
import type { SpawnedRedis } from './redis-process';
import type { InspectReport, PrefixReport } from './report';
import { redisTestFixtures } from './testing/servers';

/**
 * Cancelling, resuming and pacing an inspection against redis-server processes started here: a sampled or
 * cancelled step followed by the rest must add up to exactly the figures of one full inspection (the SCAN cursor
 * is kept, never restarted), and the pacing must react to latency the server really has.
 */
const { server, client } = redisTestFixtures();

const families = { 'user:': 12_000, 'session:': 7000, 'cart:': 4000, 'price:': 2000 };
const totalKeys = Object.values(families).reduce((sum, keys) => sum + keys, 0);

async function seed(connection: Redis): Promise<void> {
  let pipeline = connection.pipeline();
  let queued = 0;
  const flush = async () => {
    await pipeline.exec();
    pipeline = connection.pipeline();
    queued = 0;
  };
  for (const [prefix, keys] of Object.entries(families)) {
    for (let index = 0; index < keys; index += 1) {
      if (prefix === 'cart:') pipeline.hset(`${prefix}${index}`, 'sku', String(index));
      else if (prefix === 'session:') pipeline.set(`${prefix}${index}`, 'token', 'EX', 3600);
      else pipeline.set(`${prefix}${index % 50}:${index}`, 'v'.repeat(index % 40));
      queued += 1;
      if (queued === 5000) await flush();
    }
  }
  await flush();
}

/** Every prefix of the tree with its scanned count, memory and types: what must not change with resumption. */
function figures(report: InspectReport): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const visit = (node: PrefixReport) => {
    out[node.prefix.text] = { keys: node.keysScanned, memory: node.memoryBytes, types: node.types, noTtlShare: node.noTtlShare };
    node.children.forEach(visit);
  };
  report.prefixes.forEach(visit);
  return out;
}

/** Connections without a name: the inspector's (the test's own connections are named). */
async function inspectorConnections(observer: Redis): Promise<number> {
  // A closed socket leaves CLIENT LIST a moment after the client let go of it.
  const deadline = Date.now() + 2000;
  for (;;) {
    const unnamed = String(await observer.client('LIST')).split('\n').filter((line) => / name= /.test(line)).length;
    if (unnamed === 0 || Date.now() > deadline) return unnamed;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('a resumable inspection', () => {
  let redis: SpawnedRedis;
  let full: InspectReport;

  beforeAll(async () => {
    redis = await server();
    const seeder = client(redis.url);
    await seeder.client('SETNAME', 'seeder');
    await seed(seeder);
    full = await inspectRedis({ url: redis.url });
  }, 60_000);

  it('continues a sampled first step from the saved cursor to the same figures as one full inspection', async () => {
    expect(full.scan).toMatchObject({ complete: true, sampled: false, keysScanned: totalKeys });
    const run = new KeyspaceInspection({ url: redis.url });
    const sampled = await run.next({ maxKeys: 10_000 });
    expect(run.complete).toBe(false);
    expect(sampled.scan).toMatchObject({ keysScanned: 10_000, complete: false, sampled: true });
    expect(sampled.scan.scale).toBeCloseTo(totalKeys / 10_000, 10);
    expect(sampled.scan.shareErrorBound95).toBeGreaterThan(0);
    expect(formatInspectReport(sampled, { color: false })).toMatch(/sample of 10000 keys/);

    // Server facts are read again by every step.
    const admin = client(redis.url);
    await admin.client('SETNAME', 'admin');
    await admin.config('SET', 'maxmemory', String(64 * 1024 * 1024));
    const rest = await run.next({}).finally(() => admin.config('SET', 'maxmemory', '0'));
    expect(sampled.server.maxmemoryBytes).toBe(0);
    expect(rest.server.maxmemoryBytes).toBe(64 * 1024 * 1024);
    expect(run.complete).toBe(true);
    expect(run.keysScanned).toBe(totalKeys);
    expect(rest.scan).toMatchObject({ keysScanned: totalKeys, complete: true, sampled: false, scale: 1 });
    expect(rest.scan.shareErrorBound95).toBeUndefined();
    expect(figures(rest)).toEqual(figures(full));
    // The cursor was kept: both steps together sent exactly the SCAN calls of the one-shot inspection.
    expect(rest.scan.commandsSent.SCAN).toBe(full.scan.commandsSent.SCAN);
    expect(rest.bigKeys).toEqual(full.bigKeys);
  });

  it('calls onKey once for every key scanned, over every step', async () => {
    const seen = new Map<string, number>();
    const run = new KeyspaceInspection({ url: redis.url, onKey: (record) => seen.set(record.name.toString(), (seen.get(record.name.toString()) ?? 0) + 1) });
    await run.next({ maxKeys: 3000 });
    expect(seen.size).toBe(3000);
    await run.next();
    expect(seen.size).toBe(totalKeys);
    expect([...seen.values()].every((calls) => calls === 1)).toBe(true);
  });

  it('cancels after the batch in flight with the figures so far, closes its connections, and resumes to the full figures', async () => {
    const controller = new AbortController();
    let progressCalls = 0;
    const run = new KeyspaceInspection({
      url: redis.url,
      scanCount: 500,
      signal: controller.signal,
      onProgress: () => {
        progressCalls += 1;
        if (progressCalls === 3) controller.abort();
      },
    });
    const partial = await run.next();
    expect(partial.scan.cancelled).toBe(true);
    expect(partial.scan.complete).toBe(false);
    expect(partial.scan.sampled).toBe(true);
    expect(partial.scan.keysScanned).toBeGreaterThan(0);
    expect(partial.scan.keysScanned).toBeLessThan(totalKeys);
    // Whole batches only: the tree holds exactly the keys counted.
    expect(partial.prefixes.reduce((sum, node) => sum + node.keysScanned, 0)).toBe(partial.scan.keysScanned);
    expect(formatInspectReport(partial, { color: false })).toContain(`cancelled after ${partial.scan.keysScanned} keys`);
    expect(renderHtmlReport(partial)).toContain(`cancelled after ${partial.scan.keysScanned} keys`);

    const observer = client(redis.url);
    await observer.client('SETNAME', 'observer');
    expect(await inspectorConnections(observer)).toBe(0);

    // The inspection's own signal is aborted for good: the next step brings a fresh one.
    const rest = await run.next({ signal: new AbortController().signal });
    expect(rest.scan.cancelled).toBeUndefined();
    expect(rest.scan.complete).toBe(true);
    expect(figures(rest)).toEqual(figures(full));
  });

  it('rejects with kind "cancelled" when nothing was scanned', async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await inspectRedis({ url: redis.url, signal: controller.signal }).catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(InspectError);
    expect((error as InspectError).kind).toBe('cancelled');
  });

  it('reports the pacing: latency-driven by default, the old fixed duty cycle when one is given', () => {
    const pacing = full.scan.pacing;
    expect(pacing?.mode).toBe('latency');
    expect(pacing?.budgetMs).toBe(1);
    expect(pacing?.probe).toBe('thread');
    expect(pacing?.idle?.samples).toBeGreaterThanOrEqual(20);
    expect(pacing?.averageDutyCycle).toBeGreaterThan(0);
    expect(pacing?.averageDutyCycle).toBeLessThanOrEqual(1);
    expect(formatInspectReport(full, { color: false })).toMatch(/^pacing: latency-driven \(budget \+1 ms over idle\), duty cycle/m);
  });

  it('keeps a fixed duty cycle when asked for one', async () => {
    const fixed = await inspectRedis({ url: redis.url, dutyCycle: 0.5, scanCount: 200 });
    expect(fixed.scan.pacing?.mode).toBe('fixed');
    expect(fixed.scan.pacing?.finalDutyCycle).toBe(0.5);
    // Pauses round up to whole milliseconds, so a little under half of the time is work.
    expect(fixed.scan.pacing?.averageDutyCycle).toBeGreaterThan(0.3);
    expect(fixed.scan.pacing?.averageDutyCycle).toBeLessThanOrEqual(0.5);
  });
});

describe('latency-driven pacing against a server that really slows down', () => {
  it('backs off while another client blocks the server, and runs flat out on a quiet one', async () => {
    const redis = await server(['--enable-debug-command', 'yes']);
    await seed(client(redis.url));
    const quiet = await inspectRedis({ url: redis.url, probeIntervalMs: 20 });
    expect(quiet.scan.pacing?.mode).toBe('latency');

    // Once the scan runs (after the idle baseline), a client blocks the server for 10 ms at a time, most of the
    // time: PINGs on the probe wait up to that long.
    const blocker = client(redis.url);
    let blocking = true;
    let blocked: Promise<void> | undefined;
    const block = async () => {
      while (blocking) {
        await blocker.call('DEBUG', 'SLEEP', '0.01');
        await new Promise((resolve) => setTimeout(resolve, 3));
      }
    };
    let busy: InspectReport;
    try {
      busy = await inspectRedis({ url: redis.url, probeIntervalMs: 20, scanCount: 200, onProgress: () => (blocked ??= block()) });
    } finally {
      blocking = false;
      await blocked;
    }
    const pacing = busy.scan.pacing!;
    expect(pacing.during!.p50).toBeGreaterThan(pacing.idle!.p50 + 1);
    expect(pacing.minDutyCycle).toBeLessThanOrEqual(0.5);
    expect(pacing.averageDutyCycle).toBeLessThan(quiet.scan.pacing!.averageDutyCycle);
    expect(pacing.pausedMs).toBeGreaterThan(0);
    expect(busy.scan.keysScanned).toBe(totalKeys);
  }, 60_000);
});
