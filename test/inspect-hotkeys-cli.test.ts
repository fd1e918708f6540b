import { spawn } from 'node:child_process';
import * as path from 'node:path';
import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SpawnedRedis, startRedis } from '../shared/inspector/redis-process';
import type { InspectReport } from '../shared/inspector/report';

/** `cachescope inspect` hot-key options end to end: the built CLI against a redis-server this file starts. */
const bin = path.join(path.resolve(__dirname, '..'), 'bin', 'cachescope.js');
let redis: SpawnedRedis;
let reader: Redis;

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, 'inspect', ...args], { env: { ...process.env, NO_COLOR: '1', REDIS_URL: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  redis = await startRedis();
  reader = new Redis(redis.url, { maxRetriesPerRequest: 1, retryStrategy: () => null });
  reader.on('error', () => undefined);
  await reader.mset('session:hot', '1', 'session:cold', '2');
});

afterAll(async () => {
  reader?.disconnect();
  await redis?.stop();
});

describe('cachescope inspect --hotkeys-monitor', () => {
  it('samples reads made while the CLI runs and reports them in JSON', async () => {
    let done = false;
    const cli = run([redis.url, '--json', '--hotkeys-monitor', '2']).finally(() => (done = true));
    // Reads keep coming until the CLI has exited, so its whole window sees them however slowly it starts.
    let sent = 0;
    while (!done) {
      await reader.get('session:hot');
      sent += 1;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const result = await cli;
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as InspectReport;
    expect(report.hotKeys?.source).toBe('monitor');
    expect(report.hotKeys?.keys[0].key.text).toBe('session:hot');
    expect(report.hotKeys?.keys[0].count).toBeGreaterThan(10);
    expect(report.hotKeys?.keys[0].count).toBeLessThanOrEqual(sent);
  });

  it('rejects a window of 0 or over 30 seconds with exit code 2', async () => {
    for (const value of ['0', '31', 'x']) {
      const result = await run([redis.url, '--hotkeys-monitor', value]);
      expect(result.code, value).toBe(2);
      expect(result.stderr).toMatch(/--hotkeys-monitor.*1 to 30/);
    }
  });
});
