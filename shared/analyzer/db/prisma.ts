/**
 * Prisma: `<client>.<model>.<method>(args)` and the raw escapes `$queryRaw`/`$executeRaw`
 * (tagged or called) and `$queryRawUnsafe`/`$executeRawUnsafe`.
 *
 * The client is `prisma`, `this.prisma`, `ctx.prisma`, a `PrismaClient`/`PrismaService`, a
 * `$transaction` callback parameter, or a database handle (`db`, `tx`, ...) when the file imports
 * Prisma, the method exists only in Prisma (`findMany`, `findUnique`, `deleteMany`, ...) or the
 * argument is shaped like Prisma's (`{ where, data }`). A service (`this.productService.update(...)`)
 * never qualifies: `this` is not a client.
 */
import { Node } from 'ts-morph';
import { methodCalls, unwrapExpression } from './chain';
import type { DbWriteKind } from './db-types';
import { normalizeModelName } from './model-name';
import { belongsElsewhere, makeOperation, objectKeys, operationFromSql, Recognizer } from './operation';
import { classifyExpression } from './receivers';
import { sqlTextOf, templateText } from './sql-source';
import { classifySqlText } from './sql-text';

const READS = new Set([
  'findUnique', 'findUniqueOrThrow', 'findFirst', 'findFirstOrThrow', 'findMany', 'count', 'aggregate', 'groupBy',
  'findRaw', 'aggregateRaw',
]);
const WRITES: Record<string, DbWriteKind> = {
  create: 'insert',
  createMany: 'insert',
  createManyAndReturn: 'insert',
  update: 'update',
  updateMany: 'update',
  updateManyAndReturn: 'update',
  upsert: 'upsert',
  delete: 'delete',
  deleteMany: 'delete',
};
/** Methods no other supported library has on a `<client>.<model>` path. */
const PRISMA_ONLY = new Set([
  'findUnique', 'findUniqueOrThrow', 'findFirst', 'findFirstOrThrow', 'findMany', 'groupBy', 'createMany',
  'createManyAndReturn', 'updateMany', 'updateManyAndReturn', 'deleteMany', 'findRaw', 'aggregateRaw',
]);
const ARGUMENT_KEYS = new Set([
  'where', 'data', 'select', 'include', 'omit', 'orderBy', 'take', 'skip', 'cursor', 'distinct', 'create', 'update',
  'by', 'having', '_count', '_sum', '_avg', '_min', '_max', 'skipDuplicates', 'relationLoadStrategy',
]);
const SIGNATURE_KEYS = new Set(['where', 'data', 'create', 'select', 'include', 'orderBy', 'by', '_count', '_sum', 'skipDuplicates']);
const RAW_TAGS = new Set(['$queryRaw', '$executeRaw']);
const RAW_CALLS = new Set(['$queryRaw', '$executeRaw', '$queryRawUnsafe', '$executeRawUnsafe']);

function isPrismaShapedArgument(argument: Node | undefined): boolean {
  const keys = objectKeys(argument);
  if (!keys || keys.length === 0) return false;
  return keys.every((key) => ARGUMENT_KEYS.has(key)) && keys.some((key) => SIGNATURE_KEYS.has(key));
}

const recognizeRaw: Recognizer = (chain, ctx) => {
  const index = chain.steps.findIndex((step) => step.kind === 'member' && RAW_CALLS.has(step.name));
  const member = chain.steps[index];
  const next = chain.steps[index + 1];
  if (!member || member.kind !== 'member' || !next) return undefined;
  const client = classifyExpression(member.node.getExpression(), ctx);
  if (belongsElsewhere(client, 'prisma')) return undefined;
  let text: string | undefined;
  if (next.kind === 'tag' && RAW_TAGS.has(member.name)) text = templateText(next.node.getTemplate(), ctx);
  else if (next.kind === 'call') text = sqlTextOf(next.node.getArguments()[0], ctx);
  const facts = text === undefined ? undefined : classifySqlText(text);
  return facts ? operationFromSql('prisma', facts, chain.head) : undefined;
};

const recognizeModelMethod: Recognizer = (chain, ctx) => {
  const [first] = methodCalls(chain.steps);
  if (!first) return undefined;
  const writeKind = WRITES[first.name];
  if (!READS.has(first.name) && writeKind === undefined) return undefined;
  const modelStep = chain.steps[first.index - 1];
  if (!modelStep || modelStep.kind !== 'member' || modelStep.name.startsWith('$')) return undefined;
  const clientNode = unwrapExpression(modelStep.node.getExpression());
  // `db.query.products.findMany()` is Drizzle's relational API.
  if (Node.isPropertyAccessExpression(clientNode) && clientNode.getName() === 'query') return undefined;
  const client = classifyExpression(clientNode, ctx);
  if (!client) return undefined;
  let accepted = client.kind === 'prisma';
  if (!accepted && (client.kind === 'dbHandle' || client.kind === 'moduleImport')) {
    accepted = ctx.has('prisma') || PRISMA_ONLY.has(first.name) || isPrismaShapedArgument(first.args[0]);
  }
  if (!accepted) return undefined;
  const model = normalizeModelName(modelStep.name);
  return writeKind === undefined
    ? makeOperation('prisma', 'read', undefined, model, chain.head)
    : makeOperation('prisma', 'write', writeKind, model, chain.head);
};

export const recognizePrisma: Recognizer = (chain, ctx) => recognizeRaw(chain, ctx) ?? recognizeModelMethod(chain, ctx);
