import { CompilerOptions, Node, Project, SyntaxKind } from 'ts-morph';
import { describe, expect, it } from 'vitest';
import {
  classifySqlText,
  createDbFileContext,
  DbOperation,
  findDbOperations,
  normalizeModelName,
  recognizeDbOperation,
} from './recognize-db-operation';

interface Snippet {
  code: string;
  /** Other files of the project, by absolute path. */
  files?: Record<string, string>;
  path?: string;
  compilerOptions?: CompilerOptions;
}

function operationsIn(snippet: Snippet | string): DbOperation[] {
  const { code, files = {}, path = '/src/app/file.ts', compilerOptions } = typeof snippet === 'string' ? { code: snippet } : snippet;
  const project = new Project({ useInMemoryFileSystem: true, compilerOptions });
  for (const [filePath, text] of Object.entries(files)) project.createSourceFile(filePath, text);
  const file = project.createSourceFile(path, code);
  return findDbOperations(file, createDbFileContext(file));
}

/** `library access[/writeKind] model` for each operation, e.g. `prisma write/update product`. */
function describeOperations(snippet: Snippet | string): string[] {
  return operationsIn(snippet).map((operation) => {
    const access = operation.writeKind ? `${operation.access}/${operation.writeKind}` : operation.access;
    return `${operation.library} ${access} ${operation.model ?? '?'}`;
  });
}

describe('normalizeModelName', () => {
  it.each([
    'Product', 'products', 'product', 'prisma.product', "'products'", '"public"."products"', 'productsTable', 'ProductEntity',
    'productRepository', 'ProductModel', 'productModel', 'ProductSchema', 'ProductDocument', 'public.products', '`products`',
    'products as p', '_productRepository', 'products_table',
  ])('%s -> product', (raw) => {
    expect(normalizeModelName(raw)).toBe('product');
  });

  it.each([
    ['categories', 'category'],
    ['Category', 'category'],
    ['order_items', 'orderitem'],
    ['OrderItem', 'orderitem'],
    ['orderItemsTable', 'orderitem'],
    ['addresses', 'address'],
    ['statuses', 'status'],
    ['status', 'status'],
    ['boxes', 'box'],
    ['people', 'person'],
    ['houses', 'house'],
    ['responses', 'response'],
    ['news', 'news'],
  ])('%s -> %s', (raw, expected) => {
    expect(normalizeModelName(raw)).toBe(expected);
  });

  it('has nothing to say about a bare wrapper word', () => {
    expect(normalizeModelName('repository')).toBeUndefined();
    expect(normalizeModelName('Model')).toBeUndefined();
    expect(normalizeModelName('')).toBeUndefined();
  });
});

describe('classifySqlText', () => {
  it.each([
    ['SELECT * FROM products WHERE id = $1', { access: 'read', table: 'products' }],
    ['select p.* from "public"."products" p join categories c on c.id = p.category_id', { access: 'read', table: 'products' }],
    ['UPDATE products SET stock = stock - 1 WHERE id = ?', { access: 'write', writeKind: 'update', table: 'products' }],
    ['INSERT INTO order_items (id) VALUES ($1)', { access: 'write', writeKind: 'insert', table: 'order_items' }],
    ['INSERT INTO products (id) VALUES ($1) ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name', { access: 'write', writeKind: 'upsert', table: 'products' }],
    ['INSERT INTO products (id) VALUES ($1) ON CONFLICT DO NOTHING', { access: 'write', writeKind: 'insert', table: 'products' }],
    ['INSERT INTO products SET id = ? ON DUPLICATE KEY UPDATE name = ?', { access: 'write', writeKind: 'upsert', table: 'products' }],
    ['INSERT OR REPLACE INTO products VALUES (?)', { access: 'write', writeKind: 'upsert', table: 'products' }],
    ['REPLACE INTO products VALUES (?)', { access: 'write', writeKind: 'upsert', table: 'products' }],
    ['DELETE FROM `shop`.`products` WHERE id = ?', { access: 'write', writeKind: 'delete', table: 'products' }],
    ['MERGE INTO products t USING src s ON t.id = s.id WHEN MATCHED THEN UPDATE SET name = s.name', { access: 'write', writeKind: 'upsert', table: 'products' }],
    ['WITH moved AS (SELECT id FROM carts) UPDATE products SET stock = 0 FROM moved', { access: 'write', writeKind: 'update', table: 'products' }],
    ['-- refresh\n/* hot path */ UPDATE ONLY products SET name = $1', { access: 'write', writeKind: 'update', table: 'products' }],
    ['TRUNCATE TABLE products', { access: 'write', writeKind: 'delete', table: 'products' }],
    ['SELECT 1', { access: 'read' }],
    ['SELECT now()', { access: 'read' }],
    ['(SELECT id FROM products) UNION (SELECT id FROM archived_products)', { access: 'read', table: 'products' }],
  ])('%s', (text, expected) => {
    expect(classifySqlText(text)).toEqual(expected);
  });

  it.each([
    'Update your profile',
    'Select an option',
    'Delete this item?',
    'insert coin',
    'CREATE TABLE products (id int)',
    'BEGIN',
    'hello world',
    '',
  ])('is not SQL: %s', (text) => {
    expect(classifySqlText(text)).toBeUndefined();
  });

  it('leaves the table unknown when it is a substitution', () => {
    expect(classifySqlText('UPDATE \u0000 SET a = 1')).toEqual({ access: 'write', writeKind: 'update' });
  });
});

