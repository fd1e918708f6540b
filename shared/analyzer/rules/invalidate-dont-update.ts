import { ArrayLiteralExpression, CallExpression, Identifier, Node, SyntaxKind } from 'ts-morph';
import picomatch from 'picomatch';
import { CacheCall, isStatementLevel } from '../clients/cache-calls';
import { enclosingFunction, unwrap } from '../clients/client-resolver';
import type { DbOperation } from '../db/db-types';
import { normalizeModelName, singularize } from '../db/model-name';
import { Declaration, resolveIdentifier as resolveInScope } from '../db/scope';
import type { KeyFamily } from '../keys/key-family';
import { constantValue } from '../values/constant-value';
import { createRule, FileRuleContext, FixFunction } from './create-rule';

/**
 * Writing the new value into the cache after a database write races with every other writer: two
 * requests update the row in one order and reach the cache in the other, and the older value stays
 * cached until it expires. Deleting the key after the write has no such race, since deletes are
 * idempotent (Nishtala et al., "Scaling Memcache at Facebook", section 2). Deleting it only before
 * the write has its mirror race: a read between the delete and the write reloads the old row and
 * caches it.
 *
 * A cache write right after a database write is only that bug when it stores the written entity,
 * so the rule wants evidence: the key names the written model, or the value is the write's result
 * or data. Rate limits, sessions, locks and other keys of unrelated things are never flagged.
 */

export interface InvalidateDontUpdateOptions {
  /** Key families (picomatch globs over the family pattern, e.g. `product:*`) that are written through on purpose. */
  allowWriteThrough: string[];
}

const redisProtocolLibraries = new Set(['ioredis', 'node-redis', 'upstash', 'custom']);
const redisWriteCommands = new Set(['set', 'setex', 'psetex', 'hset', 'hmset', 'mset']);
const redisDeleteCommands = new Set(['del', 'unlink']);
/** SET conditions that make the write a create-if-absent or a compare-and-set, which cannot overwrite newer data blindly. */
const conditionalSetFlags = new Set(['NX', 'IFEQ', 'IFNE', 'IFDEQ', 'IFDNE']);

/** Key words that say nothing about which entity a key holds. */
const genericKeyWords = new Set([
  'cache', 'cached', 'caches', 'app', 'api', 'data', 'key', 'keys', 'id', 'ids', 'by', 'all', 'list', 'lists',
  'prod', 'production', 'dev', 'development', 'test', 'staging', 'json', 'obj', 'object', 'entity', 'entities',
  'record', 'records', 'info', 'detail', 'details', 'page', 'one', 'single', 'get', 'value', 'values', 'v',
]);
/** Key words of control data (locks, counters, sessions, rate limits): such keys are not copies of a row. */
const controlKeyWords = new Set([
  'lock', 'locks', 'mutex', 'semaphore', 'ratelimit', 'rl', 'rate', 'limit', 'limiter', 'throttle', 'session', 'sessions',
  'sess', 'nonce', 'otp', 'token', 'tokens', 'idempotency', 'idempotent', 'dedupe', 'dedup', 'seen', 'processed',
  'job', 'jobs', 'queue', 'heartbeat', 'presence', 'online', 'lease', 'leader', 'cooldown', 'attempt', 'attempts',
  'blocklist', 'blacklist', 'denylist', 'import', 'imports', 'migration', 'backfill', 'cursor', 'checkpoint', 'progress', 'oauth', 'csrf', 'pkce', 'verification', 'verify', 'challenge', 'state',
]);
/**
 * Names of a key's variable part that make it a one-time handshake value (`oauth:${state}`,
 * `login:${nonce}`): such a key is consumed, never a copy of a row.
 */
const handshakePlaceholders = new Set(['state', 'nonce', 'otp', 'csrf', 'verifier', 'challenge']);
/** Parameter and variable names that only identify a row; a value built from them is not the row's data. */
const identifierLikeName = /^(id|_id|pk|uuid|key|slug)$|(Id|ID|_id|Key|Uuid|UUID|Slug)$/;
/** Words of a name that say it carries a row version; whole words only, so `chargeTagKey` is not an `etag`. */
const versionLikeWord = /^(version|versions|revision|revisions|rev|ver|etag|etags)$/;

type KeyRelation = 'match' | 'other' | 'unknown';

interface WriteEntry {
  key: Node;
  /** The data written (not TTLs or options). */
  values: Node[];
}

interface ScopeFacts {
  scope: Node;
  calls: CacheCall[];
  writes: DbOperation[];
}

export const invalidateDontUpdate = createRule<InvalidateDontUpdateOptions>({
  name: 'invalidate-dont-update',
  meta: {
    type: 'problem',
    scope: 'file',
    docs: {
      description: 'After a database write, delete the cached entry instead of writing the new value into the cache, and delete after the write rather than before it',
      defaultLevel: 'warn',
    },
    messages: {
      updateAfterWrite:
        'This cache write stores {{what}} after the database {{write}} on line {{line}}. When two writers interleave, the older value can reach the cache last and is served until it expires; delete the key instead and let the next read load it.',
      deleteBeforeWrite:
        'The cache key {{key}}is deleted before the database {{write}} on line {{line}} and not again after it: a read in between reloads the old {{entity}} and caches it until it expires. Delete after the write (or both before and after it).',
      replaceWithDelete: 'Delete the key with {{method}}() instead of writing the new value.',
      moveDeleteAfterWrite: 'Move the delete to after the database write on line {{line}}.',
    },
    hasSuggestions: true,
    schema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        allowWriteThrough: {
          type: 'array',
          items: { type: 'string', minLength: 1 },
          uniqueItems: true,
          default: [],
          description:
            'Key families written through on purpose, as globs over the key family pattern (`product:*` for keys built like `product:${id}`). Writes to these keys after a database write are not reported.',
        },
      },
    },
  },
  defaultOptions: { allowWriteThrough: [] },
  create(context) {
    const globs = context.options.allowWriteThrough ?? [];
    const isWriteThrough = globs.length > 0 ? picomatch(globs, { dot: true }) : () => false;
    return {
      fileEnd() {
        for (const facts of scopesWithWrites(context)) {
          for (const call of facts.calls) {
            if (isCacheWrite(call)) checkCacheWrite(context, facts, call, isWriteThrough);
            else if (isCacheDelete(call)) checkDeleteBeforeWrite(context, facts, call);
          }
        }
      },
    };
  },
});

