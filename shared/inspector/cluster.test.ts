import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Redis, { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseClusterNodes, reachableMasters } from './cluster';
import { formatInspectReport } from './format-text';
import { inspectRedis, KeyspaceInspection } from './inspect';
import { freePort, SpawnedRedis, startRedis } from './redis-process';
import type { InspectReport } from './report';

/**
 * A three-master Redis Cluster started here (free ports, a temporary directory, all stopped afterwards), seeded
 * through a cluster client: the inspector, given one node's URL, must scan every master and merge the figures
 * to what `redis-cli --scan` on each master finds.
 */
const masters: SpawnedRedis[] = [];
let scratch: string;
let seeder: Cluster | undefined;

function runRedisCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('redis-cli', args);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function clusterReady(port: number): Promise<boolean> {
  const connection = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 1, retryStrategy: () => null });
  connection.on('error', () => undefined);
  try {
    const info = String(await connection.call('CLUSTER', 'INFO'));
    const nodes = reachableMasters(parseClusterNodes(String(await connection.call('CLUSTER', 'NODES'))));
    return /cluster_state:ok/.test(info) && nodes.length === 3;
  } finally {
    connection.disconnect();
  }
}

const families = { 'user:': 600, 'session:': 300, 'cart:': 150 };

beforeAll(async () => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cachescope-cluster-'));
  for (let index = 0; index < 3; index += 1) {
    // The cluster bus gets a port of its own: port + 10000 could be beyond 65535 or taken.
    const busPort = await freePort();
    masters.push(
      await startRedis(['--cluster-enabled', 'yes', '--cluster-config-file', path.join(scratch, `nodes-${index}.conf`), '--cluster-port', String(busPort), '--dir', scratch]),
    );
  }
  const created = await runRedisCli(['--cluster', 'create', ...masters.map((master) => `127.0.0.1:${master.port}`), '--cluster-yes']);
  expect(created.code, created.stdout + created.stderr).toBe(0);
  const deadline = Date.now() + 20_000;
  while (!(await Promise.all(masters.map((master) => clusterReady(master.port)))).every(Boolean)) {
    if (Date.now() > deadline) throw new Error('the cluster did not reach cluster_state:ok');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  seeder = new Cluster([{ host: '127.0.0.1', port: masters[0].port }], { redisOptions: { maxRetriesPerRequest: 2 } });
  seeder.on('error', () => undefined);
  const writes: Promise<unknown>[] = [];
  for (let index = 0; index < families['user:']; index += 1) writes.push(seeder.set(`user:profile:${index}`, `profile ${index}`));
  for (let index = 0; index < families['session:']; index += 1) writes.push(seeder.set(`session:${index}`, 'token', 'EX', 3600));
  for (let index = 0; index < families['cart:']; index += 1) writes.push(seeder.hset(`cart:${index}`, 'item', String(index), 'qty', '1'));
  await Promise.all(writes);
}, 60_000);

