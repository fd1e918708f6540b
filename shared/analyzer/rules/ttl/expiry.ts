import { Node, ObjectLiteralExpression } from 'ts-morph';
import type { CacheCall } from '../../clients/cache-calls';
import { unwrap } from '../../clients/client-resolver';
import { constantDeclaration, constantString } from '../../values/constant-value';

/**
 * How each client spells an expiry. Redis-protocol clients take SET options as positional tokens
 * (ioredis `set(k, v, 'EX', 60, 'NX')`, `call('SET', ...)`, `sendCommand([...])`) or as an options
 * object (node-redis `{ EX: 60 }` / v5 `{ expiration: { type: 'EX', value: 60 } }`, upstash
 * `{ ex: 60 }`); cache-manager and keyv take a TTL argument in milliseconds (cache-manager 4: an
 * options object `{ ttl }` in seconds).
 */

export type TimeUnit = 's' | 'ms';

/** A TTL expression as the code writes it. */
export interface TtlSite {
  node: Node;
  unit: TimeUnit;
}

export type ExpiryState =
  /** A relative TTL (EX/PX, setex, a cache-manager ttl). */
  | { kind: 'relative'; site: TtlSite }
  /** An absolute expiry time (EXAT/PXAT). */
  | { kind: 'absolute'; site: TtlSite }
  /** KEEPTTL: the write keeps whatever expiry the key had. */
  | { kind: 'keep' }
  | { kind: 'none' }
  /** The options are not readable statically (a variable, a spread, a computed token): assume the author set them. */
  | { kind: 'unknown' };

export interface SetOptions {
  expiry: ExpiryState;
  /** NX (`'NX'`, `{ NX: true }`, `{ condition: 'NX' }`, `{ nx: true }`): the write only creates the key. */
  onlyIfAbsent: boolean;
  /** The options object literal written in the call (node-redis / upstash spelling). */
  optionsObject?: ObjectLiteralExpression;
  /** The options object uses node-redis v5 names (`expiration`, `condition`). */
  v5Spelling: boolean;
}

export const redisProtocolLibraries: ReadonlySet<string> = new Set(['ioredis', 'node-redis', 'upstash', 'custom']);

export function isRedisProtocol(call: CacheCall): boolean {
  return redisProtocolLibraries.has(call.client.library);
}

export function isStoreLibrary(call: CacheCall): boolean {
  return call.client.library === 'cache-manager' || call.client.library === 'keyv';
}

/** Commands that give an existing key a relative or absolute expiry. */
export const expireCommands: ReadonlySet<string> = new Set([
  'expire',
  'pexpire',
  'expireat',
  'pexpireat',
  'hexpire',
  'hpexpire',
  'hexpireat',
  'hpexpireat',
]);

const positionalExpiryTokens: Record<string, { unit: TimeUnit; absolute: boolean }> = {
  EX: { unit: 's', absolute: false },
  PX: { unit: 'ms', absolute: false },
  EXAT: { unit: 's', absolute: true },
  PXAT: { unit: 'ms', absolute: true },
};
/** SET flags that carry no value. */
const positionalFlags = new Set(['XX', 'GET']);
/** Redis 8.4 conditional SET tokens, each followed by the value they compare with. */
const positionalConditionsWithValue = new Set(['IFEQ', 'IFNE', 'IFDEQ', 'IFDNE']);

/** The SET options of a `set` call (arguments after the value), in any client's spelling. */
export function setOptionsOf(call: CacheCall): SetOptions {
  const options: SetOptions = { expiry: { kind: 'none' }, onlyIfAbsent: false, v5Spelling: false };
  const rest = call.args.slice(2);
  if (call.args.length < 2 || call.args.some((arg) => Node.isSpreadElement(arg))) {
    return { ...options, expiry: { kind: 'unknown' } };
  }
  const expiryUnknown = () => {
    if (options.expiry.kind === 'none') options.expiry = { kind: 'unknown' };
  };
  for (let index = 0; index < rest.length; index++) {
    const arg = unwrap(rest[index]);
    if (Node.isArrowFunction(arg) || Node.isFunctionExpression(arg)) continue; // ioredis callback
    const token = constantString(arg)?.toUpperCase();
    if (token !== undefined) {
      const expiry = positionalExpiryTokens[token];
      if (expiry) {
        const value = rest[index + 1];
        if (!value) return { ...options, expiry: { kind: 'unknown' } };
        options.expiry = { kind: expiry.absolute ? 'absolute' : 'relative', site: { node: value, unit: expiry.unit } };
        index++;
      } else if (token === 'KEEPTTL') {
        options.expiry = { kind: 'keep' };
      } else if (token === 'NX') {
        options.onlyIfAbsent = true;
      } else if (positionalConditionsWithValue.has(token)) {
        index++;
      } else if (!positionalFlags.has(token)) {
        expiryUnknown();
      }
      continue;
    }
    const object = objectLiteralBehind(arg);
    if (object) {
      if (object === arg) options.optionsObject = object;
      readOptionsObject(object, options);
      continue;
    }
    // A token or options held in a variable that cannot be read statically.
    expiryUnknown();
  }
  return options;
}

