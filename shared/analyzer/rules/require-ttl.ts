import type { SourceFile } from 'ts-morph';
import type { CacheCall } from '../clients/cache-calls';
import { createRule, FixFunction } from './create-rule';
import { addExpireAfter, addExpiryToSet, addStoreTtl, TtlText } from './ttl/add-expiry';
import { expireCommands, isRedisProtocol, isStoreLibrary, propertyValue, redisRelativeTtl, setOptionsOf, storeTtlOf, usesObjectTtlSpelling } from './ttl/expiry';
import { CacheEvidence, dataWords } from './ttl/cache-evidence';
import { jitteredTtlText } from './ttl/jitter';
import { describeKey, isPassThroughWrapper, isQueueKey, KeyedCommands, keyMatcher, KeyRef, keyRefOf, msetKeys } from './ttl/key-scope';

/**
 * A cache entry without an expiry is only ever replaced or deleted by code: every path that forgets
 * to invalidate serves stale data forever, and keys of departed entities pile up until eviction
 * (or OOM under `noeviction`). This rule finds writes that never set one.
 */

export interface RequireTtlOptions {
  ignoreKeys: string[];
  defaultTtlSeconds: number;
  jitterRatio: number;
}

/** Collection writes create a key that lives forever unless something calls `expire` on it. */
const collectionWrites: Record<string, string> = {
  hset: 'hash',
  hmset: 'hash',
  hsetnx: 'hash',
  sadd: 'set',
  zadd: 'sorted set',
  lpush: 'list',
  rpush: 'list',
};
const expiringWrites = new Set(['set', 'setex', 'psetex']);
const deleteCommands = ['del', 'unlink'];
const indexedCommands = new Set([...expireCommands, ...expiringWrites, ...deleteCommands]);

