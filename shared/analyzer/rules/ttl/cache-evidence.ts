import * as path from 'node:path';
import { Node, SyntaxKind, ts } from 'ts-morph';
import { skipOuterExpressions, wrapCompilerNode, type CacheCall } from '../../clients/cache-calls';
import { enclosingFunction, unwrap } from '../../clients/client-resolver';
import type { FileModel, ProjectModel } from '../../engine/models';
import { expireCommands, isStoreLibrary } from './expiry';
import { KeyRef, sameKey, unitOfWork } from './key-scope';

/**
 * Redis is as often a data store as a cache: job indexes, event staging lists, presence sets,
 * import bookkeeping, OAuth state. A TTL rule that fires on those is noise, so a Redis write counts
 * as a cache write only with evidence, and words that say "this is data" or "this is a one-off
 * token" veto it:
 * - names: the key, the client expression, the enclosing functions, class and file say cache/memo;
 * - read-through: the same unit of work reads the same key before writing it (cache-aside);
 * - fill: the unit of work reads a database or calls an HTTP API before the write;
 * - cache-manager and keyv stores are caches by construction.
 */

export interface VetoWords {
  /** Veto wherever they appear, even next to a cache word (`lockCache` is still a lock). */
  hard: ReadonlySet<string>;
  /** Veto unless the same name also says cache (`tokenCache` caches tokens; `oauthState` is state). */
  soft: ReadonlySet<string>;
  /** Folders whose writers own the lifetime of what they write (a cron job rebuilding a key). */
  folders?: ReadonlySet<string>;
}

export type CacheVerdict = { cache: true; because: string } | { cache: false; because: string };

const cacheWords = new Set(['cache', 'cached', 'caches', 'caching', 'cacher', 'memo', 'memoize', 'memoized', 'memoise', 'memoised', 'memoization']);

/** Split an identifier or key into lower-case words: `leadCache:{id}` → lead, cache, id. */
export function wordsOf(text: string): string[] {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word.length > 0);
}

interface Name {
  source: string;
  words: string[];
  /**
   * The key, the TTL, the client and the innermost function speak about this write; outer
   * functions, the class and the file only about their surroundings (a `verify-signature.ts` may
   * cache a certificate), so only hard veto words count there.
   */
  near: boolean;
}

function nameOf(source: string, text: string | undefined, near = true): Name | undefined {
  if (!text) return undefined;
  const words = wordsOf(text);
  return words.length > 0 ? { source, words, near } : undefined;
}

const hasCacheWord = (name: Name) => name.words.some((word) => cacheWords.has(word) || /^cache/.test(word));

/** Two-word vetoes written as one in some code bases and apart in others (`rateLimit`, `ratelimit`). */
function joinedWords(words: string[]): string[] {
  const joined: string[] = [];
  for (let index = 0; index + 1 < words.length; index++) joined.push(words[index] + words[index + 1]);
  return joined;
}

function vetoWord(name: Name, veto: VetoWords, keySaysCache: boolean): string | undefined {
  const candidates = [...name.words, ...joinedWords(name.words)];
  const hard = candidates.find((word) => veto.hard.has(word));
  if (hard) return hard;
  // `leadCache:{id}` written by `attributeViaPromotionCode`: the key's own word outranks the function's.
  if (!name.near || keySaysCache || hasCacheWord(name)) return undefined;
  return candidates.find((word) => veto.soft.has(word));
}

/** Names of the functions around a call, innermost first (methods, named functions, `const f = () =>`). */
function functionNames(node: Node): string[] {
  const names: string[] = [];
  for (let fn = enclosingFunction(node); fn; fn = enclosingFunction(fn)) {
    const name = functionName(fn);
    if (name) names.push(name);
  }
  return names;
}

function functionName(fn: Node): string | undefined {
  if (Node.isFunctionDeclaration(fn) || Node.isMethodDeclaration(fn) || Node.isFunctionExpression(fn)) return fn.getName();
  let holder: Node | undefined = fn.getParent();
  while (holder && (Node.isParenthesizedExpression(holder) || Node.isAsExpression(holder))) holder = holder.getParent();
  if (Node.isVariableDeclaration(holder) || Node.isPropertyAssignment(holder) || Node.isPropertyDeclaration(holder)) return holder.getName();
  return undefined;
}

