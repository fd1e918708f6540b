/**
 * What a receiver expression is bound to: a Prisma client, a TypeORM repository, a Mongoose model,
 * a knex instance, a pg pool, a cache client, ...
 *
 * Evidence, strongest first:
 * 1. the declaration: `new PrismaClient()`, `drizzle(pool)`, `mongoose.model('Product', s)`,
 *    `dataSource.getRepository(Product)`, `class Product extends Model`, `pgTable('products', ...)`;
 * 2. the declared type: `PrismaService`, `Repository<Product>`, `Knex`, `Kysely<DB>`, `Pool`;
 * 3. NestJS injection decorators: `@InjectRepository(Product)`, `@InjectModel(Product.name)`;
 * 4. being the callback parameter of `$transaction(...)` / `transaction(...)` of a known client;
 * 5. for imports from project modules, the exported declaration of the imported file when the
 *    project holds it;
 * 6. otherwise the name: `prisma`/`this.prisma` is a Prisma client, `knex` a knex instance,
 *    `db`/`tx`/`client`/`pool`/... a database handle of unknown library (each recogniser then asks for
 *    a shape only its library has), `xRepository` a TypeORM repository only when the file imports
 *    TypeORM, and names mentioning redis/cache/keyv are never databases.
 */
import {
  ClassDeclaration,
  ClassExpression,
  Decorator,
  Node,
  ParameterDeclaration,
  PropertyDeclaration,
  SyntaxKind,
  TypeNode,
} from 'ts-morph';
import { decomposeExpression, methodCalls, unwrapExpression } from './chain';
import type { DbFileContext } from './context';
import type { DbLibrary } from './db-types';
import { normalizeModelName } from './model-name';
import { findExportedDeclaration, isCacheModule, isProjectModule, libraryOfModule, resolveModuleFile } from './modules';
import { enclosingClass, resolveThisMember } from './scope';

export type ModelLibrary = 'sequelize' | 'mongoose';

export type Receiver =
  | { kind: 'prisma' }
  | { kind: 'typeormRepository'; model?: string }
  | { kind: 'typeormManager' }
  | { kind: 'typeormQueryRunner' }
  | { kind: 'sequelize' }
  /** A Mongoose or Sequelize model class. `declared` is false when only the name or import path suggests it. */
  | { kind: 'model'; library?: ModelLibrary; model?: string; localName?: string; declared: boolean }
  /** A document/row object of a model; `many` for an array of them. */
  | { kind: 'instance'; library?: ModelLibrary; model?: string; localName?: string; isNew: boolean; many: boolean }
  | { kind: 'knex' }
  | { kind: 'drizzle' }
  | { kind: 'drizzleTable'; model?: string }
  | { kind: 'kysely' }
  /** A driver object whose methods take SQL text (pg Pool, mysql2 connection, better-sqlite3 Database). */
  | { kind: 'sqlClient' }
  /** A template tag that runs its SQL (postgres.js, @vercel/postgres, neon). */
  | { kind: 'sqlTag' }
  /** A template tag that only builds SQL for something else to run (Drizzle, Kysely, Slonik, Prisma.sql). */
  | { kind: 'sqlFragment'; library: DbLibrary }
  /** A variable holding an unfinished query chain; recognisers continue the chain from its initializer. */
  | { kind: 'builder'; initializer: Node }
  /** Named like a database handle (`db`, `tx`, `pool`, ...) with nothing else known. */
  | { kind: 'dbHandle'; name: string }
  /** Imported from a project module the project does not hold (or whose export says nothing). */
  | { kind: 'moduleImport'; localName: string; imported: string; module: string }
  /** Something a database package exports (`model` from mongoose, `getRepository` from typeorm, ...). */
  | { kind: 'libraryExport'; library: DbLibrary; module: string; name: string }
  | { kind: 'notDb' };

export type ModelReceiver = Extract<Receiver, { kind: 'model' }>;

const CACHE_NAME = /redis|cache|keyv|memcache|valkey|upstash/i;
const DB_HANDLE_NAME = /^(db|database|tx|trx|client|dbclient|conn|connection|pool|dbpool|pgpool|pg|sql|mysql|sqlite|models)$/i;
const TYPEORM_MANAGER_NAME = /^(em|entitymanager|manager|datasource|appdatasource)$/i;
const PASCAL_CASE = /^[A-Z][A-Za-z0-9]*$/;

export const MONGOOSE_ONLY_METHODS = new Set([
  'find', 'findById', 'countDocuments', 'estimatedDocumentCount', 'distinct', 'exists', 'findByIdAndUpdate',
  'findOneAndUpdate', 'findOneAndReplace', 'updateOne', 'updateMany', 'replaceOne', 'deleteOne', 'deleteMany',
  'findByIdAndDelete', 'findOneAndDelete', 'findByIdAndRemove', 'findOneAndRemove', 'insertMany', 'bulkWrite',
]);
export const SEQUELIZE_ONLY_METHODS = new Set([
  'findAll', 'findByPk', 'findAndCountAll', 'findOrCreate', 'findCreateFind', 'bulkCreate', 'destroy', 'max', 'min',
  'sum', 'truncate', 'restore', 'increment', 'decrement', 'findOrBuild',
]);
/** Model reads that resolve to one document/row (an instance that can later be saved). */
const SINGLE_INSTANCE_READS = new Set(['findOne', 'findById', 'findByPk', 'findOneAndUpdate', 'findByIdAndUpdate', 'create']);
const MANY_INSTANCE_READS = new Set(['find', 'findAll']);

