import { runRuleTests } from '../testing/rule-tester';
import { invalidateDontUpdate } from './invalidate-dont-update';

/** Code as one string per line, so the line numbers of the expectations can be read off the array. */
const lines = (...text: string[]) => `${text.join('\n')}\n`;

/** The code with exactly one occurrence of `from` replaced: the text a suggestion should produce. */
function edit(code: string, from: string, to: string): string {
  const at = code.indexOf(from);
  if (at < 0 || code.indexOf(from, at + 1) >= 0) throw new Error(`"${from}" must occur exactly once`);
  return code.slice(0, at) + to + code.slice(at + from.length);
}

// Lines 1-6; the code under test starts on line 7.
const ioredisPrisma = [
  "import Redis from 'ioredis';",
  "import { PrismaClient } from '@prisma/client';",
  '',
  'const redis = new Redis(process.env.REDIS_URL!);',
  'const prisma = new PrismaClient();',
  '',
];

const priceUpdate = lines(
  ...ioredisPrisma,
  'export async function updatePrice(id: string, price: number) {',
  '  const product = await prisma.product.update({ where: { id }, data: { price } });',
  "  await redis.set(`product:${id}`, JSON.stringify(product), 'EX', 3600);",
  '  return product;',
  '}',
);

const nestUserService = lines(
  "import { CACHE_MANAGER } from '@nestjs/cache-manager';",
  "import { Inject, Injectable } from '@nestjs/common';",
  "import { User } from '@prisma/client';",
  "import { Cache } from 'cache-manager';",
  "import { PrismaService } from '../prisma/prisma.service';",
  '',
  '@Injectable()',
  'export class UserService {',
  '  constructor(',
  '    private readonly prismaService: PrismaService,',
  '    @Inject(CACHE_MANAGER) private readonly cacheManager: Cache,',
  '  ) {}',
  '',
  '  async save(user: Partial<User>) {',
  '    const savedUser = await this.prismaService.user.upsert({',
  '      where: { email: user.email },',
  '      update: { provider: user.provider },',
  '      create: { email: user.email!, provider: user.provider },',
  '    });',
  '    await this.cacheManager.set(savedUser.id, savedUser);',
  '    await this.cacheManager.set(savedUser.email, savedUser);',
  '    return savedUser;',
  '  }',
  '',
  '  async delete(id: string) {',
  '    await this.cacheManager.del(id);',
  '    return this.prismaService.user.delete({ where: { id }, select: { id: true } });',
  '  }',
  '}',
);

const typeormNodeRedis = lines(
  "import { Inject, Injectable, NotFoundException } from '@nestjs/common';",
  "import { InjectRepository } from '@nestjs/typeorm';",
  "import type { RedisClientType } from 'redis';",
  "import { Repository } from 'typeorm';",
  "import { Product } from './product.entity';",
  "import { UpdateProductDto } from './dto/update-product.dto';",
  '',
  '@Injectable()',
  'export class ProductsService {',
  '  constructor(',
  '    @InjectRepository(Product) private readonly products: Repository<Product>,',
  "    @Inject('REDIS_CLIENT') private readonly redis: RedisClientType,",
  '  ) {}',
  '',
  '  async update(id: number, dto: UpdateProductDto) {',
  '    const product = await this.products.preload({ id, ...dto });',
  '    if (!product) throw new NotFoundException();',
  '    await this.products.save(product);',
  '    await this.redis.setEx(`product:${id}`, 300, JSON.stringify(product));',
  '    return product;',
  '  }',
  '}',
);

const nextRouteMongoose = lines(
  "import { Redis } from '@upstash/redis';",
  "import { NextResponse } from 'next/server';",
  "import { Product } from '../../../../models/product';",
  '',
  'const redis = Redis.fromEnv();',
  '',
  'export async function PATCH(request: Request, { params }: { params: { id: string } }) {',
  '  const body = await request.json();',
  '  const updated = await Product.findByIdAndUpdate(params.id, body, { new: true }).lean();',
  "  if (!updated) return NextResponse.json({ error: 'Not found' }, { status: 404 });",
  '  await redis.set(`product:${params.id}`, updated, { ex: 600 });',
  '  return NextResponse.json(updated);',
  '}',
);
const mongooseProductModel = lines(
  "import mongoose from 'mongoose';",
  '',
  'const productSchema = new mongoose.Schema({ name: String, price: Number, stock: Number });',
  "export const Product = mongoose.model('Product', productSchema);",
);

const pgStock = lines(
  "import { Pool } from 'pg';",
  "import { createClient } from 'redis';",
  '',
  'const pool = new Pool({ connectionString: process.env.DATABASE_URL });',
  'const redis = createClient({ url: process.env.REDIS_URL });',
  '',
  'export async function setStock(productId: number, stock: number) {',
  "  await pool.query('UPDATE products SET stock = $1 WHERE id = $2', [stock, productId]);",
  '  await redis.hSet(`product:${productId}`, { stock: String(stock) });',
  '}',
);

