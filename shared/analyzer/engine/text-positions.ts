import type { SourceFile } from 'ts-morph';
import type { SourceLocation } from '../types';

export function locationOf(sourceFile: SourceFile, start: number, end: number): SourceLocation {
  // The compiler's cached line map: ts-morph's getLineAndColumnAtPos rescans the text per call,
  // which costs a full pass over a large file for every finding and key.
  const compiler = sourceFile.compilerNode;
  const a = compiler.getLineAndCharacterOfPosition(start);
  const b = compiler.getLineAndCharacterOfPosition(end);
  return { start: { line: a.line + 1, column: a.character + 1 }, end: { line: b.line + 1, column: b.character + 1 } };
}

/** Fills ESLint-style `{{name}}` placeholders of a rule message. */
export function interpolate(template: string, data: Record<string, string | number> | undefined): string {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, key: string) => (data && key in data ? String(data[key]) : whole));
}
