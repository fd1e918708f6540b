import picomatch from 'picomatch';
import { Node, SyntaxKind } from 'ts-morph';
import type { CacheCall } from '../../clients/cache-calls';
import { enclosingFunction, unwrap } from '../../clients/client-resolver';
import type { KeyFamily } from '../../keys/key-family';
import type { ProjectModel } from '../../engine/models';
import { constantString } from '../../values/constant-value';

/**
 * Which commands touch the same key in the same unit of work. A write and its `expire` usually sit
 * in one function (`hset` then `expire`), one pipeline/multi, or one function's callbacks
 * (`items.forEach((item) => pipeline.sadd(key, item))`), and name the key with the same expression
 * or the same key family (`productKey(id)` / `` `product:${id}` ``).
 */

/** A key a command names: an expression, or a literal name (an `mset({ a: 1 })` property). */
export interface KeyRef {
  /** The expression, when the key is one (absent for property names of an mset object). */
  expression?: Node;
  /** Source text that evaluates to the key, usable in a fix (`productKey(id)`, `'home:rail'`). */
  text: string;
  constant?: string;
  family?: KeyFamily;
}

export function keyRefOf(expression: Node, project: ProjectModel): KeyRef {
  return {
    expression,
    text: expression.getText(),
    constant: constantString(expression),
    family: project.keys.familyOf(expression),
  };
}

function literalKeyRef(name: string): KeyRef {
  return { text: `'${name.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`, constant: name, family: { display: name, pattern: name, constant: true } };
}