function classNames(node: Node): string[] {
  const names: string[] = [];
  for (let current: Node | undefined = node.getParent(); current; current = current.getParent()) {
    if (Node.isClassDeclaration(current) || Node.isClassExpression(current)) {
      const name = current.getName();
      if (name) names.push(name);
      // `class RedisSessionCache implements SessionCacheStrategy`: the interface says what it is too.
      for (const clause of current.getHeritageClauses()) for (const type of clause.getTypeNodes()) names.push(type.getExpression().getText());
    }
  }
  return names;
}

/** A file's own name, or its folder's for `index.ts` (`caches/index.ts` is the caches module). */
function fileName(filePath: string): string {
  const base = path.basename(filePath).replace(/\.[cm]?[jt]sx?$/, '').replace(/\.(server|service|client|utils?)$/, '');
  return base === 'index' ? path.basename(path.dirname(filePath)) : base;
}

/** The names of a key: its family or constant (`leadCache:{id}`), and the name it is held in (`cacheKey`, `this.cacheKey(id)`). */
function keyNames(key: KeyRef): Name[] {
  const names: Name[] = [];
  // `{jobId}` in `product:{jobId}` is the name of a variable, not a word of the key.
  const value = key.family ? key.family.display.replace(/\{[^}]*\}/g, ' ') : key.constant;
  const fromValue = nameOf('key', value);
  if (fromValue) names.push(fromValue);
  const expression = key.expression ? unwrap(key.expression) : undefined;
  if (expression) {
    const callee = Node.isCallExpression(expression) ? unwrap(expression.getExpression()) : expression;
    const holder = Node.isIdentifier(callee) ? callee.getText() : Node.isPropertyAccessExpression(callee) ? callee.getName() : undefined;
    const fromHolder = nameOf('key holder', holder);
    if (fromHolder) names.push(fromHolder);
  }
  return names;
}

/** `this.cacheClient`, `redisCache`, `this.cache.redis`: what the code calls the client. */
function clientName(call: CacheCall): Name | undefined {
  const callee = unwrap(call.call.getExpression());
  if (!Node.isPropertyAccessExpression(callee)) return undefined;
  return nameOf('client', callee.getExpression().getText().replace(/^this\./, ''));
}

/** Reads that, before a write of the same key, make the write the fill of a cache-aside read. */
// Not `sismember`: checking one member before adding it is de-duplication (`seen` sets), not a cache read.
const readCommands = new Set(['get', 'getex', 'mget', 'hget', 'hgetall', 'hmget', 'exists', 'smembers', 'lrange', 'zrange', 'zrangebyscore', 'json.get']);

const valueWrites = new Set(['set', 'setnx', 'hset', 'hmset', 'hsetnx', 'sadd', 'zadd', 'lpush', 'rpush', 'mset', 'json.set']);

const httpCallees = new Set(['fetch', '$fetch', 'ofetch', 'got', 'axios', 'ky', 'request', 'superagent', 'undici']);
const httpHolders = /^(axios|got|ky|http|https|httpService|httpClient|client\.http|this\.http|this\.httpService|superagent|undici)$/;

function isHttpCall(node: Node): boolean {
  if (!Node.isCallExpression(node)) return false;
  const callee = unwrap(node.getExpression());
  if (Node.isIdentifier(callee)) return httpCallees.has(callee.getText());
  if (Node.isPropertyAccessExpression(callee)) {
    const holder = callee.getExpression().getText();
    return httpHolders.test(holder) && /^(get|post|request|fetch)$/.test(callee.getName());
  }
  return false;
}

export class CacheEvidence {
  constructor(
    private readonly file: FileModel,
    private readonly project: ProjectModel,
    private readonly veto: VetoWords,
  ) {}

  private fileNames?: Name[];
  private vetoedByFolder?: string;

