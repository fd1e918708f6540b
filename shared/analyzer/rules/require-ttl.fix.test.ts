import * as fs from 'node:fs';
import * as path from 'node:path';
import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTtl } from './require-ttl';
import { applySuggestions, makeWorkDir, RedisServer, removeWorkDir, runNode, startRedis, typeCheck, writeJavaScript } from '../testing/fix-harness';

/**
 * Every suggestion of require-ttl must leave code that compiles against the real client libraries,
 * and the fixed code, run against a real Redis, must leave keys with a TTL of the configured
 * seconds plus at most the configured jitter.
 */

const ioredisModule = `import Redis from 'ioredis';

const redis = new Redis(process.env.REDIS_URL!);

interface Product {
  id: string;
  name: string;
}
const catalog: Record<string, Product> = { p1: { id: 'p1', name: 'Desk lamp' } };
const productKey = (id: string) => \`product:\${id}\`;

export async function getProduct(id: string): Promise<Product | null> {
  const cached = await redis.get(productKey(id));
  if (cached) return JSON.parse(cached) as Product;
  const product = catalog[id] ?? null;
  await redis.set(productKey(id), JSON.stringify(product));
  return product;
}

export async function cacheStock(id: string, stock: Record<string, string>) {
  await redis.hset(\`stock:\${id}\`, stock);
}

export async function cacheProductTag(id: string, tag: string) {
  await redis.multi().sadd(\`tag:\${tag}\`, id).exec();
}

export async function warmPriceCache(id: string, prices: Record<string, string>) {
  await redis.pipeline([['hset', \`price:\${id}\`, prices]]).exec();
}

export async function cacheHome(rail: string, banner: string) {
  await redis.mset({ 'home:rail': rail, 'home:banner': banner });
}

export async function cacheFirstVersion(resource: string, version: string): Promise<boolean> {
  return (await redis.set(\`cache:version:\${resource}\`, version, 'NX')) === 'OK';
}

export async function cacheNightlyReport() {
  await redis.setnx('cache:nightly-report', String(process.pid));
}

export async function cacheRecentItem(userId: string, item: string) {
  const key = \`recent:\${userId}\`;
  await redis.lpush(key, item);
}

export async function rawCacheWrite(key: string, value: string) {
  await redis.call('SET', key, value);
}

export const close = () => redis.quit();
`;

const ioredisDriver = `const m = require('./ioredis-all.js');
(async () => {
  await m.getProduct('p1');
  await m.cacheStock('1', { warehouse: '12' });
  await m.cacheProductTag('1', 'new');
  await m.warmPriceCache('1', { eur: '30' });
  await m.cacheHome('rail', 'banner');
  await m.cacheFirstVersion('r1', 'v1');
  await m.cacheNightlyReport();
  await m.cacheRecentItem('u1', 'p1');
  await m.rawCacheWrite('raw:1', 'x');
  await m.close();
})().catch((error) => { console.error(error); process.exit(1); });
`;
const ioredisKeys = ['product:p1', 'stock:1', 'tag:new', 'price:1', 'home:rail', 'home:banner', 'cache:version:r1', 'cache:nightly-report', 'recent:u1', 'raw:1'];

const nodeRedisModule = `import { createClient } from 'redis';

const client = createClient({ url: process.env.REDIS_URL });

export const open = async () => {
  await client.connect();
};

export class CategoryCache {
  async save(slug: string, tree: unknown) {
    await client.set(\`category:\${slug}\`, JSON.stringify(tree));
  }
  async claim(jobId: string) {
    return client.set(\`category:\${jobId}:owner\`, String(process.pid), { NX: true });
  }
  async claimV5(jobId: string) {
    return client.set(\`categoryv5:\${jobId}:owner\`, 'me', { condition: 'NX' });
  }
  async cart(userId: string, items: Record<string, string>) {
    await client.hSet(\`cart:\${userId}\`, items);
  }
  async raw(key: string, value: string) {
    await client.sendCommand(['SET', key, value]);
  }
}

export const close = () => client.close();
`;

const nodeRedisDriver = `const m = require('./node-redis-all.js');
(async () => {
  await m.open();
  const cache = new m.CategoryCache();
  await cache.save('lighting', { children: [] });
  await cache.claim('42');
  await cache.claimV5('42');
  await cache.cart('u1', { p1: '2' });
  await cache.raw('raw:2', 'y');
  await m.close();
})().catch((error) => { console.error(error); process.exit(1); });
`;
const nodeRedisKeys = ['category:lighting', 'category:42:owner', 'categoryv5:42:owner', 'cart:u1', 'raw:2'];

const upstashModule = `import { Redis } from '@upstash/redis';

const redis = Redis.fromEnv();

export async function POST(request: Request) {
  const { slug, html, title } = (await request.json()) as { slug: string; html: string; title: string };
  await redis.set(\`cache:page:\${slug}\`, html);
  await redis.set(\`cache:page:\${slug}:etag\`, 'v1', { nx: true });
  await redis.hset(\`cache:meta:\${slug}\`, { title });
  const pipeline = redis.pipeline();
  pipeline.sadd(\`cache:pages:\${title}\`, slug);
  await pipeline.exec();
  return new Response('ok');
}
`;

