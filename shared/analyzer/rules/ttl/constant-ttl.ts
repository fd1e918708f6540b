import { Node, SyntaxKind } from 'ts-morph';
import { unwrap } from '../../clients/client-resolver';
import { constantNumber } from '../../values/constant-value';

/**
 * Decides whether a TTL expression always evaluates to the same number(s): literals, `const`s, enum
 * members and arithmetic of those (constant-value.ts), plus what real code adds around them: a `let`
 * that is never reassigned, a private field that is never assigned, a ternary of constants
 * (`isProd ? 3600 : 60`), and the parameter of a helper (`cacheSet(key, value, ttl = 3600)`) whose
 * callers all pass constants. Anything that reads configuration, randomness or an unknown caller's
 * argument at run time is not constant.
 */
export interface ConstantTtl {
  /** The distinct values the TTL takes, ascending. */
  values: number[];
  /** The TTL expression with a string conversion peeled off (`String(ttl)` → `ttl`). */
  expression: Node;
  /** For helper parameters: the caller arguments or default the values come from. */
  sources: Node[];
  /** The helper whose parameter carries the TTL (`cacheSet`), when the values come from its callers. */
  helper?: string;
}

const maxValues = 8;

export function constantTtl(node: Node): ConstantTtl | undefined {
  const expression = withoutStringConversion(node);
  const walk: Walk = { allowParameters: true, sources: [] };
  const values = valuesOf(expression, walk);
  if (!values || values.length === 0) return undefined;
  return { values: [...new Set(values)].sort((a, b) => a - b), expression, sources: walk.sources, helper: walk.helper };
}

/** `String(ttl)`, `ttl.toString()`, `` `${ttl}` ``: the numeric expression inside (node-redis sendCommand takes strings). */
function withoutStringConversion(node: Node): Node {
  const inner = unwrap(node);
  if (Node.isCallExpression(inner)) {
    const callee = unwrap(inner.getExpression());
    const [first] = inner.getArguments();
    if (Node.isIdentifier(callee) && (callee.getText() === 'String' || callee.getText() === 'Number') && first && inner.getArguments().length === 1) {
      return withoutStringConversion(first);
    }
    if (Node.isPropertyAccessExpression(callee) && callee.getName() === 'toString' && inner.getArguments().length === 0) {
      return withoutStringConversion(callee.getExpression());
    }
  }
  if (Node.isTemplateExpression(inner)) {
    const spans = inner.getTemplateSpans();
    if (spans.length === 1 && inner.getHead().getLiteralText() === '' && spans[0].getLiteral().getLiteralText() === '') {
      return withoutStringConversion(spans[0].getExpression());
    }
  }
  return inner;
}

interface Walk {
  /** Only the TTL expression at the write may follow a helper's parameter to its callers. */
  allowParameters: boolean;
  sources: Node[];
  helper?: string;
}

function valuesOf(node: Node, walk: Walk): number[] | undefined {
  const single = constantNumber(node);
  if (single !== undefined) return Number.isFinite(single) ? [single] : undefined;
  const expression = unwrap(node);
  if (Node.isConditionalExpression(expression)) {
    const whenTrue = valuesOf(expression.getWhenTrue(), walk);
    const whenFalse = whenTrue && valuesOf(expression.getWhenFalse(), walk);
    return whenTrue && whenFalse ? cap([...whenTrue, ...whenFalse]) : undefined;
  }
  if (Node.isBinaryExpression(expression)) return arithmetic(expression, walk);
  if (Node.isIdentifier(expression)) return identifierValues(expression, walk);
  if (Node.isPropertyAccessExpression(expression) && Node.isThisExpression(expression.getExpression())) {
    return fieldValues(expression);
  }
  return undefined;
}

function arithmetic(expression: import('ts-morph').BinaryExpression, walk: Walk): number[] | undefined {
  const operator = expression.getOperatorToken().getKind();
  const apply: ((a: number, b: number) => number) | undefined =
    operator === SyntaxKind.PlusToken
      ? (a, b) => a + b
      : operator === SyntaxKind.MinusToken
        ? (a, b) => a - b
        : operator === SyntaxKind.AsteriskToken
          ? (a, b) => a * b
          : operator === SyntaxKind.SlashToken
            ? (a, b) => a / b
            : undefined;
  if (!apply) return undefined;
  const left = valuesOf(expression.getLeft(), walk);
  const right = left && valuesOf(expression.getRight(), walk);
  if (!left || !right) return undefined;
  const results: number[] = [];
  for (const a of left) for (const b of right) results.push(apply(a, b));
  return results.every(Number.isFinite) ? cap(results) : undefined;
}

function cap(values: number[]): number[] | undefined {
  const distinct = [...new Set(values)];
  return distinct.length <= maxValues ? distinct : undefined;
}

