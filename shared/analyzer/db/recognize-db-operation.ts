/**
 * Recognises database reads and writes in TypeScript/JavaScript code: Prisma, TypeORM, Sequelize,
 * Mongoose, knex, Drizzle, Kysely and raw SQL drivers. Precision comes before recall: a call is
 * reported only when its receiver is known to be a database object (from its declaration, type,
 * injection decorator or import) or when its shape belongs to one library alone; see the module
 * comments of `receivers.ts` and of each library file for the exact heuristics.
 */
import { CallExpression, Node, SyntaxKind, TaggedTemplateExpression } from 'ts-morph';
import { Chain, chainHead, decomposeChain, isPromiseCallback } from './chain';
import { createDbFileContext, DbFileContext } from './context';
import type { DbCallNode, DbLibrary, DbOperation } from './db-types';
import { recognizeDrizzle } from './drizzle';
import { recognizeKnex, recognizeKnexBatchInsert } from './knex';
import { recognizeKysely } from './kysely';
import { recognizeModelOrm } from './model-orms';
import type { Recognizer } from './operation';
import { recognizePrisma } from './prisma';
import { recognizeRawSql } from './raw-sql';
import { classifyExpression } from './receivers';
import { recognizeTypeorm } from './typeorm';

export type { DbAccess, DbCallNode, DbLibrary, DbOperation, DbWriteKind } from './db-types';
export { normalizeModelName } from './model-name';
export { classifySqlText } from './sql-text';
export type { SqlStatementFacts } from './sql-text';
export { createDbFileContext, DbFileContext };

/** Order matters where shapes overlap: Drizzle's `db.query.t.findMany` before Prisma, Kysely before knex. */
const RECOGNIZERS: Recognizer[] = [
  recognizeDrizzle,
  recognizePrisma,
  recognizeKysely,
  recognizeTypeorm,
  recognizeModelOrm,
  recognizeKnex,
  recognizeKnexBatchInsert,
  recognizeRawSql,
];

const MAX_BUILDER_HOPS = 4;

/**
 * Libraries whose query objects do nothing until awaited or continued, so a variable holding one is
 * a builder still being put together. Other libraries' calls run at once: a variable holding their
 * value holds a result (`const rows = db.prepare(sql).all()` with better-sqlite3).
 */
const LAZY_LIBRARIES = new Set<DbLibrary>(['knex', 'drizzle', 'mongoose']);

function runRecognizers(chain: Chain, ctx: DbFileContext): DbOperation | undefined {
  for (const recognize of RECOGNIZERS) {
    const operation = recognize(chain, ctx);
    if (operation) return operation;
  }
  return undefined;
}

/**
 * `const qb = repo.createQueryBuilder('p'); ... qb.getMany()`: continue the chain from the
 * variable's initializer so the executing call sees where the query started.
 */
function throughBuilderVariables(chain: Chain, ctx: DbFileContext, hops = 0): Chain {
  if (hops >= MAX_BUILDER_HOPS || !Node.isIdentifier(chain.root)) return chain;
  const receiver = classifyExpression(chain.root, ctx);
  if (receiver?.kind !== 'builder' || !Node.isCallExpression(receiver.initializer)) return chain;
  const start = throughBuilderVariables(decomposeChain(receiver.initializer), ctx, hops + 1);
  const startOperation = runRecognizers(start, ctx);
  if (startOperation && !LAZY_LIBRARIES.has(startOperation.library)) return chain;
  return { root: start.root, steps: [...start.steps, ...chain.steps], head: chain.head };
}

/**
 * A lazy query stored in a variable that is continued later (`const q = knex('t'); q.update(..)`)
 * is reported where it is continued, not where it is stored.
 */
function isContinuedLater(head: DbCallNode, ctx: DbFileContext): boolean {
  const declaration = head.getParent();
  if (!declaration || !Node.isVariableDeclaration(declaration) || declaration.getInitializer() !== head) return false;
  const nameNode = declaration.getNameNode();
  if (!Node.isIdentifier(nameNode)) return false;
  const scope = declaration.getFirstAncestor((node) => Node.isBlock(node) || Node.isSourceFile(node)) ?? head.getSourceFile();
  const name = nameNode.getText();
  let continued = false;
  scope.forEachDescendant((node, traversal) => {
    if (continued) {
      traversal.stop();
      return;
    }
    if (!Node.isIdentifier(node) || node === nameNode || node.getText() !== name) return;
    const access = node.getParent();
    if (!access || !Node.isPropertyAccessExpression(access) || access.getExpression() !== node) return;
    if (['then', 'catch', 'finally'].includes(access.getName())) return;
    const call = access.getParent();
    if (!call || !Node.isCallExpression(call) || call.getExpression() !== access) return;
    if (ctx.resolve(node) === declaration) continued = true;
  });
  return continued;
}

/**
 * Recognise one call (or tagged template). Only the outermost call of a chain is an operation;
 * inner links (`db.update(t)` inside `db.update(t).set(..)`) return undefined, so visiting every
 * call of a file reports each operation once.
 */
export function recognizeDbOperation(call: CallExpression | TaggedTemplateExpression, context: DbFileContext): DbOperation | undefined {
  if (chainHead(call) !== call || isPromiseCallback(call)) return undefined;
  const operation = runRecognizers(throughBuilderVariables(decomposeChain(call), context), context);
  if (!operation) return undefined;
  return LAZY_LIBRARIES.has(operation.library) && isContinuedLater(call, context) ? undefined : operation;
}

/** Every database operation in a function/arrow body or a whole file, in source order, each once. */
export function findDbOperations(scope: Node, context: DbFileContext): DbOperation[] {
  // getDescendantsOfKind walks the compiler tree and wraps only the matches: much cheaper than
  // visiting every node through ts-morph wrappers.
  const candidates: Array<CallExpression | TaggedTemplateExpression> = [
    ...scope.getDescendantsOfKind(SyntaxKind.CallExpression),
    ...scope.getDescendantsOfKind(SyntaxKind.TaggedTemplateExpression),
  ];
  if (Node.isCallExpression(scope) || Node.isTaggedTemplateExpression(scope)) candidates.push(scope);
  // Source order; a chain's head encloses its inner calls, so the longer node comes first on a tie.
  candidates.sort((a, b) => a.getStart() - b.getStart() || b.getEnd() - a.getEnd());
  const operations: DbOperation[] = [];
  for (const node of candidates) {
    const operation = recognizeDbOperation(node, context);
    if (operation) operations.push(operation);
  }
  return operations;
}