describe('Prisma', () => {
  it('recognises model reads and writes on an imported client', () => {
    const code = `
      import { prisma } from '../lib/prisma';
      export async function run(id: string) {
        await prisma.product.findUnique({ where: { id } });
        await prisma.product.findFirst({ where: { id } });
        await prisma.product.findMany();
        await prisma.product.count();
        await prisma.product.aggregate({ _sum: { stock: true } });
        await prisma.product.groupBy({ by: ['categoryId'] });
        await prisma.product.create({ data: { id } });
        await prisma.product.createMany({ data: [] });
        await prisma.product.update({ where: { id }, data: { stock: 1 } });
        await prisma.product.updateMany({ where: {}, data: {} });
        await prisma.product.upsert({ where: { id }, create: {}, update: {} });
        await prisma.product.delete({ where: { id } });
        await prisma.orderItem.deleteMany({ where: { id } });
      }`;
    expect(describeOperations(code)).toEqual([
      'prisma read product', 'prisma read product', 'prisma read product', 'prisma read product', 'prisma read product',
      'prisma read product', 'prisma write/insert product', 'prisma write/insert product', 'prisma write/update product',
      'prisma write/update product', 'prisma write/upsert product', 'prisma write/delete product', 'prisma write/delete orderitem',
    ]);
  });

  it('follows this.prisma in a NestJS service and the $transaction callback client', () => {
    const code = `
      import { Injectable } from '@nestjs/common';
      import { PrismaService } from '../prisma/prisma.service';
      @Injectable()
      export class ProductsService {
        constructor(private readonly prisma: PrismaService, private readonly productService: CatalogService) {}
        async rename(id: string, name: string) {
          await this.prisma.$transaction(async (tx) => {
            await tx.category.findMany();
            await tx.product.update({ where: { id }, data: { name } });
          });
          return this.productService.update({ where: { id }, data: { name } });
        }
      }`;
    expect(describeOperations(code)).toEqual(['prisma read category', 'prisma write/update product']);
  });

  it('uses a db handle when the file imports Prisma or the call is Prisma-shaped', () => {
    expect(describeOperations(`
      import type { Prisma } from '@prisma/client';
      import { db } from '~/server/db';
      export const f = () => db.product.count();`)).toEqual(['prisma read product']);
    expect(describeOperations(`
      import { db } from '~/server/db';
      export const f = (id: string) => db.product.update({ where: { id }, data: {} });
      export const g = (ctx: { db: any }) => ctx.db.post.findMany();`)).toEqual(['prisma write/update product', 'prisma read post']);
  });

  it('reads the exported client of another project file', () => {
    const files = {
      '/src/lib/client.ts': `
        import { PrismaClient } from '@prisma/client';
        const globalForPrisma = globalThis as unknown as { client?: PrismaClient };
        export const database = globalForPrisma.client ?? new PrismaClient();
        export default database;`,
    };
    expect(describeOperations({ files, code: `
      import store from '../lib/client';
      export const f = () => store.product.count();` })).toEqual(['prisma read product']);
  });

  it('follows tsconfig path aliases and CommonJS exports', () => {
    const files = {
      '/repo/src/lib/db.js': `
        const { PrismaClient } = require('@prisma/client');
        const client = new PrismaClient();
        module.exports = { client };`,
    };
    expect(describeOperations({
      files,
      path: '/repo/src/routes/products.ts',
      compilerOptions: { baseUrl: '/repo', paths: { '@/*': ['src/*'] }, allowJs: true },
      code: `
        import { client } from '@/lib/db';
        export const list = () => client.product.count();`,
    })).toEqual(['prisma read product']);
  });

  it('classifies raw queries by their SQL', () => {
    const code = `
      import { PrismaClient, Prisma } from '@prisma/client';
      const prisma = new PrismaClient();
      export async function f(id: number) {
        await prisma.$executeRaw\`UPDATE products SET stock = stock - 1 WHERE id = \${id}\`;
        await prisma.$queryRaw<Row[]>\`SELECT * FROM "Category" WHERE id = \${id}\`;
        await prisma.$executeRawUnsafe('DELETE FROM order_items WHERE id = $1', id);
        await prisma.$queryRaw(Prisma.sql\`SELECT * FROM products\`);
      }`;
    expect(describeOperations(code)).toEqual([
      'prisma write/update product', 'prisma read category', 'prisma write/delete orderitem', 'prisma read product',
    ]);
  });

  it('reports the Prisma call, not the .then() after it', () => {
    const [operation] = operationsIn(`
      import { prisma } from './db';
      prisma.product.findMany().then((rows) => rows.length);`);
    expect(operation?.call.getText()).toBe('prisma.product.findMany()');
  });
});

