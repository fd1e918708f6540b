/**
 * Reads just enough of a SQL statement to say whether it reads or writes and which table it is
 * about. It is deliberately strict about shape (UPDATE needs SET, DELETE needs FROM, ...) so that an
 * ordinary English sentence such as "Update your profile" is never taken for SQL.
 */
import type { DbAccess, DbWriteKind } from './db-types';

export interface SqlStatementFacts {
  access: DbAccess;
  writeKind?: DbWriteKind;
  /** The table as written (last dotted part, quotes removed); undefined when it is a substitution or a subquery. */
  table?: string;
}

/** Stands for a `${...}` substitution whose text is unknown. */
export const SQL_SUBSTITUTION = '\u0000';

type Token =
  | { type: 'word'; text: string; upper: string }
  | { type: 'ident'; text: string }
  | { type: 'string' }
  | { type: 'number' }
  | { type: 'param' }
  | { type: 'sub' }
  | { type: 'punct'; text: string };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const length = text.length;
  while (i < length) {
    const ch = text.charAt(i);
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === '-' && text.charAt(i + 1) === '-') {
      while (i < length && text.charAt(i) !== '\n') i++;
    } else if (ch === '/' && text.charAt(i + 1) === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? length : end + 2;
    } else if (ch === SQL_SUBSTITUTION) {
      tokens.push({ type: 'sub' });
      i++;
    } else if (ch === "'") {
      i++;
      while (i < length) {
        if (text.charAt(i) === "'" && text.charAt(i + 1) === "'") i += 2;
        else if (text.charAt(i) === "'") break;
        else i++;
      }
      i++;
      tokens.push({ type: 'string' });
    } else if (ch === '"' || ch === '`' || ch === '[') {
      const close = ch === '[' ? ']' : ch;
      const end = text.indexOf(close, i + 1);
      const stop = end < 0 ? length : end;
      tokens.push({ type: 'ident', text: text.slice(i + 1, stop) });
      i = stop + 1;
    } else if (ch === '$' && /[0-9]/.test(text.charAt(i + 1))) {
      i++;
      while (i < length && /[0-9]/.test(text.charAt(i))) i++;
      tokens.push({ type: 'param' });
    } else if (ch === '$') {
      // Postgres dollar-quoted string: $tag$ ... $tag$
      const match = /^\$[A-Za-z_]*\$/.exec(text.slice(i));
      if (match) {
        const end = text.indexOf(match[0], i + match[0].length);
        i = end < 0 ? length : end + match[0].length;
        tokens.push({ type: 'string' });
      } else {
        tokens.push({ type: 'punct', text: ch });
        i++;
      }
    } else if (ch === '?' || ((ch === ':' || ch === '@') && /[A-Za-z_]/.test(text.charAt(i + 1)))) {
      i++;
      while (i < length && /[A-Za-z0-9_]/.test(text.charAt(i))) i++;
      tokens.push({ type: 'param' });
    } else if (/[A-Za-z_]/.test(ch)) {
      const start = i;
      while (i < length && /[A-Za-z0-9_$]/.test(text.charAt(i))) i++;
      const word = text.slice(start, i);
      tokens.push({ type: 'word', text: word, upper: word.toUpperCase() });
    } else if (/[0-9]/.test(ch)) {
      while (i < length && /[0-9.eE]/.test(text.charAt(i))) i++;
      tokens.push({ type: 'number' });
    } else {
      tokens.push({ type: 'punct', text: ch });
      i++;
    }
  }
  return tokens;
}

function isWord(token: Token | undefined, ...words: string[]): boolean {
  return token?.type === 'word' && words.includes(token.upper);
}

function isPunct(token: Token | undefined, text: string): boolean {
  return token?.type === 'punct' && token.text === text;
}

/** Indexes of the words among `words` that sit at the statement's own nesting level, up to its end. */
function topLevelWordIndexes(tokens: Token[], start: number, words: string[]): number[] {
  const found: number[] = [];
  let depth = 0;
  for (let i = start; i < tokens.length; i++) {
    const token = tokens[i];
    if (isPunct(token, '(')) depth++;
    else if (isPunct(token, ')')) {
      depth--;
      if (depth < 0) break;
    } else if (isPunct(token, ';') && depth === 0) break;
    else if (depth === 0 && token !== undefined && isWord(token, ...words)) found.push(i);
  }
  return found;
}

const NOT_A_TABLE = new Set(['ONLY', 'LATERAL', 'SELECT', 'WHERE', 'SET', 'VALUES', 'DEFAULT', 'AS', 'ON', 'USING']);

interface TableRead {
  table?: string;
  /** False when the position holds no table name at all (a keyword, a parenthesis, the end). */
  present: boolean;
}

function readTableName(tokens: Token[], index: number): TableRead {
  let i = index;
  while (isWord(tokens[i], 'ONLY', 'TABLE')) i++;
  let last: string | undefined;
  for (;;) {
    const token = tokens[i];
    if (token?.type === 'sub') return { present: true };
    if (token?.type === 'ident') last = token.text;
    else if (token?.type === 'word' && !NOT_A_TABLE.has(token.upper)) last = token.text;
    else break;
    if (isPunct(tokens[i + 1], '.')) i += 2;
    else break;
  }
  return last === undefined ? { present: false } : { table: last, present: true };
}

