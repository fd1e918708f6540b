import { spawn } from 'node:child_process';
import * as path from 'node:path';
import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SpawnedRedis, startRedis } from '../shared/inspector/redis-process';
import type { InspectReport } from '../shared/inspector/report';

/**
 * Ctrl-C during `cachescope inspect`: the built CLI against a redis-server this file starts, seeded large enough
 * that the scan is still running when SIGINT arrives. It must print the partial report, labelled, and exit 130.
 */
const root = path.resolve(__dirname, '..');
const bin = path.join(root, 'bin', 'cachescope.js');
const keys = 200_000;
let redis: SpawnedRedis;
let control: Redis;

beforeAll(async () => {
  redis = await startRedis();
  control = new Redis(redis.url, { maxRetriesPerRequest: 1, retryStrategy: () => null });
  for (let start = 0; start < keys; start += 10_000) {
    const pipeline = control.pipeline();
    for (let index = start; index < start + 10_000; index += 1) pipeline.set(`${['user', 'session', 'cart'][index % 3]}:${index}`, 'v');
    await pipeline.exec();
  }
}, 60_000);

afterAll(async () => {
  control?.disconnect();
  await redis?.stop();
});

async function scanCalls(): Promise<number> {
  const stats = await control.info('commandstats');
  return Number(/^cmdstat_scan:calls=(\d+)/m.exec(stats)?.[1] ?? 0);
}

/** Runs the CLI and sends it SIGINT once the server has seen a few of its SCAN calls. */
async function interruptedRun(args: string[]): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  await control.config('RESETSTAT');
  const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, NO_COLOR: '1', REDIS_URL: '' } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  const deadline = Date.now() + 20_000;
  while ((await scanCalls()) < 3) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the CLI did not start scanning: ${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  child.kill('SIGINT');
  return { ...(await closed), stdout, stderr };
}

describe('cachescope inspect and Ctrl-C', () => {
  it('prints the partial report labelled "cancelled after N keys" and exits 130', async () => {
    const { code, signal, stdout, stderr } = await interruptedRun(['inspect', redis.url, '--no-color']);
    expect(signal).toBeNull();
    expect(code).toBe(130);
    const scanned = Number(/cancelled after (\d+) keys/.exec(stdout)?.[1]);
    expect(scanned).toBeGreaterThan(0);
    expect(scanned).toBeLessThan(keys);
    expect(stdout).toMatch(new RegExp(`^scanned ${scanned} keys of \\d+ .*sample of ${scanned} keys`, 'm'));
    expect(stdout).toMatch(/^Prefixes/m);
    expect(stderr).toContain(`cancelled after ${scanned} keys`);
  }, 60_000);

  it('writes the partial JSON report with scan.cancelled', async () => {
    const { code, stdout } = await interruptedRun(['inspect', redis.url, '--json']);
    expect(code).toBe(130);
    const report = JSON.parse(stdout) as InspectReport;
    expect(report.scan).toMatchObject({ cancelled: true, complete: false, sampled: true });
    expect(report.scan.keysScanned).toBeGreaterThan(0);
    expect(report.prefixes.reduce((sum, node) => sum + node.keysScanned, 0)).toBe(report.scan.keysScanned);
  }, 60_000);
});
