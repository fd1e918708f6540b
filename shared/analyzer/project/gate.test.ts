import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../config/load-config';
import { lint } from '../lint';
import { noKeysCommand } from '../rules/no-keys-command';
import { virtualRoot } from '../testing/rule-tester';
import { importsAnyOf } from './gate';

/**
 * The import gate decides which files are parsed at all. Files that reach a client through any
 * chain of project modules must be analysed; files that cannot reach one must never be parsed.
 */
async function gate(files: Record<string, string>) {
  const texts = Object.fromEntries(Object.entries(files).map(([name, text]) => [path.join(virtualRoot, 'gate', name), text]));
  const config = resolveConfig([noKeysCommand], {}, undefined);
  const outcome = await lint({ cwd: path.join(virtualRoot, 'gate'), texts, config, rules: [noKeysCommand] });
  const flagged = outcome.results
    .filter((result) => result.findings.length > 0)
    .map((result) => path.relative(path.join(virtualRoot, 'gate'), result.filePath))
    .sort();
  return { flagged, parsed: outcome.summary.filesParsed };
}

describe('import gate', () => {
  it('follows barrels, factories and service classes that hand out a client, and parses nothing else', async () => {
    const { flagged, parsed } = await gate({
      'cache/redis.ts': "import Redis from 'ioredis';\nexport const redis = new Redis();\nexport function getRedis() { return redis; }",
      'cache/index.ts': "export * from './redis';",
      'cache/redis.service.ts': "import { getRedis } from './redis';\nexport class RedisService { readonly client = getRedis(); }",
      'a-barrel.ts': "import { redis } from './cache';\nredis.keys('a:*');",
      'b-factory.ts': "import { getRedis } from './cache/redis';\ngetRedis().keys('b:*');",
      'c-service.ts': "import { RedisService } from './cache/redis.service';\nexport class C { constructor(private readonly redisService: RedisService) {}\n  run() { return this.redisService.client.keys('c:*'); } }",
      'd-unrelated.ts': "const map = new Map<string, number>();\nexport const keys = [...map.keys()];",
      'e-unrelated.ts': "import { keys } from './d-unrelated';\nexport const count = keys.length;",
    });
    expect(flagged).toEqual(['a-barrel.ts', 'b-factory.ts', 'c-service.ts']);
    // The five files on the client's paths are parsed; the two unrelated files are not.
    expect(parsed).toBe(6);
  });

  it('reaches the @fastify/redis decorator in route files that import no client', async () => {
    const { flagged } = await gate({
      'app.ts': "import Fastify from 'fastify';\nimport fastifyRedis from '@fastify/redis';\nexport const app = Fastify();\napp.register(fastifyRedis, { url: process.env.REDIS_URL });",
      'routes/users.ts': "import type { FastifyInstance } from 'fastify';\nexport default async function routes(fastify: FastifyInstance) {\n  fastify.get('/users', async (request) => request.server.redis.keys('user:*'));\n}",
      'routes/plain.ts': "export function handler(app: { get(path: string): void }) { app.get('/'); }",
    });
    expect(flagged).toEqual(['routes/users.ts']);
  });

  it('resolves tsconfig path aliases per package of a monorepo on disk', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cachescope-gate-'));
    try {
      const write = (name: string, text: string) => {
        fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
        fs.writeFileSync(path.join(root, name), text);
      };
      write('package.json', '{ "name": "mono", "private": true }');
      write('apps/web/tsconfig.json', '{ "compilerOptions": { "baseUrl": ".", "paths": { "@/*": ["./*"] } } }');
      write('apps/web/lib/upstash.ts', "import { Redis } from '@upstash/redis';\nexport const redis = Redis.fromEnv();\n");
      write('apps/web/app/route.ts', "import { redis } from '@/lib/upstash';\nexport const GET = () => redis.keys('*');\n");
      write('apps/admin/tsconfig.json', '{ "compilerOptions": { "baseUrl": ".", "paths": { "@/*": ["./src/*"] } } }');
      write('apps/admin/src/lib/upstash.ts', 'export const redis = { keys: (p: string) => [p] };\n');
      write('apps/admin/src/page.ts', "import { redis } from '@/lib/upstash';\nexport const all = () => redis.keys('*');\n");
      // A workspace package that exports a client, imported by name from another package.
      write('packages/redis/package.json', '{ "name": "@acme/redis", "main": "dist/index.js", "types": "dist/index.d.ts" }');
      write('packages/redis/src/index.ts', "export { redis } from './client';\n");
      write('packages/redis/src/client.ts', "import Redis from 'ioredis';\nexport const redis = new Redis();\n");
      write('apps/worker/package.json', '{ "name": "worker" }');
      write('apps/worker/src/job.ts', "import { redis } from '@acme/redis';\nexport const sweep = () => redis.keys('job:*');\n");
      const config = resolveConfig([noKeysCommand], {}, undefined);
      const outcome = await lint({ cwd: root, targets: ['.'], config, rules: [noKeysCommand] });
      const flagged = outcome.results.filter((r) => r.findings.length > 0).map((r) => path.relative(root, r.filePath)).sort();
      // Each package's own alias decides what `@/lib/upstash` is: a client in web, a plain object in admin.
      expect(flagged).toEqual([path.join('apps', 'web', 'app', 'route.ts'), path.join('apps', 'worker', 'src', 'job.ts')]);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

});

describe('importsAnyOf', () => {
  const names = new Set(['redis', 'default']);
  it('binds client names through named, default, namespace, require and re-export forms', () => {
    expect(importsAnyOf("import { redis } from './cache';", './cache', names)).toBe(true);
    expect(importsAnyOf("import { logger, redis as r } from './cache';", './cache', names)).toBe(true);
    expect(importsAnyOf("import cache from './cache';", './cache', names)).toBe(true);
    expect(importsAnyOf("import * as cache from './cache';", './cache', names)).toBe(true);
    expect(importsAnyOf("const { redis } = require('./cache');", './cache', names)).toBe(true);
    expect(importsAnyOf("export * from './cache';", './cache', names)).toBe(true);
    expect(importsAnyOf("import {\n  type Foo,\n  redis,\n} from './cache';", './cache', names)).toBe(true);
  });
  it('does not bind when only unrelated names are imported', () => {
    expect(importsAnyOf("import { logger, type Options } from './cache';", './cache', names)).toBe(false);
    expect(importsAnyOf("import './cache';", './cache', names)).toBe(false);
    expect(importsAnyOf("import { redis } from './cache-other';", './cache', names)).toBe(false);
  });
});
