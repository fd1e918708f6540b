import Redis from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { SpawnedRedis, startRedis } from './redis-process';

/** The spawned servers the tests rely on: never mistaken for another process's server on the same port. */
describe('startRedis', () => {
  const started: SpawnedRedis[] = [];
  afterAll(async () => {
    await Promise.all(started.map((server) => server.stop()));
  });

  it('refuses a port another server already serves instead of handing that server out as its own', async () => {
    const first = await startRedis();
    started.push(first);
    await expect(startRedis([], { port: first.port })).rejects.toThrow(/exited with code|served by another process/);
    const client = new Redis(first.url, { maxRetriesPerRequest: 0, retryStrategy: () => null });
    try {
      const info = await client.info('server');
      expect(info).toContain(`process_id:${first.pid}`);
    } finally {
      client.disconnect();
    }
  });

  it('gives each server an empty directory of its own, so no dump.rdb from elsewhere is loaded', async () => {
    const server = await startRedis();
    started.push(server);
    const client = new Redis(server.url, { maxRetriesPerRequest: 0, retryStrategy: () => null });
    try {
      const [, dir] = (await client.config('GET', 'dir')) as [string, string];
      expect(dir).toMatch(/cachescope-redis-/);
      expect(await client.dbsize()).toBe(0);
    } finally {
      client.disconnect();
    }
  });
});
