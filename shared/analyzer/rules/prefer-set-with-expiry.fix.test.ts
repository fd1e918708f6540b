import * as fs from 'node:fs';
import * as path from 'node:path';
import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyFixes } from '../engine/apply-fixes';
import { makeWorkDir, removeWorkDir, typeCheck, writeJavaScript } from '../testing/fix-harness';
import { lintCase } from '../testing/rule-tester';
import { SpawnedRedis, startRedis } from '../testing/redis-server';
import { preferSetWithExpiry } from './prefer-set-with-expiry';

/**
 * The merge is the one fix `--fix` applies to Redis calls, so it must not change what ends up in
 * Redis: both versions type-check, and against a real server they leave the same value with the
 * same TTL.
 */
const original = [
  "import Redis from 'ioredis';",
  '',
  'export async function cacheProfile(redis: Redis, userId: string, profile: object): Promise<void> {',
  '  const key = `profile:${userId}`;',
  '  await redis.set(key, JSON.stringify(profile));',
  '  await redis.expire(key, 120);',
  '}',
  '',
].join('\n');

let server: SpawnedRedis;
let dir: string;

beforeAll(async () => {
  server = await startRedis();
  dir = makeWorkDir('prefer-set-with-expiry');
});

afterAll(async () => {
  await server?.stop();
  if (dir) removeWorkDir(dir);
});

describe('prefer-set-with-expiry fix', () => {
  it('compiles and leaves the same value and TTL in Redis', async () => {
    const { findings } = await lintCase(preferSetWithExpiry, { code: original });
    expect(findings).toHaveLength(1);
    const fixed = applyFixes(original, [findings[0].fix!]).output;
    expect(fixed).toContain("await redis.set(key, JSON.stringify(profile), 'EX', 120);");
    expect(fixed).not.toContain('expire(');

    const files = { before: path.join(dir, 'before.ts'), after: path.join(dir, 'after.ts') };
    fs.writeFileSync(files.before, original);
    fs.writeFileSync(files.after, fixed);
    expect(typeCheck([files.before, files.after])).toEqual([]);

    const redis = new Redis(server.url);
    try {
      const results: Array<{ value: string | null; ttl: number }> = [];
      for (const [name, file] of Object.entries(files)) {
        const js = path.join(dir, `${name}.cjs`);
        writeJavaScript(js, fs.readFileSync(file, 'utf8'));
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const module = require(js) as { cacheProfile(r: Redis, id: string, p: object): Promise<void> };
        await module.cacheProfile(redis, name, { name: 'Ada' });
        results.push({ value: await redis.get(`profile:${name}`), ttl: await redis.ttl(`profile:${name}`) });
      }
      expect(results[1].value).toBe(results[0].value);
      for (const { ttl } of results) {
        expect(ttl).toBeGreaterThan(115);
        expect(ttl).toBeLessThanOrEqual(120);
      }
    } finally {
      await redis.quit();
    }
  });
});
