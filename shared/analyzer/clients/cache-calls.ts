import { CallExpression, Node, SourceFile, SyntaxKind, ts } from 'ts-morph';
import { ClientInfo, ClientResolver, stringValue, unwrap } from './client-resolver';
import { isCacheMethodName } from './command-names';

/**
 * A call that sends a command to a cache client, normalised across client spellings:
 * `redis.set(...)`, `redis.SET(...)`, node-redis `client.setEx(...)`, ioredis `redis.call('SET', ...)`,
 * node-redis `client.sendCommand(['SET', ...])` and ioredis `pipeline([['set', ...]])` all become
 * command `set` (or `setex`) with the command's own arguments.
 */
export interface CacheCall {
  call: CallExpression;
  client: ClientInfo;
  /** The command or method in lower case: `set`, `setex`, `keys`, `hset`, `eval`, `wrap`, ... */
  command: string;
  /** The node that names the command: the method name, or the command string of call/sendCommand. */
  commandNode: Node;
  /** The command's own arguments (without the command name for call/sendCommand). */
  args: Node[];
  spelling: 'method' | 'call' | 'sendCommand' | 'batchArray';
}

const genericCallMethods = new Set(['call', 'callbuffer', 'send_command']);

export function collectCacheCalls(file: SourceFile, resolver: ClientResolver): CacheCall[] {
  const calls: CacheCall[] = [];
  for (const node of candidateCalls(file)) {
    const callee = unwrap(node.getExpression());
    let methodNode: Node | undefined;
    let method: string | undefined;
    let receiver: Node | undefined;
    if (Node.isPropertyAccessExpression(callee)) {
      methodNode = callee.getNameNode();
      method = callee.getName();
      receiver = callee.getExpression();
    } else if (Node.isElementAccessExpression(callee)) {
      const argument = callee.getArgumentExpression();
      method = stringValue(argument);
      methodNode = argument;
      receiver = callee.getExpression();
    }
    if (!method || !methodNode || !receiver) continue;
    if (!isCacheMethodName(method)) continue;
    const client = resolver.clientOf(receiver);
    if (!client) continue;
    calls.push(...normalise(node, client, method, methodNode));
  }
  // Source order of the command names, so `a.multi().set().expire().exec()` reads multi, set, expire, exec.
  return calls.sort((a, b) => a.commandNode.getStart() - b.commandNode.getStart());
}

/**
 * The calls whose method name could be a cache command, found on the compiler's tree: only those
 * get ts-morph wrappers, which in a long file are most of the cost of looking at every call.
 */
function candidateCalls(file: SourceFile): CallExpression[] {
  const sourceFile = file.compilerNode;
  const candidates: CallExpression[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) {
      const name = methodNameOf(node.expression);
      if (name !== undefined && isCacheMethodName(name)) {
        const wrapped = wrapCompilerNode(file, node);
        if (wrapped && Node.isCallExpression(wrapped)) candidates.push(wrapped);
      }
    }
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(sourceFile, visit);
  return candidates;
}

/**
 * The ts-morph node of a compiler node of `file`. ts-morph wraps nodes through a method of its nodes
 * that is not in its typings; a position lookup is the documented, slower way when it is absent.
 */
export function wrapCompilerNode(file: SourceFile, node: ts.Node): Node | undefined {
  const wrapper = file as unknown as { _getNodeFromCompilerNode?: (compilerNode: ts.Node) => Node };
  if (typeof wrapper._getNodeFromCompilerNode === 'function') return wrapper._getNodeFromCompilerNode(node);
  const sourceFile = file.compilerNode;
  let wrapped: Node | undefined = file.getDescendantAtStartWithWidth(node.getStart(sourceFile), node.getWidth(sourceFile));
  while (wrapped && wrapped.compilerNode !== node) wrapped = wrapped.getParent();
  return wrapped;
}

/** `unwrap` on the compiler's tree: parentheses, `as`, `!`, `await`, `<T>` and `satisfies` around an expression. */
export function skipOuterExpressions(expression: ts.Expression): ts.Expression {
  let current = expression;
  while (
    ts.isParenthesizedExpression(current) ||
    ts.isAsExpression(current) ||
    ts.isNonNullExpression(current) ||
    ts.isAwaitExpression(current) ||
    ts.isTypeAssertionExpression(current) ||
    ts.isSatisfiesExpression(current)
  ) {
    current = current.expression;
  }
  return current;
}

/** The method name a callee spells (`x.set`, `x['set']`), seen through the wrappers `unwrap` removes. */
function methodNameOf(expression: ts.Expression): string | undefined {
  const callee = skipOuterExpressions(expression);
  if (ts.isPropertyAccessExpression(callee)) return callee.name.text;
  if (ts.isElementAccessExpression(callee) && (ts.isStringLiteral(callee.argumentExpression) || ts.isNoSubstitutionTemplateLiteral(callee.argumentExpression))) {
    return callee.argumentExpression.text;
  }
  return undefined;
}

export function normalise(call: CallExpression, client: ClientInfo, method: string, methodNode: Node): CacheCall[] {
  const args = call.getArguments();
  const lower = method.toLowerCase();

  if (genericCallMethods.has(lower) && args.length > 0) {
    const command = stringValue(args[0]);
    if (command) {
      return [{ call, client, command: command.toLowerCase(), commandNode: args[0], args: args.slice(1), spelling: 'call' }];
    }
  }
  if (method === 'sendCommand' && args.length > 0) {
    const list = unwrap(args[0]);
    if (Node.isArrayLiteralExpression(list)) {
      const [first, ...rest] = list.getElements();
      const command = stringValue(first);
      if (command) {
        return [{ call, client, command: command.toLowerCase(), commandNode: first, args: rest, spelling: 'sendCommand' }];
      }
    }
  }
  if ((lower === 'pipeline' || lower === 'multi') && args.length > 0) {
    // ioredis: redis.pipeline([['set', 'k', 'v'], ['expire', 'k', 60]]).exec()
    const list = unwrap(args[0]);
    if (Node.isArrayLiteralExpression(list)) {
      const batchClient: ClientInfo = { ...client, batch: { kind: lower, origin: call } };
      const own: CacheCall = { call, client, command: lower, commandNode: methodNode, args, spelling: 'method' };
      const entries: CacheCall[] = [];
      for (const element of list.getElements()) {
        const entry = unwrap(element);
        if (!Node.isArrayLiteralExpression(entry)) continue;
        const [first, ...rest] = entry.getElements();
        const command = stringValue(first);
        if (command) {
          entries.push({ call, client: batchClient, command: command.toLowerCase(), commandNode: first, args: rest, spelling: 'batchArray' });
        }
      }
      return [own, ...entries];
    }
  }
  return [{ call, client, command: lower, commandNode: methodNode, args, spelling: 'method' }];
}

/** True when a call's result is discarded or awaited as a statement (not used as a value). */
export function isStatementLevel(call: CallExpression): boolean {
  let node: Node = call;
  let parent = node.getParent();
  while (parent && (Node.isAwaitExpression(parent) || Node.isParenthesizedExpression(parent) || Node.isVoidExpression(parent))) {
    node = parent;
    parent = node.getParent();
  }
  return parent?.getKind() === SyntaxKind.ExpressionStatement;
}
