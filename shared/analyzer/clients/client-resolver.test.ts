import * as path from 'node:path';
import { Project } from 'ts-morph';
import { describe, expect, it } from 'vitest';
import { collectCacheCalls } from './cache-calls';
import { ClientResolver } from './client-resolver';
import { createLibraryLookup } from './libraries';

/**
 * Client recognition on the shapes real services use. Each case lists the calls that must be
 * recognised as `library:command`; everything else in the snippet must not be.
 */
function recognise(files: Record<string, string>, wrappers: Parameters<typeof createLibraryLookup>[0] = []): string[] {
  const project = new Project({
    useInMemoryFileSystem: true,
    compilerOptions: { allowJs: true, noLib: true, noResolve: true, types: [] },
    skipLoadingLibFiles: true,
  });
  for (const [name, text] of Object.entries(files)) project.createSourceFile(path.posix.join('/app', name), text);
  const resolver = new ClientResolver({ nestCacheHasDefaultTtl: false, libraryFor: createLibraryLookup(wrappers).lookup });
  const main = project.getSourceFileOrThrow('/app/main.ts');
  return collectCacheCalls(main, resolver).map((call) => `${call.client.library}${call.client.batch ? `/${call.client.batch.kind}` : ''}:${call.command}`);
}

describe('cache client recognition', () => {
  it('never treats built-ins and look-alikes as clients', () => {
    expect(
      recognise({
        'main.ts': [
          'const map = new Map<string, string>(); map.set("a", "b"); map.keys(); map.delete("a");',
          'Object.keys({}); new Set<string>().add("x"); new URLSearchParams().set("q", "1");',
          'const headers = new Headers(); headers.set("a", "b");',
          'class LruCache { keys() { return []; } set(k: string, v: string) {} }',
          'const lru = new LruCache(); lru.keys(); lru.set("k", "v");',
          'const redis = { get: (k: string) => k, keys: () => [] }; redis.keys(); redis.get("x");',
          'declare const cache: { set(k: string, v: string): void }; cache.set("k", "v");',
        ].join('\n'),
      }),
    ).toEqual([]);
  });

  it('ioredis: default and named imports, Cluster, pipelines and multi chains', () => {
    expect(
      recognise({
        'main.ts': [
          "import Redis, { Cluster } from 'ioredis';",
          'const a = new Redis(); a.get("k");',
          'const b = new Redis.Cluster([{ host: "h", port: 1 }]); b.set("k", "v");',
          'const c = new Cluster([]); c.del("k");',
          'a.multi().set("k", "v").expire("k", 10).exec();',
          'const p = a.pipeline(); p.hset("h", "f", "v"); p.exec();',
          'a.pipeline([["set", "k", "v"], ["expire", "k", 5]]).exec();',
        ].join('\n'),
      }),
    ).toEqual([
      'ioredis:get',
      'ioredis:set',
      'ioredis:del',
      'ioredis:multi',
      'ioredis/multi:set',
      'ioredis/multi:expire',
      'ioredis/multi:exec',
      'ioredis:pipeline',
      'ioredis/pipeline:hset',
      'ioredis/pipeline:exec',
      'ioredis:pipeline',
      'ioredis/pipeline:set',
      'ioredis/pipeline:expire',
      'ioredis/pipeline:exec',
    ]);
  });

  it('node-redis v4/v5: createClient from redis and @redis/client, namespace import, connect chain', () => {
    expect(
      recognise({
        'main.ts': [
          "import { createClient } from 'redis';",
          "import * as redisLib from '@redis/client';",
          'const client = createClient({ url: process.env.URL });',
          'client.setEx("k", 60, "v");',
          'const other = await redisLib.createClient().connect(); other.hSet("h", { a: 1 });',
          'client.multi().set("a", "b").exec();',
        ].join('\n'),
      }),
    ).toEqual(['node-redis:setex', 'node-redis:connect', 'node-redis:hset', 'node-redis:multi', 'node-redis/multi:set', 'node-redis/multi:exec']);
  });

  it('@upstash/redis and @vercel/kv', () => {
    expect(
      recognise({
        'main.ts': [
          "import { Redis } from '@upstash/redis';",
          "import { kv } from '@vercel/kv';",
          'const r1 = new Redis({ url: "u", token: "t" }); r1.set("k", "v", { ex: 60 });',
          'Redis.fromEnv().get("k");',
          'kv.del("k");',
        ].join('\n'),
      }),
    ).toEqual(['upstash:set', 'upstash:get', 'upstash:del']);
  });

  it('cache-manager, keyv and NestJS CACHE_MANAGER injection', () => {
    expect(
      recognise({
        'main.ts': [
          "import { createCache } from 'cache-manager';",
          "import Keyv from 'keyv';",
          "import { CACHE_MANAGER } from '@nestjs/cache-manager';",
          "import type { Cache } from 'cache-manager';",
          'const cache = createCache({ ttl: 1000 }); cache.set("k", 1);',
          'const keyv = new Keyv(); keyv.set("k", 1);',
          'class Svc { constructor(@Inject(CACHE_MANAGER) private readonly cacheManager: Cache) {} run() { return this.cacheManager.get("k"); } }',
          'declare function Inject(token: unknown): ParameterDecorator;',
        ].join('\n'),
      }),
    ).toEqual(['cache-manager:set', 'keyv:set', 'cache-manager:get']);
  });

  it('follows clients across files: exported instance, re-export, default export, factory, typed parameter, class field', () => {
    expect(
      recognise({
        'cache/client.ts': "import Redis from 'ioredis';\nexport const redis = new Redis();\nexport default redis;",
        'cache/index.ts': "export * from './client';\nexport { default as defaultRedis } from './client';",
        'cache/factory.ts': "import Redis from 'ioredis';\nlet instance: Redis | undefined;\nexport function getRedis() { if (!instance) instance = new Redis(); return instance; }",
        'main.ts': [
          "import { redis, defaultRedis } from './cache';",
          "import { getRedis } from './cache/factory';",
          "import type { RedisClientType } from 'redis';",
          "import type { Redis } from 'ioredis';",
          'redis.get("a"); defaultRedis.get("b"); getRedis().get("c");',
          'export function handler(client: RedisClientType) { return client.get("d"); }',
          'export class Repo { private readonly store = getRedis(); constructor(private r: Redis) {} run() { this.store.get("e"); this.r.get("f"); } }',
        ].join('\n'),
      }),
    ).toEqual(['ioredis:get', 'ioredis:get', 'ioredis:get', 'node-redis:get', 'ioredis:get', 'ioredis:get']);
  });

  it('a shared package that re-exports the whole client library next to its own instance', () => {
    expect(
      recognise({
        'upstash/client.ts': "import { Redis } from '@upstash/redis';\nexport const redis = Redis.fromEnv();",
        'upstash/index.ts': "export * from './client';\nexport * from '@upstash/redis';",
        'libs/clients.ts': "import { Redis } from '../upstash';\nexport const redis = Redis.fromEnv();",
        'main.ts': [
          "import { redis } from './libs/clients';",
          "import { Redis, redis as shared } from './upstash';",
          'export async function statusOf(slug: string) { const hit = await redis.get(slug); if (!hit) await redis.set(slug, "up", { ex: 60 }); return hit; }',
          'new Redis({ url: "u", token: "t" }).del("k"); shared.get("s");',
        ].join('\n'),
      }),
    ).toEqual(['upstash:get', 'upstash:set', 'upstash:del', 'upstash:get']);
  });

  it('clients handed out by services: a library RedisService and a project service class', () => {
    expect(
      recognise({
        'redis.service.ts': [
          "import Redis from 'ioredis';",
          'export class RedisService {',
          '  private readonly client = new Redis();',
          '  getClient(): Redis { return this.client; }',
          '}',
        ].join('\n'),
        'main.ts': [
          "import { RedisService as LibRedisService } from '@liaoliaots/nestjs-redis';",
          "import { RedisService } from './redis.service';",
          'export class Cache {',
          '  constructor(private readonly lib: LibRedisService, private readonly own: RedisService) {}',
          '  run() { this.lib.getOrThrow().get("a"); this.own.getClient().get("b"); this.lib.getClients(); }',
          '}',
        ].join('\n'),
      }),
    ).toEqual(['ioredis:get', 'ioredis:get']);
  });

  it('clients destructured from typed contexts and dependency objects', () => {
    expect(
      recognise({
        'main.ts': [
          "import type { Redis } from 'ioredis';",
          'interface Deps { redis: Redis; logger: { info(m: string): void } }',
          'export function makeHandler({ redis, logger }: Deps) { logger.info("x"); return redis.get("a"); }',
          'export function other(ctx: Deps) { const { redis: client } = ctx; return client.get("b"); }',
          'export function plain(opts: { store: Map<string, string> }) { const { store } = opts; return store.get("c"); }',
        ].join('\n'),
      }),
    ).toEqual(['ioredis:get', 'ioredis:get']);
  });

  it('CommonJS require in JavaScript, including destructuring', () => {
    expect(
      recognise({
        'main.ts': [
          "const Redis = require('ioredis');",
          "const { createClient } = require('redis');",
          'const a = new Redis(); a.keys("*");',
          'const b = createClient(); b.call("KEYS", "*");',
        ].join('\n'),
      }),
    ).toEqual(['ioredis:keys', 'node-redis:keys']);
  });

  it('recognises in-house wrappers named in configuration', () => {
    expect(
      recognise(
        { 'main.ts': "import { cache } from '@acme/cache';\nimport { other } from '@acme/other';\ncache.set('k', 'v');\nother.set('k', 'v');" },
        [{ module: '@acme/cache', export: 'cache', role: 'instance' }],
      ),
    ).toEqual(['ioredis:set']);
  });

  it('a local variable shadowing an imported client is not a client', () => {
    expect(
      recognise({
        'main.ts': "import { redis } from './client';\nfunction f() { const redis = new Map(); redis.set('a', 1); }\nredis.set('b', 2);",
        'client.ts': "import Redis from 'ioredis';\nexport const redis = new Redis();",
      }),
    ).toEqual(['ioredis:set']);
  });
});