describe('TypeORM', () => {
  it('recognises injected repositories and their model', () => {
    const code = `
      import { InjectRepository } from '@nestjs/typeorm';
      import { Repository } from 'typeorm';
      import { Product } from './product.entity';
      export class ProductService {
        constructor(
          @InjectRepository(Product) private readonly repo: Repository<Product>,
          @InjectRepository(CategoryEntity) private readonly categories: Repository<CategoryEntity>,
        ) {}
        async all(id: number) {
          await this.repo.find();
          await this.repo.findOneBy({ id });
          await this.repo.findAndCount();
          await this.categories.count();
          await this.repo.save({ id });
          await this.repo.insert({ id });
          await this.repo.update(id, { name: 'x' });
          await this.repo.delete(id);
          await this.repo.remove([]);
          await this.repo.softDelete(id);
          await this.repo.upsert({ id }, ['id']);
          await this.repo.increment({ id }, 'stock', 1);
          const draft = this.repo.create({ id });
          return draft;
        }
      }`;
    expect(describeOperations(code)).toEqual([
      'typeorm read product', 'typeorm read product', 'typeorm read product', 'typeorm read category',
      'typeorm write/upsert product', 'typeorm write/insert product', 'typeorm write/update product',
      'typeorm write/delete product', 'typeorm write/delete product', 'typeorm write/delete product',
      'typeorm write/upsert product', 'typeorm write/update product',
    ]);
  });

  it('takes the model from the repository name when the type says nothing', () => {
    expect(describeOperations(`
      import { Injectable } from '@nestjs/common';
      import { DataSource } from 'typeorm';
      export class S {
        constructor(private productsRepository: any) {}
        f() { return this.productsRepository.findOne({ where: { id: 1 } }); }
      }`)).toEqual(['typeorm read product']);
  });

  it('recognises Active Record entity statics', () => {
    const files = {
      '/src/entities/product.entity.ts': `
        import { BaseEntity, Entity } from 'typeorm';
        @Entity()
        export class Product extends BaseEntity {}`,
    };
    expect(describeOperations({ files, code: `
      import { Product } from '../entities/product.entity';
      export const f = () => Product.findOneBy({ id: 1 });
      export const g = () => Product.delete({ id: 1 });` })).toEqual(['typeorm read product', 'typeorm write/delete product']);
  });

  it('knows no model for a repository of a type parameter', () => {
    expect(describeOperations(`
      import { Repository } from 'typeorm';
      export abstract class BaseService<T extends { id: number }> {
        constructor(protected readonly repository: Repository<T>) {}
        remove(id: number) { return this.repository.delete(id); }
      }`)).toEqual(['typeorm write/delete ?']);
  });

  it('recognises data sources, managers and getRepository', () => {
    const code = `
      import { DataSource, EntityManager, getRepository } from 'typeorm';
      import { Product } from './product.entity';
      export class S {
        constructor(private dataSource: DataSource) {}
        async f(manager: EntityManager, id: number) {
          await this.dataSource.getRepository(Product).findOneBy({ id });
          await getRepository(Category).find();
          await manager.save(Product, { id });
          await manager.update(Product, id, { stock: 0 });
          await this.dataSource.manager.delete(OrderItem, { id });
          await this.dataSource.transaction(async (em) => {
            await em.increment(Product, { id }, 'stock', 1);
            const entity = em.create(Product, { id });
            await em.save(entity);
          });
          const repo = this.dataSource.getRepository(Category);
          await repo.softRemove({ id });
          await this.dataSource.query('UPDATE products SET stock = 0');
        }
      }`;
    expect(describeOperations(code)).toEqual([
      'typeorm read product', 'typeorm read category', 'typeorm write/upsert product', 'typeorm write/update product',
      'typeorm write/delete orderitem', 'typeorm write/update product', 'typeorm write/upsert product',
      'typeorm write/delete category', 'typeorm write/update product',
    ]);
  });

  it('recognises query builders by their terminal call', () => {
    const code = `
      import { Repository, DataSource } from 'typeorm';
      export class S {
        constructor(private productRepository: Repository<Product>, private dataSource: DataSource) {}
        async f(id: number) {
          await this.productRepository.createQueryBuilder('p').where('p.id = :id', { id }).getOne();
          await this.dataSource.createQueryBuilder().update(Product).set({ stock: 0 }).where('id = :id', { id }).execute();
          await this.dataSource.createQueryBuilder().insert().into(OrderItem).values([]).execute();
          await this.dataSource.createQueryBuilder().delete().from(Category).where('id = :id', { id }).execute();
          await this.dataSource.createQueryBuilder(Category, 'c').getMany();
          const qb = this.productRepository.createQueryBuilder('p');
          qb.where('p.stock > 0');
          return qb.getMany();
        }
      }`;
    expect(describeOperations(code)).toEqual([
      'typeorm read product', 'typeorm write/update product', 'typeorm write/insert orderitem', 'typeorm write/delete category',
      'typeorm read category', 'typeorm read product',
    ]);
  });

  it('reports a query builder chain once, at its outermost call', () => {
    const operations = operationsIn(`
      import { DataSource } from 'typeorm';
      declare const dataSource: DataSource;
      dataSource.createQueryBuilder().update(Product).set({ a: 1 }).where('id = 1').execute();`);
    expect(operations).toHaveLength(1);
    expect(operations[0]?.call.getText()).toMatch(/\.execute\(\)$/);
  });

  it('follows a custom repository class into another file', () => {
    const files = {
      '/src/products/product.repository.ts': `
        import { Repository, DataSource } from 'typeorm';
        import { Product } from './product.entity';
        export class ProductRepository extends Repository<Product> {
          constructor(dataSource: DataSource) { super(Product, dataSource.createEntityManager()); }
          findCheap() { return this.find({ where: { price: 1 } }); }
        }`,
    };
    expect(describeOperations({ files, path: '/src/products/product.service.ts', code: `
      import { ProductRepository } from './product.repository';
      export class ProductService {
        constructor(private readonly products: ProductRepository) {}
        bump(id: number) { return this.products.increment({ id }, 'views', 1); }
      }` })).toEqual(['typeorm write/update product']);
    expect(describeOperations({ path: '/src/products/product.repository.ts', code: files['/src/products/product.repository.ts'] }))
      .toEqual(['typeorm read product']);
  });
});