/** How a key reads in a message: its family (`product:{id}`) or, failing that, its expression. */
export function describeKey(key: KeyRef): string {
  if (key.family) return key.family.display;
  if (key.constant !== undefined) return key.constant;
  const text = key.text.replace(/\s+/g, ' ');
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

const whitespace = /\s+/g;

/**
 * True when two keys are the same key or key family. The same expression text only counts inside
 * one unit of work: `key` in two different functions names two different things.
 */
export function sameKey(a: KeyRef, b: KeyRef, sameUnitOfWork = true): boolean {
  if (a.constant !== undefined && b.constant !== undefined) return a.constant === b.constant;
  if (sameUnitOfWork && a.text.replace(whitespace, '') === b.text.replace(whitespace, '')) return true;
  return Boolean(a.family && b.family && isSpecificPattern(a.family.pattern) && a.family.pattern === b.family.pattern);
}

/** A family pattern that names something (`user:*:sessions`), not just separators around wildcards (`*:*`). */
function isSpecificPattern(pattern: string): boolean {
  return /[A-Za-z0-9]/.test(pattern);
}

/**
 * The unit of work a call belongs to: its function, climbing out of inline callbacks
 * (`.map(async (item) => ...)`, `new Promise((resolve) => ...)`, an IIFE) into the function that
 * contains them. A top-level callback (an Express route handler) is its own unit.
 */
export function unitOfWork(node: Node): Node {
  let fn = enclosingFunction(node);
  if (!fn) return node.getSourceFile();
  for (;;) {
    if (!isInlineCallback(fn)) return fn;
    const outer = enclosingFunction(fn);
    if (!outer) return fn;
    fn = outer;
  }
}

function isInlineCallback(fn: Node): boolean {
  if (!Node.isArrowFunction(fn) && !Node.isFunctionExpression(fn)) return false;
  let child: Node = fn;
  let parent = fn.getParent();
  while (parent && (Node.isParenthesizedExpression(parent) || Node.isAsExpression(parent))) {
    child = parent;
    parent = parent.getParent();
  }
  if (!parent) return false;
  if (Node.isCallExpression(parent)) return parent.getArguments().includes(child as never) || parent.getExpression() === child;
  if (Node.isNewExpression(parent)) return (parent.getArguments() as Node[]).includes(child);
  return false;
}

function contains(outer: Node, inner: Node): boolean {
  return inner.getSourceFile() === outer.getSourceFile() && outer.getPos() <= inner.getPos() && inner.getEnd() <= outer.getEnd();
}

interface KeyedCommand {
  call: CacheCall;
  key: KeyRef;
}

/** Commands of one file indexed by name, for "is there an `expire` of this key in this unit of work?". */
export class KeyedCommands {
  private readonly byCommand = new Map<string, KeyedCommand[]>();

  constructor(
    calls: readonly CacheCall[],
    commands: ReadonlySet<string>,
    project: ProjectModel,
  ) {
    for (const call of calls) {
      if (!commands.has(call.command) || !call.args[0]) continue;
      const list = this.byCommand.get(call.command) ?? [];
      list.push({ call, key: keyRefOf(call.args[0], project) });
      this.byCommand.set(call.command, list);
    }
  }

  /**
   * The first call of one of `commands` in the unit of work (or batch) of `site` that names `key`
   * (any key when `key` is undefined) and passes `accept`.
   */
  find(commands: Iterable<string>, key: KeyRef | undefined, site: CacheCall, accept?: (call: CacheCall) => boolean): CacheCall | undefined {
    const unit = unitOfWork(site.call);
    const batch = site.client.batch?.origin;
    for (const command of commands) {
      for (const candidate of this.byCommand.get(command) ?? []) {
        if (candidate.call === site) continue;
        const together = contains(unit, candidate.call.call) || (batch !== undefined && candidate.call.client.batch?.origin === batch);
        if (!together || (key && !sameKey(candidate.key, key))) continue;
        if (accept && !accept(candidate.call)) continue;
        return candidate.call;
      }
    }
    return undefined;
  }
}

/** Keys that some code pops as a queue (`brpop`, `lmove`, ...): lists that are work queues, not caches. */
const popCommands = new Set(['lpop', 'rpop', 'blpop', 'brpop', 'rpoplpush', 'brpoplpush', 'lmove', 'blmove']);
const queueKeysByProject = new WeakMap<ProjectModel, KeyRef[]>();

export function isQueueKey(key: KeyRef, project: ProjectModel): boolean {
  let queues = queueKeysByProject.get(project);
  if (!queues) {
    queues = [];
    for (const file of project.files) {
      for (const call of file.cacheCalls) {
        if (!popCommands.has(call.command) || !call.args[0]) continue;
        const first = unwrap(call.args[0]);
        // `brpop([a, b], 0)` (node-redis) or `brpop(a, b, 0)` (ioredis) pop several lists.
        const blockingMultiKey = call.command === 'blpop' || call.command === 'brpop';
        const keys = Node.isArrayLiteralExpression(first) ? first.getElements() : blockingMultiKey ? call.args.slice(0, -1) : [call.args[0]];
        for (const expression of keys) queues.push(keyRefOf(expression, project));
      }
    }
    queueKeysByProject.set(project, queues);
  }
  return queues.some((queue) => sameKey(queue, key, false));
}

/** The statement a call stands as (`await redis.hset(...);`), when its result is unused. */
export function statementOf(call: Node): Node | undefined {
  let node: Node = call;
  let parent = node.getParent();
  while (parent && (Node.isAwaitExpression(parent) || Node.isParenthesizedExpression(parent) || Node.isVoidExpression(parent))) {
    node = parent;
    parent = node.getParent();
  }
  if (!parent || !Node.isExpressionStatement(parent)) return undefined;
  const holder = parent.getParent();
  // After an unbraced `if (x) redis.hset(...)` a new statement would escape the branch.
  if (!holder || !(Node.isBlock(holder) || Node.isSourceFile(holder) || Node.isCaseClause(holder) || Node.isDefaultClause(holder) || holder.getKind() === SyntaxKind.ModuleBlock)) {
    return undefined;
  }
  return parent;
}

/** `await`, `void` or nothing: how the statement of a call consumes its promise. */
export function statementPrefix(call: Node): string {
  let node: Node = call;
  let parent = node.getParent();
  while (parent && Node.isParenthesizedExpression(parent)) {
    node = parent;
    parent = node.getParent();
  }
  if (parent && Node.isAwaitExpression(parent)) return 'await ';
  if (parent && Node.isVoidExpression(parent)) return 'void ';
  return '';
}

/** The indentation of the line a node starts on. */
export function indentationOf(node: Node): string {
  const text = node.getSourceFile().getFullText();
  const lineStart = text.lastIndexOf('\n', node.getStart() - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart))?.[0] ?? '';
}

/**
 * True when repeating the key's expression in a following statement evaluates to the same key:
 * names, literals, property reads, templates and concatenations of those, and calls of key helpers.
 */
export function isRepeatable(key: KeyRef): boolean {
  const expression = key.expression;
  if (!expression) return true;
  let repeatable = true;
  const check = (node: Node): void => {
    if (!repeatable) return;
    if (
      Node.isAwaitExpression(node) ||
      Node.isNewExpression(node) ||
      Node.isYieldExpression(node) ||
      Node.isPostfixUnaryExpression(node) ||
      Node.isArrowFunction(node) ||
      Node.isFunctionExpression(node) ||
      (Node.isPrefixUnaryExpression(node) && (node.getOperatorToken() === SyntaxKind.PlusPlusToken || node.getOperatorToken() === SyntaxKind.MinusMinusToken)) ||
      (Node.isBinaryExpression(node) && isAssignmentOperator(node.getOperatorToken().getKind()))
    ) {
      repeatable = false;
      return;
    }
    if (Node.isCallExpression(node) && !isPureKeyCall(node)) {
      repeatable = false;
      return;
    }
    node.forEachChild(check);
  };
  check(expression);
  return repeatable;
}

const pureMethodNames = new Set(['toString', 'join', 'toLowerCase', 'toUpperCase', 'trim', 'toFixed', 'padStart', 'padEnd', 'slice', 'substring', 'replace', 'replaceAll', 'stringify']);
const impureNames = /^(shift|pop|splice|push|next|random|now|randomUUID|uuid|v4|nanoid|generate|create)/i;

