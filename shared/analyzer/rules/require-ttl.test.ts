import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintCase, runRuleTests } from '../testing/rule-tester';
import { requireTtl } from './require-ttl';

const ioredis = "import Redis from 'ioredis';\nconst redis = new Redis(process.env.REDIS_URL!);\n";
const nodeRedis = "import { createClient } from 'redis';\nconst client = createClient({ url: process.env.REDIS_URL });\n";
const upstash = "import { Redis } from '@upstash/redis';\nconst redis = Redis.fromEnv();\n";
const cacheManager = "import { createCache } from 'cache-manager';\nconst cache = createCache();\n";

const ex = "3600 + Math.floor(Math.random() * 360)";
const ms = "3600000 + Math.floor(Math.random() * 360000)";

/** The text of `code` with `from` replaced by `to` (a suggestion's expected output). */
function edit(code: string, from: string, to: string): string {
  if (!code.includes(from)) throw new Error(`test setup: ${from} not in code`);
  return code.replace(from, to);
}

// --- Invalid cases, written out once so their suggestions can be derived from them. ---

const productCacheAside = `${ioredis}
export async function getProduct(id: string) {
  const key = \`product:\${id}\`;
  const cached = await redis.get(key);
  if (cached) return JSON.parse(cached);
  const product = await db.product.findUnique({ where: { id } });
  await redis.set(key, JSON.stringify(product));
  return product;
}
declare const db: { product: { findUnique(args: unknown): Promise<unknown> } };
`;

const lockWithoutExpiry = `${ioredis}
export async function acquireLock(resource: string, token: string): Promise<boolean> {
  const result = await redis.set(\`lock:\${resource}\`, token, 'NX');
  return result === 'OK';
}
`;

const nodeRedisService = `${nodeRedis}
export class CategoryCache {
  async save(slug: string, tree: unknown) {
    await client.set(\`category:\${slug}\`, JSON.stringify(tree));
  }
  async claim(jobId: string) {
    return client.set(\`category:\${jobId}:owner\`, process.pid.toString(), { NX: true });
  }
  async claimV5(jobId: string) {
    return client.set(\`category:\${jobId}:owner\`, 'me', { condition: 'NX' });
  }
}
`;

const upstashRoute = `${upstash}
export async function POST(request: Request) {
  const { slug, html } = (await request.json()) as { slug: string; html: string };
  await redis.set(\`cache:page:\${slug}\`, html);
  await redis.set(\`cache:page:\${slug}:etag\`, 'v1', { nx: true });
  return new Response('ok');
}
`;

const hashWithoutExpire = `${ioredis}
export async function cacheUserProfile(userId: string, profile: Record<string, string>) {
  const key = \`user:\${userId}:profile\`;
  await redis.hset(key, profile);
}
`;

const multiChain = `${ioredis}
export async function cacheProductTag(productId: string, tag: string) {
  await redis.multi().sadd(\`tag:\${tag}:products\`, productId).exec();
}
`;

const pipelineArray = `${ioredis}
export async function warmStockCache(id: string, fields: Record<string, string>) {
  await redis.pipeline([['hset', \`stock:\${id}\`, fields], ['get', 'x']]).exec();
}
`;

const msetObject = `${ioredis}
export async function cacheHome(rail: string, banner: string) {
  await redis.mset({ 'home:rail': rail, 'home:banner': banner });
}
`;

const setnxLock = `${ioredis}
export async function runNightly(job: () => Promise<void>) {
  await redis.setnx('lock:nightly-report', String(process.pid));
  await job();
}
`;

const callSpellings = `${ioredis}
export async function rawCacheWrite(key: string, value: string) {
  await redis.call('SET', key, value);
}
`;

const sendCommandSpelling = `${nodeRedis}
export async function rawCacheWrite(key: string, value: string) {
  await client.sendCommand(['SET', key, value]);
}
`;

const cacheManagerWrites = `${cacheManager}
export async function getRates(currency: string) {
  return cache.wrap(\`rates:\${currency}\`, async () => fetchRates(currency));
}
export async function putRates(currency: string, rates: unknown) {
  await cache.set(\`rates:\${currency}\`, rates);
}
export async function putMany(a: unknown, b: unknown) {
  await cache.mset([{ key: 'rates:a', value: a, ttl: 60_000 }, { key: 'rates:b', value: b }]);
}
declare function fetchRates(currency: string): Promise<unknown>;
`;

const nestService = `import { Inject, Injectable } from '@nestjs/common';
import { CACHE_MANAGER } from '@nestjs/cache-manager';
import type { Cache } from 'cache-manager';

@Injectable()
export class ArticlesService {
  constructor(@Inject(CACHE_MANAGER) private readonly cacheManager: Cache) {}

  async findOne(slug: string) {
    const cacheKey = \`article:\${slug}\`;
    const cached = await this.cacheManager.get(cacheKey);
    if (cached) return cached;
    const article = { slug };
    await this.cacheManager.set(cacheKey, article);
    return article;
  }
}
`;

const keyvStore = `import Keyv from 'keyv';
const sessions = new Keyv({ namespace: 'sessions' });
export async function remember(token: string, user: unknown) {
  await sessions.set(\`token:\${token}\`, user);
}
`;

