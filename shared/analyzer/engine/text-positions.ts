import type { SourceFile } from 'ts-morph';
import type { SourceLocation } from '../types';

export function locationOf(sourceFile: SourceFile, start: number, end: number): SourceLocation {
  const a = sourceFile.getLineAndColumnAtPos(start);
  const b = sourceFile.getLineAndColumnAtPos(end);
  return { start: { line: a.line, column: a.column }, end: { line: b.line, column: b.column } };
}

/** Fills ESLint-style `{{name}}` placeholders of a rule message. */
export function interpolate(template: string, data: Record<string, string | number> | undefined): string {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, key: string) => (data && key in data ? String(data[key]) : whole));
}