describe('Sequelize', () => {
  it('recognises model statics and instances read in the same function', () => {
    const code = `
      import { Model, DataTypes } from 'sequelize';
      class Product extends Model {}
      export async function f(id: number) {
        await Product.findAll({ where: { active: true } });
        await Product.findByPk(id);
        await Product.count();
        await Product.create({ id });
        await Product.bulkCreate([{ id }], { updateOnDuplicate: ['name'] });
        await Product.update({ name: 'x' }, { where: { id } });
        await Product.destroy({ where: { id } });
        await Product.increment('stock', { where: { id } });
        const product = await Product.findOne({ where: { id } });
        await product.update({ name: 'y' });
        await product.save();
        await product.destroy();
        const [created] = await Product.findOrCreate({ where: { id } });
        await created.reload();
      }`;
    expect(describeOperations(code)).toEqual([
      'sequelize read product', 'sequelize read product', 'sequelize read product', 'sequelize write/insert product',
      'sequelize write/upsert product', 'sequelize write/update product', 'sequelize write/delete product',
      'sequelize write/update product', 'sequelize read product', 'sequelize write/update product',
      'sequelize write/update product', 'sequelize write/delete product', 'sequelize write/insert product', 'sequelize read product',
    ]);
  });

  it('recognises models imported from project modules and sequelize-cli model registries', () => {
    expect(describeOperations({ path: '/src/routes/products.js', code: `
      const { Product } = require('../models');
      const db = require('../models');
      exports.list = async () => {
        await Product.findAll();
        await db.Category.findByPk(1);
      };` })).toEqual(['sequelize read product', 'sequelize read category']);
  });

  it('resolves a model defined with sequelize.define in another file', () => {
    const files = {
      '/src/models/order-item.ts': `
        import { sequelize } from '../db';
        import { DataTypes } from 'sequelize';
        export const OrderLine = sequelize.define('order_items', { id: DataTypes.INTEGER });`,
    };
    expect(describeOperations({ files, code: `
      import { OrderLine } from '../models/order-item';
      export const f = () => OrderLine.create({ id: 1 });` })).toEqual(['sequelize write/insert orderitem']);
  });
});

