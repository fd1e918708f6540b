import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ts from 'typescript';
import Redis from 'ioredis';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyFixes } from '../engine/apply-fixes';
import { lintCase, virtualRoot } from '../testing/rule-tester';
import { fanoutInvalidation } from './fanout-invalidation';
import { makeWorkDir as scratchDir, typeCheckFiles as typeCheck } from '../testing/fix-harness';
import { freePort, SpawnedRedis, startRedis } from '../testing/redis-server';

/**
 * The `addInvalidation` suggestion must produce code that compiles against the real client typings
 * and, run against a real PostgreSQL and redis-server, removes the families the write path missed.
 */

type Project = Record<string, string>;

/** Lints a project, applies every suggestion to the file under test, and returns both versions. */
async function fixedProject(project: Project, subject: string): Promise<{ fixed: Project; descs: string[] }> {
  const files = { ...project };
  delete files[subject];
  const { findings } = await lintCase(fanoutInvalidation, { code: project[subject]!, filename: subject, files });
  const own = findings.filter((finding) => path.relative(virtualRoot, finding.filePath) === subject);
  expect(own.length).toBeGreaterThan(0);
  const suggestions = own.flatMap((finding) => finding.suggestions ?? []);
  expect(suggestions.length).toBe(own.length);
  const output = applyFixes(project[subject]!, suggestions.map((suggestion) => suggestion.fix)).output;
  expect(output).not.toBe(project[subject]);
  return { fixed: { ...project, [subject]: output }, descs: suggestions.map((suggestion) => suggestion.desc) };
}

const storefront: Project = {
  'src/redis.ts': "import Redis from 'ioredis';\n\nexport const redis = new Redis(process.env.REDIS_URL ?? 'redis://localhost:6379');\n",
  'src/db.ts': "import { Pool } from 'pg';\n\nexport const pool = new Pool({ connectionString: process.env.DATABASE_URL });\n",
  'src/keys.ts': [
    'export function productKey(id: string): string {',
    '  return `product:${id}`;',
    '}',
    '',
    'export function categoryProductsKey(categoryId: string): string {',
    '  return `category:${categoryId}:products`;',
    '}',
    '',
    "export const HOME_RAIL_KEY = 'home:rail';",
    '',
  ].join('\n'),
  'src/catalog.ts': [
    "import { redis } from './redis';",
    "import { pool } from './db';",
    "import { productKey, categoryProductsKey, HOME_RAIL_KEY } from './keys';",
    '',
    'export interface ProductRow {',
    '  id: string;',
    '  name: string;',
    '  priceCents: number;',
    '}',
    '',
    'export async function getProduct(id: string): Promise<ProductRow | undefined> {',
    '  const hit = await redis.get(productKey(id));',
    '  if (hit !== null) return JSON.parse(hit) as ProductRow;',
    '  const { rows } = await pool.query<ProductRow>(',
    '    \'SELECT id, name, price_cents AS "priceCents" FROM products WHERE id = $1\',',
    '    [id],',
    '  );',
    '  if (!rows[0]) return undefined;',
    "  await redis.set(productKey(id), JSON.stringify(rows[0]), 'EX', 3600);",
    '  return rows[0];',
    '}',
    '',
    'export async function listCategoryProducts(categoryId: string): Promise<ProductRow[]> {',
    '  const key = categoryProductsKey(categoryId);',
    '  const hit = await redis.get(key);',
    '  if (hit !== null) return JSON.parse(hit) as ProductRow[];',
    '  const { rows } = await pool.query<ProductRow>(',
    '    \'SELECT id, name, price_cents AS "priceCents" FROM products WHERE category_id = $1 ORDER BY id\',',
    '    [categoryId],',
    '  );',
    "  await redis.set(key, JSON.stringify(rows), 'EX', 900);",
    '  return rows;',
    '}',
    '',
    'export async function getHomeRail(): Promise<ProductRow[]> {',
    '  const hit = await redis.get(HOME_RAIL_KEY);',
    '  if (hit !== null) return JSON.parse(hit) as ProductRow[];',
    '  const { rows } = await pool.query<ProductRow>(',
    '    \'SELECT id, name, price_cents AS "priceCents" FROM products ORDER BY sold_30d DESC, id LIMIT 12\',',
    '  );',
    "  await redis.set(HOME_RAIL_KEY, JSON.stringify(rows), 'EX', 300);",
    '  return rows;',
    '}',
    '',
  ].join('\n'),
  'src/admin/products.ts': [
    "import { redis } from '../redis';",
    "import { pool } from '../db';",
    "import { productKey } from '../keys';",
    '',
    'export async function updatePrice(productId: string, priceCents: number): Promise<void> {',
    '  const result = await pool.query<{ categoryId: string }>(',
    '    \'UPDATE products SET price_cents = $2 WHERE id = $1 RETURNING category_id AS "categoryId"\',',
    '    [productId, priceCents],',
    '  );',
    '  const { categoryId } = result.rows[0];',
    '  await redis.del(productKey(productId));',
    '}',
    '',
  ].join('\n'),
};

