/**
 * TypeORM: repository methods (`repo.find(...)`, `repo.save(...)`), entity-manager methods with
 * the entity first (`manager.update(Product, id, patch)`), inline repositories
 * (`dataSource.getRepository(Product).find()`), and query builders that end in a getter or
 * `execute()` (`createQueryBuilder().update(Product).set(..).where(..).execute()`).
 *
 * `save` is reported as an upsert (it inserts or updates depending on the entity), `softDelete`
 * and `softRemove` as deletes (the rows disappear from reads), `restore`/`increment` as updates.
 * `create`, `merge` and `preload`-free helpers that only build entities in memory are not operations.
 */
import { Node } from 'ts-morph';
import { MethodCall, methodCalls, unwrapExpression } from './chain';
import type { DbFileContext } from './context';
import type { DbWriteKind } from './db-types';
import { normalizeModelName } from './model-name';
import { belongsElsewhere, makeOperation, Recognizer } from './operation';
import { classifyExpression, entityModelOf } from './receivers';

const READS = new Set([
  'find', 'findBy', 'findOne', 'findOneBy', 'findOneOrFail', 'findOneByOrFail', 'findAndCount', 'findAndCountBy', 'findByIds',
  'count', 'countBy', 'exist', 'exists', 'existsBy', 'sum', 'average', 'minimum', 'maximum', 'preload',
]);
const WRITES: Record<string, DbWriteKind> = {
  save: 'upsert',
  insert: 'insert',
  update: 'update',
  updateAll: 'update',
  upsert: 'upsert',
  delete: 'delete',
  deleteAll: 'delete',
  remove: 'delete',
  softDelete: 'delete',
  softRemove: 'delete',
  restore: 'update',
  recover: 'update',
  increment: 'update',
  decrement: 'update',
  clear: 'delete',
};
/** Entity-manager methods whose first argument may be an entity instance rather than the entity class. */
const INSTANCE_FIRST = new Set(['save', 'remove', 'softRemove', 'recover', 'insert', 'preload']);
const QUERY_BUILDER_READS = new Set([
  'getMany', 'getOne', 'getOneOrFail', 'getRawMany', 'getRawOne', 'getCount', 'getManyAndCount', 'getRawAndEntities', 'getExists',
  'stream',
]);
const QUERY_BUILDER_WRITES: Record<string, DbWriteKind> = {
  update: 'update',
  insert: 'insert',
  delete: 'delete',
  softDelete: 'delete',
  restore: 'update',
};
const REPOSITORY_GETTERS = new Set(['getRepository', 'getTreeRepository', 'getMongoRepository', 'getCustomRepository', 'extend', 'withRepository']);

/** The entity a manager call is about: its first argument when that is the entity class or name. */
function managerTarget(call: MethodCall, ctx: DbFileContext): string | undefined {
  const [first] = call.args;
  if (!first) return undefined;
  const node = unwrapExpression(first);
  if (Node.isStringLiteral(node)) return normalizeModelName(node.getLiteralText());
  if (Node.isIdentifier(node)) {
    const name = node.getText();
    if (/^[A-Z]/.test(name) && !(INSTANCE_FIRST.has(call.name) && call.args.length === 1)) return normalizeModelName(name);
    return instanceEntity(node, ctx);
  }
  if (Node.isNewExpression(node)) return normalizeModelName(node.getExpression().getText());
  return undefined;
}

/** `const p = new Product()`, `const p = repo.create(...)`, `const p = manager.create(Product, ...)` -> product. */
function instanceEntity(identifier: Node, ctx: DbFileContext): string | undefined {
  if (!Node.isIdentifier(identifier)) return undefined;
  const declaration = ctx.resolve(identifier);
  if (!declaration || !Node.isVariableDeclaration(declaration)) return undefined;
  const initializer = declaration.getInitializer();
  if (!initializer) return undefined;
  let node = unwrapExpression(initializer);
  if (Node.isAwaitExpression(node)) node = unwrapExpression(node.getExpression());
  if (Node.isNewExpression(node)) return normalizeModelName(node.getExpression().getText());
  if (!Node.isCallExpression(node)) return undefined;
  const callee = node.getExpression();
  if (!Node.isPropertyAccessExpression(callee) || callee.getName() !== 'create') return undefined;
  const receiver = classifyExpression(callee.getExpression(), ctx);
  if (receiver?.kind === 'typeormRepository') return receiver.model;
  if (receiver?.kind === 'typeormManager') return entityModelOf(node.getArguments()[0]);
  return undefined;
}

