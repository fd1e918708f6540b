import { Node, SyntaxKind } from 'ts-morph';
import type { CacheCall } from '../clients/cache-calls';
import { createRule } from './create-rule';
import { unwrap } from '../clients/client-resolver';
import { CacheEvidence, ephemeralWords } from './ttl/cache-evidence';
import { constantTtl, defaultedParameterTtl } from './ttl/constant-ttl';
import { isRedisProtocol, isStoreLibrary, propertyValue, redisRelativeTtl, setOptionsOf, storeTtlOf, TtlSite } from './ttl/expiry';
import { addJitter } from './ttl/jitter';
import { KeyedCommands, keyMatcher, KeyRef, keyRefOf } from './ttl/key-scope';

/**
 * A TTL that is the same number on every write makes every key written in the same burst (a cache
 * warm-up, a deploy, a traffic spike after an outage) expire in the same second, and all their
 * reloads hit the database together: a cache avalanche. Random jitter spreads the expiries out.
 */

export interface RequireTtlJitterOptions {
  jitterRatio: number;
  minTtlSeconds: number;
  ignoreKeys: string[];
}

/**
 * Commands whose presence on the same key makes an `expire` a correctness window, not cache
 * freshness: rate-limit counters (`incr` then `expire`), sliding windows, `setnx` locks.
 */
const windowCommands = ['incr', 'incrby', 'incrbyfloat', 'decr', 'decrby', 'hincrby', 'hincrbyfloat', 'zremrangebyscore', 'setnx'];
const indexedCommands = new Set([...windowCommands, 'set']);

