import { ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lintCase } from '../testing/rule-tester';
import { invalidateDontUpdate } from './invalidate-dont-update';
import { applySuggestions, makeWorkDir, RedisServer, removeWorkDir, runNode, startRedis, typeCheck, writeJavaScript } from '../testing/fix-harness';

/**
 * Every suggestion of invalidate-dont-update must leave code that compiles against the real client
 * libraries. Run against a real Postgres and a real Redis, the original code must show the race the
 * rule describes (a stale value stays cached) and the suggested code must not.
 */

const catalogModule = `import Redis from 'ioredis';
import { Pool } from 'pg';

export const pool = new Pool({ connectionString: process.env.DATABASE_URL });
export const redis = new Redis(process.env.REDIS_URL!);

export interface Product {
  id: number;
  name: string;
  price: number;
}

/** Called between the steps of a write, e.g. to record an audit event. */
export type Audit = (event: string, productId: number) => Promise<void>;
const noAudit: Audit = async () => {};

const productKey = (id: number) => \`product:\${id}\`;

export async function getProduct(id: number): Promise<Product | undefined> {
  const cached = await redis.get(productKey(id));
  if (cached) return JSON.parse(cached) as Product;
  const { rows } = await pool.query<Product>('SELECT id, name, price FROM products WHERE id = $1', [id]);
  if (rows[0]) await redis.set(productKey(id), JSON.stringify(rows[0]), 'EX', 3600);
  return rows[0];
}

export async function updatePrice(id: number, price: number, audit: Audit = noAudit): Promise<Product> {
  const { rows } = await pool.query<Product>('UPDATE products SET price = $1 WHERE id = $2 RETURNING id, name, price', [price, id]);
  const product = rows[0]!;
  await audit('price-changed', id);
  await redis.set(productKey(id), JSON.stringify(product), 'EX', 3600);
  return product;
}

export async function renameProduct(id: number, name: string, audit: Audit = noAudit): Promise<void> {
  await redis.del(productKey(id)); // drop the cached copy
  await audit('renamed', id);
  await pool.query('UPDATE products SET name = $1 WHERE id = $2', [name, id]);
}

export async function markDown(first: number, second: number): Promise<void> {
  const { rows } = await pool.query<Product>('UPDATE products SET price = price - 1 WHERE id IN ($1, $2) RETURNING id, name, price', [first, second]);
  const [a, b] = rows;
  if (!a || !b) return;
  await redis.mset(productKey(a.id), JSON.stringify(a), productKey(b.id), JSON.stringify(b));
}

export async function retitle(id: number, name: string): Promise<void> {
  const { rows } = await pool.query<Product>('UPDATE products SET name = $1 WHERE id = $2 RETURNING id, name, price', [name, id]);
  await redis.multi().set(productKey(id), JSON.stringify(rows[0])).expire(productKey(id), 3600).exec();
}

export async function reprice(id: number, price: number): Promise<void> {
  const { rows } = await pool.query<Product>('UPDATE products SET price = $1 WHERE id = $2 RETURNING id, name, price', [price, id]);
  await redis.pipeline([['set', productKey(id), JSON.stringify(rows[0])], ['expire', productKey(id), 3600]]).exec();
}

export async function relabel(id: number, name: string): Promise<void> {
  const { rows } = await pool.query<Product>('UPDATE products SET name = $1 WHERE id = $2 RETURNING id, name, price', [name, id]);
  await redis.call('SET', productKey(id), JSON.stringify(rows[0]), 'EX', '3600');
}

export async function close(): Promise<void> {
  await redis.quit();
  await pool.end();
}
`;

