import { describe, expect, it } from 'vitest';
import { ownLookupTotals, ownLookupTotalsBefore, recordOwnLookups, serverKey } from './own-lookups';

describe('own-lookups ledger', () => {
  it('adds up what is recorded per server and returns copies', () => {
    const target = 'redis://127.0.0.1:59001';
    expect(ownLookupTotals(target)).toEqual({ hits: 0, misses: 0 });
    recordOwnLookups(target, 3, 1);
    const baseline = ownLookupTotals(target);
    recordOwnLookups(target, 2, 5);
    expect(baseline).toEqual({ hits: 3, misses: 1 });
    expect(ownLookupTotals(target)).toEqual({ hits: 5, misses: 6 });
    expect(ownLookupTotals('redis://127.0.0.1:59002')).toEqual({ hits: 0, misses: 0 });
  });

  it('counts every database of a server together, because INFO stats is per server', () => {
    expect(serverKey('redis://127.0.0.1:59003/2')).toBe('redis://127.0.0.1:59003');
    expect(serverKey('rediss://cache.example.com:6380/0')).toBe('rediss://cache.example.com:6380');
    expect(serverKey('unix:///run/redis.sock?db=1')).toBe('unix:///run/redis.sock');
    recordOwnLookups('redis://127.0.0.1:59003/2', 4, 0);
    recordOwnLookups('redis://127.0.0.1:59003', 1, 1);
    expect(ownLookupTotals('redis://127.0.0.1:59003/5')).toEqual({ hits: 5, misses: 1 });
  });

  it('answers what had been recorded before a time, to the second', () => {
    const target = 'redis://127.0.0.1:59004';
    const start = Date.parse('2026-01-01T00:00:00Z');
    recordOwnLookups(target, 10, 1, start + 200);
    recordOwnLookups(target, 5, 0, start + 900);
    recordOwnLookups(target, 7, 2, start + 3500);
    expect(ownLookupTotalsBefore(target, start)).toEqual({ hits: 0, misses: 0 });
    expect(ownLookupTotalsBefore(target, start + 1000)).toEqual({ hits: 15, misses: 1 });
    expect(ownLookupTotalsBefore(target, start + 3999)).toEqual({ hits: 15, misses: 1 });
    expect(ownLookupTotalsBefore(target, start + 4000)).toEqual({ hits: 22, misses: 3 });
    expect(ownLookupTotals(target)).toEqual({ hits: 22, misses: 3 });
  });
});