/** The entity a call argument names: `Product`, `Product.name`, `'product'`, `typeof Product`. */
export function entityModelOf(argument: Node | undefined): string | undefined {
  if (!argument) return undefined;
  const node = unwrapExpression(argument);
  if (Node.isStringLiteral(node) || Node.isNoSubstitutionTemplateLiteral(node)) return normalizeModelName(node.getLiteralText());
  if (Node.isIdentifier(node)) return normalizeModelName(node.getText());
  if (Node.isPropertyAccessExpression(node)) {
    // `Product.name` is the NestJS way to pass a model's name.
    if (node.getName() === 'name') return entityModelOf(node.getExpression());
    return normalizeModelName(node.getName());
  }
  if (Node.isTypeOfExpression(node)) return entityModelOf(node.getExpression());
  return undefined;
}

/** `T` in `class BaseService<T> { constructor(repo: Repository<T>) }` names no model. */
function isTypeParameter(typeNode: TypeNode, name: string): boolean {
  for (let node: Node | undefined = typeNode.getParent(); node !== undefined; node = node.getParent()) {
    if (Node.isTypeParametered(node) && node.getTypeParameters().some((parameter) => parameter.getName() === name)) return true;
  }
  return false;
}

function modelFromTypeArgument(typeNode: TypeNode | undefined): string | undefined {
  if (!typeNode) return undefined;
  if (Node.isTypeReference(typeNode)) {
    const name = typeNode.getTypeName().getText();
    return isTypeParameter(typeNode, name) ? undefined : normalizeModelName(name);
  }
  if (Node.isTypeQuery(typeNode)) return normalizeModelName(typeNode.getExprName().getText());
  return normalizeModelName(typeNode.getText());
}

/** Classify a name alone. */
export function classifyByName(name: string, ctx: DbFileContext): Receiver | undefined {
  if (CACHE_NAME.test(name)) return { kind: 'notDb' };
  if (/prisma/i.test(name)) return { kind: 'prisma' };
  if (/^knex$/i.test(name)) return { kind: 'knex' };
  if (/(?:[a-z0-9](?:Repository|Repo)|_repository|_repo)$/.test(name)) {
    return ctx.has('typeorm') ? { kind: 'typeormRepository', model: normalizeModelName(name) } : undefined;
  }
  if (TYPEORM_MANAGER_NAME.test(name)) return ctx.has('typeorm') ? { kind: 'typeormManager' } : { kind: 'dbHandle', name };
  if (DB_HANDLE_NAME.test(name)) return { kind: 'dbHandle', name };
  if (/^[A-Za-z][A-Za-z0-9]*[a-z0-9]Model$/.test(name)) {
    return { kind: 'model', model: normalizeModelName(name), localName: name, declared: false };
  }
  return undefined;
}

export function classifyExpression(node: Node, ctx: DbFileContext): Receiver | undefined {
  const expression = unwrapExpression(node);
  if (Node.isIdentifier(expression)) {
    const declaration = ctx.resolve(expression);
    if (declaration) {
      const receiver = classifyDeclaration(declaration, ctx);
      if (receiver?.kind === 'model' && receiver.localName === undefined) return { ...receiver, localName: expression.getText() };
      return receiver;
    }
    return classifyByName(expression.getText(), ctx);
  }
  if (Node.isThisExpression(expression)) return classifyThis(expression, ctx);
  if (Node.isPropertyAccessExpression(expression)) return classifyPropertyAccess(expression, ctx);
  if (Node.isCallExpression(expression)) return classifyCallResult(expression, ctx);
  if (Node.isAwaitExpression(expression)) return classifyAwaited(expression.getExpression(), ctx);
  if (Node.isNewExpression(expression)) return classifyNew(expression, ctx);
  return undefined;
}

function classifyThis(node: Node, ctx: DbFileContext): Receiver | undefined {
  const cls = enclosingClass(node);
  return cls ? classifyClassInstance(cls, ctx) : undefined;
}

/** What `this` is inside a class that extends a database class (a NestJS `PrismaService`, a custom TypeORM repository). */
function classifyClassInstance(cls: ClassDeclaration | ClassExpression, ctx: DbFileContext): Receiver | undefined {
  const heritage = cls.getExtends();
  if (!heritage) return undefined;
  const base = heritage.getExpression().getText();
  if (/PrismaClient$/.test(base)) return { kind: 'prisma' };
  if (/^(Repository|TreeRepository|MongoRepository)$/.test(base) && ctx.has('typeorm')) {
    return { kind: 'typeormRepository', model: modelFromTypeArgument(heritage.getTypeArguments()[0]) };
  }
  return undefined;
}

function classifyPropertyAccess(access: Node & { getName(): string; getExpression(): Node }, ctx: DbFileContext): Receiver | undefined {
  const name = access.getName();
  const object = unwrapExpression(access.getExpression());
  if (Node.isThisExpression(object) && Node.isPropertyAccessExpression(access)) {
    const member = resolveThisMember(access);
    if (member?.declaration) {
      const receiver = classifyDeclaration(member.declaration, ctx);
      if (receiver) return receiver;
    }
    for (const value of member?.assigned ?? []) {
      // Memoised per assigned value so that `this.handler = this.handler.bind(this)` ends instead of recursing.
      const receiver = ctx.memoReceiver(value, () => classifyInitializer(value, ctx));
      if (receiver) return receiver;
    }
    return classifyByName(name, ctx);
  }
  const base = classifyExpression(object, ctx);
  if (base) {
    const derived = memberOf(base, name, ctx);
    if (derived) return derived;
  }
  return classifyByName(name, ctx);
}