const nodeRedisCatalog: Project = {
  'src/catalog.ts': [
    "import { createClient } from 'redis';",
    "import { Pool } from 'pg';",
    '',
    'export const client = createClient({ url: process.env.REDIS_URL });',
    'export const pool = new Pool({ connectionString: process.env.DATABASE_URL });',
    '',
    'export async function getProduct(id: string): Promise<unknown> {',
    '  const hit = await client.get(`product:${id}`);',
    '  if (hit !== null) return JSON.parse(hit);',
    "  const { rows } = await pool.query('SELECT id, name, price_cents FROM products WHERE id = $1', [id]);",
    '  await client.setEx(`product:${id}`, 3600, JSON.stringify(rows[0]));',
    '  return rows[0];',
    '}',
    '',
    'export async function bestsellers(): Promise<unknown[]> {',
    "  const hit = await client.get('products:bestsellers');",
    '  if (hit !== null) return JSON.parse(hit) as unknown[];',
    "  const { rows } = await pool.query('SELECT id, name FROM products ORDER BY sold_30d DESC, id LIMIT 20');",
    "  await client.set('products:bestsellers', JSON.stringify(rows), { EX: 600 });",
    '  return rows;',
    '}',
    '',
    'export async function restock(id: string, stock: number): Promise<void> {',
    "  await pool.query('UPDATE products SET stock = $2 WHERE id = $1', [id, stock]);",
    '  await client.del(`product:${id}`);',
    '}',
    '',
  ].join('\n'),
};