function isPureKeyCall(call: import('ts-morph').CallExpression): boolean {
  const callee = unwrap(call.getExpression());
  const name = Node.isPropertyAccessExpression(callee) ? callee.getName() : Node.isIdentifier(callee) ? callee.getText() : undefined;
  if (!name || impureNames.test(name)) return false;
  if (name === 'String' || pureMethodNames.has(name)) return true;
  // A project function whose name says it builds a key (`productKey(id)`, `cacheKeyFor(user)`, `buildKey(...)`).
  return /key/i.test(name);
}

function isAssignmentOperator(kind: SyntaxKind): boolean {
  return kind >= SyntaxKind.FirstAssignment && kind <= SyntaxKind.LastAssignment;
}

/** The keys an `mset` writes, in every spelling: `mset(k1, v1, k2, v2)`, `mSet({ k1: v1 })`, `mSet([[k1, v1]])`. */
export function msetKeys(call: CacheCall, project: ProjectModel): KeyRef[] | undefined {
  const args = call.args;
  if (args.some((arg) => Node.isSpreadElement(arg))) return undefined;
  if (args.length >= 2) return args.filter((_, index) => index % 2 === 0).map((arg) => keyRefOf(arg, project));
  const only = args[0] ? unwrap(args[0]) : undefined;
  if (!only) return undefined;
  if (Node.isObjectLiteralExpression(only)) {
    const keys: KeyRef[] = [];
    for (const property of only.getProperties()) {
      if (!Node.isPropertyAssignment(property) && !Node.isShorthandPropertyAssignment(property)) return undefined;
      const name = property.getNameNode();
      if (Node.isComputedPropertyName(name)) keys.push(keyRefOf(name.getExpression(), project));
      else if (Node.isIdentifier(name)) keys.push(literalKeyRef(name.getText()));
      else if (Node.isStringLiteral(name) || Node.isNoSubstitutionTemplateLiteral(name)) keys.push(literalKeyRef(name.getLiteralValue()));
      else if (Node.isNumericLiteral(name)) keys.push(literalKeyRef(String(name.getLiteralValue())));
      else return undefined;
    }
    return keys;
  }
  if (Node.isArrayLiteralExpression(only)) {
    const elements = only.getElements();
    if (elements.some((element) => Node.isSpreadElement(element))) return undefined;
    if (elements.every((element) => Node.isArrayLiteralExpression(unwrap(element)))) {
      const keys: KeyRef[] = [];
      for (const element of elements) {
        const first = (unwrap(element) as import('ts-morph').ArrayLiteralExpression).getElements()[0];
        if (!first) return undefined;
        keys.push(keyRefOf(first, project));
      }
      return keys;
    }
    return elements.filter((_, index) => index % 2 === 0).map((element) => keyRefOf(element, project));
  }
  return undefined;
}

/**
 * Matches keys against `ignoreKeys` globs: the family pattern (`session:*`), its display
 * (`session:{id}`) and a constant key. `*` spans `/` too, as keys are not paths.
 */
export function keyMatcher(patterns: readonly string[]): (key: KeyRef) => boolean {
  if (patterns.length === 0) return () => false;
  // picomatch's `*` stops at `/`; keys are not paths, so slashes become an ordinary character on both sides.
  const slashless = (text: string) => text.replace(/\//g, '\u0001');
  const matchers = patterns.map((pattern) => picomatch(slashless(pattern), { dot: true }));
  const test = (text: string) => matchers.some((match) => match(slashless(text)));
  return (key) => {
    const candidates = [key.constant, key.family?.pattern, key.family?.display].filter((text): text is string => text !== undefined);
    return candidates.some(test);
  };
}

/**
 * A thin wrapper that forwards one command (`hset(key, data) { return this.redis.hset(key, data); }`
 * in a `RedisService`): its key is its caller's, and so is the `expire` that must follow.
 */
export function isPassThroughWrapper(call: CacheCall): boolean {
  const fn = enclosingFunction(call.call);
  if (!fn) return false;
  const name = functionName(fn);
  if (!name || name.toLowerCase() !== call.command) return false;
  const first = call.args[0] ? unwrap(call.args[0]) : undefined;
  if (!first || !Node.isIdentifier(first)) return false;
  return (first.getSymbol()?.getDeclarations() ?? []).some((declaration) => Node.isParameterDeclaration(declaration) && declaration.getParent() === fn);
}

function functionName(fn: Node): string | undefined {
  if (Node.isFunctionDeclaration(fn) || Node.isMethodDeclaration(fn)) return fn.getName();
  const holder = fn.getParent();
  if (Node.isVariableDeclaration(holder) || Node.isPropertyAssignment(holder) || Node.isPropertyDeclaration(holder)) return holder.getName();
  return undefined;
}
