import { Node, SyntaxKind } from 'ts-morph';
import type { TimeUnit } from './expiry';

/**
 * Jittered TTL expressions: the base TTL plus a bounded random share of it,
 * `3600 + Math.floor(Math.random() * 360)`, so keys written in the same second expire spread over
 * a window instead of all at once. The random term is a whole number, as Redis expects for EX/PX.
 */

/** A jittered TTL for a known number of seconds, in the unit the client expects. */
export function jitteredTtlText(seconds: number, unit: TimeUnit, ratio: number): string {
  const base = unit === 'ms' ? Math.round(seconds * 1000) : Math.round(seconds);
  const spread = Math.round(base * ratio);
  return spread >= 2 ? `${base} + Math.floor(Math.random() * ${spread})` : String(base);
}

/** Operators that bind at least as tightly as `+`, so `E + x` and `E * x` keep E's meaning. */
function bindsAsTightlyAs(node: Node, operators: SyntaxKind[]): boolean {
  if (!Node.isBinaryExpression(node)) {
    return !(Node.isConditionalExpression(node) || Node.isAsExpression(node) || Node.isSatisfiesExpression(node) || Node.isArrowFunction(node) || Node.isYieldExpression(node));
  }
  return operators.includes(node.getOperatorToken().getKind());
}

const additiveOrTighter = [SyntaxKind.PlusToken, SyntaxKind.MinusToken, SyntaxKind.AsteriskToken, SyntaxKind.SlashToken, SyntaxKind.PercentToken, SyntaxKind.AsteriskAsteriskToken];
const multiplicativeOrTighter = [SyntaxKind.AsteriskToken, SyntaxKind.SlashToken, SyntaxKind.PercentToken, SyntaxKind.AsteriskAsteriskToken];

/** True when an expression is made of numeric literals only, so its jitter can be written as a number. */
function isLiteralArithmetic(node: Node): boolean {
  let literalOnly = true;
  const visit = (child: Node): void => {
    if (!literalOnly) return;
    if (Node.isIdentifier(child) || Node.isPropertyAccessExpression(child) || Node.isCallExpression(child) || Node.isElementAccessExpression(child)) {
      literalOnly = false;
      return;
    }
    child.forEachChild(visit);
  };
  visit(node);
  return literalOnly;
}

/**
 * The edit that adds jitter to a constant TTL expression `E` (with its known values): E plus
 * `Math.floor(Math.random() * J)` where J is E·ratio folded to a number when E is literal arithmetic
 * and `E * ratio` otherwise. Undefined when the spread would round to nothing (tiny TTLs).
 */
export function addJitter(expression: Node, values: readonly number[], ratio: number): { node: Node; text: string } | undefined {
  if (!(ratio > 0) || values.length === 0) return undefined;
  const smallest = Math.min(...values);
  if (smallest * ratio < 2) return undefined;
  const inner = expression;
  const isString = Node.isStringLiteral(inner) || Node.isNoSubstitutionTemplateLiteral(inner);
  let baseText: string;
  let spreadText: string;
  if (isString) {
    baseText = String(values[0]);
    spreadText = String(Math.round(values[0] * ratio));
  } else if (isLiteralArithmetic(inner) && values.length === 1) {
    baseText = bindsAsTightlyAs(inner, additiveOrTighter) ? inner.getText() : `(${inner.getText()})`;
    spreadText = String(Math.round(values[0] * ratio));
  } else {
    baseText = bindsAsTightlyAs(inner, additiveOrTighter) ? inner.getText() : `(${inner.getText()})`;
    const factor = bindsAsTightlyAs(inner, multiplicativeOrTighter) ? inner.getText() : `(${inner.getText()})`;
    spreadText = `${factor} * ${ratio}`;
  }
  let text = `${baseText} + Math.floor(Math.random() * ${spreadText})`;
  if (isString) text = `String(${text})`;

  const parent = inner.getParent();
  if (parent && Node.isShorthandPropertyAssignment(parent)) {
    return { node: parent, text: `${parent.getName()}: ${text}` };
  }
  if (!isString && needsParentheses(inner)) text = `(${text})`;
  return { node: inner, text };
}

/** A sum placed where the original expression sat needs parentheses unless that place is a full expression slot. */
function needsParentheses(node: Node): boolean {
  const parent = node.getParent();
  if (!parent) return false;
  if (Node.isCallExpression(parent) || Node.isNewExpression(parent)) return parent.getExpression() === node;
  if (Node.isPropertyAssignment(parent) || Node.isVariableDeclaration(parent) || Node.isParameterDeclaration(parent)) return false;
  if (Node.isArrayLiteralExpression(parent) || Node.isTemplateSpan(parent) || Node.isParenthesizedExpression(parent)) return false;
  if (Node.isReturnStatement(parent) || Node.isExpressionStatement(parent) || Node.isArrowFunction(parent)) return false;
  if (Node.isBinaryExpression(parent)) {
    const kind = parent.getOperatorToken().getKind();
    // `a = E`, `a ?? E`: a sum keeps its meaning on the right of an assignment or coalescing.
    if (kind >= SyntaxKind.FirstAssignment && kind <= SyntaxKind.LastAssignment) return false;
    if (parent.getRight() === node && (kind === SyntaxKind.QuestionQuestionToken || kind === SyntaxKind.BarBarToken || kind === SyntaxKind.CommaToken)) return false;
    return true;
  }
  if (Node.isConditionalExpression(parent)) return parent.getCondition() === node;
  return true;
}
