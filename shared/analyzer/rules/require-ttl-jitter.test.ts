import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintCase, runRuleTests } from '../testing/rule-tester';
import { requireTtlJitter } from './require-ttl-jitter';

const ioredis = "import Redis from 'ioredis';\nconst redis = new Redis(process.env.REDIS_URL!);\n";
const nodeRedis = "import { createClient } from 'redis';\nconst client = createClient({ url: process.env.REDIS_URL });\n";
const upstash = "import { Redis } from '@upstash/redis';\nconst redis = Redis.fromEnv();\n";
const cacheManager = "import { createCache } from 'cache-manager';\nconst cache = createCache();\n";

/** The text of `code` with `from` replaced by `to` (a suggestion's expected output). */
function edit(code: string, from: string, to: string): string {
  if (!code.includes(from)) throw new Error(`test setup: ${from} not in code`);
  return code.replace(from, to);
}

const literalEx = `${ioredis}export async function cacheProduct(id: string, json: string) {
  await redis.set(\`product:\${id}\`, json, 'EX', 3600);
}
`;

const namedConstant = `${ioredis}const CACHE_TTL = 60 * 60;
export async function cacheCategory(slug: string, json: string) {
  await redis.set(\`category:\${slug}\`, json, 'EX', CACHE_TTL);
}
`;

const enumTtl = `${ioredis}enum CacheTTL {
  ONE_HOUR = 3600,
  ONE_DAY = 24 * 3600,
}
export const remember = (key: string, v: string) => redis.setex(key, CacheTTL.ONE_DAY, v);
`;

const hashThenExpire = `${ioredis}export async function cacheUser(id: string, fields: Record<string, string>) {
  await redis.hset(\`user:\${id}\`, fields);
  await redis.expire(\`user:\${id}\`, 600);
}
`;

const nodeRedisOptions = `${nodeRedis}const EX = 600;
const TTL_SECONDS = 300;
export async function saveCached(key: string, value: string) {
  await client.set(key, value, { PX: 60_000 });
  await client.set(key, value, { EX });
  await client.set(key, value, { expiration: { type: 'EX', value: TTL_SECONDS } });
}
`;

const upstashOptions = `${upstash}export async function GET() {
  await redis.set('cache:home:hero', '{}', { ex: 120 });
  return new Response('ok');
}
`;

const sendCommandTtl = `${nodeRedis}const TTL = 900;
export async function rawCacheWrite(key: string, value: string) {
  await client.sendCommand(['SET', key, value, 'EX', '3600']);
  await client.sendCommand(['SET', key, value, 'EX', String(TTL)]);
}
`;

const letNeverReassigned = `${ioredis}export async function cacheFeed(userId: string, feed: string) {
  let ttl = 300;
  await redis.set(\`feed:\${userId}\`, feed, 'EX', ttl);
}
`;

const helperWithConstantCallers = `${ioredis}
async function cacheSet(key: string, value: unknown, ttl: number) {
  await redis.set(key, JSON.stringify(value), 'EX', ttl);
}
export async function warmHome(rail: unknown, banner: unknown) {
  await cacheSet('home:rail', rail, 60);
  await cacheSet('home:banner', banner, 3600);
}
`;

const helperWithDefault = `${ioredis}
export async function setCached(key: string, value: unknown, ttlSeconds = 30): Promise<void> {
  await redis.set(key, JSON.stringify(value), 'EX', ttlSeconds);
}
`;

const classHelper = `import type { Redis } from 'ioredis';
export class Cache {
  constructor(private redis: Redis) {}
  async setJSON<T>(key: string, value: T, ttlSec: number) {
    await this.redis.set(key, JSON.stringify(value), 'EX', ttlSec);
  }
}
export async function warm(cache: Cache, menu: object) {
  await cache.setJSON('menu', menu, 120);
}
`;

const nestCacheManager = `import { Inject, Injectable } from '@nestjs/common';
import { CACHE_MANAGER } from '@nestjs/cache-manager';
import type { Cache } from 'cache-manager';

@Injectable()
export class PostsService {
  constructor(@Inject(CACHE_MANAGER) private readonly cacheManager: Cache) {}
  async list(page: number) {
    const cacheKey = \`posts:page:\${page}\`;
    const result = { page };
    await this.cacheManager.set(cacheKey, result, 60000);
    return result;
  }
}
`;

