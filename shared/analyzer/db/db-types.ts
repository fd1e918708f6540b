import type { CallExpression, TaggedTemplateExpression } from 'ts-morph';

export type DbLibrary = 'prisma' | 'typeorm' | 'sequelize' | 'mongoose' | 'knex' | 'drizzle' | 'kysely' | 'sql';
export type DbAccess = 'read' | 'write';
export type DbWriteKind = 'insert' | 'update' | 'delete' | 'upsert';

/**
 * The node that carries an operation. Mostly a call; a tagged template when the statement is the
 * template itself (``sql`UPDATE ...` `` with postgres.js, ``prisma.$executeRaw`...` ``).
 */
export type DbCallNode = CallExpression | TaggedTemplateExpression;

export interface DbOperation {
  library: DbLibrary;
  access: DbAccess;
  /** Set when access === 'write'. */
  writeKind?: DbWriteKind;
  /**
   * Normalised model/table name (see `normalizeModelName`): last dotted segment, no quotes, no
   * trailing Repository/Repo/Entity/Model/Table/Schema/Document/Collection word, lower-case,
   * underscores and dashes removed, singular. `Product`, `products`, `prisma.product`,
   * `'products'`, `productsTable`, `ProductEntity`, `productRepository` are all `product`;
   * `order_items` and `OrderItem` are both `orderitem`. Undefined when it cannot be known.
   */
  model?: string;
  /**
   * The outermost node of the operation: for a chain such as `db.update(t).set(..).where(..)` the
   * whole chain's outermost call; for `knex('t').where(..).update(..)` the `.update(..)` call.
   * Promise plumbing (`.then/.catch/.finally`) is not part of the operation.
   */
  call: DbCallNode;
}
