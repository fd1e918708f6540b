import type Redis from 'ioredis';
import { withTimeout } from './connection';

/** Figures from INFO and CONFIG GET; each is absent when the server did not give it. */
export interface ServerFacts {
  version?: string;
  role?: string;
  usedMemory?: number;
  maxmemory?: number;
  maxmemoryPolicy?: string;
  /** The `save` setting; '' means no RDB snapshots. */
  save?: string;
  appendonly?: boolean;
  evictedKeys?: number;
  expiredKeys?: number;
  opsPerSec?: number;
  keyspaceHits?: number;
  keyspaceMisses?: number;
  dbsize?: number;
  /** What could not be read and why (ACL NOPERM, an old server), so the report can say so. */
  unavailable: string[];
}

export function parseInfo(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    if (!line || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return fields;
}

function numberField(fields: Map<string, string>, name: string): number | undefined {
  const value = fields.get(name);
  if (value === undefined) return undefined;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : undefined;
}

function reasonOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0];
}

/** Compares dotted versions numerically: is `version` at least `minimum`? */
export function versionAtLeast(version: string | undefined, minimum: string): boolean {
  if (!version) return false;
  const have = version.split('.').map(Number);
  const want = minimum.split('.').map(Number);
  for (let index = 0; index < want.length; index += 1) {
    const a = have[index] ?? 0;
    const b = want[index] ?? 0;
    if (a !== b) return a > b;
  }
  return true;
}

export interface InfoStats {
  keyspaceHits?: number;
  keyspaceMisses?: number;
}

/** INFO stats alone, read before and after the scan to separate the inspector's own lookups. */
export async function readInfoStats(client: Redis, timeoutMs: number): Promise<InfoStats | undefined> {
  try {
    const fields = parseInfo(await withTimeout(client.info('stats'), timeoutMs, 'INFO stats'));
    return { keyspaceHits: numberField(fields, 'keyspace_hits'), keyspaceMisses: numberField(fields, 'keyspace_misses') };
  } catch (error) {
    if (error instanceof Error && error.name === 'ReplyError') return undefined;
    throw error;
  }
}

/**
 * Reads INFO and CONFIG GET. A ReplyError (usually NOPERM from an ACL) removes only that part of the report;
 * connection failures propagate.
 */
export async function readServerFacts(client: Redis, timeoutMs: number): Promise<ServerFacts> {
  const facts: ServerFacts = { unavailable: [] };
  const attempt = async <T>(what: string, run: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await withTimeout(run(), timeoutMs, what);
    } catch (error) {
      if (error instanceof Error && error.name === 'ReplyError') {
        facts.unavailable.push(`${what}: ${reasonOf(error)}`);
        return undefined;
      }
      throw error;
    }
  };

  const info = await attempt('INFO', () => client.info());
  if (info !== undefined) {
    const fields = parseInfo(info);
    facts.version = fields.get('redis_version');
    facts.role = fields.get('role');
    facts.usedMemory = numberField(fields, 'used_memory');
    facts.evictedKeys = numberField(fields, 'evicted_keys');
    facts.expiredKeys = numberField(fields, 'expired_keys');
    facts.opsPerSec = numberField(fields, 'instantaneous_ops_per_sec');
    facts.keyspaceHits = numberField(fields, 'keyspace_hits');
    facts.keyspaceMisses = numberField(fields, 'keyspace_misses');
  }

  const config = await attempt('CONFIG GET', async () => {
    const values = new Map<string, string>();
    for (const name of ['maxmemory', 'maxmemory-policy', 'save', 'appendonly']) {
      const pair = (await client.config('GET', name)) as string[];
      if (pair.length >= 2) values.set(pair[0], pair[1]);
    }
    return values;
  });
  if (config !== undefined) {
    const maxmemory = config.get('maxmemory');
    facts.maxmemory = maxmemory !== undefined ? Number(maxmemory) : undefined;
    facts.maxmemoryPolicy = config.get('maxmemory-policy');
    facts.save = config.get('save');
    const appendonly = config.get('appendonly');
    facts.appendonly = appendonly === undefined ? undefined : appendonly === 'yes';
  }

  const dbsize = await attempt('DBSIZE', () => client.dbsize());
  if (dbsize !== undefined) facts.dbsize = dbsize;
  return facts;
}
