/**
 * Drizzle: `db.select().from(t)`, `db.insert(t).values(..)`, `db.update(t).set(..)`,
 * `db.delete(t)`, `db.query.t.findMany()`, `db.$count(t)` and `db.execute(sql\`...\`)`.
 *
 * Drizzle takes table objects, never table-name strings (that is knex). With a client known to be
 * Drizzle (`drizzle(...)`, a Drizzle database type, a transaction of one) any such call counts; with a
 * handle known only by name (`db`, `tx`) the file must import drizzle-orm or the table argument must
 * look like a Drizzle table (declared with `pgTable(...)`, imported from a schema module, or named
 * `...Table`), so that `map.delete(key)` and friends stay out.
 */
import { Node } from 'ts-morph';
import { MethodCall, methodCalls, unwrapExpression } from './chain';
import type { DbFileContext } from './context';
import { normalizeModelName } from './model-name';
import { belongsElsewhere, makeOperation, operationFromSql, Recognizer } from './operation';
import { classifyExpression, Receiver } from './receivers';
import { sqlTextOf } from './sql-source';
import { classifySqlText } from './sql-text';

const SELECTS = new Set(['select', 'selectDistinct', 'selectDistinctOn']);
const RAW_METHODS = new Set(['execute', 'run', 'all', 'get', 'values']);

interface TableFacts {
  /** The argument can be a table object (it is not a string). */
  possible: boolean;
  /** Something beyond the call's shape says it is a Drizzle table. */
  evidence: boolean;
  model?: string;
}

function tableFacts(argument: Node | undefined, ctx: DbFileContext): TableFacts {
  if (!argument) return { possible: false, evidence: false };
  const node = unwrapExpression(argument);
  if (Node.isStringLiteral(node) || Node.isNoSubstitutionTemplateLiteral(node) || Node.isTemplateExpression(node)) {
    return { possible: false, evidence: false };
  }
  let name: string | undefined;
  if (Node.isIdentifier(node)) name = node.getText();
  else if (Node.isPropertyAccessExpression(node)) name = node.getName();
  else return { possible: false, evidence: false };
  const receiver = classifyExpression(node, ctx);
  if (receiver?.kind === 'drizzleTable') {
    return { possible: true, evidence: true, model: receiver.model ?? normalizeModelName(name) };
  }
  if (Node.isIdentifier(node)) {
    const declaration = ctx.resolve(node);
    if (declaration && Node.isVariableDeclaration(declaration)) {
      const initializer = declaration.getInitializer();
      const value = initializer ? unwrapExpression(initializer) : undefined;
      if (value && (Node.isStringLiteral(value) || Node.isNoSubstitutionTemplateLiteral(value))) return { possible: false, evidence: false };
    }
  }
  const fromSchemaModule = receiver?.kind === 'moduleImport' && /schema|tables?\b|(^|\/)db(\/|$)/i.test(receiver.module);
  const namespaceSchema = Node.isPropertyAccessExpression(node) && /schema|tables/i.test(node.getExpression().getText());
  const evidence = fromSchemaModule || namespaceSchema || /[a-z0-9]Table$/.test(name);
  return { possible: true, evidence, model: normalizeModelName(name) };
}

function isDrizzleClient(receiver: Receiver | undefined): 'known' | 'maybe' | undefined {
  if (receiver?.kind === 'drizzle') return 'known';
  if (receiver?.kind === 'dbHandle') return 'maybe';
  return undefined;
}

function relationalQuery(chain: Parameters<Recognizer>[0], first: MethodCall, ctx: DbFileContext) {
  if (first.name !== 'findMany' && first.name !== 'findFirst') return undefined;
  const tableStep = chain.steps[first.index - 1];
  const queryStep = chain.steps[first.index - 2];
  if (tableStep?.kind !== 'member' || queryStep?.kind !== 'member' || queryStep.name !== 'query') return undefined;
  const client = classifyExpression(queryStep.node.getExpression(), ctx);
  const kind = isDrizzleClient(client);
  if (!kind || (kind === 'maybe' && belongsElsewhere(client, 'drizzle'))) return undefined;
  return makeOperation('drizzle', 'read', undefined, normalizeModelName(tableStep.name), chain.head);
}

export const recognizeDrizzle: Recognizer = (chain, ctx) => {
  const calls = methodCalls(chain.steps);
  let first = calls[0];
  if (!first) return undefined;
  const relational = relationalQuery(chain, first, ctx);
  if (relational) return relational;
  let rest = calls.slice(1);
  // db.with(cte).select()... / db.$with(...)
  if (first.name === 'with' && rest[0]) {
    first = rest[0];
    rest = rest.slice(1);
  }
  const client = classifyExpression(calls[0]!.receiver, ctx);
  const kind = isDrizzleClient(client);
  if (!kind) return undefined;
  const trusted = kind === 'known' || ctx.has('drizzle');
  const names = new Set(rest.map((call) => call.name));

  if (SELECTS.has(first.name)) {
    const from = rest.find((call) => call.name === 'from');
    if (!from) return undefined;
    const table = tableFacts(from.args[0], ctx);
    if (!table.possible || !(trusted || table.evidence)) return undefined;
    return makeOperation('drizzle', 'read', undefined, table.model, chain.head);
  }
  if (first.name === 'insert' || first.name === 'update' || first.name === 'delete' || first.name === '$count') {
    const table = tableFacts(first.args[0], ctx);
    if (!table.possible || first.args.length !== 1) return undefined;
    if (first.name === '$count') {
      return trusted || table.evidence ? makeOperation('drizzle', 'read', undefined, table.model, chain.head) : undefined;
    }
    const continuation =
      (first.name === 'insert' && (names.has('values') || names.has('select'))) ||
      (first.name === 'update' && names.has('set')) ||
      (first.name === 'delete' && (names.has('where') || names.has('returning')));
    if (!(trusted || table.evidence || (continuation && kind === 'maybe' && first.name !== 'delete'))) return undefined;
    if (first.name === 'update' && !names.has('set') && !trusted) return undefined;
    if (first.name === 'insert') {
      const upsert = names.has('onConflictDoUpdate') || names.has('onDuplicateKeyUpdate');
      return makeOperation('drizzle', 'write', upsert ? 'upsert' : 'insert', table.model, chain.head);
    }
    return makeOperation('drizzle', 'write', first.name === 'update' ? 'update' : 'delete', table.model, chain.head);
  }
  if (RAW_METHODS.has(first.name) && trusted) {
    const text = sqlTextOf(first.args[0], ctx);
    const facts = text === undefined ? undefined : classifySqlText(text);
    return facts ? operationFromSql('drizzle', facts, chain.head) : undefined;
  }
  return undefined;
};