/** An object literal written in place or held by a `const` (`const LOCK = { NX: true, PX: 30_000 }`). */
function objectLiteralBehind(node: Node): ObjectLiteralExpression | undefined {
  if (Node.isObjectLiteralExpression(node)) return node;
  if (Node.isIdentifier(node) || Node.isPropertyAccessExpression(node)) {
    const declaration = constantDeclaration(node);
    const value = declaration ? unwrap(declaration) : undefined;
    if (value && Node.isObjectLiteralExpression(value)) return value;
  }
  return undefined;
}

function readOptionsObject(object: ObjectLiteralExpression, options: SetOptions): void {
  let opaque = false;
  for (const property of object.getProperties()) {
    if (Node.isSpreadAssignment(property)) {
      opaque = true;
      continue;
    }
    if (!Node.isPropertyAssignment(property) && !Node.isShorthandPropertyAssignment(property)) continue;
    const nameNode = property.getNameNode();
    if (Node.isComputedPropertyName(nameNode)) {
      opaque = true;
      continue;
    }
    const name = property.getName().replace(/^['"]|['"]$/g, '');
    const value = Node.isPropertyAssignment(property) ? property.getInitializerOrThrow() : property.getNameNode();
    const upper = name.toUpperCase();
    const expiry = positionalExpiryTokens[upper];
    if (expiry) {
      if (isUndefinedLiteral(value)) continue;
      options.expiry = { kind: expiry.absolute ? 'absolute' : 'relative', site: { node: value, unit: expiry.unit } };
    } else if (upper === 'KEEPTTL') {
      if (!isFalseLiteral(value)) options.expiry = { kind: 'keep' };
    } else if (upper === 'NX') {
      if (!isFalseLiteral(value)) options.onlyIfAbsent = true;
    } else if (name === 'condition') {
      options.v5Spelling = true;
      if (constantString(value)?.toUpperCase() === 'NX') options.onlyIfAbsent = true;
    } else if (name === 'expiration') {
      options.v5Spelling = true;
      options.expiry = expirationOption(value);
    }
  }
  if (opaque && options.expiry.kind === 'none') options.expiry = { kind: 'unknown' };
}

/** node-redis v5 `expiration: { type: 'EX', value: 60 }` or `expiration: 'KEEPTTL'`. */
function expirationOption(value: Node): ExpiryState {
  const inner = unwrap(value);
  if (isUndefinedLiteral(inner)) return { kind: 'none' };
  if (constantString(inner)?.toUpperCase() === 'KEEPTTL') return { kind: 'keep' };
  const object = objectLiteralBehind(inner);
  if (!object) return { kind: 'unknown' };
  const typeProperty = object.getProperty('type');
  const type = Node.isPropertyAssignment(typeProperty) ? constantString(typeProperty.getInitializerOrThrow())?.toUpperCase() : undefined;
  if (type === 'KEEPTTL') return { kind: 'keep' };
  const expiry = type ? positionalExpiryTokens[type] : undefined;
  const valueProperty = object.getProperty('value');
  const valueNode = Node.isPropertyAssignment(valueProperty)
    ? valueProperty.getInitializerOrThrow()
    : Node.isShorthandPropertyAssignment(valueProperty)
      ? valueProperty.getNameNode()
      : undefined;
  if (!expiry || !valueNode) return { kind: 'unknown' };
  return { kind: expiry.absolute ? 'absolute' : 'relative', site: { node: valueNode, unit: expiry.unit } };
}

function isUndefinedLiteral(node: Node): boolean {
  const inner = unwrap(node);
  return Node.isIdentifier(inner) && inner.getText() === 'undefined';
}

function isFalseLiteral(node: Node): boolean {
  return Node.isFalseLiteral(unwrap(node));
}

/** The relative TTL a Redis-protocol command sets (`set ... EX`, `setex`, `expire`), if any. */
export function redisRelativeTtl(call: CacheCall): TtlSite | undefined {
  switch (call.command) {
    case 'set': {
      const expiry = setOptionsOf(call).expiry;
      return expiry.kind === 'relative' ? expiry.site : undefined;
    }
    case 'setex':
    case 'expire':
      return call.args[1] ? { node: call.args[1], unit: 's' } : undefined;
    case 'psetex':
    case 'pexpire':
      return call.args[1] ? { node: call.args[1], unit: 'ms' } : undefined;
    default:
      return undefined;
  }
}

/** What a cache-manager / keyv write says about its TTL. */
export type StoreTtl =
  | { kind: 'present'; sites: TtlSite[] }
  /** The write has no TTL; `entriesWithoutTtl` lists cache-manager `mset` entries that lack one. */
  | { kind: 'missing'; entriesWithoutTtl?: ObjectLiteralExpression[] }
  /** An explicit `0`: the author asked for an entry that never expires. */
  | { kind: 'explicitNoExpiry' }
  | { kind: 'notAWrite' }
  | { kind: 'unknown' };

/** The store writes that take a TTL: `set(key, value, ttl)`, `wrap(key, fn, ttl)`, `mset([{ key, value, ttl }])`. */
export function storeTtlOf(call: CacheCall): StoreTtl {
  const command = call.command;
  if (command === 'set' || (command === 'wrap' && call.client.library === 'cache-manager')) {
    if (call.args.length < 2 || call.args.some((arg) => Node.isSpreadElement(arg))) return { kind: 'unknown' };
    const ttl = call.args[2];
    if (!ttl || isUndefinedLiteral(ttl)) return { kind: 'missing' };
    return ttlArgument(ttl, command === 'set' ? 's' : 'ms');
  }
  if (command === 'mset' && call.client.library === 'cache-manager') {
    const list = call.args[0] ? unwrap(call.args[0]) : undefined;
    if (!list || !Node.isArrayLiteralExpression(list)) return { kind: 'unknown' };
    const sites: TtlSite[] = [];
    const missing: ObjectLiteralExpression[] = [];
    for (const element of list.getElements()) {
      const entry = unwrap(element);
      if (!Node.isObjectLiteralExpression(entry)) return { kind: 'unknown' };
      if (entry.getProperties().some((property) => Node.isSpreadAssignment(property))) return { kind: 'unknown' };
      const ttl = propertyValue(entry, 'ttl');
      if (!ttl || isUndefinedLiteral(ttl)) missing.push(entry);
      else sites.push({ node: ttl, unit: 'ms' });
    }
    if (missing.length > 0) return { kind: 'missing', entriesWithoutTtl: missing };
    return sites.length > 0 ? { kind: 'present', sites } : { kind: 'unknown' };
  }
  return { kind: 'notAWrite' };
}

/** A TTL argument: a number of milliseconds, or an options object `{ ttl }` (seconds in cache-manager 4's `set`). */
function ttlArgument(ttl: Node, objectUnit: TimeUnit): StoreTtl {
  const inner = unwrap(ttl);
  if (Node.isNumericLiteral(inner) && inner.getLiteralValue() === 0) return { kind: 'explicitNoExpiry' };
  const object = objectLiteralBehind(inner);
  if (object) {
    if (object.getProperties().some((property) => Node.isSpreadAssignment(property))) return { kind: 'unknown' };
    const value = propertyValue(object, 'ttl');
    if (!value || isUndefinedLiteral(value)) return { kind: 'missing' };
    const valueInner = unwrap(value);
    if (Node.isNumericLiteral(valueInner) && valueInner.getLiteralValue() === 0) return { kind: 'explicitNoExpiry' };
    return { kind: 'present', sites: [{ node: value, unit: objectUnit }] };
  }
  return { kind: 'present', sites: [{ node: ttl, unit: 'ms' }] };
}

export function propertyValue(object: ObjectLiteralExpression, name: string): Node | undefined {
  const property = object.getProperty(name);
  if (Node.isPropertyAssignment(property)) return property.getInitializerOrThrow();
  if (Node.isShorthandPropertyAssignment(property)) return property.getNameNode();
  return undefined;
}

/** True when a file spells cache-manager TTLs the version-4 way: `set(key, value, { ttl })` in seconds. */
export function usesObjectTtlSpelling(calls: readonly CacheCall[]): boolean {
  return calls.some((call) => {
    if (call.client.library !== 'cache-manager' || call.command !== 'set') return false;
    const ttl = call.args[2] ? unwrap(call.args[2]) : undefined;
    return Boolean(ttl && Node.isObjectLiteralExpression(ttl) && propertyValue(ttl, 'ttl'));
  });
}