const catalogDriver = (moduleFile: string) => `const m = require('./${moduleFile}');
(async () => {
  await m.pool.query('DROP TABLE IF EXISTS products');
  await m.pool.query('CREATE TABLE products (id int PRIMARY KEY, name text NOT NULL, price int NOT NULL)');
  await m.pool.query("INSERT INTO products VALUES (1, 'Desk lamp', 30), (2, 'Oak desk', 300), (3, 'Chair', 90), (4, 'Stool', 40), (5, 'Shelf', 70), (6, 'Rug', 120), (7, 'Mirror', 60)");
  await m.redis.flushdb();
  const result = {};

  // Writer A is overtaken right after its database write by writer B, which runs to completion.
  await m.updatePrice(1, 10, async () => { await m.updatePrice(1, 20); });
  result.priceServed = (await m.getProduct(1)).price;

  // A reader runs between the cache delete and the database write.
  await m.renameProduct(2, 'Walnut desk', async () => { await m.getProduct(2); });
  result.nameServed = (await m.getProduct(2)).name;

  for (const id of [3, 4, 5, 6, 7]) await m.redis.set('product:' + id, 'old');
  await m.markDown(3, 4);
  await m.retitle(5, 'Armchair');
  await m.reprice(6, 99);
  await m.relabel(7, 'Wall mirror');
  result.stillCached = await m.redis.exists('product:3', 'product:4', 'product:5', 'product:6', 'product:7');
  result.servedAfterWrites = [];
  for (const id of [3, 5, 6, 7]) result.servedAfterWrites.push(await m.getProduct(id));

  console.log(JSON.stringify(result));
  await m.close();
})().catch((error) => { console.error(error); process.exit(1); });
`;

const inventoryModule = `import { createClient } from 'redis';
import { Pool } from 'pg';

export const pool = new Pool({ connectionString: process.env.DATABASE_URL });
export const redis = createClient({ url: process.env.REDIS_URL });

export async function setStock(productId: number, stock: number): Promise<void> {
  await pool.query('UPDATE products SET stock = $1 WHERE id = $2', [stock, productId]);
  await redis.hSet(\`product:\${productId}\`, { stock: String(stock) });
}

export async function deleteComment(commentId: number): Promise<void> {
  await redis.unlink(\`comment:\${commentId}\`);
  await pool.query('DELETE FROM comments WHERE id = $1', [commentId]);
}

export async function updateEmail(userId: number, email: string): Promise<void> {
  const { rows } = await pool.query<{ id: number; email: string }>('UPDATE users SET email = $1 WHERE id = $2 RETURNING id, email', [email, userId]);
  await redis.sendCommand(['SET', \`user:\${userId}\`, JSON.stringify(rows[0]), 'EX', '900']);
}

export const open = async () => {
  await redis.connect();
};

export async function close(): Promise<void> {
  await redis.close();
  await pool.end();
}
`;

const inventoryDriver = (moduleFile: string) => `const m = require('./${moduleFile}');
(async () => {
  await m.open();
  await m.pool.query('DROP TABLE IF EXISTS products, comments, users');
  await m.pool.query('CREATE TABLE products (id int PRIMARY KEY, stock int NOT NULL)');
  await m.pool.query('CREATE TABLE comments (id int PRIMARY KEY, body text NOT NULL)');
  await m.pool.query('CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL)');
  await m.pool.query("INSERT INTO products VALUES (1, 5); INSERT INTO comments VALUES (1, 'first'); INSERT INTO users VALUES (1, 'a@example.com')");
  await m.redis.flushDb();
  await m.redis.hSet('product:1', { stock: '5' });
  await m.redis.set('comment:1', 'first');
  await m.redis.set('user:1', 'old');
  await m.setStock(1, 7);
  await m.deleteComment(1);
  await m.updateEmail(1, 'b@example.com');
  const result = {
    stockCached: await m.redis.exists('product:1'),
    commentCached: await m.redis.exists('comment:1'),
    userCached: await m.redis.exists('user:1'),
    commentRows: (await m.pool.query('SELECT count(*)::int AS n FROM comments')).rows[0].n,
  };
  console.log(JSON.stringify(result));
  await m.close();
})().catch((error) => { console.error(error); process.exit(1); });
`;

const storesModule = `import { createCache } from 'cache-manager';
import Keyv from 'keyv';
import { Pool } from 'pg';

export const pool = new Pool({ connectionString: process.env.DATABASE_URL });
export const cache = createCache({ ttl: 60_000 });
export const names = new Keyv<string>({ namespace: 'product-names' });

export async function rename(id: number, name: string): Promise<void> {
  const { rows } = await pool.query('UPDATE products SET name = $1 WHERE id = $2 RETURNING id, name', [name, id]);
  await cache.set(\`product:\${id}\`, rows[0], 60_000);
  await names.set(\`product:\${id}\`, name);
}

export const close = () => pool.end();
`;

