import { Node } from 'ts-morph';
import type { CacheCall } from '../clients/cache-calls';
import { unwrap } from '../clients/client-resolver';
import {
  deleteCommands,
  fillCommands,
  firstKeyDeleteCommands,
  multiKeyReadCommands,
  onlyIfAbsentCommands,
  readCommands,
} from '../clients/command-kinds';
import type { FileModel } from '../engine/models';
import { locationOf } from '../engine/text-positions';
import { isRedisProtocol, isStoreLibrary, redisRelativeTtl, setOptionsOf, storeTtlOf } from '../rules/ttl/expiry';
import { constantNumber } from '../values/constant-value';
import type { KeySite, KeyAccess } from '../types';

/**
 * The key index: every place a file names a cache key of a known family, with what the command does
 * to that entry and the TTL the code writes there. Editors show it on hover ("who else reads,
 * writes or invalidates `product:{id}`?"), and it is what a live keyspace can be joined against.
 */

/** Redis commands that change a key's value without being the cache fill the rules reason about. */
const otherWriteCommands = new Set([
  'incr', 'incrby', 'incrbyfloat', 'decr', 'decrby', 'hincrby', 'hincrbyfloat', 'append', 'setrange', 'mset',
  'sadd', 'srem', 'spop', 'zadd', 'zrem', 'zincrby', 'zremrangebyscore', 'zremrangebyrank', 'lpush', 'rpush',
  'lpop', 'rpop', 'lset', 'ltrim', 'lrem', 'xadd', 'xtrim', 'pfadd', 'json.del', 'json.arrappend',
]);
const otherReadCommands = new Set([
  'exists', 'has', 'strlen', 'hexists', 'hlen', 'hkeys', 'hvals', 'hscan', 'smembers', 'sismember', 'smismember',
  'scard', 'srandmember', 'sscan', 'zrange', 'zrangebyscore', 'zrevrange', 'zrevrangebyscore', 'zscore', 'zcard',
  'zcount', 'zrank', 'zrevrank', 'zscan', 'lrange', 'llen', 'lindex', 'getrange', 'xrange', 'xrevrange', 'xlen',
  'pfcount', 'ttl', 'pttl', 'type',
]);
const expiryCommands = new Set(['expire', 'pexpire', 'expireat', 'pexpireat', 'persist']);

export function collectKeySites(file: FileModel): KeySite[] {
  const sites: KeySite[] = [];
  for (const call of file.cacheCalls) {
    const described = describeCall(call);
    if (!described) continue;
    for (const keyNode of described.keys) {
      const family = file.project.keys.familyOf(keyNode);
      if (!family) continue;
      const sourceFile = keyNode.getSourceFile();
      const start = keyNode.getStart();
      const end = keyNode.getEnd();
      sites.push({
        filePath: file.filePath,
        range: [start, end],
        location: locationOf(sourceFile, start, end),
        callRange: [call.call.getStart(), call.call.getEnd()],
        family,
        access: described.access,
        command: call.command,
        library: call.client.library,
        ttl: described.ttl,
      });
    }
  }
  return sites;
}

interface DescribedCall {
  access: KeyAccess;
  keys: Node[];
  ttl?: string;
}

function describeCall(call: CacheCall): DescribedCall | undefined {
  const { command, args } = call;
  const first = args[0];
  if (!first || Node.isSpreadElement(first)) return undefined;
  if (command === 'wrap' && !isRedisProtocol(call)) return { access: 'read-through', keys: [first], ttl: storeTtlText(call) };
  if (isStoreLibrary(call) && command === 'set') return { access: 'write', keys: [first], ttl: storeTtlText(call) };
  if (fillCommands.has(command) || onlyIfAbsentCommands.has(command)) return { access: 'write', keys: [first], ttl: redisTtlText(call) };
  if (readCommands.has(command)) return { access: 'read', keys: multiKeyReadCommands.has(command) ? keyLeaves(args) : [first] };
  if (deleteCommands.has(command)) return { access: 'invalidate', keys: keyLeaves(args.filter((arg) => !isFunctionValue(arg))) };
  if (firstKeyDeleteCommands.has(command)) return { access: 'invalidate', keys: [first] };
  if (expiryCommands.has(command)) {
    const seconds = args[1] ? constantNumber(args[1]) : undefined;
    if (seconds !== undefined && seconds <= 0 && (command === 'expire' || command === 'pexpire')) return { access: 'invalidate', keys: [first] };
    return { access: 'expire', keys: [first], ttl: expiryText(call) };
  }
  if (otherWriteCommands.has(command)) return command === 'mset' ? undefined : { access: 'write', keys: [first] };
  if (otherReadCommands.has(command)) return { access: 'read', keys: [first] };
  return undefined;
}

/** Array and spread arguments of multi-key commands stand for each of their elements. */
function keyLeaves(args: Node[]): Node[] {
  const leaves: Node[] = [];
  for (const arg of args) {
    const expression = unwrap(Node.isSpreadElement(arg) ? arg.getExpression() : arg);
    if (Node.isArrayLiteralExpression(expression)) leaves.push(...keyLeaves(expression.getElements()));
    else leaves.push(expression);
  }
  return leaves;
}

function isFunctionValue(node: Node): boolean {
  const inner = unwrap(node);
  return Node.isArrowFunction(inner) || Node.isFunctionExpression(inner);
}

function compact(text: string): string {
  const single = text.replace(/\s+/g, ' ').trim();
  return single.length > 48 ? `${single.slice(0, 45)}...` : single;
}

/** `EX 3600`, `PX ttlMs`, `no TTL in this call`: the expiry a Redis write sets, as written. */
function redisTtlText(call: CacheCall): string | undefined {
  if (!isRedisProtocol(call)) return undefined;
  if (call.command === 'set') {
    const expiry = setOptionsOf(call).expiry;
    switch (expiry.kind) {
      case 'relative':
        return `${expiry.site.unit === 's' ? 'EX' : 'PX'} ${compact(expiry.site.node.getText())}`;
      case 'absolute':
        return `${expiry.site.unit === 's' ? 'EXAT' : 'PXAT'} ${compact(expiry.site.node.getText())}`;
      case 'keep':
        return 'KEEPTTL (keeps the existing expiry)';
      case 'none':
        return 'no TTL in this call';
      default:
        return 'not readable statically';
    }
  }
  const relative = redisRelativeTtl(call);
  if (relative) return `${relative.unit === 's' ? 'EX' : 'PX'} ${compact(relative.node.getText())}`;
  if (call.command === 'getset') return 'no TTL in this call (GETSET clears the expiry)';
  return undefined;
}

function expiryText(call: CacheCall): string | undefined {
  const value = call.args[1];
  if (call.command === 'persist') return 'PERSIST (removes the expiry)';
  if (!value) return undefined;
  const token = call.command.startsWith('p') ? (call.command.endsWith('at') ? 'PXAT' : 'PX') : call.command.endsWith('at') ? 'EXAT' : 'EX';
  return `${token} ${compact(value.getText())}`;
}

/** A cache-manager / keyv write's TTL argument, as written, with its unit. */
function storeTtlText(call: CacheCall): string | undefined {
  const ttl = storeTtlOf(call);
  switch (ttl.kind) {
    case 'present':
      return ttl.sites.map((site) => `${compact(site.node.getText())} ${site.unit}`).join(', ');
    case 'missing':
      return "no TTL argument (the store's default applies)";
    case 'explicitNoExpiry':
      return '0 (never expires)';
    case 'unknown':
      return 'not readable statically';
    default:
      return undefined;
  }
}
