import { describe, expect, it } from 'vitest';
import { InspectError, parseRedisUrl } from './connection';
import { densestExpiryWindow, prefixesOf } from './keyspace';
import { renderNameForJson, renderNameForTerminal } from './key-names';

describe('parseRedisUrl', () => {
  it('reads credentials, database and TLS without showing the password', () => {
    const plain = parseRedisUrl('redis://app:s3cr%40t@cache.internal:6380/4');
    expect(plain.options).toMatchObject({ host: 'cache.internal', port: 6380, username: 'app', password: 's3cr@t', db: 4 });
    expect(plain.options.tls).toBeUndefined();
    expect(plain.display).toBe('redis://cache.internal:6380/4');
    const tls = parseRedisUrl('rediss://:pw@secure.example.com');
    expect(tls.options).toMatchObject({ host: 'secure.example.com', port: 6379, password: 'pw', tls: { servername: 'secure.example.com' } });
    expect(tls.display).not.toContain('pw');
    const socket = parseRedisUrl('unix:///var/run/redis.sock?db=2');
    expect(socket.options).toMatchObject({ path: '/var/run/redis.sock', db: 2 });
    expect(socket.display).toBe('unix:///var/run/redis.sock?db=2');
  });

  it('rejects other schemes, missing hosts and bad database numbers as bad-url', () => {
    for (const url of ['http://host:6379', 'localhost:6379', 'redis://host/x', 'unix://']) {
      expect(() => parseRedisUrl(url), url).toThrow(InspectError);
      try {
        parseRedisUrl(url);
      } catch (error) {
        expect((error as InspectError).kind).toBe('bad-url');
      }
    }
  });
});

describe('key names and prefixes', () => {
  it('splits prefixes on a multi-byte delimiter, up to the depth, ignoring a trailing delimiter', () => {
    const names = (key: string, delimiter: string, depth: number) => prefixesOf(Buffer.from(key), Buffer.from(delimiter), depth).map(String);
    expect(names('a:b:c:d', ':', 2)).toEqual(['a:', 'a:b:']);
    expect(names('a::b', '::', 3)).toEqual(['a::']);
    expect(names('a:b:', ':', 3)).toEqual(['a:']);
    expect(names('plain', ':', 2)).toEqual([]);
  });

  it('renders invalid UTF-8 reversibly and keeps valid text readable', () => {
    expect(renderNameForJson(Buffer.from('caf\u00e9:1'))).toEqual({ text: 'caf\u00e9:1' });
    expect(renderNameForJson(Buffer.from([0x61, 0x5c, 0xc3]))).toEqual({ text: 'a\\\\\\xc3', base64: Buffer.from([0x61, 0x5c, 0xc3]).toString('base64') });
    expect(renderNameForTerminal(Buffer.from('caf\u00e9\u202e\u0007'))).toBe('caf\u00e9\\u{202e}\\x07');
  });

  it('finds the densest expiry window', () => {
    const now = 1_000_000;
    const spread = Array.from({ length: 100 }, (_, i) => now + i * 10_000);
    const clustered = [...spread, ...Array.from({ length: 80 }, (_, i) => now + 500_000 + i * 100)];
    expect(densestExpiryWindow(spread, 60_000)?.keys).toBe(7);
    expect(densestExpiryWindow(clustered, 60_000)).toMatchObject({ from: now + 450_000, keys: 87, ttlKeys: 180 });
    expect(densestExpiryWindow([], 60_000)).toBeUndefined();
  });
});