// ---------------------------------------------------------------------------------------------
// What the rule looks at

function isCacheWrite(call: CacheCall): boolean {
  if (redisProtocolLibraries.has(call.client.library)) return redisWriteCommands.has(call.command);
  return call.command === 'set';
}

function isCacheDelete(call: CacheCall): boolean {
  if (redisProtocolLibraries.has(call.client.library)) return redisDeleteCommands.has(call.command);
  if (call.client.library === 'keyv') return call.command === 'delete';
  return call.command === 'del';
}

/** Anything that removes cache entries, by any client's or wrapper's spelling; `clear`/`flushdb` remove every key. */
function removesEntries(call: CacheCall): 'keys' | 'everything' | undefined {
  if (/^(del|unlink|delete|mdel|remove|evict|invalidate)/.test(call.command)) return 'keys';
  if (/^(clear|reset|flushdb|flushall)$/.test(call.command)) return 'everything';
  return undefined;
}

/** Groups the file's cache calls by the function they run in, with the database writes of that function. */
function scopesWithWrites(context: FileRuleContext<InvalidateDontUpdateOptions>): ScopeFacts[] {
  const byScope = new Map<Node, CacheCall[]>();
  for (const call of context.file.cacheCalls) {
    const scope = flowScopeOf(call.call);
    const list = byScope.get(scope);
    if (list) list.push(call);
    else byScope.set(scope, [call]);
  }
  const result: ScopeFacts[] = [];
  for (const [scope, calls] of byScope) {
    if (!calls.some((call) => isCacheWrite(call) || isCacheDelete(call))) continue;
    // A WATCH in the same function makes the writes an optimistic compare-and-set transaction.
    if (calls.some((call) => call.command === 'watch')) continue;
    const writes = databaseWritesIn(context, scope);
    if (writes.length > 0) result.push({ scope, calls, writes });
  }
  return result;
}

/**
 * The database writes that run as part of `scope`: its own, and those of callbacks it runs inline
 * (`$transaction(async (tx) => ...)`, `await Promise.all(items.map(...))`). The operations of a
 * scope include those of every function nested in it, so callbacks that run later are dropped.
 */
function databaseWritesIn(context: FileRuleContext<InvalidateDontUpdateOptions>, scope: Node): DbOperation[] {
  return context.file.dbOperations(scope).filter((operation) => operation.access === 'write' && flowScopeOf(operation.call) === scope);
}

// ---------------------------------------------------------------------------------------------
// Cache write after a database write

function checkCacheWrite(
  context: FileRuleContext<InvalidateDontUpdateOptions>,
  facts: ScopeFacts,
  call: CacheCall,
  isWriteThrough: (pattern: string) => boolean,
): void {
  if (isConditionalSet(call)) return;
  const preceding = facts.writes.filter((write) => !createsOnly(write) && mayFollow(write.call, call.call));
  if (preceding.length === 0) return;
  for (const entry of writeEntries(call)) {
    const family = context.project.keys.familyOf(entry.key);
    if (family && isWriteThrough(family.pattern)) continue;
    if (isVersionedKey(entry.key, family)) continue;
    if (entry.values.length > 0 && entry.values.every(isMarkerValue)) continue;
    if (entry.values.length > 0 && entry.values.every(isIdentifierValue)) continue;
    let best: { write: DbOperation; relation: KeyRelation } | undefined;
    // The nearest preceding write with evidence wins; a write the key names beats one that only shares data.
    for (const write of [...preceding].reverse()) {
      const relation = keyRelation(family, write.model);
      if (relation === 'other') continue;
      if (relation === 'match') {
        if (!best || best.relation !== 'match') best = { write, relation };
        break;
      }
      if (!best && valueComesFromWrite(entry.values, write, facts.scope)) best = { write, relation };
    }
    if (!best) continue;
    const { write, relation } = best;
    const under = family ? ` under '${family.display}'` : '';
    const what = relation === 'match' && write.model ? `${write.model} data${under}` : `the written data${under}`;
    const fix = replaceWithDeleteFix(call);
    context.report({
      node: call.commandNode,
      messageId: 'updateAfterWrite',
      data: { what, write: describeWrite(write), line: lineOf(write.call) },
      suggest: fix ? [{ messageId: 'replaceWithDelete', data: { method: deleteMethodName(call) }, fix }] : undefined,
      related: [{ node: write.call, message: `Database ${describeWrite(write)} that the cache write follows` }],
    });
    return;
  }
}

/**
 * An insert, or a get-or-create upsert whose update part is empty (`upsert({ where, update: {}, create })`):
 * it never changes an existing row, so no other writer's value can be overwritten in the cache.
 */
function createsOnly(write: DbOperation): boolean {
  if (write.writeKind === 'insert') return true;
  if (write.writeKind !== 'upsert' || !Node.isCallExpression(write.call)) return false;
  return write.call.getArguments().some((arg) => {
    const options = unwrap(arg);
    if (!Node.isObjectLiteralExpression(options)) return false;
    const update = options.getProperty('update');
    const value = Node.isPropertyAssignment(update) ? update.getInitializer() : undefined;
    const inner = value ? unwrap(value) : undefined;
    return inner !== undefined && Node.isObjectLiteralExpression(inner) && inner.getProperties().length === 0;
  });
}

/** The key/value pairs a write command stores (several for MSET). */
function writeEntries(call: CacheCall): WriteEntry[] {
  const args = call.args;
  const key = args[0];
  switch (call.command) {
    case 'setex':
    case 'psetex':
      return key ? [{ key, values: args[2] ? [args[2]] : [] }] : [];
    case 'hset':
    case 'hmset':
      return key ? [{ key, values: args.slice(1).flatMap(spreadObjectValues) }] : [];
    case 'mset':
      return msetEntries(args);
    default:
      return key ? [{ key, values: args[1] ? [args[1]] : [] }] : [];
  }
}

