import { Node, SyntaxKind } from 'ts-morph';
import { unwrap } from '../clients/client-resolver';

/**
 * Small constant folding over the AST: literals, `const` bindings (also across imports), enum
 * members, readonly fields and arithmetic of those. Used to read Lua sources, key prefixes and
 * TTLs the way code spells them (`const TTL = 60 * 60`, `Ttl.Hour`, `CACHE_TTL_SECONDS`).
 */
export type Constant = string | number;

const maxDepth = 8;

export function constantValue(node: Node | undefined, depth = 0): Constant | undefined {
  if (!node || depth > maxDepth) return undefined;
  const expression = unwrap(node);
  if (Node.isStringLiteral(expression) || Node.isNoSubstitutionTemplateLiteral(expression)) return expression.getLiteralValue();
  if (Node.isNumericLiteral(expression)) return expression.getLiteralValue();
  if (Node.isPrefixUnaryExpression(expression)) {
    const operand = constantValue(expression.getOperand(), depth + 1);
    if (typeof operand !== 'number') return undefined;
    const operator = expression.getOperatorToken();
    if (operator === SyntaxKind.MinusToken) return -operand;
    if (operator === SyntaxKind.PlusToken) return operand;
    return undefined;
  }
  if (Node.isTemplateExpression(expression)) {
    let text = expression.getHead().getLiteralText();
    for (const span of expression.getTemplateSpans()) {
      const value = constantValue(span.getExpression(), depth + 1);
      if (value === undefined) return undefined;
      text += String(value) + span.getLiteral().getLiteralText();
    }
    return text;
  }
  if (Node.isBinaryExpression(expression)) {
    const left = constantValue(expression.getLeft(), depth + 1);
    const right = constantValue(expression.getRight(), depth + 1);
    if (left === undefined || right === undefined) return undefined;
    switch (expression.getOperatorToken().getKind()) {
      case SyntaxKind.PlusToken:
        return typeof left === 'number' && typeof right === 'number' ? left + right : String(left) + String(right);
      case SyntaxKind.MinusToken:
        return typeof left === 'number' && typeof right === 'number' ? left - right : undefined;
      case SyntaxKind.AsteriskToken:
        return typeof left === 'number' && typeof right === 'number' ? left * right : undefined;
      case SyntaxKind.SlashToken:
        return typeof left === 'number' && typeof right === 'number' && right !== 0 ? left / right : undefined;
      case SyntaxKind.AsteriskAsteriskToken:
        return typeof left === 'number' && typeof right === 'number' ? left ** right : undefined;
      default:
        return undefined;
    }
  }
  if (Node.isIdentifier(expression) || Node.isPropertyAccessExpression(expression)) {
    const declaration = constantDeclaration(expression);
    return declaration ? constantValue(declaration, depth + 1) : undefined;
  }
  return undefined;
}

export function constantString(node: Node | undefined): string | undefined {
  const value = constantValue(node);
  return typeof value === 'string' ? value : undefined;
}

export function constantNumber(node: Node | undefined): number | undefined {
  const value = constantValue(node);
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value)) return Number(value);
  return undefined;
}

/**
 * The initializer behind a name when the name can only ever hold that value: a `const`, an enum
 * member, a readonly or static-readonly field, a property of a `const` object literal (`as const`
 * or not, as real config objects are rarely mutated), following imports.
 */
export function constantDeclaration(expression: Node): Node | undefined {
  const nameNode = Node.isPropertyAccessExpression(expression) ? expression.getNameNode() : expression;
  const symbol = nameNode.getSymbol();
  if (!symbol) return undefined;
  const target = symbol.isAlias() ? symbol.getAliasedSymbol() ?? symbol : symbol;
  for (const declaration of target.getDeclarations()) {
    if (Node.isVariableDeclaration(declaration)) {
      if (declaration.getVariableStatement()?.getDeclarationKind() !== 'const') continue;
      const initializer = declaration.getInitializer();
      if (initializer) return initializer;
    }
    if (Node.isEnumMember(declaration)) {
      const initializer = declaration.getInitializer();
      if (initializer) return initializer;
      const value = declaration.getValue();
      if (value !== undefined) return declaration.getInitializer() ?? undefined;
    }
    if (Node.isPropertyDeclaration(declaration) && declaration.isReadonly()) {
      const initializer = declaration.getInitializer();
      if (initializer) return initializer;
    }
    if (Node.isPropertyAssignment(declaration)) {
      // Climb nested literals (`const TTL = { product: { list: 300 } }`) to the variable that holds them.
      let variable: Node | undefined = declaration.getParent()?.getParent();
      while (variable && (Node.isAsExpression(variable) || Node.isSatisfiesExpression(variable) || Node.isPropertyAssignment(variable) || Node.isObjectLiteralExpression(variable))) {
        variable = variable.getParent();
      }
      if (Node.isVariableDeclaration(variable) && variable.getVariableStatement()?.getDeclarationKind() === 'const') {
        const initializer = declaration.getInitializer();
        if (initializer) return initializer;
      }
    }
  }
  return undefined;
}