afterAll(async () => {
  seeder?.disconnect();
  await Promise.all(masters.map((master) => master.stop()));
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

/** Keys per master and per top-level prefix, from redis-cli --scan on each master: the reference figures. */
function enumerate(): { perMaster: Map<number, number>; perPrefix: Map<string, number> } {
  const perMaster = new Map<number, number>();
  const perPrefix = new Map<string, number>();
  for (const master of masters) {
    const listing = spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', String(master.port), '--scan'], { encoding: 'utf8' });
    expect(listing.status).toBe(0);
    const names = listing.stdout.split('\n').filter(Boolean);
    perMaster.set(master.port, names.length);
    for (const name of names) {
      const prefix = `${name.split(':')[0]}:`;
      perPrefix.set(prefix, (perPrefix.get(prefix) ?? 0) + 1);
    }
  }
  return { perMaster, perPrefix };
}

describe('Redis Cluster', () => {
  let report: InspectReport;

  beforeAll(async () => {
    report = await inspectRedis({ url: `redis://127.0.0.1:${masters[1].port}`, scanCount: 100, pipelineSize: 50 });
  }, 60_000);

  it('scans every master and merges the key counts to the sum of the per-master enumerations', () => {
    const truth = enumerate();
    const total = [...truth.perMaster.values()].reduce((sum, keys) => sum + keys, 0);
    expect(total).toBe(families['user:'] + families['session:'] + families['cart:']);
    // Each master holds a real share of the keys, so a single-node scan could not pass.
    for (const keys of truth.perMaster.values()) expect(keys).toBeGreaterThan(100);
    expect(report.scan.keysScanned).toBe(total);
    expect(report.scan.dbsize).toBe(total);
    expect(report.scan.complete).toBe(true);
    expect(Object.fromEntries(report.prefixes.map((node) => [node.prefix.text, node.keys]))).toEqual(Object.fromEntries(truth.perPrefix));
    expect(report.cluster?.masters.map((master) => [master.address, master.keysScanned]).sort()).toEqual(
      masters.map((master) => [`redis://127.0.0.1:${master.port}`, truth.perMaster.get(master.port)]).sort(),
    );
    expect(report.prefixes.find((node) => node.prefix.text === 'session:')?.noTtlShare).toBe(0);
    expect(formatInspectReport(report, { color: false })).toMatch(/cluster of 3 masters, figures merged: /);
  });

  it('splits a sample among the masters', async () => {
    const sampled = await inspectRedis({ url: `redis://127.0.0.1:${masters[0].port}`, sample: 90, scanCount: 10, pipelineSize: 10 });
    expect(sampled.scan.keysScanned).toBe(90);
    expect(sampled.cluster?.masters.map((master) => master.keysScanned)).toEqual([30, 30, 30]);
    expect(sampled.scan.scale).toBeCloseTo(1050 / 90, 10);
  });

  it('resumes each master from its own cursor: a sample then the rest give the full figures, and a cancel keeps whole batches', async () => {
    const truth = enumerate();
    const run = new KeyspaceInspection({ url: `redis://127.0.0.1:${masters[0].port}`, scanCount: 20, pipelineSize: 10 });
    const sampled = await run.next({ maxKeys: 300 });
    expect(sampled.scan).toMatchObject({ keysScanned: 300, complete: false, sampled: true });
    expect(sampled.cluster?.masters.map((master) => master.keysScanned)).toEqual([100, 100, 100]);
    const controller = new AbortController();
    const cancelled = await run.next({ signal: controller.signal, onProgress: (keys) => keys >= 400 && controller.abort() });
    expect(cancelled.scan.cancelled).toBe(true);
    expect(cancelled.scan.keysScanned).toBeGreaterThanOrEqual(400);
    expect(cancelled.scan.keysScanned).toBeLessThan(1050);
    const rest = await run.next();
    expect(run.complete).toBe(true);
    expect(rest.scan.keysScanned).toBe(1050);
    expect(Object.fromEntries(rest.prefixes.map((node) => [node.prefix.text, node.keysScanned]))).toEqual(Object.fromEntries(truth.perPrefix));
    expect(rest.cluster?.masters.map((master) => [master.address, master.keysScanned]).sort()).toEqual(
      masters.map((master) => [`redis://127.0.0.1:${master.port}`, truth.perMaster.get(master.port)]).sort(),
    );
  });

  it('merges hot keys over the masters, from LFU counters and from MONITOR on every master', async () => {
    for (const master of masters) {
      const connection = new Redis({ host: '127.0.0.1', port: master.port, maxRetriesPerRequest: 1, retryStrategy: () => null });
      await connection.config('SET', 'maxmemory-policy', 'allkeys-lfu');
      connection.disconnect();
    }
    for (let index = 0; index < 500; index += 1) await seeder?.get('user:profile:7');
    for (let index = 0; index < 100; index += 1) await seeder?.get('session:3');
    const lfu = await inspectRedis({ url: `redis://127.0.0.1:${masters[2].port}` });
    expect(lfu.hotKeys?.source).toBe('lfu');
    expect(lfu.hotKeys?.keysSampled).toBe(1050);
    expect(lfu.hotKeys?.keys.slice(0, 2).map((entry) => entry.key.text)).toEqual(['user:profile:7', 'session:3']);

    let traffic: Promise<void> | undefined;
    const sampled = await inspectRedis({
      url: `redis://127.0.0.1:${masters[2].port}`,
      hotKeysMonitorSeconds: 1,
      onHotKeysMonitorStarted: () => {
        traffic = (async () => {
          for (let index = 0; index < 60; index += 1) await seeder?.hgetall('cart:9');
          for (let index = 0; index < 40; index += 1) await seeder?.get('user:profile:8');
        })();
      },
    });
    await traffic;
    expect(sampled.hotKeys?.source).toBe('monitor');
    expect(sampled.hotKeys?.keys.map((entry) => [entry.key.text, entry.count])).toEqual([
      ['cart:9', 60],
      ['user:profile:8', 40],
    ]);
  });
});

describe('CLUSTER NODES parsing', () => {
  it('keeps reachable masters with slots, with IPv6 and hostname forms of the address', () => {
    const text = [
      '07c3 127.0.0.1:30004@31004,cache-4 slave e7d1 0 1426238317239 4 connected',
      '67ed ::1:30002@31002 master - 0 1426238316232 2 connected 5461-10922',
      'e7d1 127.0.0.1:30001@31001 myself,master - 0 0 1 connected 0-5460 [5461->-67ed]',
      '292f 127.0.0.1:30003@31003 master,fail - 0 1426238318243 3 connected 10923-16383',
      '6ec2 :0@0 master,noaddr - 0 0 0 disconnected',
    ].join('\n');
    const nodes = parseClusterNodes(text);
    expect(nodes).toHaveLength(5);
    expect(nodes[0]).toMatchObject({ host: '127.0.0.1', port: 30004, masterId: 'e7d1', slots: [] });
    expect(nodes[2].slots).toEqual(['0-5460']);
    expect(reachableMasters(nodes).map((node) => `${node.host}:${node.port}`)).toEqual(['127.0.0.1:30001', '::1:30002']);
  });
});
