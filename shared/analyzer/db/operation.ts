import { Node } from 'ts-morph';
import type { Chain } from './chain';
import { unwrapExpression } from './chain';
import type { DbFileContext } from './context';
import type { DbAccess, DbCallNode, DbLibrary, DbOperation, DbWriteKind } from './db-types';
import { normalizeModelName } from './model-name';
import type { Receiver } from './receivers';
import type { SqlStatementFacts } from './sql-text';

export type Recognizer = (chain: Chain, ctx: DbFileContext) => DbOperation | undefined;

export function makeOperation(
  library: DbLibrary,
  access: DbAccess,
  writeKind: DbWriteKind | undefined,
  model: string | undefined,
  call: DbCallNode,
): DbOperation {
  const operation: DbOperation = { library, access, call };
  if (access === 'write' && writeKind) operation.writeKind = writeKind;
  if (model !== undefined) operation.model = model;
  return operation;
}

export function operationFromSql(library: DbLibrary, facts: SqlStatementFacts, call: DbCallNode): DbOperation {
  const model = facts.table === undefined ? undefined : normalizeModelName(facts.table);
  return makeOperation(library, facts.access, facts.writeKind, model, call);
}

/** Receivers that certainly belong to a library other than `library` (or to no database). */
export function belongsElsewhere(receiver: Receiver | undefined, library: DbLibrary): boolean {
  if (!receiver) return false;
  switch (receiver.kind) {
    case 'notDb':
      return true;
    case 'prisma':
      return library !== 'prisma';
    case 'typeormRepository':
    case 'typeormManager':
    case 'typeormQueryRunner':
      return library !== 'typeorm';
    case 'sequelize':
      return library !== 'sequelize';
    case 'model':
    case 'instance':
      return library !== 'sequelize' && library !== 'mongoose';
    case 'knex':
      return library !== 'knex';
    case 'drizzle':
    case 'drizzleTable':
      return library !== 'drizzle';
    case 'kysely':
      return library !== 'kysely';
    case 'sqlClient':
    case 'sqlTag':
      return library !== 'sql';
    default:
      return false;
  }
}

/** The library an SQL-taking method call is attributed to, from its receiver. */
export function libraryOfReceiver(receiver: Receiver | undefined): DbLibrary {
  switch (receiver?.kind) {
    case 'prisma':
      return 'prisma';
    case 'typeormRepository':
    case 'typeormManager':
    case 'typeormQueryRunner':
      return 'typeorm';
    case 'sequelize':
      return 'sequelize';
    case 'knex':
      return 'knex';
    case 'drizzle':
      return 'drizzle';
    case 'kysely':
      return 'kysely';
    default:
      return 'sql';
  }
}

export function stringLiteralValue(node: Node | undefined): string | undefined {
  if (!node) return undefined;
  const expression = unwrapExpression(node);
  if (Node.isStringLiteral(expression) || Node.isNoSubstitutionTemplateLiteral(expression)) return expression.getLiteralText();
  return undefined;
}

/** Names of the properties of an object literal argument; undefined when it is not one. */
export function objectKeys(node: Node | undefined): string[] | undefined {
  if (!node) return undefined;
  const expression = unwrapExpression(node);
  if (!Node.isObjectLiteralExpression(expression)) return undefined;
  const keys: string[] = [];
  for (const property of expression.getProperties()) {
    if (Node.isPropertyAssignment(property) || Node.isShorthandPropertyAssignment(property) || Node.isMethodDeclaration(property)) {
      keys.push(property.getName());
    }
  }
  return keys;
}

/** `{ ..., name: true }` in an object literal argument. */
export function hasTrueOption(node: Node | undefined, name: string): boolean {
  if (!node) return false;
  const expression = unwrapExpression(node);
  if (!Node.isObjectLiteralExpression(expression)) return false;
  const property = expression.getProperty(name);
  if (!property) return false;
  if (Node.isShorthandPropertyAssignment(property)) return true;
  return Node.isPropertyAssignment(property) && property.getInitializer()?.getText() !== 'false';
}