const storesDriver = (moduleFile: string) => `const m = require('./${moduleFile}');
(async () => {
  await m.pool.query('DROP TABLE IF EXISTS products');
  await m.pool.query('CREATE TABLE products (id int PRIMARY KEY, name text NOT NULL)');
  await m.pool.query("INSERT INTO products VALUES (1, 'Lamp')");
  await m.cache.set('product:1', { id: 1, name: 'Lamp' });
  await m.names.set('product:1', 'Lamp');
  await m.rename(1, 'Desk lamp');
  console.log(JSON.stringify({ cached: (await m.cache.get('product:1')) ?? null, name: (await m.names.get('product:1')) ?? null }));
  await m.close();
})().catch((error) => { console.error(error); process.exit(1); });
`;

const upstashModule = `import { Redis } from '@upstash/redis';
import { Pool } from 'pg';

const redis = Redis.fromEnv();
const pool = new Pool();

interface Post {
  id: number;
  title: string;
  publishedAt: string | null;
}

export async function publish(id: number): Promise<Post | undefined> {
  const { rows } = await pool.query<Post>('UPDATE posts SET published_at = now() WHERE id = $1 RETURNING id, title, published_at AS "publishedAt"', [id]);
  await redis.set(\`post:\${id}\`, rows[0], { ex: 600 });
  await redis.hset(\`post-meta:\${id}\`, { title: rows[0]?.title ?? '' });
  return rows[0];
}

export async function retitle(id: number, title: string): Promise<void> {
  await redis.del(\`post:\${id}\`);
  await pool.query('UPDATE posts SET title = $1 WHERE id = $2', [title, id]);
}
`;

interface ModuleCase {
  name: string;
  file: string;
  source: string;
  findings: number;
}

const modules: ModuleCase[] = [
  { name: 'ioredis + pg', file: 'catalog.ts', source: catalogModule, findings: 6 },
  { name: 'node-redis + pg', file: 'inventory.ts', source: inventoryModule, findings: 3 },
  { name: 'cache-manager and keyv + pg', file: 'stores.ts', source: storesModule, findings: 2 },
  { name: 'upstash + pg', file: 'upstash.ts', source: upstashModule, findings: 3 },
];

// ---------------------------------------------------------------------------------------------
// A throwaway Postgres, when the machine has one

