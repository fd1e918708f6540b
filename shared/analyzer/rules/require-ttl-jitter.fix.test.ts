import * as fs from 'node:fs';
import * as path from 'node:path';
import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTtlJitter } from './require-ttl-jitter';
import { applySuggestions, makeWorkDir, RedisServer, removeWorkDir, runNode, startRedis, typeCheck, writeJavaScript } from '../testing/fix-harness';

/**
 * The jitter suggestions must compile against the real clients, and the fixed code, run against a
 * real Redis, must spread the TTLs of keys written together over [TTL, TTL × 1.1).
 */

const ioredisModule = `import Redis from 'ioredis';

const redis = new Redis(process.env.REDIS_URL!);
const CACHE_TTL = 60 * 60;
enum CacheTtl {
  Day = 24 * 3600,
}

export async function cacheProduct(id: string, json: string) {
  await redis.set(\`product:\${id}\`, json, 'EX', 3600);
}

export async function cacheCategory(slug: string, json: string) {
  await redis.set(\`category:\${slug}\`, json, 'EX', CACHE_TTL);
}

export const remember = (id: string, value: string) => redis.setex(\`remember:\${id}\`, CacheTtl.Day, value);

export async function cacheUser(id: string, fields: Record<string, string>) {
  await redis.hset(\`user:\${id}\`, fields);
  await redis.expire(\`user:\${id}\`, 600);
}

async function cacheSet(key: string, value: unknown, ttl: number) {
  await redis.set(key, JSON.stringify(value), 'EX', ttl);
}

export async function warmHome(id: string, rail: unknown) {
  await cacheSet(\`rail:\${id}\`, rail, 600);
}

export async function cacheFragment(id: string, html: string) {
  await redis.set(\`fragment:\${id}\`, html, 'PX', 60_000);
}

export async function warmItemCache(items: Array<{ id: string; json: string }>) {
  const pipeline = redis.pipeline();
  for (const item of items) pipeline.set(\`item:\${item.id}\`, item.json, 'EX', 300);
  await pipeline.exec();
}

export const close = () => redis.quit();
`;

const ioredisDriver = `const m = require('./ioredis-fixed.js');
(async () => {
  const ids = Array.from({ length: 40 }, (_, i) => String(i));
  for (const id of ids) {
    await m.cacheProduct(id, '{}');
    await m.cacheCategory(id, '{}');
    await m.remember(id, 'v');
    await m.cacheUser(id, { name: 'n' });
    await m.warmHome(id, []);
    await m.cacheFragment(id, '<p/>');
  }
  await m.warmItemCache(ids.map((id) => ({ id, json: '{}' })));
  await m.close();
})().catch((error) => { console.error(error); process.exit(1); });
`;

/** Key prefix → base TTL in seconds. */
const ioredisFamilies: Record<string, number> = {
  product: 3600,
  category: 3600,
  remember: 86400,
  user: 600,
  rail: 600,
  fragment: 60,
  item: 300,
};

const nodeRedisModule = `import { createClient } from 'redis';

const client = createClient({ url: process.env.REDIS_URL });
const EX = 600;
const TTL_SECONDS = 300;
const TTL = 900;

export const open = async () => {
  await client.connect();
};

export async function saveCached(id: string, value: string) {
  await client.set(\`px:\${id}\`, value, { PX: 60_000 });
  await client.set(\`ex:\${id}\`, value, { EX });
  await client.set(\`v5:\${id}\`, value, { expiration: { type: 'EX', value: TTL_SECONDS } });
  await client.sendCommand(['SET', \`raw:\${id}\`, value, 'EX', '3600']);
  await client.sendCommand(['SET', \`rawc:\${id}\`, value, 'EX', String(TTL)]);
}

export const close = () => client.close();
`;

const nodeRedisDriver = `const m = require('./node-redis-fixed.js');
(async () => {
  await m.open();
  for (let i = 0; i < 40; i++) await m.saveCached(String(i), 'v');
  await m.close();
})().catch((error) => { console.error(error); process.exit(1); });
`;

const nodeRedisFamilies: Record<string, number> = { px: 60, ex: 600, v5: 300, raw: 3600, rawc: 900 };

const upstashModule = `import { Redis } from '@upstash/redis';

const redis = Redis.fromEnv();

export async function GET() {
  await redis.set('cache:home:hero', '{}', { ex: 120 });
  await redis.setex('cache:home:footer', 600, '{}');
  return new Response('ok');
}
`;

/** A cache class reached through an interface: its TTL default is what omitting callers get. */
const defaultTtlModule = `import { createClient } from 'redis';

export interface CacheStore {
  set(key: string, value: string, expire?: number): Promise<void>;
}

export class RedisCache implements CacheStore {
  private readonly client = createClient({ url: process.env.REDIS_URL });
  async set(key: string, value: string, expire: number = 30 * 60) {
    await this.client.set(key, value, { EX: expire });
  }
}

export async function rememberGeneration(store: CacheStore, id: string) {
  await store.set('generation', id);
}
`;

const storesModule = `import { createCache } from 'cache-manager';
import Keyv from 'keyv';

const cache = createCache();
const keyv = new Keyv();

export async function put(id: string) {
  await cache.set(\`post:\${id}\`, { id }, 60000);
  await cache.mset([{ key: \`tag:\${id}\`, value: id, ttl: 120_000 }]);
  await keyv.set(\`user:\${id}\`, { id }, 5 * 60 * 1000);
}

export async function remaining(id: string) {
  const now = Date.now();
  const post = await cache.ttl(\`post:\${id}\`);
  const tag = await cache.ttl(\`tag:\${id}\`);
  const token = (await keyv.getRaw(\`user:\${id}\`))?.expires;
  return [post, tag, token].map((at) => (typeof at === 'number' ? at - now : null));
}
`;

