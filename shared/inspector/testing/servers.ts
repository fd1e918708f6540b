import Redis from 'ioredis';
import { afterAll } from 'vitest';
import { SpawnedRedis, startRedis } from '../redis-process';

/**
 * Redis servers and clients for one test file: each server is started on a free port, and everything
 * is stopped when the file's tests are done.
 */
export function redisTestFixtures(): { server(args?: string[]): Promise<SpawnedRedis>; client(url: string): Redis } {
  const servers: SpawnedRedis[] = [];
  const clients: Redis[] = [];
  afterAll(async () => {
    for (const connection of clients) connection.disconnect();
    await Promise.all(servers.map((started) => started.stop()));
  });
  return {
    async server(args: string[] = []) {
      const started = await startRedis(args);
      servers.push(started);
      return started;
    },
    client(url: string) {
      const connection = new Redis(url, { maxRetriesPerRequest: 1, retryStrategy: () => null });
      connection.on('error', () => undefined);
      clients.push(connection);
      return connection;
    },
  };
}