function memberOf(base: Receiver, name: string, ctx: DbFileContext): Receiver | undefined {
  switch (base.kind) {
    case 'notDb':
      return { kind: 'notDb' };
    case 'typeormManager':
    case 'typeormQueryRunner':
      return name === 'manager' ? { kind: 'typeormManager' } : undefined;
    case 'dbHandle':
      if (name === 'manager' && ctx.has('typeorm')) return { kind: 'typeormManager' };
      // sequelize-cli projects: `const db = require('./models'); db.Product.findAll()`.
      return PASCAL_CASE.test(name) ? { kind: 'model', model: normalizeModelName(name), localName: undefined, declared: false } : undefined;
    case 'moduleImport':
      if (base.imported === '*') return classifyImportedName(base.module, name, name, ctx);
      if (PASCAL_CASE.test(name) && looksLikeModelModule(base.module)) {
        return { kind: 'model', model: normalizeModelName(name), declared: false };
      }
      return undefined;
    case 'libraryExport':
      if (base.library === 'mongoose') {
        if (name === 'models') return { kind: 'libraryExport', library: 'mongoose', module: base.module, name: 'models' };
        if (base.name === 'models') return { kind: 'model', library: 'mongoose', model: normalizeModelName(name), declared: true };
      }
      if (base.library === 'prisma' && name === 'sql') return { kind: 'sqlFragment', library: 'prisma' };
      return undefined;
    case 'sequelize':
      // sequelize.models.Product
      return name === 'models' ? { kind: 'dbHandle', name } : undefined;
    default:
      return undefined;
  }
}

function looksLikeModelModule(module: string): boolean {
  return /(^|[/._-])(models?|schemas?|entit(y|ies))([/._-]|$)/i.test(module);
}

/** A receiver that may be a model: declared models, and model-looking imports from model-looking modules. */
export function asModel(receiver: Receiver | undefined): ModelReceiver | undefined {
  if (!receiver) return undefined;
  if (receiver.kind === 'model') return receiver;
  if (receiver.kind === 'moduleImport' && receiver.imported !== '*') {
    const name = receiver.localName;
    const model = normalizeModelName(name);
    if (model !== undefined && (PASCAL_CASE.test(name) || /Model$/.test(name)) && (looksLikeModelModule(receiver.module) || /Model$/.test(name))) {
      return { kind: 'model', model, localName: name, declared: false };
    }
  }
  return undefined;
}

/** The model library, from the model itself, the method, the file's imports, or other calls on the same name. */
export function modelLibrary(model: ModelReceiver, method: string | undefined, ctx: DbFileContext): ModelLibrary | undefined {
  if (model.library) return model.library;
  if (method && MONGOOSE_ONLY_METHODS.has(method)) return 'mongoose';
  if (method && SEQUELIZE_ONLY_METHODS.has(method)) return 'sequelize';
  const mongoose = ctx.has('mongoose');
  const sequelize = ctx.has('sequelize');
  if (mongoose !== sequelize) return mongoose ? 'mongoose' : 'sequelize';
  if (model.localName) {
    const methods = [...ctx.methodsCalledOn(model.localName)];
    const seenMongoose = methods.some((m) => MONGOOSE_ONLY_METHODS.has(m));
    const seenSequelize = methods.some((m) => SEQUELIZE_ONLY_METHODS.has(m));
    if (seenMongoose !== seenSequelize) return seenMongoose ? 'mongoose' : 'sequelize';
  }
  return undefined;
}

export function classifyDeclaration(declaration: Node, ctx: DbFileContext): Receiver | undefined {
  const owner = ctx.contextFor(declaration.getSourceFile());
  return owner.memoReceiver(declaration, () => computeDeclaration(declaration, owner));
}

function computeDeclaration(declaration: Node, ctx: DbFileContext): Receiver | undefined {
  if (Node.isVariableDeclaration(declaration)) {
    const typeNode = declaration.getTypeNode();
    const fromType = typeNode ? classifyType(typeNode, ctx) : undefined;
    if (fromType) return fromType;
    const loop = declaration.getParent()?.getParent();
    if (loop && Node.isForOfStatement(loop)) return instanceOfIterated(loop.getExpression(), ctx);
    const initializer = declaration.getInitializer();
    if (initializer) {
      const module = requiredModule(initializer);
      if (module !== undefined) return classifyImportedName(module, 'default', declaration.getName(), ctx);
      return classifyInitializer(initializer, ctx) ?? classifyByName(declaration.getName(), ctx);
    }
    return classifyByName(declaration.getName(), ctx);
  }
  if (Node.isBindingElement(declaration)) return classifyBindingElement(declaration, ctx);
  if (Node.isParameterDeclaration(declaration)) return classifyParameterOrProperty(declaration, ctx);
  if (Node.isPropertyDeclaration(declaration)) return classifyParameterOrProperty(declaration, ctx);
  if (Node.isImportSpecifier(declaration)) {
    const module = declaration.getImportDeclaration().getModuleSpecifierValue();
    const local = declaration.getAliasNode()?.getText() ?? declaration.getName();
    return classifyImportedName(module, declaration.getName(), local, ctx);
  }
  if (Node.isImportClause(declaration)) {
    const importDeclaration = declaration.getFirstAncestor(Node.isImportDeclaration);
    if (!importDeclaration) return undefined;
    const module = importDeclaration.getModuleSpecifierValue();
    const local = declaration.getDefaultImport()?.getText() ?? 'default';
    return classifyImportedName(module, 'default', local, ctx);
  }
  if (Node.isNamespaceImport(declaration)) {
    const importDeclaration = declaration.getFirstAncestor(Node.isImportDeclaration);
    if (!importDeclaration) return undefined;
    return classifyImportedName(importDeclaration.getModuleSpecifierValue(), '*', declaration.getName(), ctx);
  }
  if (Node.isImportEqualsDeclaration(declaration)) {
    const reference = declaration.getModuleReference();
    if (Node.isExternalModuleReference(reference)) {
      const expression = reference.getExpression();
      if (expression && Node.isStringLiteral(expression)) {
        return classifyImportedName(expression.getLiteralText(), 'default', declaration.getName(), ctx);
      }
    }
    return undefined;
  }
  if (Node.isClassDeclaration(declaration)) return classifyClassDeclaration(declaration, ctx);
  return undefined;
}

