/**
 * SQL text handed to a driver or an ORM's raw escape: `pool.query('UPDATE ...')`,
 * `connection.execute(...)`, `db.prepare('...').run()`, `db.none(...)` (pg-promise),
 * `pool.one(sql\`...\`)` (Slonik), `dataSource.query(...)`, `sequelize.query(...)`,
 * `knex.raw(...)`, `sql.unsafe(...)`; and tagged templates that run their SQL
 * (``sql`UPDATE ...` `` with postgres.js, @vercel/postgres, neon, ``client.sql`...` ``).
 *
 * The SQL text decides: it must parse as a SELECT/INSERT/UPDATE/DELETE/... statement with the right
 * shape, so any receiver will do except cache clients.
 */
import { Node } from 'ts-morph';
import { unwrapExpression, methodCalls } from './chain';
import type { Chain } from './chain';
import type { DbFileContext } from './context';
import { libraryOfReceiver, operationFromSql, Recognizer } from './operation';
import { classifyExpression } from './receivers';
import { sqlTextOf, templateText } from './sql-source';
import { classifySqlText } from './sql-text';

const SQL_METHODS = new Set([
  'query', 'execute', 'run', 'all', 'get', 'exec', 'each', 'none', 'one', 'many', 'any', 'oneOrNone', 'manyOrNone', 'result',
  'multi', 'maybeOne', 'oneFirst', 'maybeOneFirst', 'manyFirst', 'anyFirst', 'raw', 'unsafe', 'prepare', 'queryRaw', 'sql',
]);
const STATEMENT_RUNNERS = new Set(['run', 'get', 'all', 'iterate', 'pluck', 'execute', 'query', 'raw', 'expand', 'values']);

const recognizeSqlMethod: Recognizer = (chain, ctx) => {
  const calls = methodCalls(chain.steps);
  for (const [position, call] of calls.entries()) {
    if (!SQL_METHODS.has(call.name) || Node.isRegularExpressionLiteral(call.receiver)) continue;
    const text = sqlTextOf(call.args[0], ctx);
    const facts = text === undefined ? undefined : classifySqlText(text);
    if (!facts) continue;
    const receiver = classifyExpression(call.receiver, ctx);
    if (receiver?.kind === 'notDb') return undefined;
    // sql.raw('...') in Drizzle/Kysely only builds a fragment for another call.
    if (call.name === 'raw' && receiver?.kind === 'sqlFragment') return undefined;
    // A prepared statement runs only when one of its methods is called.
    if (call.name === 'prepare' && !calls.slice(position + 1).some((later) => STATEMENT_RUNNERS.has(later.name))) return undefined;
    return operationFromSql(libraryOfReceiver(receiver), facts, chain.head);
  }
  return undefined;
};

/** Whether a tagged template's value is consumed as a query result (awaited, returned, or further chained). */
function isRunWhereItStands(chain: Chain): boolean {
  if (chain.steps[chain.steps.length - 1]?.kind !== 'tag') return true;
  let node: Node = chain.head;
  let parent = node.getParent();
  while (parent && unwrapExpression(parent) !== parent) {
    node = parent;
    parent = parent.getParent();
  }
  if (!parent) return false;
  if (Node.isAwaitExpression(parent) || Node.isReturnStatement(parent)) return true;
  if (Node.isArrowFunction(parent) && parent.getBody() === node) return true;
  if (Node.isPropertyAccessExpression(parent) && ['then', 'catch', 'finally'].includes(parent.getName())) return true;
  return false;
}

function insideAnotherSqlTemplate(node: Node): boolean {
  for (let current = node.getParent(); current !== undefined; current = current.getParent()) {
    if (Node.isTemplateSpan(current)) return true;
    if (Node.isStatement(current)) return false;
  }
  return false;
}

function recognizeTaggedSql(chain: Chain, ctx: DbFileContext) {
  const tagIndex = chain.steps.findIndex((step) => step.kind === 'tag');
  const step = chain.steps[tagIndex];
  if (!step || step.kind !== 'tag') return undefined;
  // Anything before the tag other than member access (`sql.type(Row)\`...\``) means a fragment builder call.
  if (chain.steps.slice(0, tagIndex).some((before) => before.kind !== 'member')) return undefined;
  const tag = unwrapExpression(step.node.getTag());
  const receiver = classifyExpression(tag, ctx);
  let runs = receiver?.kind === 'sqlTag';
  if (!runs && Node.isPropertyAccessExpression(tag) && tag.getName() === 'sql') {
    const owner = classifyExpression(tag.getExpression(), ctx);
    runs = owner?.kind === 'sqlClient' || owner?.kind === 'sqlTag';
  }
  if (!runs && Node.isIdentifier(tag) && /^sql$/i.test(tag.getText())) {
    const unknownSource = receiver === undefined || receiver.kind === 'dbHandle' || receiver.kind === 'moduleImport';
    runs = unknownSource && isRunWhereItStands(chain) && !insideAnotherSqlTemplate(step.node);
  }
  if (!runs || insideAnotherSqlTemplate(step.node)) return undefined;
  const text = templateText(step.node.getTemplate(), ctx);
  const facts = text === undefined ? undefined : classifySqlText(text);
  return facts ? operationFromSql('sql', facts, chain.head) : undefined;
}

export const recognizeRawSql: Recognizer = (chain, ctx) => recognizeTaggedSql(chain, ctx) ?? recognizeSqlMethod(chain, ctx);
