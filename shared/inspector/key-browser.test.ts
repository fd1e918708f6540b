import { beforeAll, describe, expect, it } from 'vitest';
import { InspectError, parseRedisUrl } from './connection';
import { listKeys, sortKeys } from './key-list';
import { deleteKey, parseTtlInput, setKeyTtl } from './key-writes';
import type { SpawnedRedis } from './redis-process';
import type { KeyRecord } from './scan';
import { redisTestFixtures } from './testing/servers';

/** The key browser's listing and its two write actions, against a redis-server started here. */
const { server, client } = redisTestFixtures();

function record(name: string, pttlMs: number, memoryBytes: number | null): KeyRecord {
  return { name: Buffer.from(name), type: 'string', pttlMs, memoryBytes, elements: null };
}

describe('sortKeys', () => {
  const keys = [record('b', 5000, 80), record('a', -1, 50), record('c', 90_000, 200), record('d', -1, 60), record('e', 5000, null)];

  it('orders by memory, largest first, unknown memory last', () => {
    expect(sortKeys(keys, 'memory').map((key) => key.name.toString())).toEqual(['c', 'b', 'd', 'a', 'e']);
  });

  it('orders by TTL with keys that never expire first, then the longest TTL', () => {
    expect(sortKeys(keys, 'ttl').map((key) => key.name.toString())).toEqual(['a', 'd', 'c', 'b', 'e']);
  });

  it('orders by name bytewise', () => {
    expect(sortKeys(keys, 'name').map((key) => key.name.toString())).toEqual(['a', 'b', 'c', 'd', 'e']);
  });
});

describe('parseTtlInput', () => {
  it.each([
    ['300', 300],
    ['90s', 90],
    ['15m', 900],
    [' 2h ', 7200],
    ['1D', 86_400],
  ])('reads %j as %i seconds', (text, seconds) => {
    expect(parseTtlInput(text)).toBe(seconds);
  });

  it.each(['', '0', '-5', '1.5', '10 minutes', '5w'])('rejects %j', (text) => {
    expect(parseTtlInput(text)).toBeUndefined();
  });
});