  /**
   * Whether a write of `keys` by `call` is a cache write. `extraNames` are other names the caller
   * knows (the name of the TTL, for the jitter rule).
   */
  judge(call: CacheCall, keys: readonly KeyRef[], extraNames: readonly string[] = []): CacheVerdict {
    this.fileNames ??= [nameOf('file', fileName(this.file.filePath), false)].filter((name): name is Name => name !== undefined);

    const names: Name[] = [
      ...keys.flatMap(keyNames),
      ...[clientName(call)].filter((name): name is Name => name !== undefined),
      ...functionNames(call.call)
        .map((name, depth) => nameOf('function', name, depth === 0))
        .filter((name): name is Name => name !== undefined),
      ...classNames(call.call).map((name) => nameOf('class', name, false)).filter((name): name is Name => name !== undefined),
      ...this.fileNames,
      ...extraNames.map((name) => nameOf('ttl', name)).filter((name): name is Name => name !== undefined),
    ];
    // Only the key's own text: `const cacheKey = \`verification:${id}\`` is a verification code whatever the variable says.
    const keySaysCache = names.some((name) => name.source === 'key' && hasCacheWord(name));
    for (const name of names) {
      const word = vetoWord(name, this.veto, keySaysCache);
      if (word) return { cache: false, because: `the ${name.source} says \`${word}\`` };
    }
    if (writesIncrement(call)) return { cache: false, because: 'the value is a counter bumped here' };
    if (writesMarker(call)) return { cache: false, because: 'the value is a marker' };
    if (writesFreshValue(call)) return { cache: false, because: 'the value is generated here' };
    if (isStoreLibrary(call)) return { cache: true, because: `${call.client.library} store` };
    if (this.vetoedByFolder === undefined) {
      const folders = path.relative(this.project.rootDir, path.dirname(this.file.filePath)).split(/[\\/]/);
      this.vetoedByFolder = folders.find((folder) => this.veto.folders?.has(folder.toLowerCase().replace(/[()[\]]/g, ''))) ?? '';
    }
    if (this.vetoedByFolder) return { cache: false, because: `written from a \`${this.vetoedByFolder}\` folder` };
    const named = names.find(hasCacheWord);
    if (named) return { cache: true, because: `the ${named.source} says cache` };
    // An `expire` alone after a read is clean-up of state (`hget` then `expire`), not a cache fill.
    if (expireCommands.has(call.command) && !this.writesInUnit(call, keys)) return { cache: false, because: 'no evidence of a cache' };
    if (this.createsBeforeWriting(call)) return { cache: false, because: 'the value is created here, not read' };
    if (this.readsBeforeWriting(call, keys)) return { cache: true, because: 'read-through' };
    if (this.fillsFromSource(call, keys)) return { cache: true, because: 'filled from a database or an HTTP API' };
    if (keys.some((key) => this.isCacheAsideFamily(key, call))) return { cache: true, because: 'the key family is read through elsewhere in the file' };
    return { cache: false, because: 'no evidence of a cache' };
  }

  private readonly cacheAsideFamilies = new Map<string, boolean>();

  /**
   * `findOne` reads `user:{id}`, loads the user and writes it back; `updateProfile` writes the same
   * family after an update. Once one function of the file uses a key family cache-aside, every
   * write of that family in the file is a cache write.
   */
  private isCacheAsideFamily(key: KeyRef, call: CacheCall): boolean {
    const pattern = key.family?.pattern;
    if (!pattern || !/[A-Za-z0-9]/.test(pattern.replace(/\*/g, ''))) return false;
    let known = this.cacheAsideFamilies.get(pattern);
    if (known === undefined) {
      known = this.file.cacheCalls.some((other) => {
        if (other === call || !valueWrites.has(other.command) || !other.args[0]) return false;
        if (this.project.keys.familyOf(other.args[0])?.pattern !== pattern) return false;
        const otherKey = { expression: other.args[0], text: other.args[0].getText(), family: this.project.keys.familyOf(other.args[0]) };
        return this.readsBeforeWriting(other, [otherKey]) && !this.createsBeforeWriting(other);
      });
      this.cacheAsideFamilies.set(pattern, known);
    }
    return known;
  }

  private writesInUnit(call: CacheCall, keys: readonly KeyRef[]): boolean {
    const unit = unitOfWork(call.call);
    return this.file.cacheCalls.some((other) => {
      if (!valueWrites.has(other.command) || !other.args[0] || !contains(unit, other.call)) return false;
      const otherKey = { expression: other.args[0], text: other.args[0].getText(), family: this.project.keys.familyOf(other.args[0]) };
      return keys.some((key) => sameKey(otherKey, key));
    });
  }