function isTypeormReceiver(kind: string | undefined): boolean {
  return kind === 'typeormRepository' || kind === 'typeormManager' || kind === 'typeormQueryRunner';
}

const recognizeQueryBuilder: Recognizer = (chain, ctx) => {
  const calls = methodCalls(chain.steps);
  const builderIndex = calls.findIndex((call) => call.name === 'createQueryBuilder');
  const builder = calls[builderIndex];
  if (!builder) return undefined;
  const receiver = classifyExpression(builder.receiver, ctx);
  if (!isTypeormReceiver(receiver?.kind) && !(ctx.has('typeorm') && !belongsElsewhere(receiver, 'typeorm') && receiver !== undefined)) {
    return undefined;
  }
  const after = calls.slice(builderIndex + 1);
  const terminal = after.find((call) => QUERY_BUILDER_READS.has(call.name) || call.name === 'execute');
  if (!terminal) return undefined;
  const beforeTerminal = after.filter((call) => call.index < terminal.index);
  const write = beforeTerminal.find((call) => QUERY_BUILDER_WRITES[call.name] !== undefined);
  const fromCall = beforeTerminal.find((call) => call.name === 'from');
  const repositoryModel = receiver?.kind === 'typeormRepository' ? receiver.model : undefined;
  // manager.createQueryBuilder(Product, 'p') names the entity; repo.createQueryBuilder('p') names only an alias.
  const builderEntity = builder.args.length >= 2 ? entityModelOf(builder.args[0]) : undefined;
  if (write) {
    let target: Node | undefined;
    if (write.name === 'update') target = write.args[0];
    else if (write.name === 'insert') target = beforeTerminal.find((call) => call.name === 'into')?.args[0];
    else target = fromCall?.args[0];
    const model = entityModelOf(target) ?? builderEntity ?? repositoryModel;
    let writeKind = QUERY_BUILDER_WRITES[write.name];
    if (write.name === 'insert' && beforeTerminal.some((call) => call.name === 'orUpdate')) writeKind = 'upsert';
    return makeOperation('typeorm', 'write', writeKind, model, chain.head);
  }
  const model = entityModelOf(fromCall?.args[0]) ?? builderEntity ?? repositoryModel;
  return makeOperation('typeorm', 'read', undefined, model, chain.head);
};

const recognizeRepositoryOrManager: Recognizer = (chain, ctx) => {
  const calls = methodCalls(chain.steps);
  const call = calls.find((candidate) => !REPOSITORY_GETTERS.has(candidate.name));
  if (!call) return undefined;
  if (calls.some((candidate) => candidate.name === 'createQueryBuilder')) return undefined;
  const writeKind = WRITES[call.name];
  if (!READS.has(call.name) && writeKind === undefined) return undefined;
  const receiver = classifyExpression(call.receiver, ctx);
  let model: string | undefined;
  if (receiver?.kind === 'typeormRepository') model = receiver.model;
  else if (receiver?.kind === 'typeormManager') model = managerTarget(call, ctx);
  else return undefined;
  return writeKind === undefined
    ? makeOperation('typeorm', 'read', undefined, model, chain.head)
    : makeOperation('typeorm', 'write', writeKind, model, chain.head);
};

export const recognizeTypeorm: Recognizer = (chain, ctx) =>
  recognizeQueryBuilder(chain, ctx) ?? recognizeRepositoryOrManager(chain, ctx);