describe('Mongoose', () => {
  it('recognises model statics, queries and documents', () => {
    const code = `
      import mongoose, { Schema, model, models } from 'mongoose';
      const ProductSchema = new Schema({ name: String });
      const Product = models.Product || model('Product', ProductSchema);
      export async function f(id: string) {
        await Product.find({}).sort({ name: 1 }).lean().exec();
        await Product.findById(id).populate('category');
        await Product.countDocuments();
        await Product.create({ name: 'x' });
        await Product.insertMany([]);
        await Product.findByIdAndUpdate(id, { name: 'y' }, { new: true });
        await Product.findOneAndUpdate({ _id: id }, { name: 'y' }, { upsert: true });
        await Product.updateMany({}, { $set: { a: 1 } });
        await Product.deleteOne({ _id: id });
        await Product.findByIdAndDelete(id);
        await Product.bulkWrite([{ deleteOne: { filter: {} } }, { deleteMany: { filter: {} } }]);
        const doc = await Product.findById(id);
        doc.name = 'z';
        await doc.save();
        const fresh = new Product({ name: 'n' });
        await fresh.save();
      }`;
    expect(describeOperations(code)).toEqual([
      'mongoose read product', 'mongoose read product', 'mongoose read product', 'mongoose write/insert product',
      'mongoose write/insert product', 'mongoose write/update product', 'mongoose write/upsert product',
      'mongoose write/update product', 'mongoose write/delete product', 'mongoose write/delete product',
      'mongoose write/delete product', 'mongoose read product', 'mongoose write/update product', 'mongoose write/insert product',
    ]);
  });

  it('follows NestJS @InjectModel', () => {
    const code = `
      import { InjectModel } from '@nestjs/mongoose';
      import { Model } from 'mongoose';
      export class CatsService {
        constructor(@InjectModel(Category.name) private categoryModel: Model<CategoryDocument>) {}
        find() { return this.categoryModel.find().exec(); }
        remove(id: string) { return this.categoryModel.findByIdAndDelete(id).exec(); }
      }`;
    expect(describeOperations(code)).toEqual(['mongoose read category', 'mongoose write/delete category']);
  });

  it('resolves the library of a model imported from a file the project holds', () => {
    const files = {
      '/src/models/Product.ts': `
        import { Schema, model } from 'mongoose';
        const schema = new Schema({});
        export default model('Product', schema);`,
    };
    expect(describeOperations({ files, code: `
      import Product from '../models/Product';
      export async function f(id: string) {
        await Product.create({ id });
        const p = await Product.findOne({ id });
        await p.deleteOne();
      }` })).toEqual(['mongoose write/insert product', 'mongoose read product', 'mongoose write/delete product']);
  });

  it('decides the library of an unresolved model from other calls in the file', () => {
    expect(describeOperations({ path: '/src/controllers/product.js', code: `
      const Product = require('../models/product');
      exports.add = async (data) => {
        const product = new Product(data);
        await product.save();
      };
      exports.list = () => Product.find({});` })).toEqual(['mongoose write/insert product', 'mongoose read product']);
  });

  it('does not treat lean() results as documents', () => {
    expect(describeOperations(`
      import { Product } from '../models/product';
      import mongoose from 'mongoose';
      export async function f(id: string) {
        const plain = await Product.findById(id).lean();
        plain.save();
      }`)).toEqual(['mongoose read product']);
  });
});

describe('knex', () => {
  it('recognises table calls and chains', () => {
    const code = `
      import knex from 'knex';
      const db = knex({ client: 'pg' });
      export async function f(id: number) {
        await db('products').where({ id }).update({ stock: 0 });
        await db('products').insert({ id }).onConflict('id').merge();
        await db('order_items').where({ id }).del();
        await db('products').where({ id }).first();
        await db('products as p').select('p.*');
        await db.from('categories').where({ id });
        await db.insert({ id }).into('products');
        await db.select('*').from('public.products');
        await db.transaction(async (trx) => {
          await trx('products').increment('stock', 1);
        });
        await db.batchInsert('products', [], 100);
        await db.raw('UPDATE products SET stock = 0');
        await db.schema.createTable('x', () => {});
        await db.destroy();
      }`;
    expect(describeOperations(code)).toEqual([
      'knex write/update product', 'knex write/upsert product', 'knex write/delete orderitem', 'knex read product',
      'knex read product', 'knex read category', 'knex write/insert product', 'knex read product',
      'knex write/update product', 'knex write/insert product', 'knex write/update product',
    ]);
  });

  it('reads table names from constants', () => {
    expect(describeOperations(`
      import knex from 'knex';
      const db = knex({ client: 'pg' });
      const TABLE = 'order_items';
      export const f = () => db(TABLE).where({ id: 1 }).del();
      export const g = () => db.select('*').from(TABLE);`)).toEqual(['knex write/delete orderitem', 'knex read orderitem']);
  });

  it('reports the .update() call as the operation', () => {
    const [operation] = operationsIn(`
      import { knex } from './db';
      knex('products').where({ id: 1 }).update({ a: 1 });`);
    expect(operation?.call.getText()).toBe("knex('products').where({ id: 1 }).update({ a: 1 })");
  });

  it('reports a stored builder that is only awaited where it is stored', () => {
    expect(describeOperations(`
      import knex from 'knex';
      declare const db: knex.Knex;
      export async function f() {
        const query = db('products').where({ active: true });
        return await query;
      }`)).toEqual(['knex read product']);
  });

  it('reports a stored builder where it is continued', () => {
    expect(describeOperations(`
      import knex from 'knex';
      declare const db: knex.Knex;
      export async function f(id: number) {
        const query = db('products').where({ id });
        return query.update({ stock: 0 });
      }`)).toEqual(['knex write/update product']);
  });
});

