import type Redis from 'ioredis';
import { ConnectionSettings, ConnectionTimeouts, defaultTimeouts, InspectError, openConnection, parseRedisUrl, withTimeout } from './connection';
import { renderNameForTerminal } from './key-names';

/**
 * The only commands CacheScope ever sends that change a Redis: one key at a time, on the user's explicit
 * request. Nothing in the inspection path imports this module; the editor offers these actions only behind
 * a setting that is off by default, and after a confirmation naming the key and the server.
 */

export type KeyWriteResult = { done: true } | { done: false; reason: string };

/** Where and how to connect: the URL, TLS settings beyond it, and timeouts. */
export interface KeyWriteTarget {
  url: string;
  connection?: ConnectionSettings;
  timeouts?: ConnectionTimeouts;
}

/** Deletes one key with UNLINK (the memory is freed in the background, so a big key does not block the server). */
export async function deleteKey(where: KeyWriteTarget, name: Buffer): Promise<KeyWriteResult> {
  return await withClient(where, async (client, target, timeouts) => {
    const removed = (await withTimeout(client.call('UNLINK', name), timeouts.commandTimeoutMs, `${target} (UNLINK)`)) as number;
    return removed === 1 ? { done: true } : { done: false, reason: `${renderNameForTerminal(name)} no longer exists on ${target}` };
  });
}

/**
 * Sets a key's time to live with EXPIRE, which only touches an existing key (it never creates one). Seconds
 * must be a positive integer; removing a TTL is not offered, since a key without one is what the inspector
 * warns about.
 */
export async function setKeyTtl(where: KeyWriteTarget, name: Buffer, seconds: number): Promise<KeyWriteResult> {
  if (!Number.isSafeInteger(seconds) || seconds <= 0) {
    throw new InspectError('bad-url', `a TTL must be a whole number of seconds above 0, not ${String(seconds)}`);
  }
  return await withClient(where, async (client, target, timeouts) => {
    const set = (await withTimeout(client.call('EXPIRE', name, String(seconds)), timeouts.commandTimeoutMs, `${target} (EXPIRE)`)) as number;
    return set === 1 ? { done: true } : { done: false, reason: `${renderNameForTerminal(name)} no longer exists on ${target}` };
  });
}

/** Parses what a person types as a TTL: `300`, `90s`, `15m`, `2h`, `1d`; undefined when it is not one. */
export function parseTtlInput(text: string): number | undefined {
  const match = /^\s*(\d+)\s*([smhd]?)\s*$/i.exec(text);
  if (!match) return undefined;
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86_400 }[match[2].toLowerCase() as '' | 's' | 'm' | 'h' | 'd'];
  const seconds = Number(match[1]) * unit;
  return Number.isSafeInteger(seconds) && seconds > 0 ? seconds : undefined;
}

async function withClient<T>(where: KeyWriteTarget, use: (client: Redis, target: string, timeouts: ConnectionTimeouts) => Promise<T>): Promise<T> {
  const target = parseRedisUrl(where.url, where.connection);
  const timeouts = where.timeouts ?? defaultTimeouts;
  const client = await openConnection(target, timeouts);
  try {
    return await use(client, target.display, timeouts);
  } finally {
    client.disconnect();
  }
}