export const requireTtlJitter = createRule<RequireTtlJitterOptions>({
  name: 'require-ttl-jitter',
  meta: {
    type: 'suggestion',
    scope: 'file',
    docs: {
      description: 'Require random jitter on constant cache TTLs, so keys written together do not expire together',
      defaultLevel: 'warn',
    },
    messages: {
      constantTtl:
        'TTL is always {{value}}: keys written together expire together and reload from the database at once (cache avalanche). Add random jitter.',
      constantTtlFromCallers:
        'TTL is always {{value}} (every call of `{{helper}}` passes a constant or uses its constant default): keys written together expire together and reload from the database at once (cache avalanche). Add random jitter.',
      constantDefaultTtl:
        'TTL is always {{value}} when callers of `{{helper}}` leave it out (its default): keys written together expire together and reload from the database at once (cache avalanche). Add random jitter to the default.',
      addJitter: 'Add up to {{percent}}% random jitter to the TTL.',
    },
    hasSuggestions: true,
    schema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        jitterRatio: {
          type: 'number',
          exclusiveMinimum: 0,
          maximum: 1,
          default: 0.1,
          description: 'The largest share of the TTL the suggested jitter adds. Default: 0.1 (up to 10%).',
        },
        minTtlSeconds: {
          type: 'number',
          minimum: 0,
          default: 10,
          description:
            'Constant TTLs shorter than this many seconds are not reported: a few seconds is a debounce or an "expire now", and jitter of a share of it is under a second. Default: 10.',
        },
        ignoreKeys: {
          type: 'array',
          items: { type: 'string', minLength: 1 },
          default: [],
          description: 'Glob patterns (picomatch) of keys whose TTL is a validity period rather than freshness, e.g. "otp:*", "session:*". Default: [].',
        },
      },
    },
  },
  defaultOptions: { jitterRatio: 0.1, minTtlSeconds: 10, ignoreKeys: [] },
  create(context) {
    const { jitterRatio, minTtlSeconds } = context.options;
    const isIgnored = keyMatcher(context.options.ignoreKeys);
    const project = context.project;
    let index: KeyedCommands | undefined;
    const keyed = () => (index ??= new KeyedCommands(context.file.cacheCalls, indexedCommands, project));
    const evidence = new CacheEvidence(context.file, project, ephemeralWords);

    /** An `expire` of a key that this unit of work counts with (`incr`) or locks (`setnx`, `set NX`). */
    const isWindowOrLock = (key: KeyRef, call: CacheCall) =>
      keyed().find(windowCommands, key, call) !== undefined ||
      keyed().find(['set'], key, call, (other) => setOptionsOf(other).onlyIfAbsent) !== undefined;

    // A TTL in a shared options constant is reached from every write that uses it: report it once.
    const reported = new Set<Node>();
    const check = (call: CacheCall, site: TtlSite, key: KeyRef | undefined) => {
      if (reported.has(site.node) || (key && isIgnored(key))) return;
      const constant = constantTtl(site.node);
      if (!constant) {
        checkDefault(call, site, key);
        return;
      }
      if (!evidence.judge(call, key ? [key] : [], ttlNames(site.node)).cache) return;
      // Zero or negative TTLs delete the key or mean "no expiry": not a freshness window.
      if (constant.values.some((value) => value <= 0)) return;
      const inSeconds = (value: number) => (site.unit === 'ms' ? value / 1000 : value);
      const longEnough = constant.values.filter((value) => inSeconds(value) >= minTtlSeconds);
      if (longEnough.length === 0) return;
      reported.add(site.node);
      const value = longEnough.map((v) => `${v} ${site.unit}`).join(' or ');
      const helper = constant.helper;
      const jitter = addJitter(constant.expression, constant.values, jitterRatio);
      context.report({
        node: site.node,
        messageId: helper ? 'constantTtlFromCallers' : 'constantTtl',
        data: helper ? { value, helper } : { value },
        related: constant.sources.map((source) => ({ node: source, message: 'The constant TTL is passed here.' })),
        suggest: jitter
          ? [{ messageId: 'addJitter', data: { percent: Math.round(jitterRatio * 100) }, fix: (fixer) => fixer.replaceText(jitter.node, jitter.text) }]
          : undefined,
      });
    };

    const checkDefault = (call: CacheCall, site: TtlSite, key: KeyRef | undefined) => {
      const defaulted = defaultedParameterTtl(site.node);
      if (!defaulted || defaulted.values.some((value) => value <= 0)) return;
      const inSeconds = (value: number) => (site.unit === 'ms' ? value / 1000 : value);
      if (defaulted.values.every((value) => inSeconds(value) < minTtlSeconds)) return;
      if (!evidence.judge(call, key ? [key] : [], ttlNames(site.node)).cache) return;
      reported.add(site.node);
      const jitter = addJitter(unwrap(defaulted.initializer), defaulted.values, jitterRatio);
      context.report({
        node: site.node,
        messageId: 'constantDefaultTtl',
        data: { value: defaulted.values.map((v) => `${v} ${site.unit}`).join(' or '), helper: defaulted.helper },
        related: [{ node: defaulted.initializer, message: 'The default TTL is set here.' }],
        suggest: jitter
          ? [{ messageId: 'addJitter', data: { percent: Math.round(jitterRatio * 100) }, fix: (fixer) => fixer.replaceText(jitter.node, jitter.text) }]
          : undefined,
      });
    };

    return {
      cacheCall(call) {
        if (isRedisProtocol(call)) {
          if (call.command === 'set' && setOptionsOf(call).onlyIfAbsent) return;
          const site = redisRelativeTtl(call);
          if (!site || !call.args[0]) return;
          const key = keyRefOf(call.args[0], project);
          if ((call.command === 'expire' || call.command === 'pexpire') && isWindowOrLock(key, call)) return;
          check(call, site, key);
          return;
        }
        if (isStoreLibrary(call)) {
          const ttl = storeTtlOf(call);
          if (ttl.kind !== 'present') return;
          for (const site of ttl.sites) {
            const keyNode = call.command === 'mset' ? msetEntryKey(site.node) : call.args[0];
            check(call, site, keyNode ? keyRefOf(keyNode, project) : undefined);
          }
        }
      },
    };
  },
});

/** What the code calls a TTL (`ONBOARDING_WINDOW_SECONDS`, `this.lockTimeout`): a window or a lease is not freshness. */
function ttlNames(ttl: Node): string[] {
  const inner = unwrap(ttl);
  if (Node.isIdentifier(inner)) return [inner.getText()];
  // `CacheTTL.ONE_DAY`, `CACHE.ttl.product`: the object the TTL comes from names it too.
  if (Node.isPropertyAccessExpression(inner)) return [inner.getText().replace(/^this\./, '')];
  return [];
}

/** The `key` of the cache-manager `mset` entry a TTL belongs to. */
function msetEntryKey(ttl: Node): Node | undefined {
  const entry = ttl.getFirstAncestorByKind(SyntaxKind.ObjectLiteralExpression);
  return entry ? propertyValue(entry, 'key') : undefined;
}