function classifyClassDeclaration(cls: ClassDeclaration, ctx: DbFileContext): Receiver | undefined {
  const heritage = cls.getExtends();
  const name = cls.getName();
  if (!heritage || !name) return undefined;
  const base = heritage.getExpression().getText();
  // TypeORM's Active Record entities carry the repository methods as statics.
  if (base === 'BaseEntity' && ctx.has('typeorm')) return { kind: 'typeormRepository', model: normalizeModelName(name) };
  if (/^(Model|sequelize\.Model)$/.test(base) && ctx.has('sequelize')) {
    return { kind: 'model', library: 'sequelize', model: sequelizeTableName(cls) ?? normalizeModelName(name), localName: name, declared: true };
  }
  return undefined;
}

/** `@Table({ tableName: 'products' })` on a sequelize-typescript model. */
function sequelizeTableName(cls: ClassDeclaration): string | undefined {
  for (const decorator of cls.getDecorators()) {
    if (decorator.getName() !== 'Table') continue;
    const [options] = decorator.getArguments();
    if (!options || !Node.isObjectLiteralExpression(options)) continue;
    const property = options.getProperty('tableName');
    if (property && Node.isPropertyAssignment(property)) {
      const value = property.getInitializer();
      if (value && Node.isStringLiteral(value)) return normalizeModelName(value.getLiteralText());
    }
  }
  return undefined;
}

function classifyImportedName(module: string, imported: string, local: string, ctx: DbFileContext): Receiver | undefined {
  const library = libraryOfModule(module);
  if (library) return classifyLibraryExport(library, module, imported);
  if (isCacheModule(module)) return { kind: 'notDb' };
  // Packages outside the project (monorepo packages such as `@acme/db` included) are known by name only.
  const target = resolveModuleFile(ctx.file, module);
  if (!target && !isProjectModule(module)) {
    return classifyByName(local, ctx) ?? { kind: 'moduleImport', localName: local, imported, module };
  }
  if (target && imported !== '*') {
    const exported = findExportedDeclaration(target, imported);
    if (exported) {
      const targetContext = ctx.contextFor(target);
      const receiver = Node.isVariableDeclaration(exported) || Node.isClassDeclaration(exported) || Node.isFunctionDeclaration(exported)
        || Node.isImportSpecifier(exported) || Node.isImportClause(exported) || Node.isBindingElement(exported)
        ? classifyDeclaration(exported, targetContext)
        : classifyInitializer(exported, targetContext);
      if (receiver) return receiver.kind === 'model' ? { ...receiver, localName: local } : receiver;
      // A plain class or function the project declares is what it is, whatever its folder is called.
      if (Node.isClassDeclaration(exported) || Node.isFunctionDeclaration(exported)) return undefined;
    }
  }
  const byName = classifyByName(local, ctx);
  if (byName && byName.kind !== 'model') return byName;
  return { kind: 'moduleImport', localName: local, imported, module };
}

function classifyLibraryExport(library: DbLibrary, module: string, imported: string): Receiver {
  if (imported === 'sql') {
    if (module === '@vercel/postgres') return { kind: 'sqlTag' };
    if (library === 'drizzle' || library === 'kysely' || module === 'slonik') return { kind: 'sqlFragment', library };
  }
  if (module === '@vercel/postgres' && imported === 'db') return { kind: 'sqlClient' };
  return { kind: 'libraryExport', library, module, name: imported };
}

function classifyBindingElement(element: Node & { getName(): string }, ctx: DbFileContext): Receiver | undefined {
  if (!Node.isBindingElement(element)) return undefined;
  const pattern = element.getParent();
  const owner = pattern.getParent();
  const imported = element.getPropertyNameNode()?.getText() ?? element.getName();
  if (Node.isVariableDeclaration(owner)) {
    const initializer = owner.getInitializer();
    const module = initializer ? requiredModule(initializer) : undefined;
    if (module !== undefined) {
      return Node.isObjectBindingPattern(pattern) ? classifyImportedName(module, imported, element.getName(), ctx) : undefined;
    }
    // `const [product, created] = await Product.findOrCreate(...)`
    if (Node.isArrayBindingPattern(pattern) && pattern.getElements().indexOf(element) === 0 && initializer) {
      const awaited = unwrapExpression(initializer);
      if (Node.isAwaitExpression(awaited)) {
        const call = unwrapExpression(awaited.getExpression());
        if (Node.isCallExpression(call)) {
          const [first] = methodCalls(decomposeExpression(call).steps);
          const model = first && first.name === 'findOrCreate' ? asModel(classifyExpression(first.receiver, ctx)) : undefined;
          if (model) return { kind: 'instance', library: 'sequelize', model: model.model, localName: model.localName, isNew: false, many: false };
        }
      }
    }
  }
  return classifyByName(element.getName(), ctx);
}