describe('listKeys and the key writes against a live server', () => {
  let redis: SpawnedRedis;

  beforeAll(async () => {
    redis = await server();
    const seed = client(redis.url);
    const pipeline = seed.pipeline();
    for (let index = 0; index < 30; index += 1) pipeline.set(`user:${index}`, 'x'.repeat(10 + index), 'EX', 100 + index);
    pipeline.set('user:forever', 'y');
    pipeline.hset('user:big', Object.fromEntries(Array.from({ length: 200 }, (_, index) => [`field${index}`, 'v'.repeat(20)])));
    for (let index = 0; index < 20; index += 1) pipeline.set(`session:${index}`, 's');
    // A prefix full of SCAN MATCH metacharacters must be matched literally.
    pipeline.set('odd*[x]:1', 'literal');
    pipeline.set('oddA[x]:1', 'not matched by the literal prefix');
    pipeline.set(Buffer.from([0x62, 0x69, 0x6e, 0x3a, 0xff, 0x00, 0x3c]), 'binary');
    await pipeline.exec();
  });

  it('lists every key of a prefix with type, TTL, memory and element count, and nothing outside it', async () => {
    const listing = await listKeys({ url: redis.url, prefix: Buffer.from('user:'), limit: 1000, order: 'memory' });
    expect(listing.complete).toBe(true);
    expect(listing.keys).toHaveLength(32);
    expect(listing.keys.every((key) => key.name.toString().startsWith('user:'))).toBe(true);
    expect(listing.keys[0].name.toString()).toBe('user:big');
    expect(listing.keys[0]).toMatchObject({ type: 'hash', elements: 200, pttlMs: -1 });
    const seeded = listing.keys.find((key) => key.name.toString() === 'user:7');
    expect(seeded).toMatchObject({ type: 'string', elements: 17 });
    expect(seeded!.pttlMs).toBeGreaterThan(100_000);
    expect(seeded!.pttlMs).toBeLessThanOrEqual(107_000);
    const truth = (await client(redis.url).call('MEMORY', 'USAGE', 'user:big')) as number;
    expect(listing.keys[0].memoryBytes).toBe(truth);
  });

  it('sorts by TTL: the keys without a TTL first, then the longest', async () => {
    const listing = await listKeys({ url: redis.url, prefix: Buffer.from('user:'), limit: 1000, order: 'ttl' });
    expect(listing.keys.slice(0, 2).map((key) => key.name.toString()).sort()).toEqual(['user:big', 'user:forever']);
    expect(listing.keys[2].name.toString()).toBe('user:29');
    expect(listing.keys.at(-1)!.name.toString()).toBe('user:0');
  });

  it('stops at the limit and says the listing is a page, not the whole prefix', async () => {
    const listing = await listKeys({ url: redis.url, prefix: Buffer.from('user:'), limit: 5 });
    expect(listing.keys).toHaveLength(5);
    expect(listing.complete).toBe(false);
  });

  it('matches a prefix with glob characters literally and keeps binary names as bytes', async () => {
    const odd = await listKeys({ url: redis.url, prefix: Buffer.from('odd*[x]:'), limit: 100 });
    expect(odd.keys.map((key) => key.name.toString())).toEqual(['odd*[x]:1']);
    const binary = await listKeys({ url: redis.url, prefix: Buffer.from('bin:'), limit: 100 });
    expect(binary.keys.map((key) => [...key.name])).toEqual([[0x62, 0x69, 0x6e, 0x3a, 0xff, 0x00, 0x3c]]);
  });

  it('deletes exactly the key asked for, binary name included, and says when it was already gone', async () => {
    const binaryName = Buffer.from([0x62, 0x69, 0x6e, 0x3a, 0xff, 0x00, 0x3c]);
    expect(await deleteKey({ url: redis.url }, binaryName)).toEqual({ done: true });
    expect(await client(redis.url).exists(binaryName)).toBe(0);
    expect(await client(redis.url).exists('session:1')).toBe(1);
    const again = await deleteKey({ url: redis.url }, binaryName);
    expect(again.done).toBe(false);
    expect(again).toMatchObject({ reason: expect.stringContaining('bin:\\xff\\x00<') });
  });

  it('sets a TTL on an existing key and never creates a missing one', async () => {
    expect(await setKeyTtl({ url: redis.url }, Buffer.from('user:forever'), 600)).toEqual({ done: true });
    const ttl = await client(redis.url).ttl('user:forever');
    expect(ttl).toBeGreaterThan(590);
    expect(ttl).toBeLessThanOrEqual(600);
    const missing = await setKeyTtl({ url: redis.url }, Buffer.from('user:missing'), 600);
    expect(missing.done).toBe(false);
    expect(await client(redis.url).exists('user:missing')).toBe(0);
    await expect(setKeyTtl({ url: redis.url }, Buffer.from('user:1'), 0)).rejects.toBeInstanceOf(InspectError);
  });
});

describe('a password kept apart from the URL', () => {
  it('is used for plain and Sentinel URLs, and wins over one in the URL', async () => {
    expect(parseRedisUrl('redis://cache:6379/0', { password: 'from-secrets' }).options.password).toBe('from-secrets');
    expect(parseRedisUrl('redis://:in-url@cache:6379', { password: 'from-secrets' }).options.password).toBe('from-secrets');
    expect(parseRedisUrl('redis-sentinel://s1:26379,s2:26379#mymaster', { password: 'from-secrets' }).options.password).toBe('from-secrets');
    expect(parseRedisUrl('redis://cache:6379', { password: 'from-secrets' }).display).not.toContain('from-secrets');
  });

  it('opens a server that requires it; without it the listing fails as an authentication error', async () => {
    const secured = await server(['--requirepass', 'pa:ss@word/with#chars']);
    await listKeys({ url: secured.url, connection: { password: 'pa:ss@word/with#chars' }, limit: 10 });
    await expect(listKeys({ url: secured.url, limit: 10 })).rejects.toMatchObject({ kind: 'auth-failed' });
    await expect(setKeyTtl({ url: secured.url, connection: { password: 'wrong' } }, Buffer.from('k'), 5)).rejects.toMatchObject({ kind: 'auth-failed' });
  });
});