function identifierValues(identifier: import('ts-morph').Identifier, walk: Walk): number[] | undefined {
  const parent = identifier.getParent();
  // `{ EX }`: the name of a shorthand property is the property; its value is the variable of that name.
  const symbol = Node.isShorthandPropertyAssignment(parent) && parent.getNameNode() === identifier ? parent.getValueSymbol() : identifier.getSymbol();
  for (const declaration of symbol?.getDeclarations() ?? []) {
    if (Node.isVariableDeclaration(declaration)) {
      const initializer = declaration.getInitializer();
      if (!initializer || isReassigned(declaration)) return undefined;
      // One level: the initializer itself must be constant, not another variable's story.
      return valuesOf(initializer, { allowParameters: false, sources: walk.sources });
    }
    if (Node.isParameterDeclaration(declaration)) {
      return walk.allowParameters ? parameterValues(declaration, walk) : undefined;
    }
  }
  return undefined;
}

/** True when a variable is assigned after its declaration (`ttl = ...`, `ttl += ...`, `ttl++`, destructuring). */
function isReassigned(declaration: import('ts-morph').VariableDeclaration): boolean {
  const nameNode = declaration.getNameNode();
  if (!Node.isIdentifier(nameNode)) return true;
  const symbol = nameNode.getSymbol();
  const scope = declaration.getFirstAncestor((node) => Node.isBlock(node) || Node.isSourceFile(node) || Node.isModuleBlock(node)) ?? declaration.getSourceFile();
  for (const identifier of scope.getDescendantsOfKind(SyntaxKind.Identifier)) {
    if (identifier === nameNode || identifier.getText() !== nameNode.getText()) continue;
    if (identifier.getSymbol() !== symbol) continue;
    if (isWriteTarget(identifier)) return true;
  }
  return false;
}

function isWriteTarget(node: Node): boolean {
  let current: Node = node;
  let parent = current.getParent();
  // `[ttl] = ...`, `({ ttl } = ...)`: climb through destructuring patterns.
  while (
    parent &&
    (Node.isParenthesizedExpression(parent) ||
      Node.isArrayLiteralExpression(parent) ||
      Node.isShorthandPropertyAssignment(parent) ||
      Node.isObjectLiteralExpression(parent) ||
      (Node.isPropertyAssignment(parent) && parent.getInitializer() === current))
  ) {
    current = parent;
    parent = current.getParent();
  }
  if (!parent) return false;
  if (Node.isBinaryExpression(parent)) {
    const kind = parent.getOperatorToken().getKind();
    return parent.getLeft() === current && kind >= SyntaxKind.FirstAssignment && kind <= SyntaxKind.LastAssignment;
  }
  if (Node.isPrefixUnaryExpression(parent) || Node.isPostfixUnaryExpression(parent)) {
    const operator = parent.getOperatorToken();
    return operator === SyntaxKind.PlusPlusToken || operator === SyntaxKind.MinusMinusToken;
  }
  return Node.isForOfStatement(parent) || Node.isForInStatement(parent);
}

/** `this.ttl` where the class declares `ttl = 3600` and nothing in its file assigns `.ttl`. */
function fieldValues(access: import('ts-morph').PropertyAccessExpression): number[] | undefined {
  const symbol = access.getNameNode().getSymbol();
  for (const declaration of symbol?.getDeclarations() ?? []) {
    if (!Node.isPropertyDeclaration(declaration)) continue;
    const initializer = declaration.getInitializer();
    if (!initializer) return undefined;
    const name = declaration.getName();
    const assigned = declaration
      .getSourceFile()
      .getDescendantsOfKind(SyntaxKind.PropertyAccessExpression)
      .some((other) => other.getName() === name && isWriteTarget(other));
    if (assigned) return undefined;
    const value = constantNumber(initializer);
    return value !== undefined ? [value] : undefined;
  }
  return undefined;
}

/** The values a helper's parameter takes: what each caller passes, or the default when callers omit it. */
function parameterValues(parameter: import('ts-morph').ParameterDeclaration, walk: Walk): number[] | undefined {
  if (parameter.isRestParameter() || !Node.isIdentifier(parameter.getNameNode())) return undefined;
  const fn = parameter.getParent();
  if (!Node.isFunctionDeclaration(fn) && !Node.isMethodDeclaration(fn) && !Node.isArrowFunction(fn) && !Node.isFunctionExpression(fn)) return undefined;
  const index = fn.getParameters().indexOf(parameter);
  const initializer = parameter.getInitializer();
  const inner: Walk = { allowParameters: false, sources: [] };
  const fromDefault = initializer ? valuesOf(initializer, inner) : undefined;
  const callSites = callSitesOf(fn);
  if (!callSites) return undefined;
  const values: number[] = [];
  const sources: Node[] = [];
  for (const call of callSites) {
    const args = call.getArguments();
    if (args.slice(0, index + 1).some((arg) => Node.isSpreadElement(arg))) return undefined;
    const arg = args[index];
    if (!arg || (Node.isIdentifier(arg) && arg.getText() === 'undefined')) {
      if (!fromDefault) return undefined;
      values.push(...fromDefault);
      sources.push(call);
      continue;
    }
    const passed = valuesOf(arg, inner);
    if (!passed) return undefined;
    values.push(...passed);
    sources.push(arg);
  }
  if (callSites.length === 0) {
    if (!fromDefault || !initializer) return undefined;
    values.push(...fromDefault);
    sources.push(initializer);
  }
  walk.sources.push(...sources);
  walk.helper = functionNameNode(fn)?.getText() ?? 'the helper';
  return cap(values);
}

