import { Fix, TextEdit } from '../types';

/**
 * Applies fixes to a text the way ESLint does: in order of position, skipping any fix that
 * overlaps one already applied (it is applied on the next pass, against the new text).
 */
export function applyFixes(text: string, fixes: readonly Fix[]): { output: string; applied: number } {
  const ordered = fixes
    .filter((fix) => fix.edits.length > 0)
    .map((fix) => ({ fix, start: Math.min(...fix.edits.map((e) => e.range[0])), end: Math.max(...fix.edits.map((e) => e.range[1])) }))
    .sort((a, b) => a.start - b.start || a.end - b.end);
  const edits: TextEdit[] = [];
  let lastEnd = -1;
  let applied = 0;
  for (const { fix, start, end } of ordered) {
    if (start < lastEnd) continue;
    edits.push(...fix.edits);
    lastEnd = Math.max(end, start + 1);
    applied++;
  }
  edits.sort((a, b) => b.range[0] - a.range[0] || b.range[1] - a.range[1]);
  let output = text;
  for (const edit of edits) {
    output = output.slice(0, edit.range[0]) + edit.text + output.slice(edit.range[1]);
  }
  return { output, applied };
}