/** Shapes that are only type-checked: every client, spelling and insertion point the suggestion writes. */
const typeCheckedProjects: Array<{ name: string; subject: string; project: Project; expected: string[] }> = [
  {
    name: 'upstash',
    subject: 'src/posts.ts',
    project: {
      'src/db.ts': storefront['src/db.ts']!,
      'src/posts.ts': [
        "import { Redis } from '@upstash/redis';",
        "import { pool } from './db';",
        '',
        'const redis = Redis.fromEnv();',
        '',
        'export async function getPost(slug: string): Promise<unknown> {',
        '  const hit = await redis.get(`post:${slug}`);',
        '  if (hit) return hit;',
        "  const { rows } = await pool.query('SELECT * FROM posts WHERE slug = $1', [slug]);",
        '  await redis.set(`post:${slug}`, rows[0], { ex: 600 });',
        '  return rows[0];',
        '}',
        '',
        'export async function latestPosts(): Promise<unknown> {',
        "  const hit = await redis.get('posts:latest');",
        '  if (hit) return hit;',
        "  const { rows } = await pool.query('SELECT * FROM posts ORDER BY published_at DESC LIMIT 20');",
        "  await redis.set('posts:latest', rows, { ex: 120 });",
        '  return rows;',
        '}',
        '',
        'export async function retitle(slug: string, title: string): Promise<void> {',
        "  await pool.query('UPDATE posts SET title = $2 WHERE slug = $1', [slug, title]);",
        '  await redis.del(`post:${slug}`);',
        '}',
        '',
      ].join('\n'),
    },
    expected: ["  await redis.del('posts:latest');"],
  },
  {
    name: 'cache-manager',
    subject: 'src/menu.ts',
    project: {
      'src/db.ts': storefront['src/db.ts']!,
      'src/menu.ts': [
        "import { createCache } from 'cache-manager';",
        "import { pool } from './db';",
        '',
        'const cache = createCache();',
        '',
        'export function getPage(slug: string): Promise<unknown> {',
        "  return cache.wrap(`page:${slug}`, async () => (await pool.query('SELECT * FROM pages WHERE slug = $1', [slug])).rows[0], 60_000);",
        '}',
        '',
        'export function getMenu(): Promise<unknown> {',
        "  return cache.wrap('nav:menu', async () => (await pool.query('SELECT slug, title FROM pages WHERE in_menu')).rows, 60_000);",
        '}',
        '',
        'export async function publish(slug: string): Promise<void> {',
        "  await pool.query('UPDATE pages SET published_at = now() WHERE slug = $1', [slug]);",
        '  await cache.del(`page:${slug}`);',
        '}',
        '',
      ].join('\n'),
    },
    expected: ["  await cache.del('nav:menu');"],
  },
  {
    name: 'keyv',
    subject: 'src/articles.ts',
    project: {
      'src/db.ts': storefront['src/db.ts']!,
      'src/articles.ts': [
        "import Keyv from 'keyv';",
        "import { pool } from './db';",
        '',
        "const cache = new Keyv({ namespace: 'cms' });",
        '',
        'export async function getArticle(slug: string): Promise<unknown> {',
        '  const hit = await cache.get(`article:${slug}`);',
        '  if (hit) return hit;',
        "  const { rows } = await pool.query('SELECT * FROM articles WHERE slug = $1', [slug]);",
        '  await cache.set(`article:${slug}`, rows[0], 600_000);',
        '  return rows[0];',
        '}',
        '',
        'export async function listByTag(tag: string): Promise<unknown> {',
        '  const hit = await cache.get(`tag:${tag}:articles`);',
        '  if (hit) return hit;',
        "  const { rows } = await pool.query('SELECT * FROM articles WHERE $1 = ANY(tags)', [tag]);",
        '  await cache.set(`tag:${tag}:articles`, rows, 300_000);',
        '  return rows;',
        '}',
        '',
        'export async function updateArticle(slug: string, tag: string, body: string): Promise<void> {',
        "  await pool.query('UPDATE articles SET body = $2 WHERE slug = $1', [slug, body]);",
        '  await cache.delete(`article:${slug}`);',
        '}',
        '',
      ].join('\n'),
    },
    expected: ['  await cache.delete(`tag:${tag}:articles`);'],
  },
  {
    name: 'ioredis helpers, pipelines and returns',
    subject: 'src/admin/products.ts',
    project: {
      ...storefront,
      'src/cache.ts': [
        "import { redis } from './redis';",
        '',
        "export { redis } from './redis';",
        '',
        'export async function invalidate(...keys: string[]): Promise<void> {',
        '  if (keys.length > 0) await redis.del(...keys);',
        '}',
        '',
      ].join('\n'),
      'src/admin/products.ts': [
        "import { invalidate, redis } from '../cache';",
        "import { pool } from '../db';",
        "import { productKey, categoryProductsKey } from '../keys';",
        '',
        'export async function rename(productId: string, categoryId: string, name: string): Promise<void> {',
        "  await pool.query('UPDATE products SET name = $2 WHERE id = $1', [productId, name]);",
        '  await invalidate(productKey(productId));',
        '}',
        '',
        'export async function archive(productId: string, categoryId: string): Promise<void> {',
        "  await pool.query('UPDATE products SET archived_at = now() WHERE id = $1', [productId]);",
        '  await redis.pipeline().unlink(productKey(productId)).unlink(categoryProductsKey(categoryId)).exec();',
        '}',
        '',
        'export async function setStock(productId: string, categoryId: string, stock: number): Promise<number> {',
        "  await pool.query('UPDATE products SET stock = $2 WHERE id = $1', [productId, stock]);",
        "  return (await redis.call('DEL', productKey(productId))) as number;",
        '}',
        '',
      ].join('\n'),
    },
    expected: [
      '  await invalidate(categoryProductsKey(categoryId));',
      "  await invalidate('home:rail');",
      "  await redis.unlink('home:rail');",
      "  await redis.call('DEL', categoryProductsKey(categoryId));",
      "  await redis.call('DEL', 'home:rail');",
    ],
  },
];

