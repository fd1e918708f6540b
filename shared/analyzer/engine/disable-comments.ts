import type { Fix } from '../types';

/**
 * Edits that add a suppression directive for one rule, the comments `parseDirectives` reads. An
 * existing directive of the same kind right there is extended rather than stacked.
 */

const nextLineDirective = /^(\s*\/\/\s*cachescope-disable-next-line)([^\n]*?)(\s+--\s.*)?$/;
const fileDirective = /^(\s*\/\*\s*cachescope-disable)((?:(?!\*\/)[^\n])*?)(\s+--\s(?:(?!\*\/).)*)?\s*\*\/\s*$/;

/** `// cachescope-disable-next-line <rule>` above the 1-based `line`, indented like it. */
export function disableForLineFix(text: string, ruleId: string, line: number): Fix {
  const lineStart = offsetOfLine(text, line);
  const lineText = text.slice(lineStart, endOfLine(text, lineStart));
  const indent = /^[ \t]*/.exec(lineText)?.[0] ?? '';
  if (line > 1) {
    const previousStart = offsetOfLine(text, line - 1);
    const previous = text.slice(previousStart, lineStart).replace(/\r?\n$/, '');
    const extended = extendRuleList(previous, nextLineDirective, ruleId);
    if (extended !== undefined) return { edits: [{ range: [previousStart, previousStart + previous.length], text: extended }] };
  }
  const newline = text.includes('\r\n') ? '\r\n' : '\n';
  return { edits: [{ range: [lineStart, lineStart], text: `${indent}// cachescope-disable-next-line ${ruleId}${newline}` }] };
}

/** `/* cachescope-disable <rule> *\/` at the top of the file (after a shebang). */
export function disableForFileFix(text: string, ruleId: string): Fix {
  const newline = text.includes('\r\n') ? '\r\n' : '\n';
  const insertAt = text.startsWith('#!') ? endOfLine(text, 0) + newline.length : 0;
  const firstLine = text.slice(insertAt, endOfLine(text, insertAt));
  const extended = extendRuleList(firstLine, fileDirective, ruleId);
  if (extended !== undefined) return { edits: [{ range: [insertAt, insertAt + firstLine.length], text: extended }] };
  return { edits: [{ range: [insertAt, insertAt], text: `/* cachescope-disable ${ruleId} */${newline}` }] };
}

/** The directive line with `ruleId` added to its rule list; undefined when the line is no such directive. */
function extendRuleList(line: string, pattern: RegExp, ruleId: string): string | undefined {
  const match = pattern.exec(line);
  if (!match) return undefined;
  const rules = match[2].trim();
  // A directive without rules already covers every rule; one that lists the rule needs nothing.
  if (rules === '' || rules.split(/[\s,]+/).includes(ruleId)) return line;
  const head = match[1] + match[2].replace(/\s+$/, '');
  return `${head}, ${ruleId}${line.slice(match[1].length + match[2].length)}`;
}

function offsetOfLine(text: string, line: number): number {
  let offset = 0;
  for (let current = 1; current < line; current++) {
    const next = text.indexOf('\n', offset);
    if (next === -1) return text.length;
    offset = next + 1;
  }
  return offset;
}

function endOfLine(text: string, from: number): number {
  const end = text.indexOf('\n', from);
  const lineEnd = end === -1 ? text.length : end;
  return text[lineEnd - 1] === '\r' ? lineEnd - 1 : lineEnd;
}