/** `require('x')`, `await import('x')` -> 'x'. */
function requiredModule(initializer: Node): string | undefined {
  let node = unwrapExpression(initializer);
  if (Node.isAwaitExpression(node)) node = unwrapExpression(node.getExpression());
  if (!Node.isCallExpression(node)) return undefined;
  const callee = node.getExpression();
  const [argument] = node.getArguments();
  const isRequire = Node.isIdentifier(callee) && callee.getText() === 'require';
  const isImport = callee.getKind() === SyntaxKind.ImportKeyword;
  if ((isRequire || isImport) && argument && Node.isStringLiteral(argument)) return argument.getLiteralText();
  return undefined;
}

function classifyParameterOrProperty(node: ParameterDeclaration | PropertyDeclaration, ctx: DbFileContext): Receiver | undefined {
  for (const decorator of node.getDecorators()) {
    const receiver = classifyDecorator(decorator, ctx);
    if (receiver) return receiver;
  }
  const typeNode = node.getTypeNode();
  const fromType = typeNode ? classifyType(typeNode, ctx) : undefined;
  if (fromType) return fromType;
  if (Node.isParameterDeclaration(node)) {
    const fromTransaction = classifyTransactionParameter(node, ctx);
    if (fromTransaction) return fromTransaction;
  }
  const initializer = node.getInitializer();
  if (initializer) {
    const receiver = classifyInitializer(initializer, ctx);
    if (receiver) return receiver;
  }
  return classifyByName(node.getName(), ctx);
}

function decoratorModule(decorator: Decorator, ctx: DbFileContext): string | undefined {
  const nameNode = decorator.getCallExpression()?.getExpression() ?? decorator.getExpression();
  if (!Node.isIdentifier(nameNode)) return undefined;
  const declaration = ctx.resolve(nameNode);
  if (declaration && Node.isImportSpecifier(declaration)) return declaration.getImportDeclaration().getModuleSpecifierValue();
  return undefined;
}

function classifyDecorator(decorator: Decorator, ctx: DbFileContext): Receiver | undefined {
  const name = decorator.getName();
  const [first] = decorator.getArguments();
  switch (name) {
    case 'InjectRepository':
      return { kind: 'typeormRepository', model: entityModelOf(first) };
    case 'InjectModel': {
      const module = decoratorModule(decorator, ctx);
      const library: ModelLibrary | undefined =
        module === '@nestjs/mongoose' ? 'mongoose' : module === '@nestjs/sequelize' ? 'sequelize' : undefined;
      return { kind: 'model', library, model: entityModelOf(first), declared: true };
    }
    case 'InjectDataSource':
    case 'InjectEntityManager':
      return { kind: 'typeormManager' };
    case 'InjectKnex':
      return { kind: 'knex' };
    case 'InjectConnection': {
      const module = decoratorModule(decorator, ctx);
      if (module === '@nestjs/typeorm') return { kind: 'typeormManager' };
      if (module && libraryOfModule(module) === 'knex') return { kind: 'knex' };
      return undefined;
    }
    case 'InjectRedis':
    case 'InjectCache':
      return { kind: 'notDb' };
    case 'Inject':
      return first && /CACHE|REDIS/i.test(first.getText()) ? { kind: 'notDb' } : undefined;
    default:
      return undefined;
  }
}