  private readsBeforeWriting(call: CacheCall, keys: readonly KeyRef[]): boolean {
    const unit = unitOfWork(call.call);
    const start = call.call.getStart();
    return this.file.cacheCalls.some((other) => {
      if (!readCommands.has(other.command) || !other.args[0] || other.call.getStart() >= start) return false;
      if (!contains(unit, other.call) || updatesWhatWasRead(other.call, call.call)) return false;
      const otherKey = { expression: other.args[0], text: other.args[0].getText(), family: this.project.keys.familyOf(other.args[0]) };
      return keys.some((key) => sameKey(otherKey, key));
    });
  }

  /**
   * Get-or-create: `get(key)`, on a miss `await api.createConversation(...)`, then `set(key, id)`.
   * The key maps to something made here; it is the only record of it, not a copy of a source.
   */
  private createsBeforeWriting(call: CacheCall): boolean {
    const unit = unitOfWork(call.call);
    const start = call.call.getStart();
    const sourceFile = unit.getSourceFile().compilerNode;
    // A walk of compiler nodes: wrapping every node of the function in ts-morph objects costs more
    // than the rest of the check; only a matching await is wrapped, for the branch test.
    let stopped = false;
    let found = false;
    const visit = (node: ts.Node): void => {
      if (stopped || found) return;
      if (node.getStart(sourceFile) >= start) {
        stopped = true;
        return;
      }
      if (ts.isAwaitExpression(node)) {
        const awaited = skipOuterExpressions(node.expression);
        if (ts.isCallExpression(awaited)) {
          const callee = skipOuterExpressions(awaited.expression);
          const name = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : '';
          if (creationNames.test(name)) {
            const awaitNode = wrapCompilerNode(unit.getSourceFile(), node);
            if (awaitNode && !inOtherBranch(awaitNode, call.call)) found = true;
          }
        }
      }
      ts.forEachChild(node, visit);
    };
    ts.forEachChild(unit.compilerNode, visit);
    return found;
  }

  /**
   * The written value comes from a database read or an HTTP call earlier in the unit of work. A
   * read that only validates the request (`findUnique` to check the view exists, then `sadd` of a
   * request field) does not make the write a copy of it.
   */
  private fillsFromSource(call: CacheCall, keys: readonly KeyRef[]): boolean {
    const unit = unitOfWork(call.call);
    const start = call.call.getStart();
    const earlier = this.file.dbOperations(unit).filter((operation) => operation.call.getStart() < start && !inOtherBranch(operation.call, call.call));
    const sources: Node[] = earlier.filter((operation) => operation.access === 'read').map((operation) => operation.call);
    // Write-through: `brand.upsert({ data: { logo } })` then `set('brand:logo:{teamId}', logo)` keeps a
    // copy of what was stored, under a key named after the model. A response stored by request id
    // after unrelated writes is an idempotency record, not a copy.
    const keyWords = new Set(keys.flatMap(keyNames).flatMap((name) => name.words));
    const written = earlier
      .filter((operation) => operation.access === 'write' && operation.model !== undefined && namesModel(keyWords, operation.model))
      .map((operation) => operation.call);
    sources.push(...written);
    unit.forEachDescendant((node, traversal) => {
      if (node.getStart() >= start) {
        traversal.stop();
        return;
      }
      if (isHttpCall(node) && !inOtherBranch(node, call.call)) sources.push(node);
    });
    if (sources.length === 0) return false;
    const storedNames = written.flatMap((write) => (Node.isCallExpression(write) ? write.getArguments().flatMap((argument) => boundNames(argument)) : []));
    return valueDerivesFrom(call, sources, unit, storedNames);
  }
}

/**
 * `set(tagKey, current + 1)`: a version or counter bumped by read-modify-write. Its value is not a
 * copy of anything that could be reloaded, and expiring it would reset the count.
 */
function writesIncrement(call: CacheCall): boolean {
  if (!valueWrites.has(call.command) && call.command !== 'setex') return false;
  const value = call.command === 'setex' || call.command === 'psetex' ? call.args[2] : call.args[1];
  if (!value) return false;
  const expression = unwrap(value);
  if (Node.isPostfixUnaryExpression(expression) || Node.isPrefixUnaryExpression(expression)) {
    return expression.getOperatorToken() === SyntaxKind.PlusPlusToken || expression.getOperatorToken() === SyntaxKind.MinusMinusToken;
  }
  if (!Node.isBinaryExpression(expression) || !/^[+-]$/.test(expression.getOperatorToken().getText())) return false;
  const isOne = (side: Node) => Node.isNumericLiteral(unwrap(side)) && unwrap(side).getText() === '1';
  const isCount = (side: Node) => {
    const inner = unwrap(side);
    return Node.isIdentifier(inner) || Node.isPropertyAccessExpression(inner) || Node.isParenthesizedExpression(side);
  };
  return (isOne(expression.getRight()) && isCount(expression.getLeft())) || (isOne(expression.getLeft()) && isCount(expression.getRight()));
}