/** MSET spellings: flat `k1, v1, k2, v2`, node-redis tuples `[[k, v]]`, and objects `{ [k]: v }`. */
function msetEntries(args: Node[]): WriteEntry[] {
  const single = args.length === 1 ? unwrap(args[0]) : undefined;
  if (single && Node.isArrayLiteralExpression(single)) {
    const elements = single.getElements().map(unwrap);
    if (elements.every((element) => Node.isArrayLiteralExpression(element) && element.getElements().length === 2)) {
      return elements.map((element) => {
        const [key, value] = (element as ArrayLiteralExpression).getElements();
        return { key, values: [value] };
      });
    }
    return flatPairs(single.getElements());
  }
  if (single && Node.isObjectLiteralExpression(single)) {
    const entries: WriteEntry[] = [];
    for (const property of single.getProperties()) {
      if (!Node.isPropertyAssignment(property)) return [];
      const name = property.getNameNode();
      const key = Node.isComputedPropertyName(name) ? name.getExpression() : name;
      entries.push({ key, values: [property.getInitializerOrThrow()] });
    }
    return entries;
  }
  return flatPairs(args);
}

function flatPairs(nodes: Node[]): WriteEntry[] {
  if (nodes.length === 0 || nodes.length % 2 !== 0 || nodes.some((node) => Node.isSpreadElement(node))) return [];
  const entries: WriteEntry[] = [];
  for (let i = 0; i < nodes.length; i += 2) entries.push({ key: nodes[i], values: [nodes[i + 1]] });
  return entries;
}

/** `hset(key, { a, b })` writes the object's property values. */
function spreadObjectValues(node: Node): Node[] {
  const inner = unwrap(node);
  if (!Node.isObjectLiteralExpression(inner)) return [node];
  return inner.getProperties().flatMap((property) => {
    if (Node.isPropertyAssignment(property)) return [property.getInitializerOrThrow()];
    if (Node.isShorthandPropertyAssignment(property)) return [property.getNameNode()];
    if (Node.isSpreadAssignment(property)) return [property.getExpression()];
    return [];
  });
}