const storesDriver = `const m = require('./stores-fixed.js');
(async () => {
  const rows = [];
  for (let i = 0; i < 40; i++) {
    await m.put(String(i));
    rows.push(await m.remaining(String(i)));
  }
  process.stdout.write(JSON.stringify(rows));
})().catch((error) => { console.error(error); process.exit(1); });
`;

function expectSpread(ttls: number[], base: number, label: string): void {
  for (const ttl of ttls) {
    expect(ttl, label).toBeGreaterThan(base - 5);
    expect(ttl, label).toBeLessThan(base * 1.1);
  }
  expect(new Set(ttls.map(Math.round)).size, `${label}: TTLs are spread`).toBeGreaterThan(1);
}

describe('require-ttl-jitter suggestions', () => {
  let workDir: string;
  let redisServer: RedisServer;
  let checker: Redis;

  beforeAll(async () => {
    workDir = makeWorkDir('require-ttl-jitter');
    redisServer = await startRedis();
    checker = new Redis(redisServer.port, '127.0.0.1', { lazyConnect: true });
    await checker.connect();
  });

  afterAll(async () => {
    await checker?.quit();
    await redisServer?.stop();
    if (workDir) removeWorkDir(workDir);
  });

  /** Remaining lifetimes in seconds, read with PTTL so millisecond TTLs are not rounded up. */
  const ttlsOf = async (prefix: string, count: number) =>
    Promise.all(Array.from({ length: count }, async (_, i) => (await checker.pttl(`${prefix}:${i}`)) / 1000));

  it('every suggestion, alone and all together, type-checks against the installed clients', async () => {
    const cases = [
      { name: 'ioredis', code: ioredisModule, findings: 7 },
      { name: 'node-redis', code: nodeRedisModule, findings: 5 },
      { name: 'upstash', code: upstashModule, findings: 2 },
      { name: 'stores', code: storesModule, findings: 3 },
      { name: 'default-ttl', code: defaultTtlModule, findings: 1 },
    ];
    const files: string[] = [];
    for (const testCase of cases) {
      const outputs = await applySuggestions(requireTtlJitter, testCase.code);
      expect(outputs.findings, testCase.name).toBe(testCase.findings);
      expect(outputs.each.length, `${testCase.name}: every finding has a suggestion`).toBe(testCase.findings);
      outputs.each.forEach((text, index) => {
        const file = path.join(workDir, `${testCase.name}-${index}.ts`);
        fs.writeFileSync(file, text);
        files.push(file);
      });
      const all = path.join(workDir, `${testCase.name}-all.ts`);
      fs.writeFileSync(all, outputs.all);
      files.push(all);
      expect((await applySuggestions(requireTtlJitter, outputs.all)).findings, `${testCase.name} after fixes`).toBe(0);
    }
    expect(typeCheck(files)).toEqual([]);
  });

  it('without the fix, keys written together share one TTL (the test can fail)', async () => {
    writeJavaScript(path.join(workDir, 'ioredis-fixed.js'), ioredisModule);
    fs.writeFileSync(path.join(workDir, 'ioredis-driver.js'), ioredisDriver);
    await runNode(path.join(workDir, 'ioredis-driver.js'), { REDIS_URL: redisServer.url });
    const ttls = await ttlsOf('product', 40);
    expect(new Set(ttls.map(Math.round)).size).toBeLessThanOrEqual(2);
  });

  it('spreads ioredis TTLs over [TTL, TTL × 1.1), through constants, enums, helpers and pipelines', async () => {
    const outputs = await applySuggestions(requireTtlJitter, ioredisModule);
    await checker.flushall();
    writeJavaScript(path.join(workDir, 'ioredis-fixed.js'), outputs.all);
    await runNode(path.join(workDir, 'ioredis-driver.js'), { REDIS_URL: redisServer.url });
    for (const [prefix, base] of Object.entries(ioredisFamilies)) expectSpread(await ttlsOf(prefix, 40), base, prefix);
  });

  it('spreads node-redis TTLs, in PX, shorthand EX, v5 expiration and sendCommand strings', async () => {
    const outputs = await applySuggestions(requireTtlJitter, nodeRedisModule);
    writeJavaScript(path.join(workDir, 'node-redis-fixed.js'), outputs.all);
    fs.writeFileSync(path.join(workDir, 'node-redis-driver.js'), nodeRedisDriver);
    await runNode(path.join(workDir, 'node-redis-driver.js'), { REDIS_URL: redisServer.url });
    for (const [prefix, base] of Object.entries(nodeRedisFamilies)) expectSpread(await ttlsOf(prefix, 40), base, prefix);
  });

  it('spreads cache-manager and keyv TTLs in milliseconds', async () => {
    const outputs = await applySuggestions(requireTtlJitter, storesModule);
    writeJavaScript(path.join(workDir, 'stores-fixed.js'), outputs.all);
    fs.writeFileSync(path.join(workDir, 'stores-driver.js'), storesDriver);
    const rows = JSON.parse(await runNode(path.join(workDir, 'stores-driver.js'), {})) as Array<Array<number | null>>;
    const bases = [60_000, 120_000, 300_000];
    bases.forEach((base, column) => {
      const values = rows.map((row) => row[column]);
      expect(values.every((value) => value !== null)).toBe(true);
      for (const value of values as number[]) {
        expect(value).toBeGreaterThan(base - 1_000);
        expect(value).toBeLessThan(base * 1.1);
      }
      expect(new Set(values).size).toBeGreaterThan(1);
    });
  });
});