/** Whether the words of a key name a model (`brand` in `brand:logo:{teamId}`, `products` for `product`). */
function namesModel(keyWords: ReadonlySet<string>, model: string): boolean {
  const singular = (word: string) => word.replace(/(ies)$/, 'y').replace(/s$/, '');
  return [...keyWords].some((word) => word === model || singular(word) === model || joinedModel(keyWords, model));
}

/** `orderItem` normalises to `orderitem`; keys spell it `order-item:{id}` or `orderItem:{id}`. */
function joinedModel(keyWords: ReadonlySet<string>, model: string): boolean {
  const words = [...keyWords];
  return joinedWords(words).some((joined) => joined === model);
}

/**
 * `const raw = await get(key); if (!raw) return; ...; set(key, changed)`: the write runs only when
 * the read found the entry, so it updates a record in place. A cache fill runs on the miss.
 */
function updatesWhatWasRead(read: Node, write: Node): boolean {
  let holder: Node | undefined = read.getParent();
  while (holder && (Node.isAwaitExpression(holder) || Node.isParenthesizedExpression(holder) || Node.isAsExpression(holder))) holder = holder.getParent();
  if (!Node.isVariableDeclaration(holder)) return false;
  const nameNode = holder.getNameNode();
  if (!Node.isIdentifier(nameNode)) return false;
  const name = nameNode.getText();
  const statement = holder.getFirstAncestor((ancestor) => Node.isStatement(ancestor) && Node.isBlock(ancestor.getParentOrThrow()));
  const block = statement?.getParent();
  if (!statement || !block || !Node.isBlock(block)) return false;
  for (const sibling of block.getStatements()) {
    if (sibling.getStart() <= statement.getStart()) continue;
    if (sibling.getStart() >= write.getStart()) break;
    if (!Node.isIfStatement(sibling) || sibling.getElseStatement()) continue;
    if (testsAbsence(sibling.getExpression(), name) && exits(sibling.getThenStatement())) return true;
  }
  return false;
}

/** `!raw`, `raw == null`, `raw === null`, `raw === undefined`, `!raw || ...`. */
function testsAbsence(condition: Node, name: string): boolean {
  const expression = unwrap(condition);
  if (Node.isPrefixUnaryExpression(expression) && expression.getOperatorToken() === SyntaxKind.ExclamationToken) {
    return unwrap(expression.getOperand()).getText() === name;
  }
  if (Node.isBinaryExpression(expression)) {
    const operator = expression.getOperatorToken().getText();
    if (operator === '||') return testsAbsence(expression.getLeft(), name) || testsAbsence(expression.getRight(), name);
    if (/^[!=]==?$/.test(operator) && operator.startsWith('=')) {
      const sides = [expression.getLeft().getText(), expression.getRight().getText()];
      return sides.includes(name) && sides.some((side) => side === 'null' || side === 'undefined');
    }
  }
  return false;
}

function exits(statement: Node): boolean {
  if (Node.isReturnStatement(statement) || Node.isThrowStatement(statement) || Node.isContinueStatement(statement)) return true;
  if (Node.isBlock(statement)) {
    const last = statement.getStatements().at(-1);
    return last !== undefined && exits(last);
  }
  return false;
}

const markerStrings = new Set(['1', 'true', 'yes', 'ok', 'done', 'sent', 'used', 'seen', 'processed', 'processing', 'running', 'started', 'pending']);

/** `set(sentKey, 1)`, `set(key, 'processed')`: a flag that something happened, not a copy of data. */
function writesMarker(call: CacheCall): boolean {
  if (call.command !== 'set' && call.command !== 'setex' && call.command !== 'setnx' && call.command !== 'psetex') return false;
  const value = call.command === 'setex' || call.command === 'psetex' ? call.args[2] : call.args[1];
  if (!value) return false;
  const expression = unwrap(value);
  if (Node.isNumericLiteral(expression) || Node.isTrueLiteral(expression) || Node.isFalseLiteral(expression)) return true;
  if (Node.isStringLiteral(expression) || Node.isNoSubstitutionTemplateLiteral(expression)) return markerStrings.has(expression.getLiteralText().toLowerCase());
  return false;
}