export function classifyType(typeNode: TypeNode, ctx: DbFileContext): Receiver | undefined {
  if (Node.isUnionTypeNode(typeNode)) {
    for (const member of typeNode.getTypeNodes()) {
      const receiver = classifyType(member, ctx);
      if (receiver) return receiver;
    }
    return undefined;
  }
  if (Node.isTypeQuery(typeNode)) {
    // `typeof db`, `typeof Product`
    const target = typeNode.getExprName();
    return Node.isIdentifier(target) ? classifyExpression(target, ctx) : undefined;
  }
  if (!Node.isTypeReference(typeNode)) return undefined;
  const fullName = typeNode.getTypeName().getText();
  const name = fullName.slice(fullName.lastIndexOf('.') + 1);
  const [firstArgument] = typeNode.getTypeArguments();
  if (CACHE_NAME.test(fullName) || /^(Cache|Cluster|RedisClientType|Keyv)$/.test(name)) return { kind: 'notDb' };
  if (/prisma/i.test(fullName)) return { kind: 'prisma' };
  if (/^(Repository|TreeRepository|MongoRepository)$/.test(name)) {
    if (ctx.has('sequelize') && !ctx.has('typeorm')) return { kind: 'model', library: 'sequelize', model: modelFromTypeArgument(firstArgument), declared: true };
    return { kind: 'typeormRepository', model: modelFromTypeArgument(firstArgument) };
  }
  if (/^(EntityManager|DataSource)$/.test(name) && ctx.has('typeorm')) return { kind: 'typeormManager' };
  if (name === 'QueryRunner' && ctx.has('typeorm')) return { kind: 'typeormQueryRunner' };
  if (fullName === 'Knex' || fullName.startsWith('Knex.')) return { kind: 'knex' };
  if (name === 'Kysely' || (name === 'Transaction' && ctx.has('kysely'))) return { kind: 'kysely' };
  if (ctx.has('drizzle') && /(Database|Transaction)$/.test(name)) return { kind: 'drizzle' };
  if (/^(NodePg|PostgresJs|MySql2|BetterSQLite3|LibSQL|NeonHttp|NeonDatabase|Drizzle(D1)?|Pg|MySql|BaseSQLite|SQLite)(Database|Transaction)$/.test(name)) {
    return { kind: 'drizzle' };
  }
  if (name === 'Sequelize') return { kind: 'sequelize' };
  if (name === 'Model' && ctx.has('mongoose')) return { kind: 'model', library: 'mongoose', model: modelFromTypeArgument(firstArgument), declared: true };
  if (/^(ModelStatic|ModelCtor)$/.test(name)) return { kind: 'model', library: 'sequelize', model: modelFromTypeArgument(firstArgument), declared: true };
  if (name === 'ReturnModelType') return { kind: 'model', library: 'mongoose', model: modelFromTypeArgument(firstArgument), declared: true };
  if (name === 'HydratedDocument') {
    return { kind: 'instance', library: 'mongoose', model: modelFromTypeArgument(firstArgument), isNew: false, many: false };
  }
  if (ctx.has('sql')) {
    if (name === 'Sql') return { kind: 'sqlTag' };
    if (/^(Pool|PoolClient|Client|PoolConnection|Connection|Database|IDatabase|DatabasePool|DatabaseConnection|DatabaseTransactionConnection|VercelPoolClient|Sqlite3Database)$/.test(name)) {
      return { kind: 'sqlClient' };
    }
  }
  const typeName = typeNode.getTypeName();
  if (Node.isIdentifier(typeName)) {
    const declaration = classDeclarationOf(typeName, ctx);
    if (declaration) {
      const owner = ctx.contextFor(declaration.getSourceFile());
      const asInstance = classifyClassInstance(declaration, owner);
      if (asInstance) return asInstance;
      const model = classifyDeclaration(declaration, owner);
      // A parameter typed with a Sequelize model class holds a row of it.
      if (model?.kind === 'model') return { kind: 'instance', library: model.library, model: model.model, localName: model.localName, isNew: false, many: false };
    }
  }
  if (/[a-z0-9](Repository|Repo)$/.test(name) && ctx.has('typeorm')) return { kind: 'typeormRepository', model: normalizeModelName(name) };
  if (/[a-z0-9]Document$/.test(name) && ctx.has('mongoose')) {
    return { kind: 'instance', library: 'mongoose', model: normalizeModelName(name), isNew: false, many: false };
  }
  return undefined;
}

/** The class a type name refers to, in this file or in the project file it is imported from. */
function classDeclarationOf(typeName: Node, ctx: DbFileContext): ClassDeclaration | undefined {
  if (!Node.isIdentifier(typeName)) return undefined;
  const declaration = ctx.resolve(typeName);
  if (!declaration) return undefined;
  if (Node.isClassDeclaration(declaration)) return declaration;
  let module: string | undefined;
  let imported: string | undefined;
  if (Node.isImportSpecifier(declaration)) {
    module = declaration.getImportDeclaration().getModuleSpecifierValue();
    imported = declaration.getName();
  } else if (Node.isImportClause(declaration)) {
    module = declaration.getFirstAncestor(Node.isImportDeclaration)?.getModuleSpecifierValue();
    imported = 'default';
  }
  if (module === undefined || imported === undefined || libraryOfModule(module)) return undefined;
  const target = resolveModuleFile(ctx.file, module);
  const exported = target ? findExportedDeclaration(target, imported) : undefined;
  return exported && Node.isClassDeclaration(exported) ? exported : undefined;
}

/** The first parameter of a transaction callback is a client of the same library. */
function classifyTransactionParameter(parameter: ParameterDeclaration, ctx: DbFileContext): Receiver | undefined {
  const fn = parameter.getParent();
  if (!(Node.isArrowFunction(fn) || Node.isFunctionExpression(fn))) return undefined;
  if (fn.getParameters()[0] !== parameter) return undefined;
  const call = fn.getParent();
  if (!call || !Node.isCallExpression(call) || !call.getArguments().includes(fn)) return undefined;
  const callee = call.getExpression();
  if (!Node.isPropertyAccessExpression(callee)) return undefined;
  const method = callee.getName();
  const object = unwrapExpression(callee.getExpression());
  if (method === '$transaction') return { kind: 'prisma' };
  // Kysely: db.transaction().execute(async (trx) => ...)
  if (method === 'execute' && Node.isCallExpression(object)) {
    const inner = object.getExpression();
    if (Node.isPropertyAccessExpression(inner) && inner.getName() === 'transaction') {
      const base = classifyExpression(inner.getExpression(), ctx);
      if (base?.kind === 'kysely' || base?.kind === 'dbHandle') return { kind: 'kysely' };
    }
    return undefined;
  }
  const base = classifyExpression(object, ctx);
  if (!base) return undefined;
  if (method === 'transaction') {
    switch (base.kind) {
      case 'prisma':
      case 'typeormManager':
      case 'knex':
      case 'drizzle':
      case 'sqlClient':
        return base;
      case 'dbHandle':
        return { kind: 'dbHandle', name: parameter.getName() };
      default:
        return undefined;
    }
  }
  // postgres.js sql.begin(async (sql) => ...), pg-promise db.tx(t => ...) / db.task(t => ...)
  if (method === 'begin' && base.kind === 'sqlTag') return base;
  if ((method === 'tx' || method === 'task') && (base.kind === 'sqlClient' || base.kind === 'dbHandle')) return { kind: 'sqlClient' };
  return undefined;
}