function findExecutable(name: string): string | undefined {
  const dirs = (process.env.PATH ?? '').split(path.delimiter);
  const debianDirs = fs.existsSync('/usr/lib/postgresql')
    ? fs.readdirSync('/usr/lib/postgresql').map((version) => path.join('/usr/lib/postgresql', version, 'bin'))
    : [];
  for (const dir of [...dirs, ...debianDirs]) {
    const candidate = path.join(dir, name);
    if (fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** Postgres refuses to run as root; as root it runs as the `postgres` account. */
function postgresAccount(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    return undefined;
  }
}

const initdb = findExecutable('initdb');
const postgresBinary = findExecutable('postgres');
const account = postgresAccount();
const canRunPostgres = Boolean(initdb && postgresBinary && (process.getuid?.() !== 0 || account));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

interface PostgresServer {
  url: string;
  stop(): Promise<void>;
}

async function startPostgres(): Promise<PostgresServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cachescope-pg-'));
  const asAccount = account ? { uid: account.uid, gid: account.gid } : {};
  if (account) fs.chownSync(dir, account.uid, account.gid);
  const data = path.join(dir, 'data');
  const init = spawnSync(initdb!, ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync'], { ...asAccount, encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`initdb failed:\n${init.stderr}`);
  const port = await freePort();
  const child: ChildProcess = spawn(
    postgresBinary!,
    ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'full_page_writes=off'],
    { ...asAccount, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  await new Promise<void>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`postgres did not start:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`postgres exited with ${code}:\n${output}`));
    });
  });
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGINT'); // fast shutdown
        await exited;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------------------------------------

describe('invalidate-dont-update suggestions', () => {
  let workDir: string;
  const fixed = new Map<string, string>();

  beforeAll(() => {
    workDir = makeWorkDir('invalidate-dont-update');
  });
  afterAll(() => {
    if (workDir) removeWorkDir(workDir);
  });

  it('offers one suggestion per finding, and the suggested code compiles and no longer triggers the rule', async () => {
    const files: string[] = [];
    for (const module of modules) {
      const { findings } = await lintCase(invalidateDontUpdate, { code: module.source, filename: `src/${module.file}` });
      expect(findings.map((finding) => `${finding.location.start.line} ${finding.messageId}`), module.name).toHaveLength(module.findings);
      for (const finding of findings) expect(finding.suggestions, `${module.name} line ${finding.location.start.line}`).toHaveLength(1);

      const outputs = await applySuggestions(invalidateDontUpdate, module.source, undefined, `src/${module.file}`);
      expect(outputs.each).toHaveLength(module.findings);
      const base = module.file.replace(/\.ts$/, '');
      const original = path.join(workDir, `${base}-original.ts`);
      fs.writeFileSync(original, module.source);
      files.push(original);
      outputs.each.forEach((text, index) => {
        const file = path.join(workDir, `${base}-suggestion-${index + 1}.ts`);
        fs.writeFileSync(file, text);
        files.push(file);
      });
      const all = path.join(workDir, `${base}-fixed.ts`);
      fs.writeFileSync(all, outputs.all);
      files.push(all);
      fixed.set(module.file, outputs.all);

      const relinted = await lintCase(invalidateDontUpdate, { code: outputs.all, filename: `src/${module.file}` });
      expect(relinted.findings.map((finding) => `${finding.location.start.line} ${finding.message}`), module.name).toEqual([]);
    }
    expect(typeCheck(files)).toEqual([]);
  });

  it('the type-check used above reports a broken delete', () => {
    const source = fixed.get('catalog.ts');
    expect(source).toBeDefined();
    const broken = path.join(workDir, 'catalog-broken.ts');
    fs.writeFileSync(broken, source!.replace('redis.del(productKey(id));', 'redis.del(productKey(id), { ex: 1 });'));
    expect(typeCheck([broken]).length).toBeGreaterThan(0);
  });

  describe.skipIf(!canRunPostgres)('against Postgres and Redis', () => {
    let redis: RedisServer;
    let postgres: PostgresServer;

    beforeAll(async () => {
      [redis, postgres] = await Promise.all([startRedis(), startPostgres()]);
    });
    afterAll(async () => {
      await Promise.all([redis?.stop(), postgres?.stop()]);
    });

    async function run(module: string, driver: (moduleFile: string) => string, source: string, label: string): Promise<Record<string, unknown>> {
      const base = `${module}-${label}`;
      writeJavaScript(path.join(workDir, `${base}.js`), source);
      const script = path.join(workDir, `${base}-driver.js`);
      fs.writeFileSync(script, driver(`${base}.js`));
      const stdout = await runNode(script, { DATABASE_URL: postgres.url, REDIS_URL: redis.url });
      return JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, unknown>;
    }

    it('the original ioredis code keeps stale rows cached; the suggested code serves the database', async () => {
      const before = await run('catalog', catalogDriver, catalogModule, 'original');
      expect(before.priceServed).toBe(10); // the database says 20
      expect(before.nameServed).toBe('Oak desk'); // the database says Walnut desk
      expect(before.stillCached).toBe(5);

      const after = await run('catalog', catalogDriver, fixed.get('catalog.ts')!, 'fixed');
      expect(after.priceServed).toBe(20);
      expect(after.nameServed).toBe('Walnut desk');
      expect(after.stillCached).toBe(0);
      expect(after.servedAfterWrites).toEqual([
        { id: 3, name: 'Chair', price: 89 },
        { id: 5, name: 'Armchair', price: 70 },
        { id: 6, name: 'Rug', price: 99 },
        { id: 7, name: 'Wall mirror', price: 60 },
      ]);
    });

    it('node-redis: the suggested code deletes the keys instead of rewriting them', async () => {
      const before = await run('inventory', inventoryDriver, inventoryModule, 'original');
      expect(before).toEqual({ stockCached: 1, commentCached: 0, userCached: 1, commentRows: 0 });
      const after = await run('inventory', inventoryDriver, fixed.get('inventory.ts')!, 'fixed');
      expect(after).toEqual({ stockCached: 0, commentCached: 0, userCached: 0, commentRows: 0 });
    });

    it('cache-manager and keyv: the suggested code deletes the entries', async () => {
      const before = await run('stores', storesDriver, storesModule, 'original');
      expect(before).toEqual({ cached: { id: 1, name: 'Desk lamp' }, name: 'Desk lamp' });
      const after = await run('stores', storesDriver, fixed.get('stores.ts')!, 'fixed');
      expect(after).toEqual({ cached: null, name: null });
    });
  });
});