describe('fanout-invalidation suggestion compiles', () => {
  let dir: string;
  beforeAll(() => {
    dir = scratchDir('fanout-invalidation-types');
  });
  afterAll(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  for (const { name, subject, project, expected } of typeCheckedProjects) {
    it(`${name}: the original and the fixed project type-check`, async () => {
      const { fixed } = await fixedProject(project, subject);
      for (const line of expected) expect(fixed[subject]!.split('\n')).toContain(line);
      const base = path.join(dir, name.replace(/\W+/g, '-'));
      expect(typeCheck(project, path.join(base, 'original'))).toEqual([]);
      expect(typeCheck(fixed, path.join(base, 'fixed'))).toEqual([]);
    });
  }

  it('helpers and constants the write path does not import are spelled out instead of referenced', async () => {
    const { fixed } = await fixedProject(storefront, 'src/admin/products.ts');
    expect(fixed['src/admin/products.ts']).toContain("  await redis.del(productKey(productId));\n  await redis.del(`category:${categoryId}:products`);\n  await redis.del('home:rail');\n");
    expect(typeCheck(fixed, path.join(dir, 'literal'))).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Running the fixed write paths against real servers.

interface SpawnedPostgres {
  url: string;
  stop(): Promise<void>;
}

function commandExists(command: string): boolean {
  return spawnSync(command, ['--version'], { stdio: 'ignore' }).status === 0;
}

/** PostgreSQL refuses to run as root; when the tests do, the server runs as the `postgres` account. */
function serverAccount(): { uid: number; gid: number } | undefined | null {
  if (process.getuid?.() !== 0) return undefined;
  const uid = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0) return null;
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

const postgresAvailable = commandExists('initdb') && commandExists('postgres') && serverAccount() !== null;

async function startPostgres(): Promise<SpawnedPostgres> {
  const account = serverAccount() ?? undefined;
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'cachescope-pg-'));
  if (account) fs.chownSync(base, account.uid, account.gid);
  const data = path.join(base, 'data');
  const init = spawnSync('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync'], { ...account, encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  const port = await freePort();
  const server: ChildProcess = spawn(
    'postgres',
    ['-D', data, '-p', String(port), '-k', base, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off'],
    { ...account, stdio: 'ignore' },
  );
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    const probe = new Client({ connectionString: url });
    try {
      await probe.connect();
      await probe.end();
      break;
    } catch (error) {
      await probe.end().catch(() => undefined);
      if (server.exitCode !== null || Date.now() > deadline) throw new Error(`postgres did not start: ${String(error)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return {
    url,
    stop: async () => {
      if (server.exitCode === null) {
        await new Promise<void>((resolve) => {
          server.once('exit', () => resolve());
          server.kill('SIGINT');
        });
      }
      fs.rmSync(base, { recursive: true, force: true });
    },
  };
}

/** Writes a project as CommonJS beside the repository's node_modules and loads one of its modules. */
function loadProject(project: Project, dir: string): (file: string) => unknown {
  for (const [name, text] of Object.entries(project)) {
    const file = path.join(dir, name.replace(/\.ts$/, '.js'));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const output = ts.transpileModule(text, {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    });
    fs.writeFileSync(file, output.outputText);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (file) => require(path.join(dir, file.replace(/\.ts$/, '.js')));
}

describe.skipIf(!postgresAvailable)('fanout-invalidation suggestion against PostgreSQL and Redis', () => {
  let redisServer: SpawnedRedis;
  let postgres: SpawnedPostgres;
  let inspector: Redis;
  let dir: string;
  const previousEnv = { REDIS_URL: process.env.REDIS_URL, DATABASE_URL: process.env.DATABASE_URL };
  const closers: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    [redisServer, postgres] = await Promise.all([startRedis(), startPostgres()]);
    process.env.REDIS_URL = redisServer.url;
    process.env.DATABASE_URL = postgres.url;
    inspector = new Redis(redisServer.url);
    dir = scratchDir('fanout-invalidation-run');
    const admin = new Client({ connectionString: postgres.url });
    await admin.connect();
    await admin.query(`
      CREATE TABLE products (
        id text PRIMARY KEY,
        category_id text NOT NULL,
        name text NOT NULL,
        price_cents integer NOT NULL,
        stock integer NOT NULL DEFAULT 0,
        sold_30d integer NOT NULL DEFAULT 0
      );
      INSERT INTO products VALUES
        ('p1', 'shoes', 'Trail runner', 12900, 4, 90),
        ('p2', 'shoes', 'Road runner', 9900, 9, 40),
        ('p3', 'socks', 'Wool socks', 1500, 50, 10);
    `);
    await admin.end();
  }, 60_000);

  afterAll(async () => {
    for (const close of closers) await close().catch(() => undefined);
    await inspector?.quit();
    await redisServer?.stop();
    await postgres?.stop();
    process.env.REDIS_URL = previousEnv.REDIS_URL;
    process.env.DATABASE_URL = previousEnv.DATABASE_URL;
    if (previousEnv.REDIS_URL === undefined) delete process.env.REDIS_URL;
    if (previousEnv.DATABASE_URL === undefined) delete process.env.DATABASE_URL;
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  type Catalog = {
    getProduct(id: string): Promise<{ priceCents: number } | undefined>;
    listCategoryProducts(categoryId: string): Promise<Array<{ id: string; priceCents: number }>>;
    getHomeRail(): Promise<Array<{ id: string; priceCents: number }>>;
  };
  type Admin = { updatePrice(productId: string, priceCents: number): Promise<void> };

  async function warm(catalog: Catalog): Promise<void> {
    await inspector.flushdb();
    await catalog.getProduct('p1');
    await catalog.listCategoryProducts('shoes');
    await catalog.getHomeRail();
    expect(await inspector.exists('product:p1', 'category:shoes:products', 'home:rail')).toBe(3);
  }

  it('ioredis + pg: the original leaves the listing and the rail stale, the fixed one deletes them', async () => {
    const { fixed } = await fixedProject(storefront, 'src/admin/products.ts');
    expect(typeCheck(fixed, path.join(dir, 'storefront-checked'))).toEqual([]);

    const original = loadProject(storefront, path.join(dir, 'storefront-original'));
    const repaired = loadProject(fixed, path.join(dir, 'storefront-fixed'));
    for (const load of [original, repaired]) {
      closers.push(() => (load('src/redis.ts') as { redis: Redis }).redis.quit());
      closers.push(() => (load('src/db.ts') as { pool: { end(): Promise<void> } }).pool.end());
    }

    const catalog = original('src/catalog.ts') as Catalog;
    await warm(catalog);
    await (original('src/admin/products.ts') as Admin).updatePrice('p1', 11900);
    expect(await inspector.exists('product:p1')).toBe(0);
    // The bug: both still serve the old price.
    expect(await inspector.exists('category:shoes:products', 'home:rail')).toBe(2);
    expect((await catalog.listCategoryProducts('shoes')).find((row) => row.id === 'p1')?.priceCents).toBe(12900);

    await warm(catalog);
    await (repaired('src/admin/products.ts') as Admin).updatePrice('p1', 10900);
    expect(await inspector.exists('product:p1', 'category:shoes:products', 'home:rail')).toBe(0);
    expect(await inspector.exists('category:socks:products')).toBe(0);
    expect((await catalog.listCategoryProducts('shoes')).find((row) => row.id === 'p1')?.priceCents).toBe(10900);
    expect((await catalog.getHomeRail()).find((row) => row.id === 'p1')?.priceCents).toBe(10900);
  }, 30_000);

  it('node-redis + pg: the fixed restock also deletes the bestsellers list', async () => {
    const { fixed } = await fixedProject(nodeRedisCatalog, 'src/catalog.ts');
    expect(fixed['src/catalog.ts']).toContain("  await client.del('products:bestsellers');");
    expect(typeCheck(fixed, path.join(dir, 'node-redis-checked'))).toEqual([]);

    const module = loadProject(fixed, path.join(dir, 'node-redis-fixed'))('src/catalog.ts') as {
      client: { connect(): Promise<unknown>; quit(): Promise<unknown> };
      pool: { end(): Promise<void> };
      getProduct(id: string): Promise<unknown>;
      bestsellers(): Promise<unknown[]>;
      restock(id: string, stock: number): Promise<void>;
    };
    await module.client.connect();
    closers.push(() => module.client.quit());
    closers.push(() => module.pool.end());

    await inspector.flushdb();
    await module.getProduct('p2');
    await module.bestsellers();
    await inspector.set('product:p3', 'untouched');
    expect(await inspector.exists('product:p2', 'products:bestsellers')).toBe(2);
    await module.restock('p2', 0);
    expect(await inspector.exists('product:p2', 'products:bestsellers')).toBe(0);
    expect(await inspector.get('product:p3')).toBe('untouched');
  }, 30_000);
});