describe('Drizzle', () => {
  it('recognises the query builder and relational queries', () => {
    const code = `
      import { drizzle } from 'drizzle-orm/node-postgres';
      import { eq } from 'drizzle-orm';
      import { pgTable, serial, text } from 'drizzle-orm/pg-core';
      export const productsTable = pgTable('products', { id: serial('id'), name: text('name') });
      export const categories = pgTable('categories', { id: serial('id') });
      const db = drizzle(process.env.DATABASE_URL!);
      export async function f(id: number) {
        await db.update(productsTable).set({ name: 'x' }).where(eq(productsTable.id, id)).returning();
        await db.insert(productsTable).values({ name: 'x' });
        await db.insert(productsTable).values({ name: 'x' }).onConflictDoUpdate({ target: productsTable.id, set: { name: 'y' } });
        await db.delete(categories).where(eq(categories.id, id));
        await db.select().from(productsTable).where(eq(productsTable.id, id));
        await db.select({ id: categories.id }).from(categories);
        await db.query.products.findFirst({ where: eq(productsTable.id, id) });
        await db.$count(categories);
        await db.transaction(async (tx) => {
          await tx.update(categories).set({ id: 2 });
        });
      }`;
    expect(describeOperations(code)).toEqual([
      'drizzle write/update product', 'drizzle write/insert product', 'drizzle write/upsert product', 'drizzle write/delete category',
      'drizzle read product', 'drizzle read category', 'drizzle read product', 'drizzle read category', 'drizzle write/update category',
    ]);
  });

  it('follows the db and schema exported by other files', () => {
    const files = {
      '/src/db/index.ts': `
        import { drizzle } from 'drizzle-orm/postgres-js';
        import postgres from 'postgres';
        export const db = drizzle(postgres(process.env.URL!));`,
      '/src/db/schema.ts': `
        import { pgTable, serial } from 'drizzle-orm/pg-core';
        export const orderItems = pgTable('order_items', { id: serial('id') });`,
    };
    const code = `
      import { db } from '../db';
      import * as schema from '../db/schema';
      import { orderItems } from '../db/schema';
      export async function f() {
        await db.delete(orderItems);
        await db.select().from(schema.orderItems);
      }`;
    expect(describeOperations({ files, code })).toEqual(['drizzle write/delete orderitem', 'drizzle read orderitem']);
  });

  it('recognises a db handle and schema imported from a workspace package', () => {
    expect(describeOperations(`
      import { db } from '@acme/db';
      import { products } from '@acme/db/schema';
      export const f = (id: number) => db.delete(products).where(eq(products.id, id));`)).toEqual(['drizzle write/delete product']);
  });

  it('follows a Drizzle database injected into a NestJS service', () => {
    expect(describeOperations(`
      import { Inject } from '@nestjs/common';
      import { NodePgDatabase } from 'drizzle-orm/node-postgres';
      import * as schema from './schema';
      export class ProductsService {
        constructor(@Inject('DRIZZLE') private readonly db: NodePgDatabase<typeof schema>) {}
        list() { return this.db.query.products.findMany(); }
        remove() { return this.db.delete(schema.products); }
      }`)).toEqual(['drizzle read product', 'drizzle write/delete product']);
  });

  it('classifies db.execute(sql`...`) by its SQL and does not report the fragment', () => {
    expect(describeOperations(`
      import { sql } from 'drizzle-orm';
      import { db } from './db';
      export const f = (id: number) => db.execute(sql\`UPDATE products SET stock = 0 WHERE id = \${id}\`);`))
      .toEqual(['drizzle write/update product']);
  });
});

describe('Kysely', () => {
  it('recognises executed builders', () => {
    const code = `
      import { Kysely, sql } from 'kysely';
      declare const db: Kysely<Database>;
      export async function f(id: number) {
        await db.updateTable('product').set({ stock: 0 }).where('id', '=', id).execute();
        await db.insertInto('order_item').values({ id }).executeTakeFirst();
        await db.insertInto('product').values({ id }).onConflict((oc) => oc.column('id').doUpdateSet({ id })).execute();
        await db.deleteFrom('category').where('id', '=', id).executeTakeFirstOrThrow();
        await db.selectFrom('product as p').selectAll().execute();
        await db.transaction().execute(async (trx) => {
          await trx.updateTable('category').set({ id }).execute();
        });
        await sql\`DELETE FROM products WHERE id = \${id}\`.execute(db);
        const query = db.selectFrom('category').selectAll();
        return query.execute();
      }`;
    expect(describeOperations(code)).toEqual([
      'kysely write/update product', 'kysely write/insert orderitem', 'kysely write/upsert product', 'kysely write/delete category',
      'kysely read product', 'kysely write/update category', 'kysely write/delete product', 'kysely read category',
    ]);
  });

  it('does not report a builder that is never executed', () => {
    expect(describeOperations(`
      import { Kysely } from 'kysely';
      declare const db: Kysely<Database>;
      export const q = () => db.selectFrom('product').selectAll();`)).toEqual([]);
  });
});

