import { Node, SyntaxKind } from 'ts-morph';
import { unwrap } from '../clients/client-resolver';

/**
 * Cache key families: the shape of a key with its variable parts abstracted, so `product:${id}`,
 * `'product:' + product.id` and `productKey(id)` (a helper returning `product:${id}`) are one family.
 */
export interface KeyFamily {
  /** How the family reads to a person: `product:{id}`. */
  display: string;
  /** The family's identity: every variable part is `*`, e.g. `product:*`. */
  pattern: string;
  /** True when the key has no variable part (e.g. `home:rail`). */
  constant: boolean;
}

type Part = { text: string } | { placeholder: string };
type Bindings = Map<Node, Part[]>;

const maxDepth = 6;

export class KeyResolver {
  private readonly memo = new Map<Node, KeyFamily | null>();

  familyOf(expression: Node): KeyFamily | undefined {
    const cached = this.memo.get(expression);
    if (cached !== undefined) return cached ?? undefined;
    const parts = partsOf(expression, new Map(), 0);
    const family = parts ? toFamily(parts) : undefined;
    this.memo.set(expression, family ?? null);
    return family;
  }
}

function toFamily(parts: Part[]): KeyFamily | undefined {
  if (!parts.some((part) => 'text' in part && part.text.length > 0)) return undefined;
  let display = '';
  let pattern = '';
  let constant = true;
  for (const part of parts) {
    if ('text' in part) {
      display += part.text;
      pattern += part.text;
    } else {
      constant = false;
      display += `{${part.placeholder}}`;
      if (!pattern.endsWith('*')) pattern += '*';
    }
  }
  return { display, pattern, constant };
}

function placeholderFor(node: Node): Part {
  const target = unwrap(node);
  if (Node.isIdentifier(target)) return { placeholder: target.getText() };
  if (Node.isPropertyAccessExpression(target)) return { placeholder: target.getName() };
  if (Node.isCallExpression(target)) {
    const callee = target.getExpression();
    const name = Node.isPropertyAccessExpression(callee) ? callee.getName() : callee.getText();
    // `id.toString()`, `String(id)`: name the value, not the conversion.
    if (name === 'toString' || name === 'String') {
      const inner = Node.isPropertyAccessExpression(callee) ? callee.getExpression() : target.getArguments()[0];
      if (inner) return placeholderFor(inner);
    }
    return { placeholder: name.length <= 24 ? `${name}()` : 'value' };
  }
  return { placeholder: 'value' };
}

function partsOf(node: Node, bindings: Bindings, depth: number): Part[] | undefined {
  if (depth > maxDepth) return undefined;
  const expression = unwrap(node);
  if (Node.isStringLiteral(expression) || Node.isNoSubstitutionTemplateLiteral(expression)) {
    return [{ text: expression.getLiteralValue() }];
  }
  if (Node.isNumericLiteral(expression)) return [{ text: expression.getLiteralText() }];
  if (Node.isTemplateExpression(expression)) {
    const parts: Part[] = [{ text: expression.getHead().getLiteralText() }];
    for (const span of expression.getTemplateSpans()) {
      parts.push(...(partsOf(span.getExpression(), bindings, depth + 1) ?? [placeholderFor(span.getExpression())]));
      parts.push({ text: span.getLiteral().getLiteralText() });
    }
    return parts;
  }
  if (Node.isBinaryExpression(expression) && expression.getOperatorToken().getText() === '+') {
    const left = partsOf(expression.getLeft(), bindings, depth + 1) ?? [placeholderFor(expression.getLeft())];
    const right = partsOf(expression.getRight(), bindings, depth + 1) ?? [placeholderFor(expression.getRight())];
    return [...left, ...right];
  }
  if (Node.isIdentifier(expression) || Node.isPropertyAccessExpression(expression)) {
    return identifierParts(expression, bindings, depth);
  }
  if (Node.isCallExpression(expression)) return callParts(expression, bindings, depth);
  return undefined;
}