const cacheManagerV4 = `import { caching } from 'cache-manager';
const memory = caching({ store: 'memory', max: 100 } as never) as any;
import type { Cache } from 'cache-manager';
declare const cache: Cache;
export async function a(k: string, v: unknown) {
  await cache.set(k, v, { ttl: 30 } as never);
}
export async function b(k: string, v: unknown) {
  await cache.set(\`menu:\${k}\`, v);
}
`;

runRuleTests(requireTtl, {
  valid: [
    // ioredis positional expiries in every case and order.
    `${ioredis}export const cachePut = (key: string, v: string) => redis.set(key, v, 'EX', 60);`,
    `${ioredis}export const cachePut = (key: string, v: string) => redis.set(key, v, 'ex', 60);`,
    `${ioredis}export const cachePut = (key: string, v: string) => redis.set(key, v, 'PX', 1500);`,
    `${ioredis}export const cachePut = (key: string, v: string) => redis.set(key, v, 'EXAT', Math.floor(Date.now() / 1000) + 60);`,
    `${ioredis}export const cachePut = (key: string, v: string) => redis.set(key, v, 'KEEPTTL');`,
    `${ioredis}export const lockCached = (key: string, token: string) => redis.set(key, token, 'NX', 'PX', 30000);`,
    `${ioredis}export const lockCached = (key: string, token: string) => redis.set(key, token, 'PX', 30000, 'NX');`,
    `${ioredis}export const swapCached = (key: string, v: string) => redis.set(key, v, 'GET', 'EX', 60);`,
    `${ioredis}export const cachePut = (key: string, v: string) => redis.set(key, v, 'EX', 60, (err) => console.error(err));`,
    `${ioredis}export const cachePut = (key: string, v: string) => redis.setex(key, 60, v);`,
    `${ioredis}export const cachePut = (key: string, v: string) => redis.psetex(key, 60_000, v);`,
    `${ioredis}export const cachePut = (key: string, v: string) => redis.call('SET', key, v, 'EX', 60);`,
    `${ioredis}export const cachePut = (key: string, v: string) => redis.pipeline([['set', key, v, 'EX', 60]]).exec();`,
    `${ioredis}const LOCK_MODE = 'PX';\nexport const cacheOnce = (key: string) => redis.set(key, '1', LOCK_MODE, 30_000, 'NX');`,
    // node-redis options objects, v4 and v5.
    `${nodeRedis}export const cachePut = (key: string, v: string) => client.set(key, v, { EX: 60 });`,
    `${nodeRedis}export const cachePut = (key: string, v: string) => client.set(key, v, { PX: 60_000, NX: true });`,
    `${nodeRedis}export const cachePut = (key: string, v: string) => client.set(key, v, { KEEPTTL: true });`,
    `${nodeRedis}export const cachePut = (key: string, v: string) => client.set(key, v, { expiration: { type: 'EX', value: 60 } });`,
    `${nodeRedis}export const cachePut = (key: string, v: string) => client.set(key, v, { expiration: 'KEEPTTL', condition: 'XX' });`,
    `${nodeRedis}export const cachePut = (key: string, v: string) => client.setEx(key, 60, v);`,
    `${nodeRedis}export const cachePut = (key: string, v: string) => client.pSetEx(key, 60_000, v);`,
    `${nodeRedis}export const cachePut = (key: string, v: string) => client.sendCommand(['SET', key, v, 'EX', '60']);`,
    `${nodeRedis}const LOCK_OPTIONS = { NX: true, PX: 30_000 } as const;\nexport const cacheOnce = (key: string) => client.set(key, '1', LOCK_OPTIONS);`,
    // upstash options.
    `${upstash}export const cachePut = (key: string, v: string) => redis.set(key, v, { ex: 60 });`,
    `${upstash}export const cachePut = (key: string, v: string) => redis.set(key, v, { px: 1000, nx: true });`,
    `${upstash}export const cachePut = (key: string, v: string) => redis.set(key, v, { exat: Math.floor(Date.now() / 1000) + 60 });`,
    `${upstash}export const cachePut = (key: string, v: string) => redis.set(key, v, { keepTtl: true });`,
    `${upstash}export const cachePut = (key: string, v: string) => redis.setex(key, 60, v);`,
    // Options the analyzer cannot read are assumed to carry the expiry.
    `${nodeRedis}export class CacheService {\n  async set(key: string, value: unknown, options?: { EX?: number }) {\n    return client.set(key, JSON.stringify(value), options);\n  }\n}`,
    `${ioredis}export const cachePut = (key: string, v: string, ...args: ['EX', number]) => redis.set(key, v, ...args);`,
    `${nodeRedis}export const cachePut = (key: string, v: string, ttl?: number) => client.set(key, v, ttl ? { EX: ttl } : undefined);`,
    `${nodeRedis}export const cachePut = (key: string, v: string, ttl: number) => client.set(key, v, { ...defaults, EX: ttl });\ndeclare const defaults: object;`,
    {
      name: 'set then expire of the same key (DEFRA-style cache module)',
      code: `${ioredis}const cacheConfig = { ttl: Number(process.env.CACHE_TTL) };\nexport const set = async (cache: string, key: string, value: unknown) => {\n  const fullKey = \`\${cache}:\${key}\`;\n  await redis.set(fullKey, JSON.stringify(value));\n  await redis.expire(fullKey, cacheConfig.ttl);\n};`,
    },
    {
      name: 'hset then expire; sadd in a pipeline loop with expire in another loop; expireat',
      code: `${ioredis}
const productKey = (id: string) => \`product:\${id}\`;
export async function cacheProduct(id: string, fields: Record<string, string>) {
  await redis.hset(productKey(id), fields);
  await redis.expire(productKey(id), 600);
}
export async function indexCategory(category: string, ids: string[]) {
  const pipeline = redis.pipeline();
  ids.forEach((id) => pipeline.sadd(\`category:\${category}\`, id));
  pipeline.expire(\`category:\${category}\`, 600);
  await pipeline.exec();
}
export async function feed(userId: string, item: string, midnight: number) {
  await redis.lpush(\`feed:\${userId}\`, item);
  await redis.expireat(\`feed:\${userId}\`, midnight);
}`,
    },
    {
      name: 'same key family: a key helper and the template it returns',
      code: `${ioredis}
import { productKey } from './keys';
export async function save(id: string, fields: Record<string, string>) {
  await redis.hset(productKey(id), fields);
  await redis.pexpire(\`product:\${id}\`, 600_000);
}`,
      files: { 'src/keys.ts': "export const productKey = (id: string) => `product:${id}`;\n" },
    },
    {
      name: 'multi chain with expire; node-redis multi; ioredis pipeline array with expire entry',
      code: `${ioredis}
export const tag = (t: string, id: string) => redis.multi().sadd(\`tag:\${t}\`, id).expire(\`tag:\${t}\`, 300).exec();
export const stock = (id: string, f: Record<string, string>) =>
  redis.pipeline([['hset', \`stock:\${id}\`, f], ['expire', \`stock:\${id}\`, 60]]).exec();
`,
    },
    {
      name: 'node-redis multi with hSet and expire',
      code: `${nodeRedis}export const save = (id: string, f: Record<string, string>) => client.multi().hSet(\`cart:\${id}\`, f).expire(\`cart:\${id}\`, 1800).exec();`,
    },
    {
      name: 'counters and rate limits are not cache writes',
      code: `${ioredis}
export async function hit(ip: string) {
  const key = \`rate:\${ip}\`;
  const count = await redis.incr(key);
  if (count === 1) await redis.expire(key, 60);
  await redis.hincrby('stats:daily', 'hits', 1);
  return count;
}`,
    },
    {
      name: 'a list popped elsewhere is a work queue',
      code: `${ioredis}export async function enqueue(job: object) {\n  await redis.lpush('jobs:email', JSON.stringify(job));\n}`,
      files: {
        'src/worker.ts': "import Redis from 'ioredis';\nconst redis = new Redis();\nexport async function work() {\n  const [, job] = (await redis.brpop('jobs:email', 0))!;\n  return job;\n}\n",
      },
    },
    {
      name: 'a per-entity list consumed with lpop or lmove is a queue',
      code: `${ioredis}
export async function push(tenant: string, event: string) {
  await redis.rpush(\`events:\${tenant}\`, event);
  await redis.lpush(\`outbox:\${tenant}\`, event);
}
export async function drain(tenant: string) {
  return redis.lpop(\`events:\${tenant}\`);
}
export async function claim(tenant: string) {
  return redis.lmove(\`outbox:\${tenant}\`, \`outbox:\${tenant}:processing\`, 'RIGHT', 'LEFT');
}`,
    },
    {
      name: 'fixed-name data structures declared as data',
      code: `${ioredis}
export async function score(user: string, points: number) {
  await redis.zadd('leaderboard', points, user);
  await redis.sadd('online-users', user);
}`,
      options: { ignoreKeys: ['leaderboard', 'online-users'] },
    },
    {
      name: 'ignoreKeys: sessions and queues are data',
      code: `${ioredis}
export async function login(sessionId: string, user: object) {
  await redis.set(\`session:\${sessionId}\`, JSON.stringify(user));
  await redis.hset(\`queue:\${sessionId}\`, { state: 'new' });
  await redis.set('config/feature-flags/v2', '{}');
}`,
      options: { ignoreKeys: ['session:*', 'queue:*', 'config:*', 'config/*'] },
    },
    // cache-manager and keyv: TTL argument present, explicit "forever", or a store default TTL.
    `${cacheManager}export const cachePut = (k: string, v: unknown) => cache.set(k, v, 60_000);`,
    `${cacheManager}export const cachePut = (k: string, v: unknown) => cache.wrap(k, async () => v, 60_000);`,
    `${cacheManager}export const cachePut = (k: string, v: unknown) => cache.wrap(k, async () => v, { ttl: 60_000, refreshThreshold: 5_000 } as never);`,
    `${cacheManager}export const cachePut = (k: string, v: unknown) => cache.set(k, v, 0);`,
    `${cacheManager}export const cachePut = (a: unknown) => cache.mset([{ key: 'a', value: a, ttl: 1000 }]);`,
    `import { createCache } from 'cache-manager';\nconst cache = createCache({ ttl: 60_000 });\nexport const cachePut = (k: string, v: unknown) => cache.set(k, v);`,
    `import Keyv from 'keyv';\nconst keyv = new Keyv({ ttl: 5_000 });\nexport const cachePut = (k: string, v: unknown) => keyv.set(k, v);`,
    `import Keyv from 'keyv';\nconst keyv = new Keyv();\nexport const cachePut = (k: string, v: unknown) => keyv.set(k, v, 5_000);`,
    {
      name: 'NestJS cache with a module-level default TTL',
      code: nestService,
      files: {
        'src/app.module.ts':
          "import { Module } from '@nestjs/common';\nimport { CacheModule } from '@nestjs/cache-manager';\n@Module({ imports: [CacheModule.register({ ttl: 60_000, isGlobal: true })] })\nexport class AppModule {}\n",
      },
    },
    {
      name: 'mset of run-time keys followed by expires in a loop',
      code: `${ioredis}
export async function cacheRates(rates: Map<string, string>) {
  const pipeline = redis.pipeline().mset(rates);
  for (const key of rates.keys()) pipeline.expire(key, 3600);
  await pipeline.exec();
}`,
    },
    {
      name: 'a NestJS RedisService forwarding commands leaves expire to its callers',
      code: `import { Injectable } from '@nestjs/common';
import Redis from 'ioredis';
@Injectable()
export class RedisService {
  private readonly client = new Redis(process.env.REDIS_URL!);
  hset(key: string, data: Record<string, string>) {
    return this.client.hset(key, data);
  }
  async sadd(key: string, ...members: string[]) {
    return this.client.sadd(key, ...members);
  }
  setnx = (key: string, value: string) => this.client.setnx(key, value);
  expire(key: string, seconds: number) {
    return this.client.expire(key, seconds);
  }
}`,
    },
    {
      name: 'a store nested in createCache options carries the default TTL',
      code: "import { createCache } from 'cache-manager';\nimport Keyv from 'keyv';\nconst cache = createCache({ stores: [new Keyv({ ttl: 60_000 })] });\nexport const cachePut = (k: string, v: unknown) => cache.set(k, v);",
    },
    {
      name: 'NestJS 9 and older: CACHE_MANAGER from @nestjs/common has a 5 s default',
      code: "import { CACHE_MANAGER, Inject, Injectable } from '@nestjs/common';\nimport type { Cache } from 'cache-manager';\n@Injectable()\nexport class MenuService {\n  constructor(@Inject(CACHE_MANAGER) private cache: Cache) {}\n  save(menu: object) {\n    return this.cache.set('menu', menu);\n  }\n}",
    },
    `import type { Cache } from 'cache-manager';\ndeclare const cache: Cache;\nexport const forever = (k: string, v: unknown) => cache.set(k, v, { ttl: 0 } as never);`,
    {
      name: 'a wrapper that leaves the TTL to its callers',
      code: `${ioredis}
export class RedisCache {
  async set(key: string, value: unknown, ttlSeconds?: number) {
    const payload = JSON.stringify(value);
    if (ttlSeconds) {
      await redis.set(key, payload, 'EX', ttlSeconds);
    } else {
      await redis.set(key, payload);
    }
  }
}`,
    },
    // Redis as a data store: without evidence of a cache (names, read-through, a fill) nothing is reported.
    {
      name: 'locks are not cache writes (a lock without expiry is a deadlock, not stale data)',
      code: lockWithoutExpiry,
    },
    { name: 'a setnx lock around a nightly job', code: setnxLock },
    {
      name: 'a job index in sorted sets and a set of cancelled job ids',
      code: `${ioredis}
export class JobListIndexService {
  async indexJob(queueName: string, state: string, jobId: string, timestamp: number) {
    const targetKey = \`\${queueName}:index:\${state}\`;
    await redis.zadd(targetKey, timestamp, jobId);
  }
  async cancel(jobId: string) {
    await redis.publish('cancel-job', jobId);
    await redis.sadd('app:cancelled-jobs', jobId);
  }
}`,
    },
    {
      name: 'a job buffer and an event-bus staging list',
      code: `${ioredis}
export class RedisJobBufferStorage {
  async add(bufferId: string, job: object) {
    await redis.lpush(\`job-buffer:\${bufferId}\`, JSON.stringify(job));
  }
}
export async function stageEvents(groupId: string, events: object[]) {
  await redis.rpush(\`staging:\${groupId}\`, ...events.map((event) => JSON.stringify(event)));
}`,
    },
    {
      name: 'presence: who is editing a document',
      code: `${ioredis}
export async function onConnect(documentId: string, userId: string) {
  await redis.sadd(\`collaborators:\${documentId}\`, userId);
}`,
    },
    {
      name: 'import bookkeeping: a stored API token, done flags, counters, failed rows',
      code: `${upstash}
export async function saveImportToken(workspaceId: string, token: string) {
  await redis.set(\`import:shortener:\${workspaceId}\`, token);
}
export async function startCsvImport(workspaceId: string, id: string) {
  const prefix = \`import:csv:\${workspaceId}:\${id}\`;
  await Promise.all([redis.set(\`\${prefix}:created\`, '0'), redis.set(\`\${prefix}:processed\`, '0')]);
}
export async function recordFailures(prefix: string, rows: string[]) {
  await redis.rpush(\`\${prefix}:failed\`, ...rows);
}`,
    },
    {
      name: 'a set rebuilt through a temporary key and renamed into place',
      code: `${upstash}
const LIVE_KEY = 'webhookWorkspaces';
const TMP_KEY = 'webhookWorkspaces:tmp';
export async function syncWorkspaces(ids: [string, ...string[]]) {
  await redis.del(TMP_KEY);
  await redis.sadd(TMP_KEY, ...ids);
  await redis.rename(TMP_KEY, LIVE_KEY);
}`,
    },
    {
      name: 'a cron route storing rates it fetched: the job owns the key',
      filename: 'app/api/cron/fx-rates/route.ts',
      code: `${upstash}
export async function GET() {
  const response = await fetch('https://rates.example.com/latest?base=USD');
  const { rates } = (await response.json()) as { rates: Record<string, number> };
  await redis.hset('fxRates:usd', rates);
  return new Response('ok');
}`,
    },
    {
      name: 'a notice the checker deletes and writes again on every run',
      code: `${ioredis}
const UPDATES_KEY = 'updates:latest';
export async function checkForUpdates() {
  await redis.del(UPDATES_KEY);
  const response = await fetch('https://updates.example.com/check', { method: 'POST' });
  const data = (await response.json()) as { severity?: string; message?: string };
  if (data.severity) await redis.set(UPDATES_KEY, JSON.stringify(data));
}`,
    },
    {
      name: 'get-or-create: the key maps a thread to the conversation created on a miss',
      code: `${upstash}
export async function forward(appId: string, partnerId: string, text: string) {
  const key = \`support:thread:\${appId}:\${partnerId}\`;
  let conversationId = await redis.get<string>(key);
  if (!conversationId) {
    const conversation = await helpdesk.createConversation({ text });
    conversationId = conversation.id;
    await redis.set(key, conversationId);
  }
  return conversationId;
}
declare const helpdesk: { createConversation(args: object): Promise<{ id: string }> };`,
    },
    {
      name: 'membership sets and per-shopper history with no sign of a cache',
      code: `${ioredis}
export class InstalledWorkspaces {
  async add(workspaceId: string) {
    return redis.sadd('installedWorkspaces', workspaceId);
  }
}
export async function recordView(userId: string, productId: string) {
  await redis.pipeline().lpush(\`viewed:\${userId}\`, productId).ltrim(\`viewed:\${userId}\`, 0, 19).exec();
}
export async function addToHistory(key: string, item: string) {
  await redis.rpush(key, item);
}`,
    },
    {
      name: 'a migration marker set named "cache" by its author is still migration bookkeeping',
      code: `${ioredis}
const CACHE_KEY = 'framerMigratedEventNames';
export async function backfill(pairs: string[]) {
  await redis.sadd(CACHE_KEY, ...pairs);
}`,
    },
    {
      name: 'a flag endpoint checks the listing exists, then records who flagged it: data, not a copy of the row',
      code: `${upstash}
export async function flagListing(listingId: string, visitorId: string, reason: number) {
  const listing = await prisma.listing.findUnique({ where: { id: listingId }, select: { id: true } });
  if (!listing) throw new Error('unknown listing');
  const flagsKey = \`flags:listing_\${listingId}\`;
  if (await redis.sismember(flagsKey, visitorId)) return false;
  await Promise.all([
    redis.sadd(flagsKey, visitorId),
    redis.hset(\`flags:listing_\${listingId}:reasons\`, { [visitorId]: reason }),
  ]);
  return true;
}
declare const prisma: { listing: { findUnique(args: object): Promise<{ id: string } | null> } };`,
    },
    {
      name: 'a tag version bumped by read-modify-write in a keyv store: expiring it would reset the version',
      code: `import Keyv from 'keyv';
export class TagVersions {
  private readonly store = new Keyv({ namespace: 'page-cache' });
  async bump(tag: string): Promise<void> {
    const current = ((await this.store.get(\`tag:\${tag}\`)) as number | undefined) ?? 0;
    await this.store.set(\`tag:\${tag}\`, current + 1);
  }
}`,
    },
    {
      name: 'a visit total kept by get-then-set with an increment',
      code: `${ioredis}
export async function countVisit(pageId: string) {
  const visits = Number(await redis.get(\`visits:\${pageId}\`));
  await redis.set(\`visits:\${pageId}\`, visits + 1);
}`,
    },
    {
      name: 'a webhook response remembered by delivery id after updating other rows: a replay guard, not a copy of them',
      code: `${upstash}
export async function recordPayment(shopId: string, deliveryId: string, amount: number) {
  await prisma.customer.update({ where: { shopId }, data: { spent: { increment: amount } } });
  const receipt = { shopId, amount, at: Date.now() };
  await redis.set(\`payments:\${shopId}:delivery:\${deliveryId}\`, receipt);
  return receipt;
}
declare const prisma: { customer: { update(args: object): Promise<unknown> } };`,
    },
    // Look-alikes: not cache clients.
    'const seen = new Map<string, number>();\nseen.set("a", 1);',
    "const cache = new Map<string, string>();\nexport function remember(k: string, v: string) { cache.set(k, v); }",
    "class Lru { set(k: string, v: unknown) { return [k, v]; } }\nconst redis = new Lru();\nredis.set('k', 1);",
    'localStorage.setItem("k", "v");\nsessionStorage.setItem("k", "v");',
    `${ioredis}export function f(redis: { set(k: string, v: string): void; hset(k: string, v: object): void }) {\n  redis.set('a', 'b');\n  redis.hset('user:1', {});\n}`,
    `${ioredis}export const get = (key: string) => redis.get(key);\nexport const del = (key: string) => redis.del(key);`,
  ],
  invalid: [
    {
      name: 'ioredis cache-aside without an expiry',
      code: productCacheAside,
      errors: [
        {
          messageId: 'noExpiry',
          line: 9,
          column: 15,
          endColumn: 18,
          suggestions: [edit(productCacheAside, 'JSON.stringify(product))', `JSON.stringify(product), 'EX', ${ex})`)],
        },
      ],
    },
    {
      name: 'node-redis: plain set, NX option object, v5 condition',
      code: nodeRedisService,
      errors: [
        { messageId: 'noExpiry', line: 6, column: 18, suggestions: [edit(nodeRedisService, 'JSON.stringify(tree))', `JSON.stringify(tree), { EX: ${ex} })`)] },
        { messageId: 'noExpiry', line: 9, column: 19, suggestions: [edit(nodeRedisService, '{ NX: true }', `{ EX: ${ex}, NX: true }`)] },
        {
          messageId: 'noExpiry',
          line: 12,
          column: 19,
          suggestions: [edit(nodeRedisService, "{ condition: 'NX' }", `{ expiration: { type: 'EX', value: ${ex} }, condition: 'NX' }`)],
        },
      ],
    },
    {
      name: 'upstash in a Next.js route handler',
      code: upstashRoute,
      errors: [
        { messageId: 'noExpiry', line: 6, column: 15, suggestions: [edit(upstashRoute, 'html);', `html, { ex: ${ex} });`)] },
        { messageId: 'noExpiry', line: 7, column: 15, suggestions: [edit(upstashRoute, '{ nx: true }', `{ ex: ${ex}, nx: true }`)] },
      ],
    },
    {
      name: 'hset with no expire: a following expire statement is suggested',
      code: hashWithoutExpire,
      errors: [
        {
          messageId: 'noExpiryCollection',
          line: 6,
          column: 15,
          suggestions: [edit(hashWithoutExpire, 'await redis.hset(key, profile);', `await redis.hset(key, profile);\n  await redis.expire(key, ${ex});`)],
        },
      ],
    },
    {
      name: 'multi chain: expire chained after the write',
      code: multiChain,
      errors: [
        {
          messageId: 'noExpiryCollection',
          line: 5,
          column: 23,
          suggestions: [edit(multiChain, '.sadd(`tag:${tag}:products`, productId)', `.sadd(\`tag:\${tag}:products\`, productId).expire(\`tag:\${tag}:products\`, ${ex})`)],
        },
      ],
    },
    {
      name: 'ioredis pipeline array: an expire entry is added',
      code: pipelineArray,
      errors: [
        {
          messageId: 'noExpiryCollection',
          line: 5,
          column: 26,
          suggestions: [edit(pipelineArray, '`stock:${id}`, fields]', `\`stock:\${id}\`, fields], ['expire', \`stock:\${id}\`, ${ex}]`)],
        },
      ],
    },
    {
      name: 'mset: one expire per key',
      code: msetObject,
      errors: [
        {
          messageId: 'noExpiry',
          line: 5,
          column: 15,
          suggestions: [
            edit(
              msetObject,
              '});\n}',
              `});\n  await redis.expire('home:rail', ${ex});\n  await redis.expire('home:banner', ${ex});\n}`,
            ),
          ],
        },
      ],
    },
    {
      name: 'redis.call spelling',
      code: callSpellings,
      errors: [{ messageId: 'noExpiry', line: 5, column: 20, suggestions: [edit(callSpellings, 'key, value)', `key, value, 'EX', ${ex})`)] }],
    },
    {
      name: 'sendCommand spelling takes string arguments',
      code: sendCommandSpelling,
      errors: [{ messageId: 'noExpiry', line: 5, column: 29, suggestions: [edit(sendCommandSpelling, 'key, value]', `key, value, 'EX', String(${ex})]`)] }],
    },
    {
      name: 'cache-manager wrap, set and mset without TTL on a store without default',
      code: cacheManagerWrites,
      errors: [
        { messageId: 'noStoreTtl', line: 5, column: 16, suggestions: [edit(cacheManagerWrites, 'fetchRates(currency));', `fetchRates(currency), ${ms});`)] },
        { messageId: 'noStoreTtl', line: 8, column: 15, suggestions: [edit(cacheManagerWrites, 'rates);', `rates, ${ms});`)] },
        { messageId: 'noStoreTtl', line: 11, column: 15, suggestions: [edit(cacheManagerWrites, "value: b }", `value: b, ttl: ${ms} }`)] },
      ],
    },
    {
      name: 'NestJS CACHE_MANAGER without a CacheModule ttl',
      code: nestService,
      errors: [{ messageId: 'noStoreTtl', line: 14, column: 29, suggestions: [edit(nestService, 'set(cacheKey, article)', `set(cacheKey, article, ${ms})`)] }],
    },
    {
      name: 'keyv without a default ttl',
      code: keyvStore,
      errors: [{ messageId: 'noStoreTtl', line: 4, column: 18, suggestions: [edit(keyvStore, 'user);', `user, ${ms});`)] }],
    },
    {
      name: 'cache-manager 4 files keep the { ttl } seconds spelling',
      code: cacheManagerV4,
      errors: [{ messageId: 'noStoreTtl', line: 9, column: 15, suggestions: [edit(cacheManagerV4, '`menu:${k}`, v)', `\`menu:\${k}\`, v, { ttl: ${ex} })`)] }],
    },
    {
      name: 'an expire of another key, or in another route handler, does not count',
      code: `${ioredis}
import express from 'express';
const app = express();
app.post('/products/:id', async (req, res) => {
  await redis.set(\`cache:product:\${req.params.id}\`, JSON.stringify(req.body));
  await redis.expire(\`cache:product:\${req.params.id}:views\`, 60);
  res.sendStatus(204);
});
app.get('/touch/:key', async (req, res) => {
  await redis.expire(req.params.key, 60);
  res.sendStatus(204);
});
app.post('/put/:key', async (req, res) => {
  await redis.set(\`cache:\${req.params.key}\`, 'x');
  res.sendStatus(204);
});`,
      errors: [
        { messageId: 'noExpiry', line: 7, column: 15 },
        { messageId: 'noExpiry', line: 16, column: 15 },
      ],
    },
    {
      name: 'GET without EX, and an unbraced if: no statement can be inserted for hset',
      code: `${ioredis}
export async function swapCached(key: string, fresh: string, id: string, f: Record<string, string>) {
  const old = await redis.set(key, fresh, 'GET');
  if (old === null) await redis.hset(\`user:\${id}\`, f);
  return old;
}`,
      errors: [
        { messageId: 'noExpiry', line: 5, column: 27, suggestions: [`${ioredis}
export async function swapCached(key: string, fresh: string, id: string, f: Record<string, string>) {
  const old = await redis.set(key, fresh, 'EX', ${ex}, 'GET');
  if (old === null) await redis.hset(\`user:\${id}\`, f);
  return old;
}`] },
        { messageId: 'noExpiryCollection', line: 6, column: 33, suggestions: [] },
      ],
    },
    {
      name: 'write-through: the branding saved to the database is copied to Redis with no expiry',
      code: `${upstash}
export async function saveBranding(teamId: string, body: { logoUrl?: string; accent?: string }) {
  const { logoUrl, accent } = body;
  const branding = await prisma.branding.upsert({
    where: { teamId },
    create: { teamId, logoUrl, accent },
    update: { logoUrl, accent },
  });
  if (logoUrl) await redis.set(\`branding:logo:\${teamId}\`, logoUrl);
  return branding;
}
declare const prisma: { branding: { upsert(args: object): Promise<unknown> } };`,
      errors: [{ messageId: 'noExpiry', line: 11, column: 28 }],
    },
    {
      name: 'write-through in the PUT branch of a handler whose POST branch creates the row',
      code: `${upstash}
export default async function brandingHandler(req: { method: string; query: { teamId: string }; body: { logoUrl?: string } }) {
  const { teamId } = req.query;
  const { logoUrl } = req.body;
  if (req.method === 'POST') {
    const created = await prisma.branding.create({ data: { teamId, logoUrl } });
    return created;
  } else if (req.method === 'PUT') {
    const updated = await prisma.branding.update({ where: { teamId }, data: { logoUrl } });
    if (logoUrl) await redis.set(\`branding:logo:\${teamId}\`, logoUrl);
    return updated;
  }
}
declare const prisma: { branding: { create(args: object): Promise<unknown>; update(args: object): Promise<unknown> } };`,
      errors: [{ messageId: 'noExpiry', line: 12, column: 30 }],
    },
    {
      name: 'rows loaded from the database and gathered into a map before the write',
      code: `${ioredis}
export async function warmPrices(storeId: string) {
  const rows = await prisma.price.findMany({ where: { storeId } });
  const byProduct: Record<string, number> = {};
  for (const row of rows) byProduct[row.productId] = row.amount;
  await redis.set(\`prices:\${storeId}\`, JSON.stringify(byProduct));
}
declare const prisma: { price: { findMany(args: object): Promise<Array<{ productId: string; amount: number }>> } };`,
      errors: [{ messageId: 'noExpiry', line: 8, column: 15 }],
    },
    {
      name: 'a constant key that says it is a cache; a per-entity list filled from the database',
      code: `${ioredis}
export async function storeCategories(tree: Record<string, string>) {
  await redis.hset('cache:categories', tree);
}
export async function loadHistory(userId: string) {
  const pages = await prisma.pageView.findMany({ where: { userId } });
  await redis.rpush(\`history:\${userId}\`, ...pages.map((page) => page.path));
}
declare const prisma: { pageView: { findMany(args: object): Promise<Array<{ path: string }>> } };`,
      errors: [
        { messageId: 'noExpiryCollection', line: 5, column: 15 },
        { messageId: 'noExpiryCollection', line: 9, column: 15 },
      ],
    },
    {
      name: 'a capped per-shopper list still leaks one key per shopper; a global sorted set grows forever',
      code: `${ioredis}
const ACTIVE_SHOPPERS_KEY = 'shoppers:active';
export async function cacheRecentlyViewed(userId: string, productId: string) {
  await redis.pipeline().lpush(\`viewed:\${userId}\`, productId).ltrim(\`viewed:\${userId}\`, 0, 19).exec();
}
export async function touchShopperCache(userId: string) {
  await redis.zadd(ACTIVE_SHOPPERS_KEY, Date.now(), userId);
}`,
      errors: [
        { messageId: 'noExpiryCollection', line: 6, column: 26 },
        { messageId: 'noExpiryCollection', line: 9, column: 15 },
      ],
    },
    {
      name: 'mset of keys built at run time, with no expire anywhere in the function',
      code: `${ioredis}
export async function cacheRates(rates: Map<string, string>) {
  await redis.mset(rates);
}`,
      errors: [{ messageId: 'noExpiryComputedKeys', line: 5, column: 15, suggestions: [] }],
    },
    {
      name: 'a helper named after something else is not a pass-through; a parameter key in another file is not a popped queue',
      code: `${ioredis}
export async function appendToFeedCache(key: string, item: string) {
  await redis.rpush(key, item);
}`,
      files: {
        'src/worker.ts': "import Redis from 'ioredis';\nconst redis = new Redis();\nexport const next = (key: string) => redis.lpop(key);\n",
      },
      errors: [{ messageId: 'noExpiryCollection', line: 5, column: 15 }],
    },
    {
      name: 'options: TTL without jitter, and ignoreKeys that do not match',
      code: `${ioredis}export async function cacheProduct(id: string, v: string) {\n  await redis.set(\`product:\${id}\`, v);\n}`,
      options: { defaultTtlSeconds: 300, jitterRatio: 0, ignoreKeys: ['session:*'] },
      errors: [
        {
          messageId: 'noExpiry',
          line: 4,
          column: 15,
          suggestions: [`${ioredis}export async function cacheProduct(id: string, v: string) {\n  await redis.set(\`product:\${id}\`, v, 'EX', 300);\n}`],
        },
      ],
    },
    {
      name: 'client and key helper imported from project modules',
      code: "import { redis } from './lib/redis';\nimport { cartKey } from './lib/keys';\nexport async function cacheCart(userId: string, cart: object) {\n  await redis.set(cartKey(userId), JSON.stringify(cart));\n}\n",
      files: {
        'src/lib/redis.ts': "import Redis from 'ioredis';\nexport const redis = new Redis(process.env.REDIS_URL!);\n",
        'src/lib/keys.ts': 'export const cartKey = (userId: string) => `cart:${userId}`;\n',
      },
      options: { ignoreKeys: ['session:*'] },
      errors: [{ messageId: 'noExpiry', line: 4, column: 15 }],
    },
    {
      name: 'JavaScript, unawaited fire-and-forget write (no semicolons)',
      filename: 'src/cache.js',
      code: "const Redis = require('ioredis')\nconst redis = new Redis()\nfunction setCache(key, data) {\n  redis.hset(key, 'data', JSON.stringify(data))\n}\nmodule.exports = { setCache }\n",
      errors: [
        {
          messageId: 'noExpiryCollection',
          line: 4,
          column: 9,
          suggestions: [`const Redis = require('ioredis')\nconst redis = new Redis()\nfunction setCache(key, data) {\n  redis.hset(key, 'data', JSON.stringify(data))\n  redis.expire(key, ${ex})\n}\nmodule.exports = { setCache }\n`],
        },
      ],
    },
  ],
});

describe('require-ttl docs examples', () => {
  const doc = fs.readFileSync(path.resolve(__dirname, '../../../docs/rules/require-ttl.md'), 'utf8');
  const block = (from: string, to: string) => /```ts\n([\s\S]+?)```/.exec(doc.slice(doc.indexOf(from), doc.indexOf(to)))![1];

  it('reports the wrong example and not the right one', async () => {
    const wrong = await lintCase(requireTtl, { code: block('### Wrong', '### Right') });
    const right = await lintCase(requireTtl, { code: block('### Right', '## Options') });
    expect(wrong.findings.map((finding) => finding.messageId)).toEqual(['noExpiry', 'noExpiryCollection', 'noExpiry']);
    expect(right.findings).toEqual([]);
  });
});