function instanceOfIterated(iterated: Node, ctx: DbFileContext): Receiver | undefined {
  const receiver = classifyExpression(iterated, ctx);
  if (receiver?.kind === 'instance' && receiver.many) return { ...receiver, many: false };
  return undefined;
}

/** What a variable initialised with `initializer` holds. */
export function classifyInitializer(initializer: Node, ctx: DbFileContext): Receiver | undefined {
  const expression = unwrapExpression(initializer);
  if (Node.isAwaitExpression(expression)) return classifyAwaited(expression.getExpression(), ctx);
  if (Node.isNewExpression(expression)) return classifyNew(expression, ctx);
  if (Node.isCallExpression(expression)) {
    const module = requiredModule(expression);
    if (module !== undefined) return classifyImportedName(module, 'default', 'default', ctx);
    const result = classifyCallResult(expression, ctx);
    if (result) return result;
    return startsFromDatabase(expression, ctx) ? { kind: 'builder', initializer: expression } : undefined;
  }
  if (Node.isBinaryExpression(expression)) {
    const operator = expression.getOperatorToken().getText();
    if (operator === '||' || operator === '??') {
      const left = classifyInitializer(expression.getLeft(), ctx);
      const right = classifyInitializer(expression.getRight(), ctx);
      // `globalThis.prisma ?? new PrismaClient()`: the constructed side says more than the cached one.
      if (left && left.kind !== 'dbHandle' && left.kind !== 'builder') return left;
      return right ?? left;
    }
    return undefined;
  }
  if (Node.isConditionalExpression(expression)) {
    return classifyInitializer(expression.getWhenTrue(), ctx) ?? classifyInitializer(expression.getWhenFalse(), ctx);
  }
  if (Node.isIdentifier(expression) || Node.isPropertyAccessExpression(expression) || Node.isThisExpression(expression)) {
    return classifyExpression(expression, ctx);
  }
  return undefined;
}

/**
 * A call chain built on a database object (`repo.createQueryBuilder('p')`, `knex('t').where(..)`,
 * `db.prepare('..')`), as opposed to a helper call like `getDb()` whose result is unknown.
 */
function startsFromDatabase(call: Node, ctx: DbFileContext): boolean {
  const { root, steps } = decomposeExpression(call);
  const [first] = methodCalls(steps);
  for (const candidate of first ? [root, first.receiver] : [root]) {
    const receiver = classifyExpression(candidate, ctx);
    if (receiver && receiver.kind !== 'notDb' && receiver.kind !== 'libraryExport') return true;
  }
  return false;
}

function classifyAwaited(awaited: Node, ctx: DbFileContext): Receiver | undefined {
  const expression = unwrapExpression(awaited);
  if (!Node.isCallExpression(expression)) return classifyInitializer(expression, ctx);
  const module = requiredModule(expression);
  if (module !== undefined) return classifyInitializer(expression, ctx);
  const calls = methodCalls(decomposeExpression(expression).steps);
  const first = calls[0];
  if (first) {
    const base = classifyExpression(first.receiver, ctx);
    const model = asModel(base);
    if (model) {
      // lean() hands back plain objects, which have no save().
      if (calls.some((call) => call.name === 'lean' || call.name === 'raw')) return undefined;
      const many = MANY_INSTANCE_READS.has(first.name);
      if (many || SINGLE_INSTANCE_READS.has(first.name)) {
        const library = modelLibrary(model, first.name, ctx);
        return { kind: 'instance', library, model: model.model, localName: model.localName, isNew: false, many };
      }
      return undefined;
    }
    if (calls.length === 1 && base) {
      if ((first.name === 'connect' || first.name === 'getConnection') && (base.kind === 'sqlClient' || base.kind === 'dbHandle' || base.kind === 'libraryExport')) {
        return base.kind === 'libraryExport' && base.library !== 'sql' ? undefined : { kind: 'sqlClient' };
      }
      if (first.name === 'transaction' && base.kind === 'knex') return { kind: 'knex' };
      if (first.name === 'initialize' && base.kind === 'typeormManager') return base;
    }
  }
  return classifyCallResult(expression, ctx);
}

function classifyNew(expression: Node, ctx: DbFileContext): Receiver | undefined {
  if (!Node.isNewExpression(expression)) return undefined;
  const constructorExpression = expression.getExpression();
  const fullName = constructorExpression.getText();
  const name = fullName.slice(fullName.lastIndexOf('.') + 1);
  if (/PrismaClient$/.test(name)) return { kind: 'prisma' };
  if (/^(Map|Set|WeakMap|WeakSet|LRUCache|NodeCache|Redis|Keyv|Cluster|Memcached)$/.test(name) || CACHE_NAME.test(name)) return { kind: 'notDb' };
  if (name === 'Kysely') return { kind: 'kysely' };
  if (name === 'Sequelize') return { kind: 'sequelize' };
  if (name === 'DataSource' && ctx.has('typeorm')) return { kind: 'typeormManager' };
  const constructor = classifyExpression(constructorExpression, ctx);
  if (constructor?.kind === 'libraryExport' && constructor.library === 'sql') return { kind: 'sqlClient' };
  if (/^(Pool|Client|Database)$/.test(name) && ctx.has('sql')) return { kind: 'sqlClient' };
  const model = asModel(constructor);
  if (model) return { kind: 'instance', library: model.library, model: model.model, localName: model.localName, isNew: true, many: false };
  return undefined;
}

