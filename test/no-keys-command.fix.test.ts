import * as fs from 'node:fs';
import * as path from 'node:path';
import Redis from 'ioredis';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyFixes } from '../shared/analyzer/engine/apply-fixes';
import { lintCase } from '../shared/analyzer/testing/rule-tester';
import { noKeysCommand } from '../shared/analyzer/rules/no-keys-command';
import { makeWorkDir, removeWorkDir, typeCheck, writeJavaScript } from '../shared/analyzer/testing/fix-harness';
import { SpawnedRedis, startRedis } from '../shared/analyzer/testing/redis-server';

/**
 * The KEYS→SCAN suggestion must be a drop-in: applied to real code it type-checks, and against a
 * real server holding thousands of keys it returns exactly the key set KEYS returned.
 */
let server: SpawnedRedis;
let seeder: Redis;
let dir: string;

beforeAll(async () => {
  server = await startRedis();
  seeder = new Redis(server.url);
  const pipeline = seeder.pipeline();
  for (let i = 0; i < 3000; i++) pipeline.set(`user:${i}`, String(i));
  for (let i = 0; i < 2000; i++) pipeline.set(`session:${i}`, 'x');
  pipeline.set('user', 'not matched by user:*');
  await pipeline.exec();
  dir = makeWorkDir('no-keys-fix');
});

afterAll(async () => {
  await seeder?.quit();
  await server?.stop();
  if (dir) removeWorkDir(dir);
});

/** Writes TypeScript files into the scratch directory and type-checks them together. */
function check(files: Record<string, string>): string[] {
  const paths = Object.entries(files).map(([name, text]) => {
    fs.writeFileSync(path.join(dir, name), text);
    return path.join(dir, name);
  });
  return typeCheck(paths);
}

/** Compiles a checked module to CommonJS beside it and loads it. */
function load<T>(file: string): T {
  const jsFile = file.replace(/\.ts$/, '.cjs');
  writeJavaScript(jsFile, fs.readFileSync(file, 'utf8'));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(jsFile) as T;
}

async function fixedVersion(code: string): Promise<string> {
  const { findings } = await lintCase(noKeysCommand, { code });
  expect(findings).toHaveLength(1);
  const suggestion = findings[0].suggestions?.[0];
  expect(suggestion).toBeDefined();
  return applyFixes(code, [suggestion!.fix]).output;
}

describe('no-keys-command suggestion', () => {
  it('ioredis: scanStream version type-checks and returns the same keys as KEYS', async () => {
    const original = [
      "import Redis from 'ioredis';",
      '',
      'export async function userKeys(redis: Redis, prefix: string): Promise<string[]> {',
      '  const keys = await redis.keys(`${prefix}:*`);',
      '  return keys;',
      '}',
      '',
    ].join('\n');
    const fixed = await fixedVersion(original);
    expect(fixed).toContain('scanStream');
    expect(check({ 'ioredis-original.ts': original, 'ioredis-fixed.ts': fixed })).toEqual([]);

    const before = load<{ userKeys(r: Redis, p: string): Promise<string[]> }>(path.join(dir, 'ioredis-original.ts'));
    const after = load<{ userKeys(r: Redis, p: string): Promise<string[]> }>(path.join(dir, 'ioredis-fixed.ts'));
    const client = new Redis(server.url);
    try {
      const viaKeys = (await before.userKeys(client, 'user')).sort();
      const viaScan = (await after.userKeys(client, 'user')).sort();
      expect(viaKeys).toHaveLength(3000);
      expect(viaScan).toEqual(viaKeys);
    } finally {
      await client.quit();
    }
  });

  it('node-redis: scanIterator version type-checks and returns the same keys as KEYS', async () => {
    const original = [
      "import { createClient } from 'redis';",
      '',
      'type Client = ReturnType<typeof createClient>;',
      '',
      'export async function sessionKeys(client: Client): Promise<string[]> {',
      "  return client.keys('session:*');",
      '}',
      '',
    ].join('\n');
    const fixed = await fixedVersion(original);
    expect(fixed).toContain('scanIterator');
    expect(check({ 'node-redis-original.ts': original, 'node-redis-fixed.ts': fixed })).toEqual([]);

    type Module = { sessionKeys(c: ReturnType<typeof createClient>): Promise<string[]> };
    const before = load<Module>(path.join(dir, 'node-redis-original.ts'));
    const after = load<Module>(path.join(dir, 'node-redis-fixed.ts'));
    const client = createClient({ url: server.url });
    await client.connect();
    try {
      const viaKeys = (await before.sessionKeys(client)).sort();
      const viaScan = (await after.sessionKeys(client)).sort();
      expect(viaKeys).toHaveLength(2000);
      expect(viaScan).toEqual(viaKeys);
    } finally {
      await client.quit();
    }
  });

  it('@upstash/redis: scan-loop version type-checks', async () => {
    const original = [
      "import { Redis } from '@upstash/redis';",
      '',
      'const redis = Redis.fromEnv();',
      '',
      'export async function cachedPages(): Promise<string[]> {',
      "  return redis.keys('page:*');",
      '}',
      '',
    ].join('\n');
    const fixed = await fixedVersion(original);
    expect(fixed).toContain('.scan(cursor');
    expect(check({ 'upstash-fixed.ts': fixed })).toEqual([]);
  });
});
