/**
 * Kysely: `db.selectFrom('t')`, `insertInto`, `updateTable`, `deleteFrom`, `replaceInto`,
 * `mergeInto`, run by `.execute()`, `.executeTakeFirst()`, `.executeTakeFirstOrThrow()` or
 * `.stream()`; and raw ``sql`...`.execute(db)``.
 *
 * Kysely builders do nothing until executed, so a chain without an execute step is not an
 * operation: the builder is usually kept in a variable and executed later, and that later
 * `q.execute()` is where the operation is reported.
 */
import { Node } from 'ts-morph';
import { methodCalls, unwrapExpression } from './chain';
import type { DbAccess, DbWriteKind } from './db-types';
import { normalizeModelName } from './model-name';
import { belongsElsewhere, makeOperation, operationFromSql, Recognizer } from './operation';
import { classifyExpression } from './receivers';
import { templateText } from './sql-source';
import { classifySqlText } from './sql-text';

const STARTS: Record<string, { access: DbAccess; writeKind?: DbWriteKind }> = {
  selectFrom: { access: 'read' },
  insertInto: { access: 'write', writeKind: 'insert' },
  updateTable: { access: 'write', writeKind: 'update' },
  deleteFrom: { access: 'write', writeKind: 'delete' },
  replaceInto: { access: 'write', writeKind: 'upsert' },
  mergeInto: { access: 'write', writeKind: 'upsert' },
};
const EXECUTES = new Set(['execute', 'executeTakeFirst', 'executeTakeFirstOrThrow', 'stream']);

function tableModel(argument: Node | undefined): string | undefined {
  if (!argument) return undefined;
  const node = unwrapExpression(argument);
  if (Node.isStringLiteral(node) || Node.isNoSubstitutionTemplateLiteral(node)) return normalizeModelName(node.getLiteralText());
  if (Node.isArrayLiteralExpression(node)) return tableModel(node.getElements()[0]);
  return undefined;
}

const recognizeRawSql: Recognizer = (chain, ctx) => {
  const [tag, member, call] = chain.steps;
  if (tag?.kind !== 'tag' || member?.kind !== 'member' || member.name !== 'execute' || call?.kind !== 'call') return undefined;
  const tagReceiver = classifyExpression(tag.node.getTag(), ctx);
  const fromKysely = tagReceiver?.kind === 'sqlFragment' && tagReceiver.library === 'kysely';
  if (!fromKysely && !(tagReceiver === undefined && ctx.has('kysely') && /^sql$/.test(tag.node.getTag().getText()))) return undefined;
  const text = templateText(tag.node.getTemplate(), ctx);
  const facts = text === undefined ? undefined : classifySqlText(text);
  return facts ? operationFromSql('kysely', facts, chain.head) : undefined;
};

export const recognizeKysely: Recognizer = (chain, ctx) => {
  const raw = recognizeRawSql(chain, ctx);
  if (raw) return raw;
  const calls = methodCalls(chain.steps);
  const [first] = calls;
  if (!first) return undefined;
  // db.with('cte', ...).updateTable(...) starts after the CTEs.
  const start = calls.find((call) => !/^with/.test(call.name));
  if (!start) return undefined;
  const shape = STARTS[start.name];
  if (!shape || !calls.some((call) => EXECUTES.has(call.name))) return undefined;
  const client = classifyExpression(first.receiver, ctx);
  if (belongsElsewhere(client, 'kysely')) return undefined;
  let writeKind = shape.writeKind;
  if (start.name === 'insertInto') {
    const upsert = calls.some(
      (call) => call.name === 'onDuplicateKeyUpdate' || (call.name === 'onConflict' && call.args.some((argument) => /doUpdateSet/.test(argument.getText()))),
    );
    if (upsert) writeKind = 'upsert';
  }
  return makeOperation('kysely', shape.access, writeKind, tableModel(start.args[0]), chain.head);
};