const TYPEORM_REPOSITORY_GETTERS = new Set(['getRepository', 'getTreeRepository', 'getMongoRepository', 'getCustomRepository']);
const DRIZZLE_TABLE_FACTORIES = new Set(['pgTable', 'mysqlTable', 'sqliteTable', 'singlestoreTable']);

function stringArgument(argument: Node | undefined): string | undefined {
  if (!argument) return undefined;
  const node = unwrapExpression(argument);
  if (Node.isStringLiteral(node) || Node.isNoSubstitutionTemplateLiteral(node)) return node.getLiteralText();
  return undefined;
}

/** Calls that return a database object rather than running a query. */
export function classifyCallResult(call: Node, ctx: DbFileContext): Receiver | undefined {
  if (!Node.isCallExpression(call)) return undefined;
  const callee = unwrapExpression(call.getExpression());
  const args = call.getArguments();
  if (Node.isCallExpression(callee)) {
    // require('knex')(config), require('postgres')(url)
    const module = requiredModule(callee);
    if (module === 'knex') return { kind: 'knex' };
    if (module === 'postgres') return { kind: 'sqlTag' };
    return undefined;
  }
  if (Node.isIdentifier(callee)) {
    const name = callee.getText();
    const resolved = classifyExpression(callee, ctx);
    const libraryName = resolved?.kind === 'libraryExport' ? resolved.name : undefined;
    const fromLibrary = (library: DbLibrary): boolean =>
      (resolved?.kind === 'libraryExport' && resolved.library === library) || (!resolved && ctx.has(library));
    if (name === 'drizzle' && fromLibrary('drizzle')) return { kind: 'drizzle' };
    if (DRIZZLE_TABLE_FACTORIES.has(libraryName ?? name) && fromLibrary('drizzle')) {
      const table = stringArgument(args[0]);
      return { kind: 'drizzleTable', model: table === undefined ? undefined : normalizeModelName(table) };
    }
    if (fromLibrary('knex') && (libraryName === 'default' || libraryName === 'knex' || /^knex$/i.test(name))) {
      return stringArgument(args[0]) === undefined ? { kind: 'knex' } : undefined;
    }
    if (fromLibrary('sql') && resolved?.kind === 'libraryExport') {
      if (resolved.module === 'postgres' || libraryName === 'neon') return { kind: 'sqlTag' };
      if (/^(createPool|createConnection|createClient|open|default)$/.test(libraryName ?? '')) return { kind: 'sqlClient' };
    }
    if (fromLibrary('typeorm') && TYPEORM_REPOSITORY_GETTERS.has(libraryName ?? name)) {
      return { kind: 'typeormRepository', model: entityModelOf(args[0]) };
    }
    if (fromLibrary('typeorm') && /^(getManager|getConnection)$/.test(libraryName ?? name)) return { kind: 'typeormManager' };
    if (fromLibrary('mongoose') && (libraryName ?? name) === 'model') {
      return { kind: 'model', library: 'mongoose', model: entityModelOf(args[0]), declared: true };
    }
    if (fromLibrary('mongoose') && (libraryName ?? name) === 'getModelForClass') {
      return { kind: 'model', library: 'mongoose', model: entityModelOf(args[0]), declared: true };
    }
    return undefined;
  }
  if (!Node.isPropertyAccessExpression(callee)) return undefined;
  const method = callee.getName();
  const base = classifyExpression(callee.getExpression(), ctx);
  if (TYPEORM_REPOSITORY_GETTERS.has(method)) {
    if (base?.kind === 'sequelize') return { kind: 'model', library: 'sequelize', model: entityModelOf(args[0]), declared: true };
    if (base?.kind === 'notDb') return undefined;
    if (base?.kind === 'typeormManager' || base?.kind === 'typeormQueryRunner' || ctx.has('typeorm')
      || (base?.kind === 'libraryExport' && base.library === 'typeorm')) {
      return { kind: 'typeormRepository', model: entityModelOf(args[0]) };
    }
    return undefined;
  }
  if ((method === 'extend' || method === 'withRepository') && base?.kind === 'typeormRepository') return base;
  if (method === 'createQueryRunner' && (base?.kind === 'typeormManager' || ctx.has('typeorm'))) return { kind: 'typeormQueryRunner' };
  if (method === 'createEntityManager' && ctx.has('typeorm')) return { kind: 'typeormManager' };
  if (method === 'model' && args.length >= 1 && stringArgument(args[0]) !== undefined) {
    if ((base?.kind === 'libraryExport' && base.library === 'mongoose') || ctx.has('mongoose')) {
      return { kind: 'model', library: 'mongoose', model: entityModelOf(args[0]), declared: true };
    }
  }
  if (method === 'define' && stringArgument(args[0]) !== undefined && (base?.kind === 'sequelize' || ctx.has('sequelize'))) {
    return { kind: 'model', library: 'sequelize', model: entityModelOf(args[0]), declared: true };
  }
  if (method === 'table' && stringArgument(args[0]) !== undefined && ctx.has('drizzle')) {
    return { kind: 'drizzleTable', model: entityModelOf(args[0]) };
  }
  if (/^(createPool|createConnection|createPoolCluster)$/.test(method) && base?.kind === 'libraryExport' && base.library === 'sql') {
    return { kind: 'sqlClient' };
  }
  if (method === 'build') {
    const model = asModel(base);
    if (model) return { kind: 'instance', library: 'sequelize', model: model.model, localName: model.localName, isNew: true, many: false };
  }
  return undefined;
}