describe('raw SQL', () => {
  it('recognises driver calls by their SQL text', () => {
    const code = `
      import { Pool } from 'pg';
      import mysql from 'mysql2/promise';
      import Database from 'better-sqlite3';
      const pool = new Pool();
      const sqlite = new Database('app.db');
      const PRODUCTS = 'products';
      const QUERIES = { restock: 'UPDATE products SET stock = 10' };
      export async function f(id: number) {
        await pool.query('UPDATE products SET stock = stock - 1 WHERE id = $1', [id]);
        await pool.query(\`SELECT * FROM \${PRODUCTS} WHERE id = $1\`, [id]);
        await pool.query({ text: 'INSERT INTO order_items (id) VALUES ($1)', values: [id] });
        const client = await pool.connect();
        await client.query('DELETE FROM categories WHERE id = ' + id);
        const connection = await mysql.createConnection({});
        await connection.execute('REPLACE INTO products VALUES (?)', [id]);
        sqlite.prepare('UPDATE products SET a = ?').run(id);
        const stmt = sqlite.prepare('SELECT * FROM categories WHERE id = ?');
        stmt.get(id);
        await pool.query(QUERIES.restock);
      }`;
    expect(describeOperations(code)).toEqual([
      'sql write/update product', 'sql read product', 'sql write/insert orderitem', 'sql write/delete category',
      'sql write/upsert product', 'sql write/update product', 'sql read category', 'sql write/update product',
    ]);
  });

  it('does not take the result of a synchronous query for a query builder', () => {
    const operations = operationsIn(`
      import Database from 'better-sqlite3';
      const db = new Database('app.db');
      export function names() {
        const rows = db.prepare('SELECT name FROM products').all();
        return rows.map((row) => row.name).filter(Boolean);
      }`);
    expect(operations.map((operation) => operation.call.getText())).toEqual(["db.prepare('SELECT name FROM products').all()"]);
  });

  it('recognises tagged templates that run their SQL', () => {
    const code = `
      import postgres from 'postgres';
      import { sql as vercel } from '@vercel/postgres';
      const sql = postgres(process.env.URL!);
      export async function f(id: number) {
        await sql\`UPDATE products SET stock = 0 WHERE id = \${id}\`;
        const rows = await sql\`SELECT * FROM categories WHERE id = \${id}\`.values();
        await vercel\`DELETE FROM order_items WHERE id = \${id}\`;
        await sql.begin(async (tx) => { await tx\`INSERT INTO products (id) VALUES (\${id})\`; });
        return rows;
      }`;
    expect(describeOperations(code)).toEqual([
      'sql write/update product', 'sql read category', 'sql write/delete orderitem', 'sql write/insert product',
    ]);
  });

  it('reports a postgres.js query once, not its nested fragments', () => {
    expect(describeOperations(`
      import postgres from 'postgres';
      const sql = postgres();
      export const f = (columns: string[], id: number) =>
        sql\`UPDATE products SET \${sql({ name: 'x' }, columns)} WHERE id = \${id} \${sql\`RETURNING id\`}\`;`))
      .toEqual(['sql write/update product']);
  });

  it('recognises pg-promise, mssql and @vercel/postgres clients', () => {
    expect(describeOperations(`
      import pgPromise from 'pg-promise';
      import mssql from 'mssql';
      import { db as vercelDb } from '@vercel/postgres';
      const db = pgPromise()('postgres://');
      export async function f(pool: mssql.ConnectionPool, id: number) {
        await db.none('UPDATE products SET a = 1 WHERE id = $1', [id]);
        await db.oneOrNone('SELECT * FROM categories WHERE id = $1', [id]);
        await pool.request().input('id', id).query('DELETE FROM order_items WHERE id = @id');
        const client = await vercelDb.connect();
        await client.sql\`INSERT INTO products (id) VALUES (\${id})\`;
      }`)).toEqual(['sql write/update product', 'sql read category', 'sql write/delete orderitem', 'sql write/insert product']);
  });

  it('treats an awaited sql tag from a project module as a query, but not a fragment passed to a call', () => {
    expect(describeOperations(`
      import { sql } from '../config/db.js';
      export const list = async () => await sql\`SELECT * FROM products ORDER BY created_at DESC\`;`)).toEqual(['sql read product']);
    expect(describeOperations(`
      import { sql } from 'slonik';
      import { pool } from './db';
      export const list = () => pool.any(sql\`SELECT * FROM products\`);`)).toEqual(['sql read product']);
  });

  it('attributes raw escapes to their ORM', () => {
    expect(describeOperations(`
      import { Sequelize, QueryTypes } from 'sequelize';
      const sequelize = new Sequelize('sqlite::memory:');
      export const f = () => sequelize.query('UPDATE products SET a = 1', { type: QueryTypes.UPDATE });`))
      .toEqual(['sequelize write/update product']);
  });
});