/** SET with NX (`'NX'`, `{ NX: true }`, `{ nx: true }`, `{ condition: 'NX' }`) or a compare condition (IFEQ...). */
function isConditionalSet(call: CacheCall): boolean {
  if (call.command !== 'set') return false;
  for (const arg of call.args.slice(2)) {
    const flag = constantValue(arg);
    if (typeof flag === 'string' && conditionalSetFlags.has(flag.toUpperCase())) return true;
    const options = unwrap(arg);
    if (!Node.isObjectLiteralExpression(options)) continue;
    for (const property of options.getProperties()) {
      if (!Node.isPropertyAssignment(property) && !Node.isShorthandPropertyAssignment(property)) continue;
      const name = property.getName().replace(/^['"]|['"]$/g, '');
      const initializer = Node.isPropertyAssignment(property) ? property.getInitializer() : undefined;
      if (name.toUpperCase() === 'NX') {
        if (!initializer || unwrap(initializer).getKind() !== SyntaxKind.FalseKeyword) return true;
      }
      if (name === 'condition' && initializer) {
        const condition = constantValue(initializer);
        if (typeof condition === 'string' && conditionalSetFlags.has(condition.toUpperCase())) return true;
      }
    }
  }
  return false;
}

/** A key that carries the row's version (`product:${id}:v${version}`): an older write lands in an older key. */
function isVersionedKey(key: Node, family: KeyFamily | undefined): boolean {
  if (family && (/(^|[^A-Za-z])v\{/.test(family.display) || /\{[^}]*(version|revision|etag|\bver\b|\brev\b)[^}]*\}/i.test(family.display))) {
    return true;
  }
  const inner = unwrap(key);
  const names = Node.isIdentifier(inner) ? [inner] : inner.getDescendantsOfKind(SyntaxKind.Identifier);
  return names.some((identifier) => {
    if (!nameWords(identifier.getText()).some((word) => versionLikeWord.test(word))) return false;
    // A constant (`CACHE_VERSION = 'v3'`) versions the cache layout, not the row.
    const parent = identifier.getParent();
    const expression = Node.isPropertyAccessExpression(parent) && parent.getNameNode() === identifier ? parent : identifier;
    return constantValue(expression) === undefined;
  });
}

/** Constants, booleans and timestamps are markers (`'1'`, `Date.now()`), not copies of the written row. */
function isMarkerValue(node: Node): boolean {
  const inner = unwrap(node);
  if (constantValue(inner) !== undefined) return true;
  const kind = inner.getKind();
  if (kind === SyntaxKind.TrueKeyword || kind === SyntaxKind.FalseKeyword || kind === SyntaxKind.NullKeyword) return true;
  const text = inner.getText().replace(/\s+/g, '');
  return /^(Date\.now\(\)|newDate\(\)(\.(getTime|toISOString|valueOf)\(\))?|String\(Date\.now\(\)\)|Date\.now\(\)\.toString\(\))$/.test(text);
}

/**
 * An id (`partnerId`, `user.id`, `String(row.id)`): the entry is an index from some other value to
 * the row, and holds none of the row's data that a concurrent writer could make stale.
 */
function isIdentifierValue(node: Node): boolean {
  let inner = unwrap(node);
  if (Node.isCallExpression(inner) && inner.getExpression().getText() === 'String' && inner.getArguments().length === 1) {
    inner = unwrap(inner.getArguments()[0]!);
  }
  if (Node.isTemplateExpression(inner) && inner.getHead().getLiteralText() === '' && inner.getTemplateSpans().length === 1) {
    const span = inner.getTemplateSpans()[0]!;
    if (span.getLiteral().getLiteralText() === '') inner = unwrap(span.getExpression());
  }
  if (Node.isIdentifier(inner)) return identifierLikeName.test(inner.getText());
  if (Node.isPropertyAccessExpression(inner)) return identifierLikeName.test(inner.getName());
  return false;
}

// ---------------------------------------------------------------------------------------------
// Delete before a database write, with no delete after it

function checkDeleteBeforeWrite(context: FileRuleContext<InvalidateDontUpdateOptions>, facts: ScopeFacts, call: CacheCall): void {
  const following = facts.writes.filter((write) => mayFollow(call.call, write.call));
  if (following.length === 0) return;
  for (const key of deleteKeys(call)) {
    const family = context.project.keys.familyOf(key);
    const write = following.find((candidate) => {
      const relation = keyRelation(family, candidate.model);
      if (relation === 'match') return true;
      // Without the key naming the model, the key must be built from what the write is about (its id).
      return relation === 'unknown' && !createsOnly(candidate) && keyMentionsWriteInput(key, candidate, facts.scope);
    });
    if (!write) continue;
    if (deletedOrWrittenAgainAfter(context, facts, call, family, write)) continue;
    const move = moveDeleteFix(call, write);
    context.report({
      node: call.commandNode,
      messageId: 'deleteBeforeWrite',
      data: {
        key: family ? `'${family.display}' ` : '',
        write: describeWrite(write),
        line: lineOf(write.call),
        entity: write.model ?? 'value',
      },
      suggest: move ? [{ messageId: 'moveDeleteAfterWrite', data: { line: lineOf(write.call) }, fix: move }] : undefined,
      related: [{ node: write.call, message: `Database ${describeWrite(write)} that runs after the cache delete` }],
    });
    return;
  }
}

function deleteKeys(call: CacheCall): Node[] {
  return call.args.flatMap((arg) => {
    const inner = unwrap(arg);
    if (Node.isArrayLiteralExpression(inner)) return inner.getElements().filter((element) => !Node.isSpreadElement(element));
    return Node.isSpreadElement(arg) ? [] : [arg];
  });
}

/**
 * True when something after the database write removes (or rewrites) the key again: a delete of the
 * same key family anywhere later in the function, also in a timer callback (delayed double delete),
 * a write of the same family, or a call of a project function that deletes cache keys.
 */
function deletedOrWrittenAgainAfter(
  context: FileRuleContext<InvalidateDontUpdateOptions>,
  facts: ScopeFacts,
  deleteCall: CacheCall,
  family: KeyFamily | undefined,
  write: DbOperation,
): boolean {
  const after = write.call.getEnd();
  const scopeEnd = facts.scope.getEnd();
  const sameKey = (other: Node) => {
    const otherFamily = context.project.keys.familyOf(other);
    // A key whose shape is unknown may well be the same key: assume it is rather than report.
    return !family || !otherFamily || family.pattern === otherFamily.pattern;
  };
  for (const other of context.file.cacheCalls) {
    if (other === deleteCall) continue;
    const start = other.call.getStart();
    if (start < after || start > scopeEnd || !isWithin(other.call, facts.scope)) continue;
    const removal = removesEntries(other);
    if (removal === 'everything' || (removal === 'keys' && deleteKeys(other).some(sameKey))) return true;
    if (isCacheWrite(other) && writeEntries(other).some((entry) => sameKey(entry.key))) return true;
  }
  for (const invoked of facts.scope.getDescendantsOfKind(SyntaxKind.CallExpression)) {
    if (invoked.getStart() < after) continue;
    if (callsFunctionThatDeletes(context, invoked)) return true;
  }
  return false;
}

function callsFunctionThatDeletes(context: FileRuleContext<InvalidateDontUpdateOptions>, invoked: CallExpression): boolean {
  const callee = unwrap(invoked.getExpression());
  const nameNode = Node.isPropertyAccessExpression(callee) ? callee.getNameNode() : Node.isIdentifier(callee) ? callee : undefined;
  if (!nameNode) return false;
  let symbol;
  try {
    symbol = nameNode.getSymbol();
  } catch {
    return false;
  }
  const target = symbol?.getAliasedSymbol() ?? symbol;
  for (const declaration of target?.getDeclarations() ?? []) {
    const body = functionBodyOf(declaration);
    if (!body) continue;
    const file = context.project.fileOf(body);
    if (file.cacheCalls.some((other) => removesEntries(other) !== undefined && isWithin(other.call, body))) return true;
  }
  return false;
}

function functionBodyOf(declaration: Node): Node | undefined {
  if (Node.isFunctionDeclaration(declaration) || Node.isMethodDeclaration(declaration)) return declaration.getBody();
  if (Node.isVariableDeclaration(declaration) || Node.isPropertyDeclaration(declaration) || Node.isPropertyAssignment(declaration)) {
    const initializer = declaration.getInitializer();
    const inner = initializer ? unwrap(initializer) : undefined;
    if (inner && (Node.isArrowFunction(inner) || Node.isFunctionExpression(inner))) return inner.getBody();
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Evidence that the cache entry holds the written entity

const resolved = new WeakMap<Node, Declaration | null>();

/** The declaration an identifier reads, found by walking its scopes; remembered per identifier. */
function resolveIdentifier(identifier: Identifier): Declaration | undefined {
  const cached = resolved.get(identifier);
  if (cached !== undefined) return cached ?? undefined;
  const declaration = resolveInScope(identifier);
  resolved.set(identifier, declaration ?? null);
  return declaration;
}

interface KeyWords {
  literal: string[];
  placeholders: string[];
}

function keyWords(family: KeyFamily): KeyWords {
  const literal: string[] = [];
  const placeholders: string[] = [];
  const placeholder = /\{([^}]*)\}/g;
  let last = 0;
  for (let match = placeholder.exec(family.display); match; match = placeholder.exec(family.display)) {
    literal.push(...splitWords(family.display.slice(last, match.index)));
    placeholders.push(...splitWords(match[1] ?? ''));
    last = match.index + match[0].length;
  }
  literal.push(...splitWords(family.display.slice(last)));
  return { literal, placeholders };
}

/** `rowVersion` -> row, version; `ETAG` -> etag; `doc_rev` -> doc, rev. */
function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .map((word) => word.toLowerCase())
    .filter((word) => word.length > 0);
}

function splitWords(text: string): string[] {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .map((word) => word.toLowerCase())
    .filter((word) => /[a-z]/.test(word) && word.length > 1 && !/^v\d+$/.test(word));
}

/** Does a key belong to the written model ('match'), plainly to something else ('other'), or can't it tell? */
function keyRelation(family: KeyFamily | undefined, model: string | undefined): KeyRelation {
  if (!family) return 'unknown';
  if (isControlKey(family, model)) return 'other';
  if (!model) return 'unknown';
  const words = keyWords(family);
  if (wordsName(words.literal, model)) return 'match';
  if (words.literal.some((word) => !genericKeyWords.has(word))) return 'other';
  return wordsName(words.placeholders, model) ? 'match' : 'unknown';
}

/**
 * A control word outside the words that name the model (`lock:product:{id}`, `oauth:{state}`); a
 * control word that is part of the model's own name (`queue:import:{id}` for `queueimport`) is not.
 */
function isControlKey(family: KeyFamily, model: string | undefined): boolean {
  const words = keyWords(family);
  if (words.placeholders.length > 0 && words.placeholders.every((word) => handshakePlaceholders.has(word))) return true;
  const span = model ? nameSpan(words.literal, model) : undefined;
  // Only a compound name shelters its words: `token` alone naming `verificationtoken` is still a token.
  const naming = span && span.end - span.start > 1 ? span : undefined;
  return words.literal.some(
    (word, index) => controlKeyWords.has(word) && singularize(word) !== model && !(naming && index >= naming.start && index < naming.end),
  );
}

/** `order-items`, `orderItems`, `order_item` and `orders` all name the model `orderitem`/`order`. */
function wordsName(words: string[], model: string): boolean {
  return nameSpan(words, model) !== undefined;
}

/** The run of words that names the model, preferring the longest one at the earliest start. */
function nameSpan(words: string[], model: string): { start: number; end: number } | undefined {
  for (let start = 0; start < words.length; start++) {
    for (let length = Math.min(3, words.length - start); length >= 1; length--) {
      const gram = words.slice(start, start + length).join('');
      const normal = normalizeModelName(gram) ?? singularize(gram);
      // Exact first: a CMS model may well be called `page` or `record`.
      if (normal === model) return { start, end: start + length };
      if (length === 1 && genericKeyWords.has(gram)) continue;
      // `productsummary` and `profile` (of `userprofile`) still name the model; short words are too
      // ambiguous, and a word that is only the start of the model's name (`partner` of
      // `partnerplatform`) names another model.
      if (length === 1 && normal.length >= 4 && model.length >= 4) {
        if (normal.startsWith(model) || model.endsWith(normal)) return { start, end: start + 1 };
      }
      // Several words that together abbreviate the model's name: `user-prefs` for `userpreference`.
      if (length > 1 && normal.length >= 6 && model.startsWith(normal)) return { start, end: start + length };
    }
  }
  return undefined;
}

/**
 * What a value is known to come from: declarations, each with the property paths that were used
 * (`[]` for the whole value, `['body']` for `req.body`).
 */
type Sources = Map<Node, string[][]>;

function addSource(sources: Sources, declaration: Node, path: string[]): boolean {
  const paths = sources.get(declaration);
  if (!paths) {
    sources.set(declaration, [path]);
    return true;
  }
  if (paths.some((known) => known.length === path.length && known.every((name, i) => name === path[i]))) return false;
  paths.push(path);
  return true;
}

/** The value stored is the write's result, its data, or something computed from them in this function. */
function valueComesFromWrite(values: Node[], write: DbOperation, scope: Node): boolean {
  const sources: Sources = new Map();
  for (const declaration of resultDeclarations(write)) addSource(sources, declaration, []);
  for (const [declaration, path] of inputReferences(write, scope, false)) addSource(sources, declaration, path);
  if (sources.size === 0) return false;
  propagate(sources, scope);
  return values.some((value) => mentions(value, sources));
}

/** The key is built from something the write is keyed on or writes (`del(\`c:${id}\`)` then `update({ where: { id } })`). */
function keyMentionsWriteInput(key: Node, write: DbOperation, scope: Node): boolean {
  const sources: Sources = new Map();
  for (const [declaration, path] of inputReferences(write, scope, true)) addSource(sources, declaration, path);
  return sources.size > 0 && mentions(key, sources);
}

/** Declarations that receive the write's result: `const saved = await ...`, `const [row] = ...`, `.then((row) => ...)`. */
function resultDeclarations(write: DbOperation): Node[] {
  const found: Node[] = [];
  let node: Node = write.call;
  for (let parent = node.getParent(); parent; parent = node.getParent()) {
    if (
      Node.isAwaitExpression(parent) ||
      Node.isParenthesizedExpression(parent) ||
      Node.isAsExpression(parent) ||
      Node.isNonNullExpression(parent) ||
      Node.isSatisfiesExpression(parent)
    ) {
      node = parent;
      continue;
    }
    if (Node.isPropertyAccessExpression(parent) && parent.getExpression() === node && parent.getName() === 'then') {
      const thenCall = parent.getParent();
      const callback = Node.isCallExpression(thenCall) ? thenCall.getArguments()[0] : undefined;
      const fn = callback ? unwrap(callback) : undefined;
      if (fn && (Node.isArrowFunction(fn) || Node.isFunctionExpression(fn))) {
        const parameter = fn.getParameters()[0];
        if (parameter) found.push(...bindingsOf(parameter));
      }
    }
    break;
  }
  const parent = node.getParent();
  if (Node.isVariableDeclaration(parent) && parent.getInitializer() === node) found.push(...bindingsOf(parent));
  if (Node.isBinaryExpression(parent) && parent.getRight() === node && parent.getOperatorToken().getKind() === SyntaxKind.EqualsToken) {
    const left = unwrap(parent.getLeft());
    if (Node.isIdentifier(left)) {
      const declaration = resolveIdentifier(left);
      if (declaration) found.push(declaration);
    }
  }
  return found;
}

/** A variable/parameter, or each element of its destructuring pattern (what `resolveIdentifier` returns for names in it). */
function bindingsOf(owner: Node): Node[] {
  const nameNode = (owner as Node & { getNameNode?(): Node }).getNameNode?.();
  if (!nameNode || Node.isIdentifier(nameNode)) return [owner];
  return nameNode.getDescendantsOfKind(SyntaxKind.BindingElement);
}

/**
 * Locals and parameters (with the property path read from them) passed as the write's data. With
 * `includeFilters`, also those in `where` clauses and id-like names, which tie a key to the row
 * without being the row's data.
 */
function inputReferences(write: DbOperation, scope: Node, includeFilters: boolean): Array<[Node, string[]]> {
  const found: Array<[Node, string[]]> = [];
  write.call.forEachDescendant((node, traversal) => {
    if (Node.isArrowFunction(node) || Node.isFunctionExpression(node) || (!includeFilters && isFilterPosition(node))) {
      traversal.skip();
      return;
    }
    if (!Node.isIdentifier(node) || !isValueReference(node) || !isInArgumentPosition(node, write.call)) return;
    const path = accessPath(node);
    const name = path.length > 0 ? path[path.length - 1]! : node.getText();
    if (!includeFilters && identifierLikeName.test(name)) return;
    const declaration = resolveIdentifier(node);
    if (declaration && isWithin(declaration, scope) && !Node.isImportSpecifier(declaration)) found.push([declaration, path]);
  });
  return found;
}

/** The property names read from an identifier: `req.body.name` gives `['body', 'name']`; a method call ends the path. */
function accessPath(identifier: Node): string[] {
  const path: string[] = [];
  let node = identifier;
  for (let parent = node.getParent(); parent; node = parent, parent = parent.getParent()) {
    if (Node.isNonNullExpression(parent) || Node.isParenthesizedExpression(parent)) continue;
    if (!Node.isPropertyAccessExpression(parent) || parent.getExpression() !== node) break;
    const grand = parent.getParent();
    if (Node.isCallExpression(grand) && grand.getExpression() === parent) break;
    path.push(parent.getName());
  }
  return path;
}

/** `where: {...}`, `.where(...)`, `.whereIn(...)`, `eq(...)`: what the write filters on, not what it stores. */
function isFilterPosition(node: Node): boolean {
  if (Node.isPropertyAssignment(node) || Node.isShorthandPropertyAssignment(node)) {
    return /^(where|filter|criteria)$/.test(node.getName());
  }
  if (Node.isCallExpression(node)) {
    const callee = node.getExpression();
    const name = Node.isPropertyAccessExpression(callee) ? callee.getName() : Node.isIdentifier(callee) ? callee.getText() : '';
    return /^(where|andWhere|orWhere|whereIn|whereRaw|eq|and|or|inArray)$/.test(name);
  }
  return false;
}

/** Inside the arguments of some call of the write's chain (or a SQL template), not part of its receiver. */
function isInArgumentPosition(identifier: Node, root: Node): boolean {
  let child: Node = identifier;
  for (let parent = child.getParent(); parent && child !== root; child = parent, parent = parent.getParent()) {
    if (Node.isCallExpression(parent) && parent.getArguments().includes(child)) return true;
    if (Node.isTemplateSpan(parent)) return true;
  }
  return false;
}

/** An identifier that reads a variable: not a property name, not an object key, not a declaration name. */
function isValueReference(identifier: Node): boolean {
  const parent = identifier.getParent();
  if (!parent) return false;
  if (Node.isPropertyAccessExpression(parent) && parent.getNameNode() === identifier) return false;
  if (Node.isPropertyAssignment(parent) && parent.getNameNode() === identifier) return false;
  if (Node.isMethodDeclaration(parent) || Node.isPropertyDeclaration(parent) || Node.isPropertySignature(parent)) return false;
  if ((Node.isVariableDeclaration(parent) || Node.isParameterDeclaration(parent) || Node.isBindingElement(parent)) && parent.getNameNode() === identifier) {
    return false;
  }
  if (Node.isBindingElement(parent) && parent.getPropertyNameNode() === identifier) return false;
  return true;
}

/** Adds every local computed from a known source (`const dto = toDto(saved)`, `payload = JSON.stringify(dto)`). */
function propagate(sources: Sources, scope: Node): void {
  for (let round = 0; round < 4; round++) {
    let grew = false;
    scope.forEachDescendant((node) => {
      if (Node.isVariableDeclaration(node)) {
        const initializer = node.getInitializer();
        if (!initializer || !mentions(initializer, sources)) return;
        for (const binding of bindingsOf(node)) grew = addSource(sources, binding, []) || grew;
      } else if (Node.isBinaryExpression(node) && node.getOperatorToken().getKind() === SyntaxKind.EqualsToken) {
        const left = unwrap(node.getLeft());
        if (!Node.isIdentifier(left) || !mentions(node.getRight(), sources)) return;
        const declaration = resolveIdentifier(left);
        if (declaration) grew = addSource(sources, declaration, []) || grew;
      }
    });
    if (!grew) break;
  }
}

/** The expression reads one of the sources along a path that overlaps a known one (`req.body.name` and `req.body`, not `req.session`). */
function mentions(expression: Node, sources: Sources): boolean {
  const check = (node: Node): boolean => {
    if (!Node.isIdentifier(node) || !isValueReference(node)) return false;
    const declaration = resolveIdentifier(node);
    const paths = declaration ? sources.get(declaration) : undefined;
    if (!paths) return false;
    const path = accessPath(node);
    return paths.some((known) => {
      const shorter = Math.min(known.length, path.length);
      for (let i = 0; i < shorter; i++) if (known[i] !== path[i]) return false;
      return true;
    });
  };
  if (check(expression)) return true;
  let found = false;
  expression.forEachDescendant((node, traversal) => {
    if (check(node)) {
      found = true;
      traversal.stop();
    }
  });
  return found;
}

// ---------------------------------------------------------------------------------------------
// Control flow within one function

function isFunctionLike(node: Node): boolean {
  return (
    Node.isFunctionDeclaration(node) ||
    Node.isFunctionExpression(node) ||
    Node.isArrowFunction(node) ||
    Node.isMethodDeclaration(node) ||
    Node.isGetAccessorDeclaration(node) ||
    Node.isSetAccessorDeclaration(node) ||
    Node.isConstructorDeclaration(node)
  );
}

/**
 * The function whose run a node is part of: its own function, or, for callbacks that run while the
 * caller waits (`await db.$transaction(async (tx) => ...)`, `.then(...)`), the caller's.
 */
function flowScopeOf(node: Node): Node {
  let fn = enclosingFunction(node);
  while (fn && runsInline(fn)) fn = enclosingFunction(fn);
  return fn ?? node.getSourceFile();
}

function runsInline(fn: Node): boolean {
  if (!Node.isArrowFunction(fn) && !Node.isFunctionExpression(fn)) return false;
  let argument: Node = fn;
  let parent = fn.getParent();
  while (parent && Node.isParenthesizedExpression(parent)) {
    argument = parent;
    parent = parent.getParent();
  }
  if (!parent || !Node.isCallExpression(parent) || !parent.getArguments().includes(argument)) return false;
  const callee = parent.getExpression();
  if (Node.isPropertyAccessExpression(callee)) {
    const name = callee.getName();
    // `.then(onFulfilled)` runs after the promise it follows; a rejection handler only runs when it failed.
    if (name === 'then') return parent.getArguments()[0] === argument;
    if (name === 'finally') return true;
    if (name === 'catch') return false;
  }
  return isAwaitedCall(parent);
}

/** The call's promise is awaited or returned (directly, in `Promise.all`, or through a chain), so its callbacks run before what follows. */
function isAwaitedCall(call: Node): boolean {
  let node = call;
  for (let parent = node.getParent(); parent; node = parent, parent = parent.getParent()) {
    if (Node.isAwaitExpression(parent) || Node.isReturnStatement(parent)) return true;
    if (Node.isArrowFunction(parent)) return parent.getBody() === node;
    if (
      Node.isParenthesizedExpression(parent) ||
      Node.isAsExpression(parent) ||
      Node.isNonNullExpression(parent) ||
      Node.isSatisfiesExpression(parent) ||
      Node.isSpreadElement(parent) ||
      Node.isArrayLiteralExpression(parent) ||
      Node.isCallExpression(parent) ||
      (Node.isPropertyAccessExpression(parent) && parent.getExpression() === node)
    ) {
      continue;
    }
    return false;
  }
  return false;
}

function isWithin(node: Node, container: Node): boolean {
  return node.getStart() >= container.getStart() && node.getEnd() <= container.getEnd() && node.getSourceFile() === container.getSourceFile();
}

/** Can `later` run after `earlier` has completed, in one run of their function? */
function mayFollow(earlier: Node, later: Node): boolean {
  if (isWithin(earlier, later)) return earlier !== later; // evaluated as an argument of `later`
  if (isWithin(later, earlier)) return false;
  if (earlier.getEnd() > later.getStart()) return false;
  const ancestors = new Set<Node>();
  for (let node: Node | undefined = earlier; node; node = node.getParent()) ancestors.add(node);
  let common: Node | undefined = later;
  while (common && !ancestors.has(common)) common = common.getParent();
  if (!common) return false;
  const earlierBranch = childOn(common, earlier);
  const laterBranch = childOn(common, later);
  if (earlierBranch && laterBranch && areExclusive(common, earlierBranch, laterBranch)) return false;
  return !leavesBefore(earlier, common);
}

function childOn(ancestor: Node, node: Node): Node | undefined {
  let current: Node | undefined = node;
  while (current && current.getParent() !== ancestor) current = current.getParent();
  return current;
}

function areExclusive(common: Node, a: Node, b: Node): boolean {
  if (Node.isIfStatement(common)) {
    const branches = [common.getThenStatement(), common.getElseStatement()];
    return branches.includes(a as never) && branches.includes(b as never);
  }
  if (Node.isConditionalExpression(common)) {
    const branches = [common.getWhenTrue(), common.getWhenFalse()];
    return branches.includes(a as never) && branches.includes(b as never);
  }
  if (Node.isCaseBlock(common)) return true; // different clauses of one switch
  if (Node.isTryStatement(common)) return a === common.getTryBlock() && b === common.getCatchClause();
  // Elements of one array (`Promise.all([...])`) or arguments of one call start together unless the first is awaited.
  if (Node.isArrayLiteralExpression(common) || (Node.isCallExpression(common) && common.getArguments().includes(a as never))) {
    return !containsOwnAwait(a);
  }
  return false;
}

function containsOwnAwait(node: Node): boolean {
  if (Node.isAwaitExpression(node)) return true;
  let found = false;
  node.forEachDescendant((child, traversal) => {
    if (isFunctionLike(child)) traversal.skip();
    else if (Node.isAwaitExpression(child)) {
      found = true;
      traversal.stop();
    }
  });
  return found;
}

/** The branch holding `earlier` ends with `return`/`throw` before control reaches `common`'s later part. */
function leavesBefore(earlier: Node, common: Node): boolean {
  const ownFunction = enclosingFunction(common);
  for (let node: Node = earlier; node.getParent() && node.getParent() !== common; node = node.getParent()!) {
    const parent = node.getParent()!;
    if (!Node.isBlock(parent) && !Node.isCaseClause(parent) && !Node.isDefaultClause(parent) && !Node.isSourceFile(parent)) continue;
    // A `return` in an inline callback only ends the callback; a `throw` ends the caller too.
    const returnsLeave = enclosingFunction(node) === ownFunction;
    const statements = parent.getStatements();
    for (const statement of statements.slice(statements.indexOf(node as never))) {
      if (Node.isThrowStatement(statement) || (returnsLeave && Node.isReturnStatement(statement))) return true;
    }
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Suggestions

function deleteMethodName(call: CacheCall): string {
  if (call.client.library === 'keyv') return 'delete';
  return 'del';
}

/** Replaces the write with a delete of the same key(s) on the same client; none when the write's result is used. */
function replaceWithDeleteFix(call: CacheCall): FixFunction | undefined {
  if (!resultIsUnused(call)) return undefined;
  const keys = call.command === 'mset' ? writeEntries(call).map((entry) => entry.key) : call.args.slice(0, 1);
  if (keys.length === 0) return undefined;
  const keyTexts = keys.map((key) => key.getText());
  const lastArg = call.args[call.args.length - 1];
  if (call.spelling !== 'method') {
    const literal = call.commandNode.getText();
    const quote = literal.charAt(0);
    const name = literal.slice(1, -1);
    const del = name === name.toUpperCase() ? 'DEL' : 'del';
    const text = `${quote}${del}${quote}, ${keyTexts.join(', ')}`;
    return (fixer) => fixer.replaceRange([call.commandNode.getStart(), lastArg!.getEnd()], text);
  }
  const callee = unwrap(call.call.getExpression());
  if (!Node.isPropertyAccessExpression(callee) || callee.getNameNode() !== call.commandNode) return undefined;
  const written = callee.getName();
  let method = deleteMethodName(call);
  if (written === written.toUpperCase()) method = method.toUpperCase();
  const keyList = keyTexts.length > 1 && call.client.library === 'node-redis' ? `[${keyTexts.join(', ')}]` : keyTexts.join(', ');
  return (fixer) => fixer.replaceRange([call.commandNode.getStart(), call.call.getEnd()], `${method}(${keyList})`);
}

/**
 * The write's reply is thrown away: the call is a statement, an element of a discarded
 * `Promise.all([...])`, or one command of a batch whose replies are discarded.
 */
function resultIsUnused(call: CacheCall): boolean {
  let outer: Node = call.call;
  if (call.client.batch) {
    // A batch command returns the batch itself; what matters is the chain's final exec().
    for (;;) {
      const access = outer.getParent();
      const next = access?.getParent();
      if (Node.isPropertyAccessExpression(access) && access.getExpression() === outer && Node.isCallExpression(next) && next.getExpression() === access) {
        outer = next;
      } else break;
    }
  }
  if (Node.isCallExpression(outer) && isStatementLevel(outer)) return true;
  let node: Node = outer;
  let parent = node.getParent();
  while (parent && (Node.isAwaitExpression(parent) || Node.isParenthesizedExpression(parent))) {
    node = parent;
    parent = node.getParent();
  }
  if (!parent || !Node.isArrayLiteralExpression(parent)) return false;
  const all = parent.getParent();
  if (!Node.isCallExpression(all) || !/^Promise\.(all|allSettled)$/.test(all.getExpression().getText())) return false;
  return isStatementLevel(all);
}

/**
 * Moves `await cache.del(key);` to right after the statement of the database write, when both are
 * statements of one block (the write may sit in a callback that statement awaits, like a transaction).
 */
function moveDeleteFix(call: CacheCall, write: DbOperation): FixFunction | undefined {
  if (call.client.batch) return undefined;
  let node: Node = call.call;
  let parent = node.getParent();
  while (parent && (Node.isAwaitExpression(parent) || Node.isParenthesizedExpression(parent) || Node.isVoidExpression(parent))) {
    node = parent;
    parent = node.getParent();
  }
  if (!parent || !Node.isExpressionStatement(parent)) return undefined;
  const deleteStatement = parent;
  const block = deleteStatement.getParent();
  if (!block) return undefined;
  let writeStatement: Node | undefined;
  for (let current: Node | undefined = write.call; current; current = current.getParent()) {
    if (current.getParent() === block) {
      writeStatement = current;
      break;
    }
    if (isFunctionLike(current) && !runsInline(current)) return undefined;
    if (Node.isBlock(current) && !isFunctionLike(current.getParentOrThrow())) return undefined;
  }
  if (!writeStatement || writeStatement === deleteStatement) return undefined;
  if (!Node.isExpressionStatement(writeStatement) && !Node.isVariableStatement(writeStatement)) return undefined;
  const source = deleteStatement.getSourceFile().getFullText();
  let removeStart = deleteStatement.getStart();
  while (removeStart > 0 && (source[removeStart - 1] === ' ' || source[removeStart - 1] === '\t')) removeStart--;
  let removeEnd = deleteStatement.getEnd();
  let moved = deleteStatement.getText();
  if (removeStart === 0 || source[removeStart - 1] === '\n') {
    // The delete has its line to itself (perhaps with a trailing comment): take the whole line along.
    const lineEnd = source.indexOf('\n', removeEnd);
    const rest = source.slice(removeEnd, lineEnd < 0 ? source.length : lineEnd);
    if (/^\s*(\/\/.*)?$/.test(rest)) {
      moved += rest.replace(/\s+$/, '');
      removeEnd = lineEnd < 0 ? source.length : lineEnd + 1;
    } else {
      removeStart = deleteStatement.getStart();
    }
  } else {
    removeStart = deleteStatement.getStart();
  }
  const writeLineStart = source.lastIndexOf('\n', writeStatement.getStart() - 1) + 1;
  const indent = /^[ \t]*/.exec(source.slice(writeLineStart))?.[0] ?? '';
  // After the write's line when only a comment follows the write on it, so the comment stays with the write.
  let insertAt = writeStatement.getEnd();
  const writeLineEnd = source.indexOf('\n', insertAt);
  const afterWrite = source.slice(insertAt, writeLineEnd < 0 ? source.length : writeLineEnd);
  if (/^\s*\/\/.*$/.test(afterWrite)) insertAt += afterWrite.replace(/\s+$/, '').length;
  return (fixer) => [fixer.replaceRange([removeStart, removeEnd], ''), fixer.replaceRange([insertAt, insertAt], `\n${indent}${moved}`)];
}

// ---------------------------------------------------------------------------------------------

function describeWrite(write: DbOperation): string {
  const kind = write.writeKind ?? 'write';
  return write.model ? `${kind} of ${write.model}` : kind;
}

function lineOf(node: Node): number {
  return node.getStartLineNumber();
}