const keyvArithmetic = `import Keyv from 'keyv';
const keyv = new Keyv();
export const remember = (token: string, user: object) => keyv.set(\`users:\${token}\`, user, 5 * 60 * 1000);
`;

const privateField = `import Redis from 'ioredis';
export class SearchCache {
  private ttl = 1800;
  constructor(private readonly redis: Redis) {}
  async put(query: string, hits: string) {
    await this.redis.set(\`search:\${query}\`, hits, 'EX', this.ttl);
  }
}
`;

const environmentTernary = `${ioredis}const CACHE_TTL = process.env.NODE_ENV === 'production' ? 3600 : 60;
export const cachePut = (key: string, v: string) => redis.set(key, v, 'EX', CACHE_TTL);
`;

const millisecondsFromSeconds = `${ioredis}import { TTL_SECONDS } from './config';
export const putCached = (key: string, v: string) => redis.set(key, v, 'PX', TTL_SECONDS * 1000);
`;

const pipelineWrite = `${ioredis}export async function warmItemCache(items: Array<{ id: string; json: string }>) {
  const pipeline = redis.pipeline();
  for (const item of items) pipeline.set(\`item:\${item.id}\`, item.json, 'EX', 300);
  await pipeline.exec();
}
`;

const cacheManagerV4 = `import type { Cache } from 'cache-manager';
declare const cache: Cache;
export const cachePut = (k: string, v: unknown) => cache.set(k, v, { ttl: 600 } as never);
`;