describe('look-alikes are not database operations', () => {
  it.each([
    ['Map.delete', 'const map = new Map<string, number>(); map.delete("k");'],
    ['Set.delete', 'const seen = new Set<string>(); seen.delete("x");'],
    ['array.find', 'const items = [1, 2]; items.find((x) => x > 1); items.filter(Boolean).map(String);'],
    ['Object.create', 'Object.create(null);'],
    ['querySelector', 'document.querySelector("#id");'],
    ['URLSearchParams', 'new URLSearchParams("a=1").delete("a");'],
    ['res.send', 'export const h = (req: any, res: any) => res.send("UPDATE products SET a = 1");'],
    ['fetch', 'fetch("/api/products", { method: "DELETE" });'],
    ['axios', 'import axios from "axios"; axios.post("/products", {}); axios.delete("/products/1");'],
    ['Date.now', 'Date.now();'],
    ['crypto hash update', 'import crypto from "crypto"; crypto.createHash("sha256").update("x").digest("hex");'],
    ['emitter', 'import { EventEmitter } from "events"; const emitter = new EventEmitter(); emitter.emit("update", 1);'],
    ['logger text', 'console.log("Update the product"); console.info("DELETE FROM products");'],
    ['regexp exec', '/SELECT/.exec("SELECT * FROM products");'],
  ])('%s', (_name, code) => {
    expect(describeOperations(code)).toEqual([]);
  });

  it('ends on a member re-assigned from itself (a method bound in the constructor)', () => {
    const code = `
      import Keyv from 'keyv';
      export class CachedFetcher {
        cache = new Keyv({ namespace: 'http' });
        constructor() {
          this.fetch = this.fetch.bind(this);
        }
        fetch(url: string) {
          return this.fetch.call(this, url).then(() => this.cache.delete(url));
        }
      }
    `;
    expect(describeOperations(code)).toEqual([]);
  });

  it('ignores cache clients even when the file also talks to a database', () => {
    const code = `
      import Redis from 'ioredis';
      import { Inject } from '@nestjs/common';
      import { CACHE_MANAGER } from '@nestjs/cache-manager';
      import { Cache } from 'cache-manager';
      import { prisma } from './db';
      import { redisClient } from '../config/redis';
      const redis = new Redis();
      export class S {
        constructor(@Inject(CACHE_MANAGER) private cache: Cache) {}
        async f(id: string) {
          await this.cache.set('k', 1);
          await this.cache.del('k');
          await this.cache.get('k');
          await redis.del('product:' + id);
          await redisClient.set('products', '[]');
          await prisma.product.update({ where: { id }, data: {} });
        }
      }`;
    expect(describeOperations(code)).toEqual(['prisma write/update product']);
  });

  it('does not guess at services and domain factories', () => {
    expect(describeOperations(`
      import { ProductService } from './product.service';
      import { Order } from '../domain/order';
      export class Controller {
        constructor(private readonly productService: ProductService) {}
        async f(id: string) {
          await this.productService.update(id, { name: 'x' });
          await this.productService.findOne(id);
          const order = Order.create({ id });
          return order;
        }
      }`)).toEqual([]);
  });

  it('does not take a Map named db for Drizzle, nor a repository without TypeORM', () => {
    expect(describeOperations(`
      const db = new Map<string, string>();
      export function f(key: string) { db.delete(key); }`)).toEqual([]);
    expect(describeOperations(`
      export class S {
        constructor(private productRepository: { find(): void; save(x: unknown): void }) {}
        f() { this.productRepository.find(); this.productRepository.save({}); }
      }`)).toEqual([]);
  });

  it('does not take a plain class from a models folder for a model', () => {
    const files = {
      '/src/models/order.ts': `
        export class Order {
          static create(input: { id: string }) { return new Order(); }
          static find(id: string) { return undefined; }
        }`,
    };
    expect(describeOperations({ files, code: `
      import mongoose from 'mongoose';
      import { Order } from '../models/order';
      export const f = () => Order.create({ id: '1' });
      export const g = () => Order.find('1');` })).toEqual([]);
  });

  it('does not report calls on models whose library cannot be known', () => {
    expect(describeOperations(`
      import { Product } from '../models/product';
      export const f = () => Product.create({ id: 1 });`)).toEqual([]);
  });

  it('does not take drizzle-like calls on a handle without evidence', () => {
    expect(describeOperations(`
      import { db } from './store';
      export const f = (id: string) => db.delete(id);`)).toEqual([]);
  });
});

describe('recognizeDbOperation', () => {
  it('returns undefined for the inner links of a chain', () => {
    const project = new Project({ useInMemoryFileSystem: true });
    const file = project.createSourceFile('/a.ts', `
      import { drizzle } from 'drizzle-orm/node-postgres';
      const db = drizzle('');
      db.update(products).set({ a: 1 }).where(x);`);
    const context = createDbFileContext(file);
    const calls = file.getDescendantsOfKind(SyntaxKind.CallExpression).filter((call) => !/^drizzle/.test(call.getText()));
    const recognised = calls.map((call) => recognizeDbOperation(call, context)).filter((operation) => operation !== undefined);
    expect(recognised).toHaveLength(1);
    expect(recognised[0]?.call.getText()).toBe('db.update(products).set({ a: 1 }).where(x)');
  });

  it('finds the operations of one function body only', () => {
    const project = new Project({ useInMemoryFileSystem: true });
    const file = project.createSourceFile('/a.ts', `
      import { prisma } from './db';
      export async function read() { return prisma.product.findMany(); }
      export async function write() { await prisma.product.deleteMany(); await prisma.category.create({ data: {} }); }`);
    const context = createDbFileContext(file);
    const write = file.getFunctionOrThrow('write');
    const operations = findDbOperations(write.getBodyOrThrow(), context);
    expect(operations.map((operation) => `${operation.access} ${operation.model}`)).toEqual(['write product', 'write category']);
    expect(operations.every((operation) => Node.isCallExpression(operation.call))).toBe(true);
  });
});