const drizzleKeyv = lines(
  "import Keyv from 'keyv';",
  "import { eq } from 'drizzle-orm';",
  "import { drizzle } from 'drizzle-orm/node-postgres';",
  "import { products } from './schema';",
  '',
  'const db = drizzle(process.env.DATABASE_URL!);',
  "const cache = new Keyv({ namespace: 'catalog', ttl: 60_000 });",
  '',
  'export async function renameProduct(id: number, name: string) {',
  '  const [row] = await db.update(products).set({ name }).where(eq(products.id, id)).returning();',
  '  await cache.set(`product:${id}`, row);',
  '  return row;',
  '}',
);

const transactionCallback = lines(
  ...ioredisPrisma,
  'export async function adjustStock(productId: string, delta: number, reason: string) {',
  '  const product = await prisma.$transaction(async (tx) => {',
  '    const updated = await tx.product.update({ where: { id: productId }, data: { stock: { increment: delta } } });',
  '    await tx.stockMovement.create({ data: { productId, delta, reason } });',
  '    return updated;',
  '  });',
  '  await redis.set(`product:${productId}`, JSON.stringify(product));',
  '}',
);

const thenChain = lines(
  ...ioredisPrisma,
  'export function publishArticle(slug: string) {',
  '  return prisma.article',
  '    .update({ where: { slug }, data: { publishedAt: new Date() } })',
  '    .then(async (article) => {',
  '      await redis.set(`article:${article.slug}`, JSON.stringify(article));',
  '      return article;',
  '    });',
  '}',
);

const multiChain = lines(
  ...ioredisPrisma,
  'export async function updateProduct(id: string, data: { name?: string; price?: number }) {',
  '  const product = await prisma.product.update({ where: { id }, data });',
  '  const payload = JSON.stringify(product);',
  "  await redis.multi().set(`product:${id}`, payload).sadd('catalog:changed', id).exec();",
  '}',
);

const pipelineArray = lines(
  ...ioredisPrisma,
  'export async function updateProductNames(updates: Array<{ id: string; name: string }>) {',
  '  for (const { id, name } of updates) {',
  '    const product = await prisma.product.update({ where: { id }, data: { name } });',
  '    await redis',
  '      .pipeline([',
  "        ['set', `product:${id}`, JSON.stringify(product)],",
  "        ['expire', `product:${id}`, 3600],",
  '      ])',
  '      .exec();',
  '  }',
  '}',
);

const sendCommand = lines(
  "import { createClient } from 'redis';",
  "import { PrismaClient } from '@prisma/client';",
  '',
  'const client = createClient();',
  'const prisma = new PrismaClient();',
  '',
  'export async function updateEmail(id: string, email: string) {',
  '  const user = await prisma.user.update({ where: { id }, data: { email } });',
  "  await client.sendCommand(['SET', `user:${id}`, JSON.stringify(user), 'EX', '900']);",
  '}',
);

const msetAfterTransaction = lines(
  ...ioredisPrisma,
  'export async function swapPositions(first: string, second: string) {',
  '  const [a, b] = await prisma.$transaction([',
  '    prisma.menuItem.update({ where: { id: first }, data: { position: 2 } }),',
  '    prisma.menuItem.update({ where: { id: second }, data: { position: 1 } }),',
  '  ]);',
  '  await redis.mset(`menu-item:${a.id}`, JSON.stringify(a), `menu-item:${b.id}`, JSON.stringify(b));',
  '}',
);

const resultReturned = lines(
  ...ioredisPrisma,
  'export async function saveDraft(id: string, body: string) {',
  '  const draft = await prisma.draft.update({ where: { id }, data: { body } });',
  '  return redis.set(`draft:${id}`, JSON.stringify(draft));',
  '}',
);

const knexUnknownKey = lines(
  "import knex from 'knex';",
  "import Redis from 'ioredis';",
  '',
  "const db = knex({ client: 'pg', connection: process.env.DATABASE_URL });",
  'const redis = new Redis();',
  '',
  'export async function saveSettings(cacheKey: string, tenantId: number, settings: Record<string, unknown>) {',
  "  await db('tenant_settings').where({ tenant_id: tenantId }).update({ settings: JSON.stringify(settings) });",
  '  await redis.set(cacheKey, JSON.stringify(settings));',
  '}',
);

const keyHelper = lines(
  "import Redis from 'ioredis';",
  "import { PrismaClient } from '@prisma/client';",
  "import { productKey } from './cache/keys';",
  '',
  'const redis = new Redis();',
  'const prisma = new PrismaClient();',
  '',
  'export async function archiveProduct(id: string) {',
  '  await prisma.product.update({ where: { id }, data: { archivedAt: new Date() } });',
  '  const fresh = await prisma.product.findUniqueOrThrow({ where: { id }, include: { images: true } });',
  "  await redis.set(productKey(id), JSON.stringify(fresh), 'EX', 86400);",
  '}',
);

