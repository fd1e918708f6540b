/**
 * Knex: `knex('products')...`, `db('products')...`, `trx('products')...`, `knex.from('t')`,
 * `knex.table('t')`, `knex.insert(row).into('t')`, `knex.select('*').from('t')`,
 * `knex.batchInsert('t', rows)`. A chain writes when it contains insert/update/del/delete/
 * increment/decrement/upsert/truncate and reads otherwise (knex builders run when awaited).
 *
 * A handle known only by name (`db`, `trx`) counts when the file imports knex or when the table is
 * a string, which Drizzle and Kysely handles never take in these positions; calling a handle known
 * only by name (`db('products')`) also needs a knex-shaped method after it.
 */
import { Node } from 'ts-morph';
import { MethodCall, methodCalls, unwrapExpression } from './chain';
import type { DbWriteKind } from './db-types';
import { normalizeModelName } from './model-name';
import { makeOperation, Recognizer } from './operation';
import type { DbFileContext } from './context';
import { classifyExpression, Receiver } from './receivers';
import { constantText } from './sql-source';

const WRITES: Record<string, DbWriteKind> = {
  insert: 'insert',
  update: 'update',
  del: 'delete',
  delete: 'delete',
  increment: 'update',
  decrement: 'update',
  upsert: 'upsert',
  truncate: 'delete',
};
const TABLE_METHODS = new Set(['from', 'table', 'into']);
/** Methods a knex instance starts a query with. Anything else (schema, fn, transaction, destroy, raw, ...) is not a query. */
const QUERY_STARTS = new Set([
  'from', 'table', 'into', 'select', 'first', 'insert', 'update', 'del', 'delete', 'where', 'whereIn', 'count', 'withSchema',
  'queryBuilder', 'increment', 'decrement', 'distinct', 'pluck', 'with', 'column', 'columns', 'max', 'min', 'sum', 'avg', 'upsert',
]);
const KNEX_CHAIN_METHODS = new Set([
  ...Object.keys(WRITES), 'where', 'whereIn', 'whereNot', 'whereNull', 'andWhere', 'orWhere', 'first', 'select', 'returning',
  'join', 'leftJoin', 'innerJoin', 'orderBy', 'limit', 'offset', 'pluck', 'count', 'groupBy', 'onConflict', 'merge', 'ignore',
]);

function tableName(argument: Node | undefined, ctx: DbFileContext): string | undefined {
  if (!argument) return undefined;
  const node = unwrapExpression(argument);
  // knex({ p: 'products' }) aliases a table.
  if (Node.isObjectLiteralExpression(node)) {
    const properties = node.getProperties();
    const [property] = properties;
    if (properties.length === 1 && property && Node.isPropertyAssignment(property)) return tableName(property.getInitializer(), ctx);
    return undefined;
  }
  return constantText(node, ctx);
}

function isKnexLike(receiver: Receiver | undefined): 'known' | 'maybe' | undefined {
  if (receiver?.kind === 'knex') return 'known';
  if (receiver?.kind === 'dbHandle') return 'maybe';
  return undefined;
}

function accessOf(calls: MethodCall[]): { access: 'read' | 'write'; writeKind?: DbWriteKind } {
  const write = calls.find((call) => WRITES[call.name] !== undefined);
  if (!write) return { access: 'read' };
  let writeKind = WRITES[write.name];
  if (write.name === 'insert' && calls.some((call) => call.name === 'merge') && calls.some((call) => call.name === 'onConflict')) {
    writeKind = 'upsert';
  }
  return { access: 'write', writeKind };
}

export const recognizeKnex: Recognizer = (chain, ctx) => {
  const calls = methodCalls(chain.steps);
  const firstCallStep = chain.steps.findIndex((step) => step.kind === 'call');
  const firstCall = chain.steps[firstCallStep];
  if (!firstCall || firstCall.kind !== 'call') return undefined;
  const previous = chain.steps[firstCallStep - 1];
  // knex('t') / this.knex('t') / trx('t'): the first call invokes the handle itself.
  const callee = firstCall.node.getExpression();
  const calleeReceiver = classifyExpression(callee, ctx);
  const calleeKind = isKnexLike(calleeReceiver);
  if (calleeKind && (previous === undefined || previous.kind === 'member')) {
    const table = tableName(firstCall.node.getArguments()[0], ctx);
    if (table === undefined) return undefined;
    const later = calls.filter((call) => call.index > firstCallStep);
    if (calleeKind === 'maybe' && !ctx.has('knex') && !later.some((call) => KNEX_CHAIN_METHODS.has(call.name))) return undefined;
    const { access, writeKind } = accessOf(later);
    return makeOperation('knex', access, writeKind, normalizeModelName(table), chain.head);
  }
  const [first] = calls;
  if (!first || first.index !== firstCallStep - 1 || !QUERY_STARTS.has(first.name)) return undefined;
  const kind = isKnexLike(classifyExpression(first.receiver, ctx));
  if (!kind) return undefined;
  if (first.name === 'batchInsert') return undefined;
  const tableCall = calls.find((call) => TABLE_METHODS.has(call.name));
  const table = tableName(tableCall?.args[0], ctx);
  if (kind === 'maybe' && !ctx.has('knex') && table === undefined) return undefined;
  if (!tableCall && kind === 'maybe') return undefined;
  const { access, writeKind } = accessOf(calls);
  return makeOperation('knex', access, writeKind, table === undefined ? undefined : normalizeModelName(table), chain.head);
};

/** knex.batchInsert('products', rows) */
export const recognizeKnexBatchInsert: Recognizer = (chain, ctx) => {
  const [first] = methodCalls(chain.steps);
  if (!first || first.name !== 'batchInsert') return undefined;
  const kind = isKnexLike(classifyExpression(first.receiver, ctx));
  const table = tableName(first.args[0], ctx);
  if (!kind || table === undefined || (kind === 'maybe' && !ctx.has('knex'))) return undefined;
  return makeOperation('knex', 'write', 'insert', normalizeModelName(table), chain.head);
};
