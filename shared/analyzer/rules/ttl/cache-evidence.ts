import * as path from 'node:path';
import { Node } from 'ts-morph';
import type { CacheCall } from '../../clients/cache-calls';
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
const readCommands = new Set(['get', 'getex', 'mget', 'hget', 'hgetall', 'hmget', 'exists', 'smembers', 'sismember', 'lrange', 'zrange', 'zrangebyscore', 'json.get']);

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
    if (this.fillsFromSource(call)) return { cache: true, because: 'filled from a database or an HTTP API' };
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
      if (!contains(unit, other.call)) return false;
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
    let found = false;
    unit.forEachDescendant((node, traversal) => {
      if (found || node.getStart() >= start) {
        traversal.stop();
        return;
      }
      if (!Node.isAwaitExpression(node)) return;
      const awaited = unwrap(node.getExpression());
      if (!Node.isCallExpression(awaited)) return;
      const callee = unwrap(awaited.getExpression());
      const name = Node.isPropertyAccessExpression(callee) ? callee.getName() : Node.isIdentifier(callee) ? callee.getText() : '';
      if (creationNames.test(name)) found = true;
    });
    return found;
  }

  private fillsFromSource(call: CacheCall): boolean {
    const unit = unitOfWork(call.call);
    const start = call.call.getStart();
    if (this.file.dbOperations(unit).some((operation) => operation.access === 'read' && operation.call.getStart() < start)) return true;
    let found = false;
    unit.forEachDescendant((node, traversal) => {
      if (found || node.getStart() >= start) {
        traversal.stop();
        return;
      }
      if (isHttpCall(node)) found = true;
    });
    return found;
  }
}

const creationNames = /^(create|insert|register|generate|issue|mint|open|start|provision)([A-Z_]|$)/;

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
  soft: new Set([
    ...dataSoftWords,
    'token', 'tokens', 'code', 'codes', 'verification', 'verify', 'challenge', 'invite', 'invitation', 'magic', 'reset',
    'confirm', 'confirmation', 'session', 'sessions', 'oauth', 'intent', 'pkce', 'login', 'signin', 'signup', 'password',
    'attempt', 'attempts', 'grant',
  ]),
};
