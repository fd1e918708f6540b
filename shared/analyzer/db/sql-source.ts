/**
 * The SQL text an argument carries: a literal, a template (substitutions become placeholders), a
 * concatenation, a constant declared elsewhere in the file, an `sql` tagged template, a
 * `{ text, values }` query object, or `sql.raw('...')`.
 */
import { Node } from 'ts-morph';
import { unwrapExpression } from './chain';
import type { DbFileContext } from './context';
import { SQL_SUBSTITUTION } from './sql-text';

const MAX_DEPTH = 4;

export function templateText(template: Node, ctx: DbFileContext, depth = 0): string | undefined {
  if (Node.isNoSubstitutionTemplateLiteral(template)) return template.getLiteralText();
  if (!Node.isTemplateExpression(template)) return undefined;
  let text = template.getHead().getLiteralText();
  for (const span of template.getTemplateSpans()) {
    const inner = constantText(span.getExpression(), ctx, depth + 1);
    text += ` ${inner ?? SQL_SUBSTITUTION} ${span.getLiteral().getLiteralText()}`;
  }
  return text;
}

/** Text of an expression only when it is a compile-time string (`'products'`, a `const TABLE = 'products'`). */
export function constantText(node: Node, ctx: DbFileContext, depth = 0): string | undefined {
  const expression = unwrapExpression(node);
  if (Node.isStringLiteral(expression) || Node.isNoSubstitutionTemplateLiteral(expression)) return expression.getLiteralText();
  if (Node.isIdentifier(expression) && depth <= MAX_DEPTH) {
    const declaration = ctx.resolve(expression);
    if (declaration && Node.isVariableDeclaration(declaration)) {
      const initializer = declaration.getInitializer();
      if (initializer) return constantText(initializer, ctx, depth + 1);
    }
  }
  return undefined;
}

function isSqlTag(tag: Node): boolean {
  const text = tag.getText();
  // sql`...`, Prisma.sql`...`, sql.unsafe`...`, sql.type(Row)`...`, SQL`...` (sql-template-strings)
  return /^(\w+\.)?sql\b/i.test(text) || /^SQL$/.test(text);
}

export function sqlTextOf(node: Node | undefined, ctx: DbFileContext, depth = 0): string | undefined {
  if (!node || depth > MAX_DEPTH) return undefined;
  const expression = unwrapExpression(node);
  if (Node.isStringLiteral(expression) || Node.isNoSubstitutionTemplateLiteral(expression)) return expression.getLiteralText();
  if (Node.isTemplateExpression(expression)) return templateText(expression, ctx, depth);
  if (Node.isBinaryExpression(expression) && expression.getOperatorToken().getText() === '+') {
    const left = sqlTextOf(expression.getLeft(), ctx, depth + 1);
    const right = sqlTextOf(expression.getRight(), ctx, depth + 1);
    if (left === undefined && right === undefined) return undefined;
    return `${left ?? SQL_SUBSTITUTION} ${right ?? SQL_SUBSTITUTION}`;
  }
  if (Node.isIdentifier(expression)) {
    const declaration = ctx.resolve(expression);
    if (declaration && Node.isVariableDeclaration(declaration)) return sqlTextOf(declaration.getInitializer(), ctx, depth + 1);
    return undefined;
  }
  if (Node.isPropertyAccessExpression(expression)) {
    // const QUERIES = { updateStock: 'UPDATE ...' }; pool.query(QUERIES.updateStock)
    const object = unwrapExpression(expression.getExpression());
    if (!Node.isIdentifier(object)) return undefined;
    const declaration = ctx.resolve(object);
    const initializer = declaration && Node.isVariableDeclaration(declaration) ? declaration.getInitializer() : undefined;
    const literal = initializer ? unwrapExpression(initializer) : undefined;
    if (!literal || !Node.isObjectLiteralExpression(literal)) return undefined;
    const property = literal.getProperty(expression.getName());
    return property && Node.isPropertyAssignment(property) ? sqlTextOf(property.getInitializer(), ctx, depth + 1) : undefined;
  }
  if (Node.isTaggedTemplateExpression(expression)) {
    return isSqlTag(expression.getTag()) ? templateText(expression.getTemplate(), ctx, depth) : undefined;
  }
  if (Node.isCallExpression(expression)) {
    // sql.raw('...'), Prisma.raw('...'), knex.raw('...') used as a fragment
    const callee = expression.getExpression();
    if (Node.isPropertyAccessExpression(callee) && callee.getName() === 'raw') return sqlTextOf(expression.getArguments()[0], ctx, depth + 1);
    return undefined;
  }
  if (Node.isObjectLiteralExpression(expression)) {
    // pg's { text, values }, mysql2's { sql, values }
    for (const key of ['text', 'sql', 'query']) {
      const property = expression.getProperty(key);
      if (property && Node.isPropertyAssignment(property)) return sqlTextOf(property.getInitializer(), ctx, depth + 1);
    }
  }
  return undefined;
}
