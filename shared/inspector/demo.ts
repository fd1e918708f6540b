import Redis from 'ioredis';
import { RedisServerUnavailableError, redisServerAvailable, SpawnedRedis, startRedis } from './redis-process';

/**
 * `cachescope inspect --demo`: a throwaway redis-server with a realistic cache keyspace, so the report can be
 * seen without pointing the inspector at a real server.
 */
export const demoFamilies = {
  /** Sessions with a jittered 20-40 min TTL: healthy. */
  sessions: { prefix: 'session:', keys: 1500 },
  /** Product hashes written without a TTL: the no-TTL finding. */
  products: { prefix: 'product:', keys: 1000 },
  /** Prices all written with exactly 600 s: the expiry cliff. */
  prices: { prefix: 'price:', keys: 600 },
  /** Rate-limit counters with short, spread TTLs. */
  rateLimits: { prefix: 'ratelimit:', keys: 300 },
  /** Per-user families under a second level. */
  userProfiles: { prefix: 'user:profile:', keys: 400 },
  userFeeds: { prefix: 'user:feed:', keys: 200 },
} as const;

/** Big keys of the demo, by name. */
export const demoBigKeys = { leaderboard: 'leaderboard:global', catalog: 'catalog:index' } as const;

function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

export async function seedDemoKeyspace(url: string): Promise<number> {
  const client = new Redis(url, { maxRetriesPerRequest: 1, retryStrategy: () => null, lazyConnect: true, connectTimeout: 5000, commandTimeout: 30_000 });
  client.on('error', () => undefined);
  const random = seededRandom(42);
  try {
    await client.connect();
    const pipeline = client.pipeline();
    const f = demoFamilies;
    for (let i = 0; i < f.sessions.keys; i += 1) {
      pipeline.set(`${f.sessions.prefix}${(1e9 + i * 7919).toString(36)}`, JSON.stringify({ userId: i, csrf: random().toString(36).slice(2) }), 'EX', 1200 + Math.floor(random() * 1200));
    }
    for (let i = 0; i < f.products.keys; i += 1) {
      pipeline.hset(`${f.products.prefix}${i}`, { name: `Product ${i}`, price: (random() * 100).toFixed(2), stock: String(Math.floor(random() * 500)) });
    }
    for (let i = 0; i < f.prices.keys; i += 1) pipeline.set(`${f.prices.prefix}${i}`, (random() * 100).toFixed(2), 'EX', 600);
    for (let i = 0; i < f.rateLimits.keys; i += 1) pipeline.set(`${f.rateLimits.prefix}10.0.${i >> 8}.${i & 255}`, String(Math.floor(random() * 20)), 'EX', 10 + Math.floor(random() * 290));
    for (let i = 0; i < f.userProfiles.keys; i += 1) {
      pipeline.set(`${f.userProfiles.prefix}${i}`, JSON.stringify({ id: i, name: `user ${i}`, bio: 'x'.repeat(Math.floor(random() * 400)) }), 'EX', 3000 + Math.floor(random() * 1200));
    }
    for (let i = 0; i < f.userFeeds.keys; i += 1) {
      const key = `${f.userFeeds.prefix}${i}`;
      pipeline.rpush(key, ...Array.from({ length: 5 + Math.floor(random() * 20) }, (_, n) => `post:${i * 100 + n}`));
      pipeline.expire(key, 86_400 + Math.floor(random() * 3600));
    }
    const leaderboard: (string | number)[] = [];
    for (let i = 0; i < 20_000; i += 1) leaderboard.push(Math.floor(random() * 1e6), `player:${i}`);
    pipeline.zadd(demoBigKeys.leaderboard, ...leaderboard);
    const catalog: Record<string, string> = {};
    for (let i = 0; i < 5000; i += 1) catalog[`sku-${i}`] = JSON.stringify({ title: `Item ${i}`, tags: ['a', 'b'] });
    pipeline.hset(demoBigKeys.catalog, catalog);
    const results = (await pipeline.exec()) ?? [];
    const failed = results.find(([error]) => error);
    if (failed?.[0]) throw failed[0];
    return await client.dbsize();
  } finally {
    client.disconnect();
  }
}

/** Starts the demo server and fills it; the caller must stop it. */
export async function startDemoServer(): Promise<SpawnedRedis> {
  if (!redisServerAvailable()) throw new RedisServerUnavailableError('--demo needs redis-server on PATH (for example: apt-get install redis-server, or brew install redis)');
  const server = await startRedis();
  try {
    await seedDemoKeyspace(server.url);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}