const freshValueCallees = /^(randomUUID|uuid|uuidv4|v4|v7|nanoid|cuid|cuid2|createId|ulid|randomBytes|randomString)$|^(new|generate|create|mint|rotate)\w*(Token|Id|Epoch|Nonce|Secret|Version)$/;

/**
 * `set(epochKey, this.newEpochToken())`, `set(key, randomUUID())`: a value minted by the write
 * itself (a namespace epoch, an id) is the only record of it; nothing reloads it from a source.
 */
function writesFreshValue(call: CacheCall): boolean {
  if (!valueWrites.has(call.command) && call.command !== 'setex') return false;
  const value = call.command === 'setex' || call.command === 'psetex' ? call.args[2] : call.args[1];
  let expression = value ? unwrap(value) : undefined;
  // `randomBytes(16).toString('hex')`
  while (expression && Node.isCallExpression(expression)) {
    const callee = unwrap(expression.getExpression());
    const name = Node.isPropertyAccessExpression(callee) ? callee.getName() : Node.isIdentifier(callee) ? callee.getText() : '';
    if (freshValueCallees.test(name)) return true;
    expression = Node.isPropertyAccessExpression(callee) && name === 'toString' ? unwrap(callee.getExpression()) : undefined;
  }
  return false;
}

/** The arguments after the key: the value(s), fields and options a write stores. */
function writtenValues(call: CacheCall): Node[] {
  return call.args.slice(1);
}

/**
 * Whether a written value is computed from one of `sources` (calls) or `seedNames`: it contains one, or names a
 * variable that holds a result of one, directly or through other variables, loops over them, or
 * objects and arrays filled from them (`map[row.id] = row`, `list.push(row)`). Names are matched
 * within the unit of work, which is precise enough for the short functions that fill caches.
 */
function valueDerivesFrom(call: CacheCall, sources: readonly Node[], unit: Node, seedNames: readonly string[]): boolean {
  const values = writtenValues(call);
  if (values.some((value) => sources.some((source) => contains(value, source)))) return true;
  const derived = new Set<string>(seedNames);
  const taint = (target: Node | undefined) => {
    for (const name of boundNames(target)) derived.add(name);
  };
  const mentionsDerived = (node: Node): boolean => {
    if (Node.isIdentifier(node) && derived.has(node.getText())) return true;
    return node.getDescendantsOfKind(SyntaxKind.Identifier).some((identifier) => derived.has(identifier.getText()));
  };
  const holdsSource = (node: Node): boolean => sources.some((source) => contains(node, source));
  const flowing: Array<{ from: Node; to: Node }> = [];
  unit.forEachDescendant((node) => {
    if (Node.isVariableDeclaration(node)) {
      const initializer = node.getInitializer();
      if (initializer) flowing.push({ from: initializer, to: node.getNameNode() });
    } else if (Node.isBinaryExpression(node) && /^(=|\+=|\?\?=|\|\|=)$/.test(node.getOperatorToken().getText())) {
      flowing.push({ from: node.getRight(), to: rootOf(node.getLeft()) });
    } else if (Node.isForOfStatement(node) || Node.isForInStatement(node)) {
      const declared = node.getInitializer();
      flowing.push({ from: node.getExpression(), to: Node.isVariableDeclarationList(declared) ? declared.getDeclarations()[0]?.getNameNode() ?? declared : declared });
    } else if (Node.isCallExpression(node)) {
      const callee = unwrap(node.getExpression());
      // `rows.forEach((row) => ...)`, `list.push(row)`, `map.set(id, row)`.
      if (Node.isPropertyAccessExpression(callee)) {
        const holder = callee.getExpression();
        if (/^(push|unshift|set|add|assign)$/.test(callee.getName())) {
          for (const argument of node.getArguments()) flowing.push({ from: argument, to: rootOf(holder) });
        } else {
          for (const argument of node.getArguments()) {
            if (Node.isArrowFunction(argument) || Node.isFunctionExpression(argument)) {
              for (const parameter of argument.getParameters()) flowing.push({ from: holder, to: parameter.getNameNode() });
            }
          }
        }
      }
    }
  });
  for (const { from, to } of flowing) if (holdsSource(from)) taint(to);
  for (let changed = true; changed; ) {
    changed = false;
    const before = derived.size;
    for (const { from, to } of flowing) if (mentionsDerived(from)) taint(to);
    changed = derived.size !== before;
  }
  return values.some(mentionsDerived);
}