export const requireTtl = createRule<RequireTtlOptions>({
  name: 'require-ttl',
  meta: {
    type: 'problem',
    scope: 'file',
    docs: {
      description: 'Require every cache write to set an expiry (TTL), in the spelling of its client',
      defaultLevel: 'warn',
    },
    messages: {
      noExpiry: '`{{command}}` writes `{{key}}` with no expiry: the entry lives until something deletes it and serves stale data meanwhile. Give it a TTL.',
      noExpiryComputedKeys:
        '`{{command}}` writes keys built at run time with no expiry, and nothing in this function or batch calls `expire`: the entries live until something deletes them. Give them a TTL.',
      noExpiryCollection:
        '`{{command}}` writes the {{structure}} `{{key}}` and nothing in this function or batch calls `expire` on it, so the key never expires. Give it a TTL.',
      noStoreTtl: '`{{command}}` stores `{{key}}` without a TTL and this {{library}} store has no default TTL, so the entry never expires.',
      addExpiry: 'Expire after {{seconds}} s, plus up to {{jitter}}% random jitter.',
      addExpire: 'Call `expire` after the write: {{seconds}} s, plus up to {{jitter}}% random jitter.',
      addStoreTtl: 'Pass a TTL of {{seconds}} s, plus up to {{jitter}}% random jitter.',
    },
    hasSuggestions: true,
    schema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        ignoreKeys: {
          type: 'array',
          items: { type: 'string', minLength: 1 },
          default: [],
          description: 'Glob patterns (picomatch) of keys that hold data rather than cache entries, e.g. "queue:*", "session:*". Default: [].',
        },
        defaultTtlSeconds: {
          type: 'integer',
          minimum: 1,
          default: 3600,
          description: 'The TTL, in seconds, that suggestions add. Default: 3600.',
        },
        jitterRatio: {
          type: 'number',
          minimum: 0,
          maximum: 1,
          default: 0.1,
          description: 'The share of the TTL added at random by suggestions, so keys written together do not expire together. Default: 0.1.',
        },
      },
    },
  },
  defaultOptions: { ignoreKeys: [], defaultTtlSeconds: 3600, jitterRatio: 0.1 },
  create(context) {
    const { defaultTtlSeconds, jitterRatio } = context.options;
    const isIgnored = keyMatcher(context.options.ignoreKeys);
    const project = context.project;
    const ttlText: TtlText = (unit) => jitteredTtlText(defaultTtlSeconds, unit, jitterRatio);
    const suggestionData = { seconds: defaultTtlSeconds, jitter: Math.round(jitterRatio * 100) };
    let index: KeyedCommands | undefined;
    const keyed = () => (index ??= new KeyedCommands(context.file.cacheCalls, indexedCommands, project));
    let objectTtlSpelling: boolean | undefined;

    const evidence = new CacheEvidence(context.file, project, dataWords);
    const expiredLater = (key: KeyRef, call: CacheCall) => keyed().find(expireCommands, key, call) !== undefined;
    /**
     * `del(key)` then a write of the same key: the function rebuilds the key wholesale on its own
     * schedule (a refresh job), so the key's lifetime is that function's, not a TTL's.
     */
    const rebuiltHere = (key: KeyRef, call: CacheCall) =>
      keyed().find(deleteCommands, key, call, (other) => other.call.getStart() < call.call.getStart()) !== undefined;
    const isCacheWrite = (call: CacheCall, keys: KeyRef[]) => evidence.judge(call, keys).cache;

    const report = (call: CacheCall, messageId: string, data: Record<string, string>, suggestion: { messageId: string; fix: FixFunction | undefined }) => {
      context.report({
        node: call.commandNode,
        messageId,
        data,
        suggest: suggestion.fix ? [{ messageId: suggestion.messageId, data: suggestionData, fix: suggestion.fix }] : undefined,
      });
    };

    const checkSet = (call: CacheCall) => {
      const options = setOptionsOf(call);
      if (options.expiry.kind !== 'none') return;
      const key = keyRefOf(call.args[0], project);
      if (isIgnored(key) || expiredLater(key, call)) return;
      // `if (ttl) set(key, v, 'EX', ttl) else set(key, v)`: a wrapper that leaves the choice to its callers.
      if (keyed().find(expiringWrites, key, call, (other) => redisRelativeTtl(other) !== undefined)) return;
      if (rebuiltHere(key, call) || !isCacheWrite(call, [key])) return;
      report(call, 'noExpiry', { command: call.command, key: describeKey(key) }, { messageId: 'addExpiry', fix: addExpiryToSet(call, options, ttlText) });
    };

    const checkSetNx = (call: CacheCall) => {
      if (isPassThroughWrapper(call)) return;
      const key = keyRefOf(call.args[0], project);
      if (isIgnored(key) || expiredLater(key, call)) return;
      if (rebuiltHere(key, call) || !isCacheWrite(call, [key])) return;
      report(call, 'noExpiry', { command: call.command, key: describeKey(key) }, { messageId: 'addExpire', fix: addExpireAfter(call, [key], ttlText) });
    };

    const checkMset = (call: CacheCall) => {
      if (isPassThroughWrapper(call)) return;
      const keys = msetKeys(call, project);
      if (!keys) {
        // The keys are built at run time (a Map, an entries array): any expire in the same unit of work counts.
        if (keyed().find(expireCommands, undefined, call) || !isCacheWrite(call, [])) return;
        report(call, 'noExpiryComputedKeys', { command: call.command }, { messageId: 'addExpire', fix: undefined });
        return;
      }
      const unexpired = keys.filter((key) => !isIgnored(key) && !expiredLater(key, call));
      if (unexpired.length === 0 || !isCacheWrite(call, unexpired)) return;
      const shown = unexpired.slice(0, 3).map(describeKey).join('`, `') + (unexpired.length > 3 ? '`, ...' : '');
      report(call, 'noExpiry', { command: call.command, key: shown }, { messageId: 'addExpire', fix: addExpireAfter(call, unexpired, ttlText) });
    };

    const checkCollection = (call: CacheCall, structure: string) => {
      if (isPassThroughWrapper(call)) return;
      const key = keyRefOf(call.args[0], project);
      if (isIgnored(key) || expiredLater(key, call)) return;
      // A list that some code pops is a work queue: its items leave it, it is not a cache entry.
      if (structure === 'list' && isQueueKey(key, project)) return;
      if (rebuiltHere(key, call) || !isCacheWrite(call, [key])) return;
      report(
        call,
        'noExpiryCollection',
        { command: call.command, structure, key: describeKey(key) },
        { messageId: 'addExpire', fix: addExpireAfter(call, [key], ttlText) },
      );
    };

    let legacyNestCache: boolean | undefined;
    const checkStoreWrite = (call: CacheCall) => {
      if (call.client.hasDefaultTtl) return;
      // NestJS 9 and older (CACHE_MANAGER from @nestjs/common) register the cache with a 5 s default TTL.
      legacyNestCache ??= importsLegacyNestCacheToken(context.file.sourceFile);
      if (legacyNestCache && call.client.library === 'cache-manager') return;
      const ttl = storeTtlOf(call);
      if (ttl.kind !== 'missing') return;
      let keys: KeyRef[];
      if (ttl.entriesWithoutTtl) {
        keys = [];
        for (const entry of ttl.entriesWithoutTtl) {
          const keyNode = propertyValue(entry, 'key');
          if (keyNode) keys.push(keyRefOf(keyNode, project));
        }
        if (keys.length === ttl.entriesWithoutTtl.length && keys.every(isIgnored)) return;
      } else {
        keys = call.args[0] ? [keyRefOf(call.args[0], project)] : [];
        if (keys.some(isIgnored)) return;
      }
      if (!isCacheWrite(call, keys)) return;
      objectTtlSpelling ??= usesObjectTtlSpelling(context.file.cacheCalls);
      const shown = keys.length > 0 ? keys.slice(0, 3).map(describeKey).join('`, `') : 'its entries';
      report(
        call,
        'noStoreTtl',
        { command: call.command, key: shown, library: call.client.library },
        { messageId: 'addStoreTtl', fix: addStoreTtl(call, ttl, ttlText, objectTtlSpelling) },
      );
    };

    return {
      cacheCall(call) {
        if (isStoreLibrary(call)) {
          checkStoreWrite(call);
          return;
        }
        if (!isRedisProtocol(call) || !call.args[0]) return;
        if (call.command === 'set') checkSet(call);
        else if (call.command === 'setnx') checkSetNx(call);
        else if (call.command === 'mset' || call.command === 'msetnx') checkMset(call);
        else if (collectionWrites[call.command]) checkCollection(call, collectionWrites[call.command]);
      },
    };
  },
});

function importsLegacyNestCacheToken(file: SourceFile): boolean {
  return file
    .getImportDeclarations()
    .some((declaration) => declaration.getModuleSpecifierValue() === '@nestjs/common' && declaration.getNamedImports().some((named) => named.getName() === 'CACHE_MANAGER'));
}