const expressDeleteFirst = lines(
  "import express from 'express';",
  "import Redis from 'ioredis';",
  "import { PrismaClient } from '@prisma/client';",
  '',
  'const app = express();',
  'const redis = new Redis();',
  'const prisma = new PrismaClient();',
  '',
  "app.put('/products/:id', async (req, res) => {",
  '  const { id } = req.params;',
  '  await redis.del(`product:${id}`);',
  '  const product = await prisma.product.update({ where: { id }, data: req.body });',
  '  res.json(product);',
  '});',
);

const nestDeleteFirst = lines(
  "import { CACHE_MANAGER } from '@nestjs/cache-manager';",
  "import { Inject, Injectable } from '@nestjs/common';",
  "import { InjectRepository } from '@nestjs/typeorm';",
  "import { Cache } from 'cache-manager';",
  "import { Repository } from 'typeorm';",
  "import { Article } from './article.entity';",
  '',
  '@Injectable()',
  'export class ArticlesService {',
  '  constructor(',
  '    @InjectRepository(Article) private readonly articles: Repository<Article>,',
  '    @Inject(CACHE_MANAGER) private readonly cache: Cache,',
  '  ) {}',
  '',
  '  async update(id: number, changes: Partial<Article>) {',
  '    await this.cache.del(`articles:${id}`);',
  '    await this.articles.update(id, changes);',
  '    return this.articles.findOneByOrFail({ id });',
  '  }',
  '}',
);

const unlinkBeforeSqlDelete = lines(
  "import { Pool } from 'pg';",
  "import { createClient } from 'redis';",
  '',
  'const pool = new Pool();',
  'const redis = createClient();',
  '',
  'export async function deleteComment(commentId: number) {',
  '  await redis.unlink(`comment:${commentId}`);',
  "  await pool.query('DELETE FROM comments WHERE id = $1', [commentId]);",
  '}',
);

const commonJsSequelize = lines(
  "const Redis = require('ioredis');",
  "const { Model } = require('sequelize');",
  '',
  'class Product extends Model {}',
  'const redis = new Redis();',
  '',
  'async function updateProduct(id, dto) {',
  '  await Product.update(dto, { where: { id } });',
  '  await redis.set(`product:${id}`, JSON.stringify(dto));',
  '}',
  '',
  'module.exports = { updateProduct };',
);