/** `a` for `a`, `a.b[c]`, `{ a, b: [c] }` → a, c; the variables an assignment or binding writes. */
function boundNames(target: Node | undefined): string[] {
  if (!target) return [];
  if (Node.isIdentifier(target)) return [target.getText()];
  return target.getDescendantsOfKind(SyntaxKind.Identifier).filter((identifier) => {
    const parent = identifier.getParent();
    // In `{ a: b }` the bound name is b; in `{ a }` it is a.
    return !(Node.isBindingElement(parent) && parent.getPropertyNameNode() === identifier) && !(Node.isPropertyAssignment(parent) && parent.getNameNode() === identifier);
  }).map((identifier) => identifier.getText());
}

function rootOf(node: Node): Node {
  let current = unwrap(node);
  while (Node.isPropertyAccessExpression(current) || Node.isElementAccessExpression(current)) current = unwrap(current.getExpression());
  return current;
}

const creationNames = /^(create|insert|register|generate|issue|mint|open|start|provision)([A-Z_]|$)/;

/**
 * `if (method === 'POST') { create } else if (method === 'PUT') { upsert; set }`: what one branch
 * does never runs before a write in another branch.
 */
function inOtherBranch(earlier: Node, write: Node): boolean {
  for (let child: Node = earlier, parent = earlier.getParent(); parent; child = parent, parent = parent.getParent()) {
    if (contains(parent, write)) {
      if (Node.isIfStatement(parent)) {
        const branches = [parent.getThenStatement(), parent.getElseStatement()];
        return branches.includes(child as never) && !contains(child, write) && branches.some((branch) => branch && contains(branch, write));
      }
      if (Node.isCaseBlock(parent)) return true;
      return false;
    }
  }
  return false;
}

function contains(outer: Node, inner: Node): boolean {
  return outer.getPos() <= inner.getPos() && inner.getEnd() <= outer.getEnd();
}

/** Words of keys and code that keep data, not cached copies: queues, jobs, locks, bookkeeping. */
const dataHardWords = [
  'queue', 'queues', 'job', 'jobs', 'lock', 'locks', 'locked', 'mutex', 'semaphore', 'leader', 'election',
  'import', 'imports', 'importer', 'importing', 'tmp', 'temp', 'temporary', 'migration', 'migrations', 'migrate', 'migrated',
  'counter', 'counters', 'seq', 'sequence', 'staging', 'watermark', 'cursor', 'checkpoint', 'backfill',
  'ratelimit', 'ratelimiter', 'limiter', 'throttle', 'throttler', 'nonce', 'otp', 'idempotency', 'idempotent', 'dedup', 'dedupe',
  'inbox', 'outbox', 'heartbeat', 'lease', 'presence', 'collaborators',
];
/** Data words that a name may still use for a cache of that data (`eventsCache`, `searchIndexCache`). */
const dataSoftWords = ['event', 'events', 'stream', 'streams', 'state', 'index', 'indexes', 'buffer', 'pending', 'online', 'blocklist', 'allowlist'];

export const dataWords: VetoWords = {
  hard: new Set(dataHardWords),
  soft: new Set(dataSoftWords),
  folders: new Set(['cron', 'crons', 'cronjobs', 'migrations', 'seeds', 'seeders']),
};

/**
 * For jitter, also the words of one-off tokens and windows: their TTL is a validity period, and
 * nothing reloads them from a database when they expire, so expiring together harms nothing.
 */
export const ephemeralWords: VetoWords = {
  hard: new Set([...dataHardWords, 'window', 'cooldown', 'quota', 'csrf', 'captcha', 'timeout']),
  folders: dataWords.folders,
  soft: new Set([
    ...dataSoftWords,
    'token', 'tokens', 'code', 'codes', 'verification', 'verify', 'challenge', 'invite', 'invitation', 'magic', 'reset',
    'confirm', 'confirmation', 'session', 'sessions', 'oauth', 'intent', 'pkce', 'login', 'signin', 'signup', 'password',
    'attempt', 'attempts', 'grant',
  ]),
};