function classifySelect(tokens: Token[], index: number): SqlStatementFacts | undefined {
  const from = topLevelWordIndexes(tokens, index + 1, ['FROM'])[0];
  if (from !== undefined) {
    const read = readTableName(tokens, from + 1);
    return read.table === undefined ? { access: 'read' } : { access: 'read', table: read.table };
  }
  // Without FROM only expression selects count (`SELECT 1`, `SELECT now()`, `SELECT $1::int`), which
  // keeps sentences like "Select an option" out.
  const next = tokens[index + 1];
  if (next === undefined) return undefined;
  const expressionStart =
    next.type === 'number' ||
    next.type === 'param' ||
    next.type === 'sub' ||
    next.type === 'string' ||
    isPunct(next, '*') ||
    isPunct(next, '(') ||
    (next.type === 'word' && isPunct(tokens[index + 2], '('));
  return expressionStart ? { access: 'read' } : undefined;
}

function classifyInsertLike(tokens: Token[], index: number, verb: 'INSERT' | 'REPLACE' | 'UPSERT'): SqlStatementFacts | undefined {
  let i = index + 1;
  let writeKind: DbWriteKind = verb === 'INSERT' ? 'insert' : 'upsert';
  for (;;) {
    if (isWord(tokens[i], 'OR')) {
      if (isWord(tokens[i + 1], 'REPLACE')) writeKind = 'upsert';
      i += 2;
    } else if (isWord(tokens[i], 'IGNORE', 'LOW_PRIORITY', 'DELAYED', 'HIGH_PRIORITY')) {
      i++;
    } else break;
  }
  const hasInto = isWord(tokens[i], 'INTO');
  if (hasInto) i++;
  const target = readTableName(tokens, i);
  if (!target.present) return undefined;
  const body = topLevelWordIndexes(tokens, i + 1, ['VALUES', 'SELECT', 'SET', 'DEFAULT']);
  if (!hasInto && body.length === 0) return undefined;
  if (writeKind === 'insert') {
    const upsertMarkers = topLevelWordIndexes(tokens, i + 1, ['CONFLICT', 'DUPLICATE']);
    for (const marker of upsertMarkers) {
      const tail = topLevelWordIndexes(tokens, marker + 1, ['UPDATE', 'NOTHING'])[0];
      if (tail !== undefined && isWord(tokens[tail], 'UPDATE')) writeKind = 'upsert';
    }
  }
  return target.table === undefined ? { access: 'write', writeKind } : { access: 'write', writeKind, table: target.table };
}

function classifyUpdate(tokens: Token[], index: number): SqlStatementFacts | undefined {
  let i = index + 1;
  for (;;) {
    if (isWord(tokens[i], 'OR')) i += 2;
    else if (isWord(tokens[i], 'LOW_PRIORITY', 'IGNORE')) i++;
    else break;
  }
  const target = readTableName(tokens, i);
  if (!target.present) return undefined;
  if (topLevelWordIndexes(tokens, i + 1, ['SET']).length === 0) return undefined;
  return target.table === undefined
    ? { access: 'write', writeKind: 'update' }
    : { access: 'write', writeKind: 'update', table: target.table };
}

function classifyDelete(tokens: Token[], index: number): SqlStatementFacts | undefined {
  let i = index + 1;
  while (isWord(tokens[i], 'LOW_PRIORITY', 'QUICK', 'IGNORE')) i++;
  // `DELETE FROM t` and MySQL's multi-table `DELETE t FROM t JOIN ...` both name the table after FROM.
  const from = isWord(tokens[i], 'FROM') ? i : topLevelWordIndexes(tokens, i, ['FROM'])[0];
  if (from === undefined) return undefined;
  const target = readTableName(tokens, from + 1);
  if (!target.present) return undefined;
  return target.table === undefined
    ? { access: 'write', writeKind: 'delete' }
    : { access: 'write', writeKind: 'delete', table: target.table };
}

function classifyStatement(tokens: Token[], index: number): SqlStatementFacts | undefined {
  const token = tokens[index];
  if (token?.type !== 'word') return undefined;
  switch (token.upper) {
    case 'SELECT':
      return classifySelect(tokens, index);
    case 'INSERT':
    case 'REPLACE':
    case 'UPSERT':
      return classifyInsertLike(tokens, index, token.upper);
    case 'UPDATE':
      return classifyUpdate(tokens, index);
    case 'DELETE':
      return classifyDelete(tokens, index);
    case 'MERGE': {
      if (!isWord(tokens[index + 1], 'INTO')) return undefined;
      const target = readTableName(tokens, index + 2);
      if (!target.present) return undefined;
      return target.table === undefined
        ? { access: 'write', writeKind: 'upsert' }
        : { access: 'write', writeKind: 'upsert', table: target.table };
    }
    case 'TRUNCATE': {
      const target = readTableName(tokens, index + 1);
      if (!target.present) return undefined;
      return target.table === undefined
        ? { access: 'write', writeKind: 'delete' }
        : { access: 'write', writeKind: 'delete', table: target.table };
    }
    case 'WITH': {
      // The statement a CTE list leads to is the first verb outside the CTE bodies' parentheses.
      const main = topLevelWordIndexes(tokens, index + 1, ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'MERGE', 'REPLACE'])[0];
      const firstAs = topLevelWordIndexes(tokens, index + 1, ['AS'])[0];
      if (main === undefined || firstAs === undefined || firstAs > main) return undefined;
      return classifyStatement(tokens, main);
    }
    default:
      return undefined;
  }
}

/**
 * Classify the first statement of a SQL text. `${...}` substitutions must already be replaced by
 * {@link SQL_SUBSTITUTION}. Returns undefined for anything that is not a recognisable
 * SELECT/INSERT/UPDATE/DELETE/REPLACE/MERGE/UPSERT/TRUNCATE statement (DDL, CALL, prose).
 */
export function classifySqlText(text: string): SqlStatementFacts | undefined {
  const tokens = tokenize(text);
  let index = 0;
  while (isPunct(tokens[index], '(')) index++;
  return classifyStatement(tokens, index);
}