runRuleTests(invalidateDontUpdate, {
  valid: [
    {
      name: 'cache-aside read path: database read, then set',
      code: lines(
        ...ioredisPrisma,
        'export async function getProduct(id: string) {',
        '  const cached = await redis.get(`product:${id}`);',
        '  if (cached) return JSON.parse(cached);',
        '  const product = await prisma.product.findUnique({ where: { id } });',
        "  await redis.set(`product:${id}`, JSON.stringify(product), 'EX', 300);",
        '  return product;',
        '}',
      ),
    },
    {
      name: 'invalidation: delete after the write',
      code: lines(
        ...ioredisPrisma,
        'export async function updatePrice(id: string, price: number) {',
        '  const product = await prisma.product.update({ where: { id }, data: { price } });',
        '  await redis.del(`product:${id}`);',
        '  return product;',
        '}',
      ),
    },
    {
      name: 'SET NX only fills an absent key (ioredis flag)',
      code: lines(
        ...ioredisPrisma,
        'export async function touch(id: string) {',
        '  const product = await prisma.product.update({ where: { id }, data: { touchedAt: new Date() } });',
        "  await redis.set(`product:${id}`, JSON.stringify(product), 'EX', 60, 'NX');",
        '}',
      ),
    },
    {
      name: 'SET NX in node-redis ({ NX: true } and { condition: "NX" }) and upstash ({ nx: true })',
      code: lines(
        "import { createClient } from 'redis';",
        "import { Redis } from '@upstash/redis';",
        "import { PrismaClient } from '@prisma/client';",
        'const client = createClient();',
        'const kv = Redis.fromEnv();',
        'const prisma = new PrismaClient();',
        'export async function save(id: string, name: string) {',
        '  const product = await prisma.product.update({ where: { id }, data: { name } });',
        '  await client.set(`product:${id}`, JSON.stringify(product), { NX: true, EX: 60 });',
        "  await client.set(`product:${id}:v2`, JSON.stringify(product), { condition: 'NX' });",
        '  await kv.set(`product:${id}`, product, { nx: true, ex: 60 });',
        '}',
      ),
    },
    {
      name: 'the cache write runs before the database write',
      code: lines(
        ...ioredisPrisma,
        'export async function reserve(id: string, qty: number) {',
        "  await redis.set(`reservation:${id}`, String(qty), 'EX', 900);",
        '  await prisma.product.update({ where: { id }, data: { reserved: { increment: qty } } });',
        '}',
      ),
    },
    {
      name: 'write and cache set in exclusive branches',
      code: lines(
        ...ioredisPrisma,
        'export async function sync(id: string, incoming: { name: string } | null) {',
        '  if (incoming) {',
        '    await prisma.product.update({ where: { id }, data: incoming });',
        '  } else {',
        '    const product = await prisma.product.findUnique({ where: { id } });',
        '    await redis.set(`product:${id}`, JSON.stringify(product));',
        '  }',
        '}',
      ),
    },
    {
      name: 'the branch with the write returns before the set',
      code: lines(
        ...ioredisPrisma,
        'export async function refresh(id: string, archive: boolean) {',
        '  if (archive) {',
        '    await prisma.product.update({ where: { id }, data: { archivedAt: new Date() } });',
        '    return null;',
        '  }',
        '  const product = await prisma.product.findUnique({ where: { id } });',
        '  await redis.set(`product:${id}`, JSON.stringify(product));',
        '  return product;',
        '}',
      ),
    },
    {
      name: 'the branch with the write throws before the set',
      code: lines(
        ...ioredisPrisma,
        'export async function check(id: string, valid: boolean) {',
        '  if (!valid) {',
        "    await prisma.product.update({ where: { id }, data: { status: 'INVALID' } });",
        "    throw new Error('invalid product');",
        '  }',
        '  const product = await prisma.product.findUniqueOrThrow({ where: { id } });',
        '  await redis.set(`product:${id}`, JSON.stringify(product));',
        '}',
      ),
    },
    {
      name: 'rate-limit and session keys after a write belong to something else',
      code: lines(
        ...ioredisPrisma,
        'export async function login(userId: string, ip: string, sessionId: string, attempts: number) {',
        '  const user = await prisma.user.update({ where: { id: userId }, data: { lastLoginAt: new Date() } });',
        "  await redis.set(`ratelimit:login:${ip}`, String(attempts + 1), 'EX', 60);",
        "  await redis.set(`session:${sessionId}`, JSON.stringify({ userId: user.id, roles: user.roles }), 'EX', 86400);",
        '  return user;',
        '}',
      ),
    },
    {
      name: 'a key of another entity (cart) after an order write',
      code: lines(
        ...ioredisPrisma,
        'export async function checkout(userId: string, orderId: string, cart: { items: string[] }) {',
        "  await prisma.order.update({ where: { id: orderId }, data: { status: 'PAID' } });",
        '  await redis.set(`cart:${userId}`, JSON.stringify({ ...cart, items: [] }));',
        '}',
      ),
    },
    {
      name: 'optimistic WATCH/MULTI compare-and-set',
      code: lines(
        ...ioredisPrisma,
        'export async function updateCached(id: string, name: string) {',
        '  const key = `product:${id}`;',
        '  const product = await prisma.product.update({ where: { id }, data: { name } });',
        '  await redis.watch(key);',
        '  const current = await redis.get(key);',
        '  if (current && JSON.parse(current).version > product.version) return redis.unwatch();',
        '  return redis.multi().set(key, JSON.stringify(product)).exec();',
        '}',
      ),
    },
    {
      name: 'versioned keys: an older write lands in an older key',
      code: lines(
        ...ioredisPrisma,
        'export async function bump(id: string, price: number) {',
        '  const product = await prisma.product.update({ where: { id }, data: { price, version: { increment: 1 } } });',
        '  await redis.set(`product:${id}:v${product.version}`, JSON.stringify(product));',
        '  const version = product.version;',
        '  await redis.set(`product-page:${id}:${version}`, JSON.stringify(product));',
        '}',
      ),
    },
    {
      name: 'compare-and-set in a Lua script',
      code: lines(
        ...ioredisPrisma,
        "const SET_IF_NEWER = \"local v = redis.call('HGET', KEYS[1], 'version') if not v or tonumber(v) < tonumber(ARGV[1]) then redis.call('HSET', KEYS[1], 'version', ARGV[1], 'body', ARGV[2]) end\";",
        'export async function save(id: string, body: string) {',
        '  const product = await prisma.product.update({ where: { id }, data: { body } });',
        '  await redis.eval(SET_IF_NEWER, 1, `product:${id}`, product.version, JSON.stringify(product));',
        '}',
      ),
    },
    {
      name: 'write-through chosen on purpose (allowWriteThrough)',
      options: { allowWriteThrough: ['product:*', 'leaderboard:*'] },
      code: priceUpdate,
    },
    {
      name: 'delayed double delete: delete before, write, delete again on a timer',
      code: lines(
        ...ioredisPrisma,
        'export async function updateStock(id: string, stock: number) {',
        '  const key = `product:${id}`;',
        '  await redis.del(key);',
        '  await prisma.product.update({ where: { id }, data: { stock } });',
        '  setTimeout(() => void redis.del(key), 500);',
        '}',
      ),
    },
    {
      name: 'delete before and after the write',
      code: lines(
        ...ioredisPrisma,
        'export async function rename(id: string, name: string) {',
        '  await redis.unlink(`product:${id}`);',
        '  await prisma.product.update({ where: { id }, data: { name } });',
        '  await redis.unlink(`product:${id}`);',
        '}',
      ),
    },
    {
      name: 'delete before the write, then a project helper that invalidates',
      code: lines(
        "import type { Redis } from 'ioredis';",
        "import { PrismaClient } from '@prisma/client';",
        '',
        'export class CatalogService {',
        '  constructor(private readonly redis: Redis, private readonly prisma: PrismaClient) {}',
        '',
        '  async rename(id: string, name: string) {',
        '    await this.redis.del(`product:${id}`);',
        '    await this.prisma.product.update({ where: { id }, data: { name } });',
        '    await this.invalidateListings(id);',
        '  }',
        '',
        '  private async invalidateListings(id: string) {',
        "    await this.redis.del(`product:${id}`, 'products:featured');",
        '  }',
        '}',
      ),
    },
    {
      name: 'creating a row, then caching it: no other writer can race on a row that did not exist',
      code: lines(
        ...ioredisPrisma,
        'export async function createProduct(input: { name: string; price: number }) {',
        '  const created = await prisma.product.create({ data: input });',
        "  await redis.set(`product:${created.id}`, JSON.stringify(created), 'EX', 3600);",
        '  return created;',
        '}',
      ),
    },
    {
      name: 'marker values (timestamps, flags) are not copies of the row',
      code: lines(
        ...ioredisPrisma,
        'export async function touch(id: string) {',
        '  await prisma.product.update({ where: { id }, data: { touchedAt: new Date() } });',
        '  await redis.set(`product:${id}:updated-at`, Date.now());',
        "  await redis.set(`product:${id}:dirty`, '1', 'EX', 60);",
        '}',
      ),
    },
    {
      name: 'write and set in different route handlers of one file',
      code: lines(
        "import express from 'express';",
        "import Redis from 'ioredis';",
        "import { PrismaClient } from '@prisma/client';",
        'const app = express();',
        'const redis = new Redis();',
        'const prisma = new PrismaClient();',
        "app.put('/products/:id', async (req, res) => {",
        '  const product = await prisma.product.update({ where: { id: req.params.id }, data: req.body });',
        '  await redis.del(`product:${req.params.id}`);',
        '  res.json(product);',
        '});',
        "app.get('/products/:id', async (req, res) => {",
        '  const product = await prisma.product.findUnique({ where: { id: req.params.id } });',
        "  await redis.set(`product:${req.params.id}`, JSON.stringify(product), 'EX', 60);",
        '  res.json(product);',
        '});',
      ),
    },
    {
      name: 'cache write in a rejection handler only runs when the write failed',
      code: lines(
        ...ioredisPrisma,
        'export function save(id: string, data: { name: string }) {',
        '  return prisma.product.update({ where: { id }, data }).catch(async (error) => {',
        "    await redis.set(`failed-write:${id}`, JSON.stringify({ data, message: String(error) }), 'EX', 3600);",
        '    throw error;',
        '  });',
        '}',
      ),
    },
    {
      name: 'no evidence: unknown key and a value that does not come from the write',
      code: lines(
        "import { Pool } from 'pg';",
        "import Redis from 'ioredis';",
        'const pool = new Pool();',
        'const redis = new Redis();',
        'export async function recordVisit(cacheKey: string, productId: number) {',
        "  await pool.query('UPDATE products SET views = views + 1 WHERE id = $1', [productId]);",
        "  const rates = await fetch('https://api.example.com/rates').then((r) => r.json());",
        "  await redis.set(cacheKey, JSON.stringify(rates), 'EX', 600);",
        '}',
      ),
    },
    {
      name: 'request data written to the database, session data cached',
      code: lines(
        "import { Pool } from 'pg';",
        "import Redis from 'ioredis';",
        'const pool = new Pool();',
        'const redis = new Redis();',
        'export async function saveProfile(req: { body: { name: string }; session: { id: string; data: object }; sessionID: string }) {',
        "  await pool.query('UPDATE profiles SET name = $1 WHERE session_id = $2', [req.body.name, req.sessionID]);",
        '  await redis.set(req.session.id, JSON.stringify(req.session.data));',
        '}',
      ),
    },
    {
      name: 'look-alikes: Map.set, Express res.set, a local object named cache',
      code: lines(
        "import express from 'express';",
        "import { PrismaClient } from '@prisma/client';",
        'const app = express();',
        'const prisma = new PrismaClient();',
        'const memo = new Map<string, unknown>();',
        'const cache = { set: (key: string, value: unknown) => memo.set(key, value) };',
        "app.put('/products/:id', async (req, res) => {",
        '  const product = await prisma.product.update({ where: { id: req.params.id }, data: req.body });',
        '  memo.set(`product:${product.id}`, product);',
        '  cache.set(`product:${product.id}`, product);',
        "  res.set('ETag', String(product.version)).json(product);",
        '});',
      ),
    },
    {
      name: 'database write and cache set started together are not ordered',
      code: lines(
        ...ioredisPrisma,
        'export async function save(id: string, data: { name: string }) {',
        '  await Promise.all([',
        '    prisma.product.update({ where: { id }, data }),',
        '    redis.set(`product-draft:${id}`, JSON.stringify(data)),',
        '  ]);',
        '}',
      ),
    },
    {
      name: 'deleting an unrelated key before an insert',
      code: lines(
        ...ioredisPrisma,
        'export async function placeOrder(userId: string, items: Array<{ sku: string; qty: number }>) {',
        '  await redis.del(`cart:${userId}`);',
        '  return prisma.order.create({ data: { userId, items: { create: items } } });',
        '}',
      ),
    },
    {
      name: 'deleting a key that is not built from what the write touches',
      code: lines(
        "import { Pool } from 'pg';",
        "import Redis from 'ioredis';",
        'const pool = new Pool();',
        'const redis = new Redis();',
        'export async function closeAccount(accountId: number, requestId: string) {',
        '  await redis.del(`cache:${requestId}`);',
        "  await pool.query('UPDATE accounts SET closed_at = now() WHERE id = $1', [accountId]);",
        '}',
      ),
    },
    {
      name: 'a read-only SQL query before the set',
      code: lines(
        "import { Pool } from 'pg';",
        "import Redis from 'ioredis';",
        'const pool = new Pool();',
        'const redis = new Redis();',
        'export async function loadProduct(id: number) {',
        "  const { rows } = await pool.query('SELECT * FROM products WHERE id = $1', [id]);",
        "  await redis.set(`product:${id}`, JSON.stringify(rows[0]), 'EX', 300);",
        '  return rows[0];',
        '}',
      ),
    },
    {
      name: 'a write inside an event listener, registered before the set, runs later',
      code: lines(
        "import { EventEmitter } from 'node:events';",
        ...ioredisPrisma.slice(0, 5),
        'export async function warm(events: EventEmitter, id: string) {',
        "  events.on('price-changed', async (price: number) => {",
        '    await prisma.product.update({ where: { id }, data: { price } });',
        '  });',
        '  const product = await prisma.product.findUnique({ where: { id } });',
        '  await redis.set(`product:${id}`, JSON.stringify(product));',
        '}',
      ),
    },
    {
      name: 'statistics hash after a write',
      code: lines(
        ...ioredisPrisma,
        'export async function ship(orderId: string, day: string) {',
        "  const order = await prisma.order.update({ where: { id: orderId }, data: { status: 'SHIPPED' } });",
        "  await redis.hset(`stats:${day}`, 'shipped', String(order.total));",
        '}',
      ),
    },
    {
      name: 'delete before a write in the other branch',
      code: lines(
        ...ioredisPrisma,
        'export async function toggle(id: string, hide: boolean) {',
        '  if (hide) {',
        '    await redis.del(`product:${id}`);',
        '  } else {',
        '    await prisma.product.update({ where: { id }, data: { hidden: false } });',
        '  }',
        '}',
      ),
    },
    {
      name: 'feature flags cached after a settings write',
      code: lines(
        "import { CACHE_MANAGER } from '@nestjs/cache-manager';",
        "import { Inject, Injectable } from '@nestjs/common';",
        "import { InjectRepository } from '@nestjs/typeorm';",
        "import { Cache } from 'cache-manager';",
        "import { Repository } from 'typeorm';",
        "import { Setting } from './setting.entity';",
        '@Injectable()',
        'export class SettingsService {',
        '  constructor(',
        '    @InjectRepository(Setting) private readonly settings: Repository<Setting>,',
        '    @Inject(CACHE_MANAGER) private readonly cache: Cache,',
        '  ) {}',
        '  async enable(flag: string, flags: Record<string, boolean>) {',
        '    await this.settings.update({ key: flag }, { enabled: true });',
        "    await this.cache.set('config:flags', { ...flags, [flag]: true });",
        '  }',
        '}',
      ),
    },
  ],
  invalid: [
    {
      name: 'Prisma update, then ioredis SET with the updated row',
      code: priceUpdate,
      errors: [
        {
          messageId: 'updateAfterWrite',
          line: 9,
          column: 15,
          endColumn: 18,
          suggestions: [edit(priceUpdate, "redis.set(`product:${id}`, JSON.stringify(product), 'EX', 3600)", 'redis.del(`product:${id}`)')],
          related: ['src/subject.ts:8 Database update of product that the cache write follows'],
        },
      ],
      output: null,
    },
    {
      name: 'NestJS service: upsert then cache-manager set under the id and email; delete before the database delete',
      code: nestUserService,
      errors: [
        {
          messageId: 'updateAfterWrite',
          line: 20,
          column: 29,
          suggestions: [edit(nestUserService, 'this.cacheManager.set(savedUser.id, savedUser)', 'this.cacheManager.del(savedUser.id)')],
        },
        {
          messageId: 'updateAfterWrite',
          line: 21,
          column: 29,
          suggestions: [edit(nestUserService, 'this.cacheManager.set(savedUser.email, savedUser)', 'this.cacheManager.del(savedUser.email)')],
        },
        { messageId: 'deleteBeforeWrite', line: 26, column: 29, suggestions: [], related: ['src/subject.ts:27 Database delete of user that runs after the cache delete'] },
      ],
    },
    {
      name: 'TypeORM save, then node-redis setEx',
      code: typeormNodeRedis,
      errors: [
        {
          messageId: 'updateAfterWrite',
          line: 19,
          column: 22,
          suggestions: [edit(typeormNodeRedis, 'this.redis.setEx(`product:${id}`, 300, JSON.stringify(product))', 'this.redis.del(`product:${id}`)')],
        },
      ],
    },
    {
      name: 'Next.js route: Mongoose findByIdAndUpdate, then upstash set',
      filename: 'src/app/api/products/[id]/route.ts',
      files: { 'src/models/product.ts': mongooseProductModel },
      code: nextRouteMongoose,
      errors: [
        {
          messageId: 'updateAfterWrite',
          line: 11,
          column: 15,
          suggestions: [edit(nextRouteMongoose, 'redis.set(`product:${params.id}`, updated, { ex: 600 })', 'redis.del(`product:${params.id}`)')],
        },
      ],
    },
    {
      name: 'raw SQL UPDATE through pg, then node-redis hSet',
      code: pgStock,
      errors: [
        {
          messageId: 'updateAfterWrite',
          line: 9,
          column: 15,
          suggestions: [edit(pgStock, 'redis.hSet(`product:${productId}`, { stock: String(stock) })', 'redis.del(`product:${productId}`)')],
        },
      ],
    },
    {
      name: 'Drizzle update returning, then keyv set',
      code: drizzleKeyv,
      errors: [
        {
          messageId: 'updateAfterWrite',
          line: 11,
          column: 15,
          suggestions: [edit(drizzleKeyv, 'cache.set(`product:${id}`, row)', 'cache.delete(`product:${id}`)')],
        },
      ],
    },
    {
      name: 'write inside an awaited $transaction callback, set after it',
      code: transactionCallback,
      errors: [{ messageId: 'updateAfterWrite', line: 13, column: 15, related: ['src/subject.ts:9 Database update of product that the cache write follows'] }],
    },
    {
      name: 'set in the .then() of the update',
      code: thenChain,
      errors: [
        {
          messageId: 'updateAfterWrite',
          line: 11,
          column: 19,
          suggestions: [edit(thenChain, 'redis.set(`article:${article.slug}`, JSON.stringify(article))', 'redis.del(`article:${article.slug}`)')],
        },
      ],
    },
    {
      name: 'set inside a MULTI chain, value computed from the row',
      code: multiChain,
      errors: [
        {
          messageId: 'updateAfterWrite',
          line: 10,
          column: 23,
          suggestions: [edit(multiChain, 'set(`product:${id}`, payload)', 'del(`product:${id}`)')],
        },
      ],
    },
    {
      name: 'set in an ioredis pipeline array, in a loop',
      code: pipelineArray,
      errors: [
        {
          messageId: 'updateAfterWrite',
          line: 12,
          column: 10,
          suggestions: [edit(pipelineArray, "'set', `product:${id}`, JSON.stringify(product)", "'del', `product:${id}`")],
        },
      ],
    },
    {
      name: 'node-redis sendCommand SET',
      code: sendCommand,
      errors: [
        {
          messageId: 'updateAfterWrite',
          line: 9,
          column: 29,
          suggestions: [edit(sendCommand, "'SET', `user:${id}`, JSON.stringify(user), 'EX', '900'", "'DEL', `user:${id}`")],
        },
      ],
    },
    {
      name: 'MSET of two rows written in a batch transaction',
      code: msetAfterTransaction,
      errors: [
        {
          messageId: 'updateAfterWrite',
          line: 12,
          column: 15,
          suggestions: [
            edit(
              msetAfterTransaction,
              'redis.mset(`menu-item:${a.id}`, JSON.stringify(a), `menu-item:${b.id}`, JSON.stringify(b))',
              'redis.del(`menu-item:${a.id}`, `menu-item:${b.id}`)',
            ),
          ],
          related: ['src/subject.ts:10 Database update of menuitem that the cache write follows'],
        },
      ],
    },
    {
      name: "the SET's reply is returned: no suggestion",
      code: resultReturned,
      errors: [{ messageId: 'updateAfterWrite', line: 9, column: 16, suggestions: [] }],
    },
    {
      name: 'unknown key, value is the data just written (knex)',
      code: knexUnknownKey,
      errors: [{ messageId: 'updateAfterWrite', line: 9, column: 15 }],
    },
    {
      name: 'key built by a helper in another module',
      code: keyHelper,
      files: { 'src/cache/keys.ts': 'export const productKey = (id: string) => `shop:product:${id}`;\n' },
      errors: [{ messageId: 'updateAfterWrite', line: 11, column: 15 }],
    },
    {
      name: 'Express handler deletes before the update and never after',
      code: expressDeleteFirst,
      errors: [
        {
          messageId: 'deleteBeforeWrite',
          line: 11,
          column: 15,
          suggestions: [
            edit(
              expressDeleteFirst,
              '  await redis.del(`product:${id}`);\n  const product = await prisma.product.update({ where: { id }, data: req.body });\n',
              '  const product = await prisma.product.update({ where: { id }, data: req.body });\n  await redis.del(`product:${id}`);\n',
            ),
          ],
          related: ['src/subject.ts:12 Database update of product that runs after the cache delete'],
        },
      ],
    },
    {
      name: 'NestJS: cache-manager del, then TypeORM update',
      code: nestDeleteFirst,
      errors: [
        {
          messageId: 'deleteBeforeWrite',
          line: 16,
          column: 22,
          suggestions: [
            edit(
              nestDeleteFirst,
              '    await this.cache.del(`articles:${id}`);\n    await this.articles.update(id, changes);\n',
              '    await this.articles.update(id, changes);\n    await this.cache.del(`articles:${id}`);\n',
            ),
          ],
        },
      ],
    },
    {
      name: 'node-redis UNLINK before a raw SQL DELETE',
      code: unlinkBeforeSqlDelete,
      errors: [
        {
          messageId: 'deleteBeforeWrite',
          line: 8,
          column: 15,
          suggestions: [
            edit(
              unlinkBeforeSqlDelete,
              "  await redis.unlink(`comment:${commentId}`);\n  await pool.query('DELETE FROM comments WHERE id = $1', [commentId]);\n",
              "  await pool.query('DELETE FROM comments WHERE id = $1', [commentId]);\n  await redis.unlink(`comment:${commentId}`);\n",
            ),
          ],
        },
      ],
    },
    {
      name: 'set in a branch that follows the write',
      code: lines(
        ...ioredisPrisma,
        'export async function updatePost(id: string, input: { title: string; published: boolean }) {',
        '  const post = await prisma.post.update({ where: { id }, data: input });',
        '  if (post.published) {',
        "    await redis.set(`post:${id}`, JSON.stringify(post), 'EX', 600);",
        '  }',
        '  return post;',
        '}',
      ),
      errors: [{ messageId: 'updateAfterWrite', line: 10, column: 17 }],
    },
    {
      name: 'set inside the try block after the write (plural key family)',
      code: lines(
        ...ioredisPrisma,
        'export async function rename(id: string, name: string) {',
        '  try {',
        '    const category = await prisma.category.update({ where: { id }, data: { name } });',
        '    await redis.set(`categories:${id}`, JSON.stringify(category));',
        '  } catch (error) {',
        "    console.error('rename failed', error);",
        '    throw error;',
        '  }',
        '}',
      ),
      errors: [{ messageId: 'updateAfterWrite', line: 10, column: 17 }],
    },
    {
      name: 'delete before and set after: the set is the problem',
      code: lines(
        ...ioredisPrisma,
        'export async function updateTitle(id: string, title: string) {',
        '  await redis.del(`product:${id}`);',
        '  const product = await prisma.product.update({ where: { id }, data: { title } });',
        '  await redis.set(`product:${id}`, JSON.stringify(product));',
        '}',
      ),
      errors: [{ messageId: 'updateAfterWrite', line: 10, column: 15 }],
    },
    {
      name: 'CommonJS: Sequelize update, then set with the input',
      filename: 'src/products.js',
      code: commonJsSequelize,
      errors: [
        {
          messageId: 'updateAfterWrite',
          line: 9,
          column: 15,
          suggestions: [edit(commonJsSequelize, 'redis.set(`product:${id}`, JSON.stringify(dto))', 'redis.del(`product:${id}`)')],
        },
      ],
    },
    {
      name: 'several writes before the set: the one the key names is reported',
      code: lines(
        ...ioredisPrisma,
        'export async function markSold(id: string, buyerId: string) {',
        '  const product = await prisma.product.update({ where: { id }, data: { sold: true } });',
        "  await prisma.auditLog.create({ data: { action: 'sold', productId: id, buyerId } });",
        '  await prisma.user.update({ where: { id: buyerId }, data: { purchases: { increment: 1 } } });',
        '  await redis.set(`product:${id}`, JSON.stringify(product));',
        '}',
      ),
      errors: [{ messageId: 'updateAfterWrite', line: 11, column: 15, related: ['src/subject.ts:8 Database update of product that the cache write follows'] }],
    },
    {
      name: 'upsert, then PSETEX under a key held in a const',
      code: lines(
        ...ioredisPrisma,
        'export async function savePreferences(userId: string, prefs: Record<string, string>) {',
        '  const key = `user-prefs:${userId}`;',
        '  const saved = await prisma.userPreference.upsert({ where: { userId }, update: { prefs }, create: { userId, prefs } });',
        '  await redis.psetex(key, 60_000, JSON.stringify(saved));',
        '}',
      ),
      errors: [{ messageId: 'updateAfterWrite', line: 10, column: 15 }],
    },
    {
      name: 'bulk update loop',
      code: lines(
        ...ioredisPrisma,
        'export async function applyDiscount(ids: string[], percent: number) {',
        '  for (const id of ids) {',
        '    const product = await prisma.product.update({ where: { id }, data: { discount: percent } });',
        '    await redis.set(`product:${id}`, JSON.stringify(product));',
        '  }',
        '}',
      ),
      errors: [{ messageId: 'updateAfterWrite', line: 10, column: 17 }],
    },
    {
      name: 'allowWriteThrough for other families does not hide this one',
      options: { allowWriteThrough: ['leaderboard:*'] },
      code: priceUpdate,
      errors: [{ messageId: 'updateAfterWrite', line: 9, column: 15 }],
    },
  ],
});
