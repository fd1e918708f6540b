import { Node, ObjectLiteralExpression } from 'ts-morph';
import type { CacheCall } from '../../clients/cache-calls';
import { unwrap } from '../../clients/client-resolver';
import type { FixFunction } from '../create-rule';
import type { SetOptions, StoreTtl, TimeUnit } from './expiry';
import { indentationOf, isRepeatable, KeyRef, statementOf, statementPrefix } from './key-scope';

/**
 * Edits that give a write an expiry in the spelling its client speaks. They change cache behaviour,
 * so rules offer them as suggestions. Each returns undefined when the edit would not be safe to
 * make mechanically (a shared options constant, a write used as a value, a key with side effects).
 */

/** `ttlText(unit)` is the TTL to write, in seconds or milliseconds. */
export type TtlText = (unit: TimeUnit) => string;

/** Adds EX to a `set`: `'EX', ttl` for positional spellings, `{ EX }` / `{ ex }` / `expiration` for options objects. */
export function addExpiryToSet(call: CacheCall, options: SetOptions, ttlText: TtlText): FixFunction | undefined {
  const value = call.args[1];
  if (!value) return undefined;
  const seconds = ttlText('s');
  if (call.spelling === 'sendCommand') return (fixer) => fixer.insertTextAfter(value, `, 'EX', String(${seconds})`);
  if (call.spelling !== 'method') return (fixer) => fixer.insertTextAfter(value, `, 'EX', ${seconds}`);

  const library = call.client.library;
  const object = options.optionsObject;
  if (object) {
    const property =
      library === 'upstash' ? `ex: ${seconds}` : library === 'node-redis' ? (options.v5Spelling ? `expiration: { type: 'EX', value: ${seconds} }` : `EX: ${seconds}`) : undefined;
    if (!property) return undefined;
    return addProperty(object, property, 'first');
  }
  const extra = call.args.slice(2).filter((arg) => !isCallback(arg));
  if (extra.length > 0) {
    // Options in a shared constant: editing it would change every other write that uses it.
    if (extra.some((arg) => !Node.isStringLiteral(unwrap(arg)) && !Node.isNoSubstitutionTemplateLiteral(unwrap(arg)))) return undefined;
    return (fixer) => fixer.insertTextAfter(value, `, 'EX', ${seconds}`);
  }
  switch (library) {
    case 'node-redis':
      return (fixer) => fixer.insertTextAfter(value, `, { EX: ${seconds} }`);
    case 'upstash':
      return (fixer) => fixer.insertTextAfter(value, `, { ex: ${seconds} }`);
    default:
      return (fixer) => fixer.insertTextAfter(value, `, 'EX', ${seconds}`);
  }
}

function isCallback(node: Node): boolean {
  const inner = unwrap(node);
  return Node.isArrowFunction(inner) || Node.isFunctionExpression(inner);
}

function addProperty(object: ObjectLiteralExpression, property: string, where: 'first' | 'last'): FixFunction {
  const properties = object.getProperties();
  if (properties.length === 0) return (fixer) => fixer.replaceText(object, `{ ${property} }`);
  if (where === 'first') return (fixer) => fixer.insertTextBefore(properties[0], `${property}, `);
  return (fixer) => fixer.insertTextAfter(properties[properties.length - 1], `, ${property}`);
}

/**
 * Adds `expire` for each key after a write that cannot carry an expiry itself (`hset`, `sadd`,
 * `setnx`, `mset`): chained `.expire(...)` on a pipeline/multi, a new entry in an ioredis
 * `pipeline([...])` array, or a following statement for a plain client.
 */
export function addExpireAfter(call: CacheCall, keys: readonly KeyRef[], ttlText: TtlText): FixFunction | undefined {
  if (keys.length === 0 || !keys.every(isRepeatable)) return undefined;
  const seconds = ttlText('s');
  if (call.spelling === 'batchArray') {
    const entry = call.commandNode.getParent();
    if (!entry || !Node.isArrayLiteralExpression(entry)) return undefined;
    return (fixer) => fixer.insertTextAfter(entry, keys.map((key) => `, ['expire', ${key.text}, ${seconds}]`).join(''));
  }
  const callee = unwrap(call.call.getExpression());
  if (!Node.isPropertyAccessExpression(callee) && !Node.isElementAccessExpression(callee)) return undefined;
  const receiver = callee.getExpression().getText();

  if (call.client.batch) {
    if (call.spelling !== 'method') return undefined;
    return (fixer) => fixer.insertTextAfter(call.call, keys.map((key) => `.expire(${key.text}, ${seconds})`).join(''));
  }
  const statement = statementOf(call.call);
  if (!statement) return undefined;
  const prefix = statementPrefix(call.call);
  const semicolon = statement.getText().trimEnd().endsWith(';') ? ';' : '';
  const indent = indentationOf(statement);
  const expireCall = (key: KeyRef): string => {
    switch (call.spelling) {
      case 'call': {
        const method = Node.isPropertyAccessExpression(callee) ? callee.getName() : 'call';
        return `${receiver}.${method}('EXPIRE', ${key.text}, ${seconds})`;
      }
      case 'sendCommand':
        return `${receiver}.sendCommand(['EXPIRE', ${key.text}, String(${seconds})])`;
      default:
        return `${receiver}.expire(${key.text}, ${seconds})`;
    }
  };
  return (fixer) => fixer.insertTextAfter(statement, keys.map((key) => `\n${indent}${prefix}${expireCall(key)}${semicolon}`).join(''));
}

/**
 * Adds a TTL to a cache-manager / keyv write: the third argument in milliseconds (cache-manager 5+,
 * keyv), `{ ttl }` in seconds for files written against cache-manager 4, `ttl` on `mset` entries.
 */
export function addStoreTtl(call: CacheCall, ttl: Extract<StoreTtl, { kind: 'missing' }>, ttlText: TtlText, objectSpelling: boolean): FixFunction | undefined {
  if (ttl.entriesWithoutTtl) {
    const entries = ttl.entriesWithoutTtl;
    return (fixer) =>
      entries.map((entry) => {
        const existing = entry.getProperty('ttl');
        if (Node.isPropertyAssignment(existing)) return fixer.replaceText(existing.getInitializerOrThrow(), ttlText('ms'));
        const properties = entry.getProperties();
        if (properties.length === 0) return fixer.replaceText(entry, `{ ttl: ${ttlText('ms')} }`);
        return fixer.insertTextAfter(properties[properties.length - 1], `, ttl: ${ttlText('ms')}`);
      });
  }
  const third = call.args[2];
  if (third) {
    const inner = unwrap(third);
    if (Node.isObjectLiteralExpression(inner)) {
      const existing = inner.getProperty('ttl');
      const unit: TimeUnit = call.command === 'set' ? 's' : 'ms';
      if (Node.isPropertyAssignment(existing)) return (fixer) => fixer.replaceText(existing.getInitializerOrThrow(), ttlText(unit));
      return addProperty(inner, `ttl: ${ttlText(unit)}`, 'last');
    }
    return (fixer) => fixer.replaceText(third, objectSpelling && call.command === 'set' ? `{ ttl: ${ttlText('s')} }` : ttlText('ms'));
  }
  const last = call.args[1];
  if (!last) return undefined;
  return (fixer) => fixer.insertTextAfter(last, objectSpelling && call.command === 'set' ? `, { ttl: ${ttlText('s')} }` : `, ${ttlText('ms')}`);
}