/** Every call of a named function or method in the project, or undefined when it also escapes as a value. */
function callSitesOf(fn: Node): import('ts-morph').CallExpression[] | undefined {
  const nameNode = functionNameNode(fn);
  if (!nameNode) return undefined;
  const calls: import('ts-morph').CallExpression[] = [];
  for (const reference of nameNode.findReferencesAsNodes()) {
    if (reference === nameNode) continue;
    const parent = reference.getParent();
    if (!parent) return undefined;
    if (Node.isImportSpecifier(parent) || Node.isExportSpecifier(parent) || Node.isImportClause(parent)) continue;
    if (Node.isCallExpression(parent) && parent.getExpression() === reference) {
      calls.push(parent);
      continue;
    }
    const grandparent = parent.getParent();
    if (Node.isPropertyAccessExpression(parent) && parent.getNameNode() === reference && Node.isCallExpression(grandparent) && grandparent.getExpression() === parent) {
      calls.push(grandparent);
      continue;
    }
    // Passed around as a value: its callers are out of sight.
    return undefined;
  }
  return calls;
}

function functionNameNode(fn: Node): import('ts-morph').Identifier | undefined {
  if (Node.isFunctionDeclaration(fn) || Node.isMethodDeclaration(fn)) {
    const name = fn.getNameNode();
    return name && Node.isIdentifier(name) ? name : undefined;
  }
  if (Node.isArrowFunction(fn) || Node.isFunctionExpression(fn)) {
    let holder: Node | undefined = fn.getParent();
    while (holder && (Node.isParenthesizedExpression(holder) || Node.isAsExpression(holder))) holder = holder.getParent();
    if (Node.isVariableDeclaration(holder) || Node.isPropertyAssignment(holder) || Node.isPropertyDeclaration(holder)) {
      const name = holder.getNameNode();
      return Node.isIdentifier(name) ? name : undefined;
    }
  }
  return undefined;
}

/** A TTL parameter's constant default, which every caller that leaves the TTL out gets. */
export interface DefaultedTtl {
  values: number[];
  /** The default value expression (`30 * 60` in `expire = 30 * 60`), where jitter goes. */
  initializer: Node;
  helper: string;
}

/**
 * `set(key, value, expire = 30 * 60) { ... { EX: expire } }` where some callers pass their own TTL:
 * the TTL is not always the same, but it is for every caller that omits it. Reported only when such
 * callers exist or the callers are out of sight (the method is reached through an interface).
 */
export function defaultedParameterTtl(node: Node): DefaultedTtl | undefined {
  const expression = withoutStringConversion(node);
  if (!Node.isIdentifier(expression)) return undefined;
  const parameter = expression.getSymbol()?.getDeclarations().find((declaration) => Node.isParameterDeclaration(declaration));
  if (!parameter || !Node.isParameterDeclaration(parameter) || parameter.isRestParameter()) return undefined;
  const initializer = parameter.getInitializer();
  if (!initializer || isParameterReassigned(parameter)) return undefined;
  const values = valuesOf(initializer, { allowParameters: false, sources: [] });
  if (!values || values.length === 0) return undefined;
  const fn = parameter.getParent();
  const helper = functionNameNode(fn)?.getText();
  if (!helper) return undefined;
  const callSites = callSitesOf(fn);
  const index = (fn as import('ts-morph').FunctionLikeDeclaration).getParameters().indexOf(parameter);
  const someOmit = callSites === undefined || callSites.length === 0 || callSites.some((call) => call.getArguments().length <= index);
  if (!someOmit) return undefined;
  return { values: [...new Set(values)].sort((a, b) => a - b), initializer, helper };
}

function isParameterReassigned(parameter: import('ts-morph').ParameterDeclaration): boolean {
  const nameNode = parameter.getNameNode();
  if (!Node.isIdentifier(nameNode)) return true;
  const body = parameter.getParent();
  const symbol = nameNode.getSymbol();
  return body
    .getDescendantsOfKind(SyntaxKind.Identifier)
    .some((identifier) => identifier !== nameNode && identifier.getText() === nameNode.getText() && identifier.getSymbol() === symbol && isWriteTarget(identifier));
}