function identifierParts(expression: Node, bindings: Bindings, depth: number): Part[] | undefined {
  const nameNode = Node.isPropertyAccessExpression(expression) ? expression.getNameNode() : expression;
  const symbol = nameNode.getSymbol();
  const aliased = symbol?.getAliasedSymbol() ?? symbol;
  for (const declaration of aliased?.getDeclarations() ?? []) {
    const bound = bindings.get(declaration);
    if (bound) return bound;
    if (Node.isVariableDeclaration(declaration)) {
      const list = declaration.getVariableStatement()?.getDeclarationKind();
      const initializer = declaration.getInitializer();
      if (initializer && list === 'const') return partsOf(initializer, bindings, depth + 1);
    }
    if (Node.isPropertyAssignment(declaration) || Node.isEnumMember(declaration)) {
      const initializer = declaration.getInitializer();
      if (initializer && (Node.isStringLiteral(unwrap(initializer)) || Node.isNoSubstitutionTemplateLiteral(unwrap(initializer)))) {
        return partsOf(initializer, bindings, depth + 1);
      }
    }
    if (Node.isPropertyDeclaration(declaration) && declaration.isReadonly()) {
      const initializer = declaration.getInitializer();
      if (initializer) return partsOf(initializer, bindings, depth + 1);
    }
  }
  return undefined;
}

/** A key helper call: bind the helper's parameters to the argument parts and read its returned key. */
function callParts(call: import('ts-morph').CallExpression, bindings: Bindings, depth: number): Part[] | undefined {
  const callee = unwrap(call.getExpression());
  if (Node.isPropertyAccessExpression(callee) && callee.getName() === 'join') {
    const list = unwrap(callee.getExpression());
    const [separatorArg] = call.getArguments();
    const separator = separatorArg ? partsOf(separatorArg, bindings, depth + 1) : [{ text: ',' }];
    if (Node.isArrayLiteralExpression(list) && separator) {
      const parts: Part[] = [];
      list.getElements().forEach((element, index) => {
        if (index > 0) parts.push(...separator);
        parts.push(...(partsOf(element, bindings, depth + 1) ?? [placeholderFor(element)]));
      });
      return parts;
    }
    return undefined;
  }
  const nameNode = Node.isPropertyAccessExpression(callee) ? callee.getNameNode() : callee;
  if (!Node.isIdentifier(nameNode)) return undefined;
  const symbol = nameNode.getSymbol();
  const aliased = symbol?.getAliasedSymbol() ?? symbol;
  for (const declaration of aliased?.getDeclarations() ?? []) {
    const fn = functionOf(declaration);
    if (!fn) continue;
    const returned = returnedExpression(fn);
    if (!returned) continue;
    const innerBindings: Bindings = new Map(bindings);
    const args = call.getArguments();
    fn.getParameters().forEach((parameter, index) => {
      const arg = args[index];
      innerBindings.set(parameter, arg ? (partsOf(arg, bindings, depth + 1) ?? [placeholderFor(arg)]) : [{ placeholder: parameter.getName() }]);
    });
    return partsOf(returned, innerBindings, depth + 1);
  }
  return undefined;
}

type FunctionLike =
  | import('ts-morph').FunctionDeclaration
  | import('ts-morph').ArrowFunction
  | import('ts-morph').FunctionExpression
  | import('ts-morph').MethodDeclaration;

function functionOf(declaration: Node): FunctionLike | undefined {
  if (Node.isFunctionDeclaration(declaration) || Node.isMethodDeclaration(declaration)) return declaration;
  if (Node.isVariableDeclaration(declaration) || Node.isPropertyAssignment(declaration) || Node.isPropertyDeclaration(declaration)) {
    const initializer = declaration.getInitializer();
    const inner = initializer ? unwrap(initializer) : undefined;
    if (inner && (Node.isArrowFunction(inner) || Node.isFunctionExpression(inner))) return inner;
  }
  return undefined;
}

/** The single expression a key helper returns; helpers with branching returns are not key helpers. */
function returnedExpression(fn: FunctionLike): Node | undefined {
  const body = fn.getBody();
  if (!body) return undefined;
  if (!Node.isBlock(body)) return body;
  const statements = body.getStatements();
  const last = statements[statements.length - 1];
  const returns = body.getDescendantsOfKind(SyntaxKind.ReturnStatement);
  if (returns.length !== 1 || !last || !Node.isReturnStatement(last)) return undefined;
  return last.getExpression();
}

