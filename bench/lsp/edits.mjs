/**
 * The keystrokes of the typing benchmark: one character typed into a word somewhere in the file,
 * then deleted again by the next change (a typo and its correction), at seeded random places. A
 * letter inside an identifier keeps the file syntactically valid, so every version is a file
 * both CacheScope and ESLint parse completely (neither gets a cheap "syntax error" run). Keywords
 * are left alone for the same reason, and so are the import lines, so that the file keeps reaching
 * its cache client and each version is analysed in full.
 */

const keywords = new Set(
  (
    'abstract any as asserts async await bigint boolean break case catch class const constructor continue debugger declare default delete do else enum ' +
    'export extends false finally for from function get global if implements import in infer instanceof interface is keyof let module namespace never new ' +
    'null number object of package private protected public readonly require return satisfies set static string super switch symbol this throw true try ' +
    'type typeof undefined unique unknown var void while with yield'
  ).split(' '),
);

/** mulberry32: the same seed gives the same edits on every machine. */
function createRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Places (0-based line and character) strictly inside an identifier that is not a keyword, below the imports. */
function insertionPoints(text) {
  const lines = text.split('\n');
  const lastImport = lines.reduce((last, line, index) => (/^import\b/.test(line) ? index : last), -1);
  const points = [];
  lines.forEach((line, lineIndex) => {
    if (lineIndex <= lastImport) return;
    for (const match of line.matchAll(/[A-Za-z_$][\w$]*/g)) {
      const word = match[0];
      if (word.length < 3 || keywords.has(word)) continue;
      points.push({ line: lineIndex, character: match.index + Math.floor(word.length / 2) });
    }
  });
  return points;
}

/**
 * `count` incremental changes to `text`: an LSP content change each, and the whole text after it.
 * Odd changes insert a letter, even changes delete it again.
 */
export function createEditSequence(text, count, seed = 1) {
  const random = createRandom(seed);
  const points = insertionPoints(text);
  if (points.length === 0) throw new Error('the text has no identifiers to type into');
  const lines = text.split('\n');
  const edits = [];
  let pending;
  for (let i = 0; i < count; i++) {
    if (pending) {
      const { line, character } = pending;
      lines[line] = lines[line].slice(0, character) + lines[line].slice(character + 1);
      edits.push({ change: { range: { start: { line, character }, end: { line, character: character + 1 } }, text: '' }, text: lines.join('\n') });
      pending = undefined;
    } else {
      const point = points[Math.floor(random() * points.length)];
      const letter = 'abcdefghijklmnopqrstuvwxyz'[Math.floor(random() * 26)];
      const { line, character } = point;
      lines[line] = lines[line].slice(0, character) + letter + lines[line].slice(character);
      edits.push({ change: { range: { start: { line, character }, end: { line, character } }, text: letter }, text: lines.join('\n') });
      pending = point;
    }
  }
  return edits;
}