const storesModule = `import { createCache } from 'cache-manager';
import Keyv from 'keyv';

const cache = createCache();
const sessions = new Keyv();

export async function rates(currency: string) {
  return cache.wrap(\`rates:\${currency}\`, async () => ({ currency, rate: 1.1 }));
}

export async function putRates(currency: string, table: unknown) {
  await cache.set(\`rates:\${currency}:table\`, table);
}

export async function putMany(a: unknown, b: unknown) {
  await cache.mset([{ key: 'rates:a', value: a }, { key: 'rates:b', value: b }]);
}

export async function remember(token: string, user: object) {
  await sessions.set(\`token:\${token}\`, user);
}

export async function expiries() {
  const keys = ['rates:EUR', 'rates:EUR:table', 'rates:a', 'rates:b'];
  const fromCache = await Promise.all(keys.map((key) => cache.ttl(key)));
  const session = await sessions.getRaw('token:t1');
  return [...fromCache, session?.expires];
}
`;

const storesDriver = `const m = require('./stores-all.js');
(async () => {
  const before = Date.now();
  await m.rates('EUR');
  await m.putRates('EUR', { usd: 1.1 });
  await m.putMany(1, 2);
  await m.remember('t1', { id: 1 });
  const expiries = await m.expiries();
  process.stdout.write(JSON.stringify(expiries.map((at) => (typeof at === 'number' ? at - before : null))));
})().catch((error) => { console.error(error); process.exit(1); });
`;

describe('require-ttl suggestions', () => {
  let workDir: string;
  let redisServer: RedisServer;
  let checker: Redis;

  beforeAll(async () => {
    workDir = makeWorkDir('require-ttl');
    redisServer = await startRedis();
    checker = new Redis(redisServer.port, '127.0.0.1', { lazyConnect: true });
    await checker.connect();
  });

  afterAll(async () => {
    await checker?.quit();
    await redisServer?.stop();
    if (workDir) removeWorkDir(workDir);
  });

  const cases = [
    { name: 'ioredis', code: ioredisModule, findings: 9 },
    { name: 'node-redis', code: nodeRedisModule, findings: 5 },
    { name: 'upstash', code: upstashModule, findings: 4 },
    { name: 'stores', code: storesModule, findings: 4 },
  ];

  it('every suggestion, alone and all together, type-checks against the installed clients', async () => {
    const files: string[] = [];
    for (const testCase of cases) {
      const outputs = await applySuggestions(requireTtl, testCase.code);
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
      // Applying everything leaves nothing to report.
      expect((await applySuggestions(requireTtl, outputs.all)).findings, `${testCase.name} after fixes`).toBe(0);
    }
    const original = path.join(workDir, 'original-ioredis.ts');
    fs.writeFileSync(original, ioredisModule);
    expect(typeCheck([original])).toEqual([]);
    expect(typeCheck(files)).toEqual([]);
  });

  it('gives every fixed ioredis write a TTL of 3600 s plus under 10% jitter', async () => {
    const outputs = await applySuggestions(requireTtl, ioredisModule);
    writeJavaScript(path.join(workDir, 'ioredis-all.js'), outputs.all);
    fs.writeFileSync(path.join(workDir, 'ioredis-driver.js'), ioredisDriver);
    await runNode(path.join(workDir, 'ioredis-driver.js'), { REDIS_URL: redisServer.url });
    for (const key of ioredisKeys) {
      const ttl = await checker.ttl(key);
      expect(ttl, key).toBeGreaterThanOrEqual(3599);
      expect(ttl, key).toBeLessThan(3960);
    }
  });

  it('keeps ioredis writes without the fix free of a TTL (the test can fail)', async () => {
    writeJavaScript(path.join(workDir, 'ioredis-all.js'), ioredisModule);
    await checker.flushall();
    await runNode(path.join(workDir, 'ioredis-driver.js'), { REDIS_URL: redisServer.url });
    expect(await checker.ttl('product:p1')).toBe(-1);
    expect(await checker.ttl('stock:1')).toBe(-1);
  });

  it('gives every fixed node-redis write a TTL, including the v5 expiration spelling and sendCommand', async () => {
    const outputs = await applySuggestions(requireTtl, nodeRedisModule);
    writeJavaScript(path.join(workDir, 'node-redis-all.js'), outputs.all);
    fs.writeFileSync(path.join(workDir, 'node-redis-driver.js'), nodeRedisDriver);
    await runNode(path.join(workDir, 'node-redis-driver.js'), { REDIS_URL: redisServer.url });
    for (const key of nodeRedisKeys) {
      const ttl = await checker.ttl(key);
      expect(ttl, key).toBeGreaterThanOrEqual(3599);
      expect(ttl, key).toBeLessThan(3960);
    }
  });

  it('gives cache-manager and keyv entries a TTL in milliseconds', async () => {
    const outputs = await applySuggestions(requireTtl, storesModule);
    writeJavaScript(path.join(workDir, 'stores-all.js'), outputs.all);
    fs.writeFileSync(path.join(workDir, 'stores-driver.js'), storesDriver);
    const remaining = JSON.parse(await runNode(path.join(workDir, 'stores-driver.js'), {})) as Array<number | null>;
    expect(remaining).toHaveLength(5);
    for (const ms of remaining) {
      expect(ms).not.toBeNull();
      expect(ms!).toBeGreaterThan(3_590_000);
      expect(ms!).toBeLessThan(3_960_000 + 5_000);
    }
  });

  it('uses the configured TTL and jitter', async () => {
    const outputs = await applySuggestions(requireTtl, ioredisModule, { defaultTtlSeconds: 120, jitterRatio: 0.5 });
    writeJavaScript(path.join(workDir, 'ioredis-all.js'), outputs.all);
    await checker.flushall();
    await runNode(path.join(workDir, 'ioredis-driver.js'), { REDIS_URL: redisServer.url });
    const ttls = await Promise.all(ioredisKeys.map((key) => checker.ttl(key)));
    for (const ttl of ttls) {
      expect(ttl).toBeGreaterThanOrEqual(119);
      expect(ttl).toBeLessThan(180);
    }
  });
});