runRuleTests(requireTtlJitter, {
  valid: [
    {
      name: 'a pending-approval store: records are edited in place only when found, and expire as a validity window',
      code: `${upstash}
const HOLD_SECONDS = 10 * 60;
export function createApprovalStore() {
  return {
    async open(requestId: string, request: object) {
      await redis.set(\`approval:request:\${requestId}\`, JSON.stringify(request), { ex: HOLD_SECONDS });
    },
    async amend(requestId: string, note: string) {
      const raw = await redis.get<string>(\`approval:request:\${requestId}\`);
      if (!raw) return;
      const request = { ...JSON.parse(raw), note };
      await redis.set(\`approval:request:\${requestId}\`, JSON.stringify(request), { ex: HOLD_SECONDS });
    },
  };
}`,
    },
    {
      name: 'a sent-email marker checked before sending',
      code: `${upstash}
export async function sendOnce(userId: string, step: string, send: () => Promise<void>) {
  const key = \`onboarding:mail:\${userId}:\${step}\`;
  if (await redis.exists(key)) return;
  await send();
  await redis.set(key, 1, { ex: 30 * 86400 });
}`,
    },
    {
      name: 'a key written from a cron folder',
      filename: 'src/cron/onboarding.ts',
      code: `${upstash}
export async function startOnboarding(userId: string, startedAt: number) {
  const previous = await redis.get(\`onboarding:user:\${userId}\`);
  if (previous) return;
  await redis.set(\`onboarding:user:\${userId}\`, startedAt, { ex: 30 * 86400 });
}`,
    },
    {
      name: 'rotating a namespace epoch on invalidation: the token is minted here, nothing reloads it',
      code: `${ioredis}import { randomUUID } from 'node:crypto';
const EPOCH_TTL_SECONDS = 7 * 24 * 3600;
export class ArticleCache {
  constructor(private readonly client: Redis) {}
  private epochKey(siteId: string) {
    return \`article_cache_epoch:\${siteId}\`;
  }
  private mintEpochToken() {
    return randomUUID();
  }
  async invalidateSite(siteId: string) {
    await this.client.set(this.epochKey(siteId), this.mintEpochToken(), 'EX', EPOCH_TTL_SECONDS);
  }
  async resetSite(siteId: string) {
    await this.client.set(this.epochKey(siteId), randomUUID(), 'EX', EPOCH_TTL_SECONDS);
  }
}`,
    },
    // One-off tokens, ephemeral state and windows: their TTL is a validity period.
    {
      name: 'an expire after reading pending state is clean-up, not a cache fill',
      code: `${upstash}
export async function POST(checkoutToken: string) {
  const clickId = await redis.hget<string>(\`shopify:checkout:\${checkoutToken}\`, 'clickId');
  if (clickId === '') await redis.expire(\`shopify:checkout:\${checkoutToken}\`, 60 * 60 * 24);
}`,
    },
    {
      name: 'OAuth state and a verification code stored in a variable named cacheKey',
      code: `${upstash}
export async function startOAuth(prefix: string, contextId: string) {
  const state = crypto.randomUUID();
  await redis.set(\`\${prefix}:\${state}\`, contextId, { ex: 30 * 60 });
  return state;
}
export async function startCodeVerification(partnerId: string, handle: string, code: string) {
  const cacheKey = \`social-verification:\${partnerId}:\${handle}\`;
  await redis.set(cacheKey, code, { ex: 60 * 60 * 24 });
}`,
    },
    {
      name: 'an email-change token with a px validity',
      code: `${upstash}
const expiresIn = 15 * 60 * 1000;
export async function requestEmailChange(userId: string, token: string, email: string) {
  await redis.set(\`email-change-request:token:\${token}\`, { userId, email }, { px: expiresIn });
}`,
    },
    {
      name: 'a rate limiter caching which user a credential belongs to',
      code: `${ioredis}
export class RateLimiter {
  static readonly TOKEN_CACHE_TTL_SECONDS = 3600;
  static async cacheUserForToken(token: string, userId: string) {
    await redis.set(\`rl:token:\${token}\`, userId, 'EX', RateLimiter.TOKEN_CACHE_TTL_SECONDS);
  }
}`,
    },
    {
      name: 'an onboarding window in a class named cache; importer credentials',
      code: `${upstash}
export const ONBOARDING_WINDOW_SECONDS = 60 * 60 * 24;
class OnboardingStepCache {
  async set(userId: string, step: string) {
    return redis.set(\`onboarding-step:\${userId}\`, step, { ex: ONBOARDING_WINDOW_SECONDS });
  }
}
export const onboardingStepCache = new OnboardingStepCache();`,
    },
    {
      name: 'credentials kept for an importer',
      filename: 'src/lib/partnerstack/importer.ts',
      code: `${upstash}
const CACHE_KEY_PREFIX = 'partnerstack:credentials';
const CACHE_EXPIRY = 60 * 60 * 24;
export async function setCredentials(workspaceId: string, credentials: object) {
  await redis.set(\`\${CACHE_KEY_PREFIX}:\${workspaceId}\`, credentials, { ex: CACHE_EXPIRY });
}`,
    },
    {
      name: 'an access token cached slightly shorter than its validity',
      code: `${ioredis}
export async function getStreamToken(projectRef: string) {
  const key = \`s2-token:\${projectRef}\`;
  const cachedToken = await redis.get(key);
  if (cachedToken) return cachedToken;
  const accessToken = await issuer.issue(projectRef);
  await redis.setex(key, 59 * 60, accessToken);
  return accessToken;
}
declare const issuer: { issue(ref: string): Promise<string> };`,
    },
    {
      name: 'expire-now and a debounce are too short to matter',
      code: `${upstash}
export class LinkCache {
  async expireMany(keys: string[]) {
    const pipeline = redis.pipeline();
    keys.forEach((key) => pipeline.expire(\`linkcache:\${key}\`, 1));
    await pipeline.exec();
  }
  async debounce(key: string) {
    await redis.set(\`linkcache:\${key}:debounce\`, '1', { ex: 5 });
  }
}`,
    },
    {
      name: 'an idempotency record and pending checkout state with no sign of a cache',
      code: `${upstash}
export async function trackSale(workspaceId: string, invoiceId: string, response: object) {
  await redis.set(\`trackSale:\${workspaceId}:invoiceId:\${invoiceId}\`, response, { ex: 60 * 60 * 24 * 7 });
}
export async function orderPaid(checkoutToken: string) {
  await redis.expire(\`shopify:checkout:\${checkoutToken}\`, 60 * 60 * 24);
}`,
    },
    // Randomness and jitter helpers.
    `${ioredis}export const cachePut = (k: string, v: string) => redis.set(k, v, 'EX', 3600 + Math.floor(Math.random() * 300));`,
    `${ioredis}import { randomInt } from 'node:crypto';\nexport const cachePut = (k: string, v: string) => redis.setex(k, randomInt(3300, 3900), v);`,
    `${ioredis}import * as crypto from 'node:crypto';\nexport const cachePut = (k: string, v: string) => redis.expire(k, 3600 + crypto.randomInt(0, 360));`,
    `${ioredis}declare const faker: { number: { int(o: object): number } };\nexport const cachePut = (k: string, v: string) => redis.set(k, v, 'EX', faker.number.int({ min: 60, max: 90 }));`,
    `${ioredis}import { withJitter } from './ttl';\nexport const cachePut = (k: string, v: string) => redis.set(k, v, 'EX', withJitter(3600));`,
    `${nodeRedis}declare function jitteredTtl(): number;\nexport const cachePut = (k: string, v: string) => client.set(k, v, { EX: jitteredTtl() });`,
    `${upstash}declare function randomTtl(base: number): number;\nexport const cachePut = (k: string, v: string) => redis.set(k, v, { ex: randomTtl(600) });`,
    {
      name: 'helper whose callers add jitter themselves',
      code: `${ioredis}
async function cacheSet(key: string, value: string, ttl: number) {
  await redis.set(key, value, 'EX', ttl);
}
export const warm = (v: string) => cacheSet('home', v, 3600 + Math.floor(Math.random() * 360));
export const warmMenu = (v: string) => cacheSet('menu', v, 600);`,
    },
    // Configuration at run time.
    `${ioredis}export const cachePut = (k: string, v: string) => redis.set(k, v, 'EX', Number(process.env.CACHE_TTL ?? 3600));`,
    `${ioredis}declare const config: { get(k: string): number };\nexport const cachePut = (k: string, v: string) => redis.setex(k, config.get('cache.ttl'), v);`,
    {
      name: 'NestJS ConfigService',
      code: `import { Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
declare class ConfigService { get<T>(key: string): T; }
@Injectable()
export class TokenCache {
  private readonly ttl: number;
  constructor(private readonly redis: Redis, config: ConfigService) {
    this.ttl = config.get<number>('TOKEN_CACHE_TTL');
  }
  put(token: string, user: string) {
    return this.redis.set(\`token:\${token}\`, user, 'EX', this.ttl);
  }
}`,
    },
    `${ioredis}export async function setCachedJson(key: string, value: unknown, ttlSeconds: number) {\n  await redis.set(key, JSON.stringify(value), 'EX', ttlSeconds);\n}`,
    `${ioredis}export async function put(key: string, value: string) {\n  let ttl = 60;\n  if (key.startsWith('hot:')) ttl = 5;\n  await redis.set(key, value, 'EX', ttl);\n}`,
    // Absolute expiries are points in time, not constant durations.
    `${ioredis}export const cachePut = (k: string, v: string) => redis.set(k, v, 'EXAT', Math.floor(Date.now() / 1000) + 3600);`,
    `${ioredis}export const cachePut = (k: string, midnight: number) => redis.expireat(k, midnight);`,
    // Locks: the TTL bounds how long a crashed holder blocks others.
    `${ioredis}export const lock = (key: string, token: string) => redis.set(key, token, 'PX', 30000, 'NX');`,
    `${nodeRedis}export const lock = (key: string, token: string) => client.set(key, token, { NX: true, PX: 30_000 });`,
    `${nodeRedis}export const lock = (key: string) => client.set(key, '1', { condition: 'NX', expiration: { type: 'PX', value: 30_000 } });`,
    `${upstash}export const lock = (key: string) => redis.set(key, '1', { nx: true, px: 30_000 });`,
    {
      name: 'setnx lock followed by expire',
      code: `${ioredis}export async function runOnce(job: string) {\n  const acquired = await redis.setnx(\`lock:\${job}\`, '1');\n  if (acquired) await redis.expire(\`lock:\${job}\`, 30);\n  return acquired;\n}`,
    },
    {
      name: 'rate-limit windows: expire after incr, in a function and in a multi',
      code: `${ioredis}
const VERIFY_WINDOW_MS = 60_000;
export async function checkRateLimit(ip: string) {
  const key = \`ratelimit:\${ip}\`;
  const count = await redis.incr(key);
  if (count === 1) await redis.expire(key, 60);
  return count <= 100;
}
export async function failedLogin(email: string) {
  const attempts = await redis.incr(\`failed_login:\${email}\`);
  if (attempts === 1) await redis.expire(\`failed_login:\${email}\`, 15 * 60);
}
export const verify = (hash: string) => redis.multi().incr(\`verify:\${hash}\`).pexpire(\`verify:\${hash}\`, VERIFY_WINDOW_MS).exec();
export async function slidingWindow(user: string, now: number) {
  await redis.zremrangebyscore(\`window:\${user}\`, 0, now - 60_000);
  await redis.zadd(\`window:\${user}\`, now, String(now));
  await redis.expire(\`window:\${user}\`, 60);
}`,
    },
    // Options.
    { code: `${ioredis}export const cachePut = (k: string, v: string) => redis.setex(k, 30, v);`, options: { minTtlSeconds: 60 } },
    { code: `${ioredis}export const cachePut = (k: string, v: string) => redis.set(k, v, 'PX', 5000);`, options: { minTtlSeconds: 60 } },
    {
      name: 'ignoreKeys: validity periods',
      code: `${ioredis}export const otp = (phone: string, code: string) => redis.setex(\`otp:\${phone}\`, 300, code);`,
      options: { ignoreKeys: ['otp:*'] },
    },
    // No per-write TTL: a store default is configuration, not flagged.
    `import { createCache } from 'cache-manager';\nconst cache = createCache({ ttl: 60_000 });\nexport const cachePut = (k: string, v: unknown) => cache.set(k, v);`,
    `${cacheManager}export const cachePut = (k: string, v: unknown) => cache.set(k, v, 0);`,
    `${cacheManager}export const cachePut = (k: string, v: unknown) => cache.wrap(k, async () => v, (value: unknown) => (value ? 60_000 : 1_000));`,
    `${ioredis}export const del = (k: string) => redis.expire(k, 0);`,
    // Sliding expiry on read follows traffic, not a write burst.
    `${ioredis}export const touch = (k: string) => redis.getex(k, 'EX', 3600);`,
    // Look-alikes.
    'const ttls = new Map<string, number>();\nttls.set("product", 3600);',
    "declare const res: { setHeader(k: string, v: string): void };\nres.setHeader('Cache-Control', 'max-age=3600');",
    "class Store { set(k: string, v: string, mode: string, ttl: number) { return [k, v, mode, ttl]; } }\nconst redis = new Store();\nredis.set('a', 'b', 'EX', 3600);",
  ],
  invalid: [
    {
      name: 'a write-through after an update, of a key family another method reads through',
      code: `${ioredis}
export class UsersService {
  async findOne(id: string) {
    const hit = await redis.get(\`user:\${id}\`);
    if (hit) return JSON.parse(hit);
    const user = await db.user.findUnique({ where: { id } });
    await redis.set(\`user:\${id}\`, JSON.stringify(user), 'EX', 3600);
    return user;
  }
  async rename(id: string, name: string) {
    const user = await db.user.update({ where: { id }, data: { name } });
    await redis.set(\`user:\${id}\`, JSON.stringify(user), 'EX', 3600);
  }
}
declare const db: { user: { findUnique(args: object): Promise<object>; update(args: object): Promise<object> } };`,
      errors: [
        { messageId: 'constantTtl', line: 9, column: 63 },
        { messageId: 'constantTtl', line: 14, column: 63 },
      ],
    },
    {
      name: 'a certificate downloaded and cached in a file named after signature verification',
      filename: 'src/webhooks/verify-signature.ts',
      code: `${upstash}
const CERT_TTL_SECONDS = 60 * 60 * 24 * 7;
async function downloadAndCache(url: string) {
  const cacheKey = \`paypal:cert:\${url}\`;
  const cached = await redis.get<string>(cacheKey);
  if (cached) return cached;
  const certPem = await (await fetch(url)).text();
  await redis.set(cacheKey, certPem, { ex: CERT_TTL_SECONDS });
  return certPem;
}
export const verify = (url: string) => downloadAndCache(url);`,
      errors: [{ messageId: 'constantTtl', line: 10, column: 44 }],
    },
    {
      name: 'a key that says cache outranks a function name about promotion codes',
      code: `${upstash}
export async function attributeViaPromotionCode(customerId: string, lead: object) {
  await redis.set(\`leadCache:\${customerId}\`, lead, { ex: 60 * 5 });
}`,
      errors: [{ messageId: 'constantTtl', line: 5, column: 58 }],
    },
    {
      name: 'a read-through dashboard cache with no cache word in its names',
      code: `${upstash}
export async function GET(request: Request) {
  const key = \`analyticsDashboard:\${new URL(request.url).search}\`;
  const hit = await redis.get(key);
  if (hit) return Response.json(hit);
  const response = await db.event.findMany({ where: {} });
  await redis.set(key, response, { ex: 60 });
  return Response.json(response);
}
declare const db: { event: { findMany(args: object): Promise<object[]> } };`,
      errors: [{ messageId: 'constantTtl', line: 9, column: 40 }],
    },
    {
      name: 'a cache class whose TTL parameter has a constant default some callers rely on',
      code: `import { createClient } from 'redis';
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
}`,
      errors: [
        {
          messageId: 'constantDefaultTtl',
          line: 8,
          column: 45,
          related: ['src/subject.ts:7 The default TTL is set here.'],
          suggestions: [
            `import { createClient } from 'redis';
export interface CacheStore {
  set(key: string, value: string, expire?: number): Promise<void>;
}
export class RedisCache implements CacheStore {
  private readonly client = createClient({ url: process.env.REDIS_URL });
  async set(key: string, value: string, expire: number = 30 * 60 + Math.floor(Math.random() * 180)) {
    await this.client.set(key, value, { EX: expire });
  }
}
export async function rememberGeneration(store: CacheStore, id: string) {
  await store.set('generation', id);
}`,
          ],
        },
      ],
    },
    {
      name: 'literal EX',
      code: literalEx,
      errors: [
        {
          messageId: 'constantTtl',
          line: 4,
          column: 48,
          endColumn: 52,
          suggestions: [edit(literalEx, "'EX', 3600)", "'EX', 3600 + Math.floor(Math.random() * 360))")],
        },
      ],
    },
    {
      name: 'named constant with arithmetic',
      code: namedConstant,
      errors: [
        {
          messageId: 'constantTtl',
          line: 5,
          column: 51,
          suggestions: [edit(namedConstant, "'EX', CACHE_TTL)", "'EX', CACHE_TTL + Math.floor(Math.random() * CACHE_TTL * 0.1))")],
        },
      ],
    },
    {
      name: 'enum member',
      code: enumTtl,
      errors: [
        {
          messageId: 'constantTtl',
          line: 7,
          column: 70,
          suggestions: [edit(enumTtl, 'CacheTTL.ONE_DAY, v', 'CacheTTL.ONE_DAY + Math.floor(Math.random() * CacheTTL.ONE_DAY * 0.1), v')],
        },
      ],
    },
    {
      name: 'expire after hset',
      code: hashThenExpire,
      errors: [{ messageId: 'constantTtl', line: 5, column: 36, suggestions: [edit(hashThenExpire, ', 600)', ', 600 + Math.floor(Math.random() * 60))')] }],
    },
    {
      name: 'node-redis PX, shorthand EX and v5 expiration.value',
      code: nodeRedisOptions,
      errors: [
        { messageId: 'constantTtl', line: 6, column: 38, suggestions: [edit(nodeRedisOptions, '{ PX: 60_000 }', '{ PX: 60_000 + Math.floor(Math.random() * 6000) }')] },
        { messageId: 'constantTtl', line: 7, column: 34, suggestions: [edit(nodeRedisOptions, '{ EX }', '{ EX: EX + Math.floor(Math.random() * EX * 0.1) }')] },
        {
          messageId: 'constantTtl',
          line: 8,
          column: 67,
          suggestions: [edit(nodeRedisOptions, 'value: TTL_SECONDS }', 'value: TTL_SECONDS + Math.floor(Math.random() * TTL_SECONDS * 0.1) }')],
        },
      ],
    },
    {
      name: 'upstash ex',
      code: upstashOptions,
      errors: [{ messageId: 'constantTtl', line: 4, column: 50, suggestions: [edit(upstashOptions, '{ ex: 120 }', '{ ex: 120 + Math.floor(Math.random() * 12) }')] }],
    },
    {
      name: 'sendCommand with string TTLs',
      code: sendCommandTtl,
      errors: [
        { messageId: 'constantTtl', line: 5, column: 54, suggestions: [edit(sendCommandTtl, "'3600'", 'String(3600 + Math.floor(Math.random() * 360))')] },
        { messageId: 'constantTtl', line: 6, column: 54, suggestions: [edit(sendCommandTtl, 'String(TTL)', 'String(TTL + Math.floor(Math.random() * TTL * 0.1))')] },
      ],
    },
    {
      name: 'a let that is never reassigned',
      code: letNeverReassigned,
      errors: [{ messageId: 'constantTtl', line: 5, column: 49, suggestions: [edit(letNeverReassigned, "'EX', ttl)", "'EX', ttl + Math.floor(Math.random() * ttl * 0.1))")] }],
    },
    {
      name: 'a helper whose callers all pass constants',
      code: helperWithConstantCallers,
      errors: [
        {
          messageId: 'constantTtlFromCallers',
          line: 5,
          column: 53,
          related: ['src/subject.ts:8 The constant TTL is passed here.', 'src/subject.ts:9 The constant TTL is passed here.'],
          suggestions: [edit(helperWithConstantCallers, "'EX', ttl)", "'EX', ttl + Math.floor(Math.random() * ttl * 0.1))")],
        },
      ],
    },
    {
      name: 'a helper parameter with a constant default and no callers',
      code: helperWithDefault,
      errors: [
        {
          messageId: 'constantTtlFromCallers',
          line: 5,
          column: 53,
          related: ['src/subject.ts:4 The constant TTL is passed here.'],
          suggestions: [edit(helperWithDefault, "'EX', ttlSeconds)", "'EX', ttlSeconds + Math.floor(Math.random() * ttlSeconds * 0.1))")],
        },
      ],
    },
    {
      name: 'a class helper method called with a constant',
      code: classHelper,
      errors: [{ messageId: 'constantTtlFromCallers', line: 5, column: 60, related: ['src/subject.ts:9 The constant TTL is passed here.'] }],
    },
    {
      name: 'NestJS cache-manager TTL in milliseconds',
      code: nestCacheManager,
      errors: [
        {
          messageId: 'constantTtl',
          line: 11,
          column: 51,
          suggestions: [edit(nestCacheManager, 'result, 60000)', 'result, 60000 + Math.floor(Math.random() * 6000))')],
        },
      ],
    },
    {
      name: 'keyv literal arithmetic is folded',
      code: keyvArithmetic,
      errors: [
        {
          messageId: 'constantTtl',
          line: 3,
          column: 91,
          suggestions: [edit(keyvArithmetic, 'user, 5 * 60 * 1000)', 'user, 5 * 60 * 1000 + Math.floor(Math.random() * 30000))')],
        },
      ],
    },
    {
      name: 'a private field that is never assigned',
      code: privateField,
      errors: [
        { messageId: 'constantTtl', line: 6, column: 57, suggestions: [edit(privateField, "'EX', this.ttl)", "'EX', this.ttl + Math.floor(Math.random() * this.ttl * 0.1))")] },
      ],
    },
    {
      name: 'a ternary of constants is still constant per environment',
      code: environmentTernary,
      errors: [{ messageId: 'constantTtl', line: 4, column: 77 }],
    },
    {
      name: 'milliseconds from an imported constant',
      code: millisecondsFromSeconds,
      files: { 'src/config.ts': 'export const TTL_SECONDS = 600;\n' },
      errors: [
        {
          messageId: 'constantTtl',
          line: 4,
          column: 78,
          suggestions: [edit(millisecondsFromSeconds, "'PX', TTL_SECONDS * 1000)", "'PX', TTL_SECONDS * 1000 + Math.floor(Math.random() * TTL_SECONDS * 1000 * 0.1))")],
        },
      ],
    },
    {
      name: 'a pipeline warm-up loop: the burst this rule is about',
      code: pipelineWrite,
      errors: [{ messageId: 'constantTtl', line: 5, column: 78 }],
    },
    {
      name: 'cache-manager 4 { ttl } in seconds',
      code: cacheManagerV4,
      errors: [{ messageId: 'constantTtl', line: 3, column: 75, suggestions: [edit(cacheManagerV4, 'ttl: 600 }', 'ttl: 600 + Math.floor(Math.random() * 60) }')] }],
    },
    {
      name: 'a nested configuration object of constants',
      code: `${ioredis}export const CACHE = { ttl: { product: { detail: 900 } } } as const;\nexport const cachePut = (id: string, v: string) => redis.setex(\`product:\${id}\`, CACHE.ttl.product.detail, v);`,
      errors: [{ messageId: 'constantTtl', line: 4, column: 81 }],
    },
    {
      name: 'a shared options constant is reported once',
      code: `${nodeRedis}const CACHE_OPTIONS = { EX: 900 } as const;
export const saveMenu = (menu: string) => client.set('cache:menu', menu, CACHE_OPTIONS);
export const saveFooter = (footer: string) => client.set('cache:footer', footer, CACHE_OPTIONS);
`,
      errors: [{ messageId: 'constantTtl', line: 3, column: 29 }],
    },
    {
      name: 'a tiny TTL cannot take whole-second jitter: reported without a suggestion',
      code: `${ioredis}export const cachePut = (k: string, v: string) => redis.setex(k, 12, v);`,
      errors: [{ messageId: 'constantTtl', line: 3, column: 66, suggestions: [] }],
    },
    {
      name: 'jitterRatio and minTtlSeconds options',
      code: `${ioredis}export const cachePut = (k: string, v: string) => redis.setex(k, 120, v);`,
      options: { jitterRatio: 0.25, minTtlSeconds: 60 },
      errors: [
        {
          messageId: 'constantTtl',
          line: 3,
          column: 66,
          suggestions: [`${ioredis}export const cachePut = (k: string, v: string) => redis.setex(k, 120 + Math.floor(Math.random() * 30), v);`],
        },
      ],
    },
    {
      name: 'an expire on a counter in another function is a cache TTL again',
      code: `${ioredis}export const bump = (k: string) => redis.incr(k);\nexport const keepCached = (k: string) => redis.expire(k, 86400);`,
      errors: [{ messageId: 'constantTtl', line: 4, column: 58 }],
    },
  ],
});

describe('require-ttl-jitter docs examples', () => {
  const doc = fs.readFileSync(path.resolve(__dirname, '../../../docs/rules/require-ttl-jitter.md'), 'utf8');
  const block = (from: string, to: string) => /```ts\n([\s\S]+?)```/.exec(doc.slice(doc.indexOf(from), doc.indexOf(to)))![1];

  it('reports the wrong example and not the right one', async () => {
    const wrong = await lintCase(requireTtlJitter, { code: block('### Wrong', '### Right') });
    const right = await lintCase(requireTtlJitter, { code: block('### Right', '## Options') });
    expect(wrong.findings.map((finding) => finding.message)).toEqual([
      'TTL is always 3600 s: keys written together expire together and reload from the database at once (cache avalanche). Add random jitter.',
    ]);
    expect(right.findings).toEqual([]);
  });
});
