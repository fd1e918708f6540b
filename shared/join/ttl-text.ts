/**
 * What a write's TTL, as the key index writes it (`EX 3600`, `PX 60_000`, `300 s`, `no TTL in this call`),
 * means for the live keys it produces. The text is the code's own, so only arithmetic on number literals
 * is evaluated; a TTL held in a variable or computed at run time is `variable`.
 */

export type TtlKind =
  /** The write leaves the key without an expiry. */
  | 'none'
  /** The same number of seconds on every write. */
  | 'fixed'
  /** An expiry computed at run time (jitter, a variable, a parameter). */
  | 'variable'
  /** An absolute time (EXAT/PXAT), KEEPTTL, a store default, or nothing readable. */
  | 'other';

export interface WrittenTtl {
  kind: TtlKind;
  /** For `fixed`: the TTL in seconds. */
  seconds?: number;
}

const relative = /^(EX|PX) (.+)$/;
const storeTtl = /^(.+) (s|ms)$/;

export function writtenTtl(text: string | undefined): WrittenTtl | undefined {
  if (text === undefined) return undefined;
  if (text.startsWith('no TTL in this call') || text === '0 (never expires)' || text.startsWith('PERSIST')) return { kind: 'none' };
  const redis = relative.exec(text);
  const store = redis ? undefined : storeTtl.exec(text);
  const expression = redis?.[2] ?? store?.[1];
  if (expression === undefined) return { kind: 'other' };
  const unitMs = (redis?.[1] ?? (store?.[2] === 's' ? 'EX' : 'PX')) === 'EX' ? 1000 : 1;
  const value = evaluateArithmetic(expression);
  if (value === undefined) return { kind: 'variable' };
  return { kind: 'fixed', seconds: (value * unitMs) / 1000 };
}

/** `3600`, `60 * 60`, `60_000`, `(24 * 3600)`: numbers, + - * / and parentheses; anything else is not constant. */
export function evaluateArithmetic(text: string): number | undefined {
  const tokens = text.replace(/(\d)_(?=\d)/g, '$1').match(/\d+(?:\.\d+)?|[-+*/()]|\S/g) ?? [];
  let at = 0;
  const expression = (): number | undefined => {
    let value = term();
    while (value !== undefined && (tokens[at] === '+' || tokens[at] === '-')) {
      const operator = tokens[at++];
      const right = term();
      if (right === undefined) return undefined;
      value = operator === '+' ? value + right : value - right;
    }
    return value;
  };
  const term = (): number | undefined => {
    let value = factor();
    while (value !== undefined && (tokens[at] === '*' || tokens[at] === '/')) {
      const operator = tokens[at++];
      const right = factor();
      if (right === undefined || (operator === '/' && right === 0)) return undefined;
      value = operator === '*' ? value * right : value / right;
    }
    return value;
  };
  const factor = (): number | undefined => {
    const token = tokens[at++];
    if (token === undefined) return undefined;
    if (token === '(') {
      const value = expression();
      return tokens[at++] === ')' ? value : undefined;
    }
    return /^\d/.test(token) ? Number(token) : undefined;
  };
  const value = expression();
  return at === tokens.length && value !== undefined && Number.isFinite(value) ? value : undefined;
}
