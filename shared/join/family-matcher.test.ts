import { describe, expect, it } from 'vitest';
import { FamilyMatcher } from './family-matcher';
import { evaluateArithmetic, writtenTtl } from './ttl-text';

const families = ['product:*', 'product:*:reviews', 'user:*:profile', 'home:rail', 'cart:*', '*:lock'].map((pattern) => ({ pattern }));
const matchOf = (matcher: FamilyMatcher<{ pattern: string }>, name: string | Buffer) => matcher.match(typeof name === 'string' ? Buffer.from(name) : name)?.pattern;

describe('FamilyMatcher', () => {
  const matcher = new FamilyMatcher(families);

  it('matches a key to the family with the most literal text', () => {
    expect(matchOf(matcher, 'product:42')).toBe('product:*');
    expect(matchOf(matcher, 'product:42:reviews')).toBe('product:*:reviews');
    expect(matchOf(matcher, 'product:')).toBe('product:*');
    expect(matchOf(matcher, 'user:7:profile')).toBe('user:*:profile');
    expect(matchOf(matcher, 'home:rail')).toBe('home:rail');
    expect(matchOf(matcher, 'job:9:lock')).toBe('*:lock');
  });

  it('anchors both ends and needs every literal part in order', () => {
    expect(matchOf(matcher, 'user:7:profile:extra')).toBeUndefined();
    expect(matchOf(matcher, 'user:profile')).toBeUndefined();
    expect(matchOf(matcher, 'home:rails')).toBeUndefined();
    expect(matchOf(matcher, 'xproduct:1')).toBeUndefined();
    expect(matchOf(matcher, 'cart')).toBeUndefined();
  });

  it('compares bytes, so keys that are not UTF-8 still match their family', () => {
    expect(matchOf(matcher, Buffer.concat([Buffer.from('cart:'), Buffer.from([0xff, 0x00, 0xfe])]))).toBe('cart:*');
  });

  it('treats a * the code wrote literally as a wildcard too (it can only widen the family)', () => {
    const literalStar = new FamilyMatcher([{ pattern: 'search:*:*' }]);
    expect(matchOf(literalStar, 'search:a*b:1')).toBe('search:*:*');
    expect(matchOf(literalStar, 'search:ab')).toBeUndefined();
  });

  it('strips a client key prefix first, and ignores keys without it', () => {
    const prefixed = new FamilyMatcher(families, 'shop:');
    expect(matchOf(prefixed, 'shop:product:1')).toBe('product:*');
    expect(matchOf(prefixed, 'product:1')).toBeUndefined();
    expect(matchOf(prefixed, 'shop:')).toBeUndefined();
  });
});

describe('writtenTtl', () => {
  it('reads constant TTLs in seconds, whatever the unit and spelling', () => {
    expect(writtenTtl('EX 3600')).toEqual({ kind: 'fixed', seconds: 3600 });
    expect(writtenTtl('PX 60_000')).toEqual({ kind: 'fixed', seconds: 60 });
    expect(writtenTtl('EX 24 * (60 * 60)')).toEqual({ kind: 'fixed', seconds: 86400 });
    expect(writtenTtl('300 s')).toEqual({ kind: 'fixed', seconds: 300 });
    expect(writtenTtl('5000 ms')).toEqual({ kind: 'fixed', seconds: 5 });
  });

  it('tells TTLs computed at run time, absent ones and the rest apart', () => {
    expect(writtenTtl('EX 3600 + Math.floor(Math.random() * 360)')).toEqual({ kind: 'variable' });
    expect(writtenTtl('EX ttlSeconds')).toEqual({ kind: 'variable' });
    expect(writtenTtl('no TTL in this call')).toEqual({ kind: 'none' });
    expect(writtenTtl('no TTL in this call (GETSET clears the expiry)')).toEqual({ kind: 'none' });
    expect(writtenTtl('0 (never expires)')).toEqual({ kind: 'none' });
    expect(writtenTtl('KEEPTTL (keeps the existing expiry)')).toEqual({ kind: 'other' });
    expect(writtenTtl('EXAT deadline')).toEqual({ kind: 'other' });
    expect(writtenTtl(undefined)).toBeUndefined();
  });

  it('evaluates only arithmetic on number literals', () => {
    expect(evaluateArithmetic('1 + 2 * 3')).toBe(7);
    expect(evaluateArithmetic('(1 + 2) * 3')).toBe(9);
    expect(evaluateArithmetic('10 / 0')).toBeUndefined();
    expect(evaluateArithmetic('2 ** 3')).toBeUndefined();
    expect(evaluateArithmetic('(1 + 2')).toBeUndefined();
    expect(evaluateArithmetic('process.exit()')).toBeUndefined();
  });
});
