/**
 * Which code key family a live key name belongs to. A family's pattern is the key as the code builds
 * it with every variable part replaced by `*` (`product:*`, `user:*:profile`); it is compiled to a
 * byte-level glob in which `*` matches any run of bytes and everything else matches itself.
 *
 * The analyzer does not escape a `*` that the code writes literally in a key, so such a `*` is a
 * wildcard here too: the family then matches a little more widely than the code writes, never less.
 */

export interface FamilyPattern {
  pattern: string;
}

interface CompiledFamily<F extends FamilyPattern> {
  family: F;
  /** The literal runs between wildcards; the first is anchored at the start, the last at the end. */
  segments: Buffer[];
  startsWithWildcard: boolean;
  endsWithWildcard: boolean;
  /** Bytes of literal text: the more, the more specific the family. */
  literalBytes: number;
}

function compile<F extends FamilyPattern>(family: F): CompiledFamily<F> {
  const pattern = family.pattern;
  const segments = pattern.split('*').map((text) => Buffer.from(text, 'utf8'));
  return {
    family,
    segments,
    startsWithWildcard: pattern.startsWith('*'),
    endsWithWildcard: pattern.endsWith('*'),
    literalBytes: segments.reduce((sum, segment) => sum + segment.length, 0),
  };
}

/** Whether `name` matches a `*`-only glob; leftmost matching of each middle segment is exact for such globs. */
function matches(compiled: CompiledFamily<FamilyPattern>, name: Buffer): boolean {
  const { segments } = compiled;
  if (segments.length === 1) return name.equals(segments[0]);
  const first = segments[0];
  const last = segments[segments.length - 1];
  if (name.length < compiled.literalBytes) return false;
  if (first.length > 0 && !name.subarray(0, first.length).equals(first)) return false;
  const end = name.length - last.length;
  if (last.length > 0 && !name.subarray(end).equals(last)) return false;
  let at = first.length;
  for (let index = 1; index < segments.length - 1; index += 1) {
    const segment = segments[index];
    if (segment.length === 0) continue;
    const found = name.indexOf(segment, at);
    if (found < 0 || found + segment.length > end) return false;
    at = found + segment.length;
  }
  return at <= end;
}

/** More literal text wins; then fewer wildcards; then the pattern's text, so the choice never depends on order. */
function moreSpecific(a: CompiledFamily<FamilyPattern>, b: CompiledFamily<FamilyPattern>): boolean {
  if (a.literalBytes !== b.literalBytes) return a.literalBytes > b.literalBytes;
  if (a.segments.length !== b.segments.length) return a.segments.length < b.segments.length;
  return a.family.pattern < b.family.pattern;
}

export class FamilyMatcher<F extends FamilyPattern> {
  /**
   * Families by the literal text before their first `*` (as latin1, one char per byte), and the distinct
   * lengths of those heads: a key is tested only against families whose head it starts with, a few map
   * lookups per key however many families there are. Patterns that start with `*` can match any key.
   */
  private readonly byHead = new Map<string, CompiledFamily<F>[]>();
  private readonly headLengths: number[] = [];
  private readonly anyStart: CompiledFamily<F>[] = [];
  private readonly keyPrefix: Buffer;

  /**
   * @param keyPrefix bytes a client prepends to every key it sends (ioredis `keyPrefix`): live names must start
   *   with them, and the rest is matched against the families.
   */
  constructor(families: readonly F[], keyPrefix: string | Buffer = '') {
    this.keyPrefix = typeof keyPrefix === 'string' ? Buffer.from(keyPrefix, 'utf8') : keyPrefix;
    const seen = new Set<string>();
    for (const family of families) {
      if (seen.has(family.pattern) || family.pattern.length === 0) continue;
      seen.add(family.pattern);
      const compiled = compile(family);
      if (compiled.startsWithWildcard) {
        this.anyStart.push(compiled);
        continue;
      }
      const head = compiled.segments[0];
      const id = head.toString('latin1');
      const list = this.byHead.get(id) ?? [];
      list.push(compiled);
      this.byHead.set(id, list);
      if (!this.headLengths.includes(head.length)) this.headLengths.push(head.length);
    }
  }

  /** The most specific family the key belongs to, or undefined. */
  match(name: Buffer): F | undefined {
    if (this.keyPrefix.length > 0) {
      if (name.length < this.keyPrefix.length || !name.subarray(0, this.keyPrefix.length).equals(this.keyPrefix)) return undefined;
      name = name.subarray(this.keyPrefix.length);
    }
    let best: CompiledFamily<F> | undefined;
    const consider = (candidates: readonly CompiledFamily<F>[] | undefined) => {
      for (const candidate of candidates ?? []) {
        if ((!best || moreSpecific(candidate, best)) && matches(candidate, name)) best = candidate;
      }
    };
    for (const length of this.headLengths) {
      if (length <= name.length) consider(this.byHead.get(name.toString('latin1', 0, length)));
    }
    consider(this.anyStart);
    return best?.family;
  }
}

/** The literal text before a pattern's first wildcard: every key of the family starts with it. */
export function literalHead(pattern: string): string {
  const star = pattern.indexOf('*');
  return star < 0 ? pattern : pattern.slice(0, star);
}
