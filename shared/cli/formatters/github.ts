import type { Finding, LintResult } from '../../analyzer/types';
import type { FormatContext } from './index';
import { portableRelativePath } from './paths';

/** The workflow-command escaping of `@actions/core` for a command's message. */
export function escapeData(value: string): string {
  return value.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** The workflow-command escaping of `@actions/core` for a property value, where `:` and `,` are delimiters. */
export function escapeProperty(value: string): string {
  return escapeData(value).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

function messageOf(finding: Finding, cwd: string): string {
  // Annotations show only the message, so the places that explain a finding are appended to it.
  const lines = [finding.message];
  for (const related of finding.relatedLocations ?? []) {
    const where = `${portableRelativePath(cwd, related.filePath)}:${related.location.start.line}:${related.location.start.column}`;
    lines.push(`↳ ${where} ${related.message}`.trimEnd());
  }
  return lines.join('\n');
}

function toCommand(finding: Finding, cwd: string): string {
  const command = finding.fatal || finding.severity === 'error' ? 'error' : 'warning';
  const properties: Array<[string, string]> = [
    ['file', portableRelativePath(cwd, finding.filePath)],
    ['line', String(finding.location.start.line)],
    ['col', String(finding.location.start.column)],
    ['endLine', String(finding.location.end.line)],
    ['endColumn', String(finding.location.end.column)],
    ['title', finding.fatal || finding.ruleId === '' ? 'cachescope' : `cachescope(${finding.ruleId})`],
  ];
  const renderedProperties = properties.map(([key, value]) => `${key}=${escapeProperty(value)}`).join(',');
  return `::${command} ${renderedProperties}::${escapeData(messageOf(finding, cwd))}`;
}

/** GitHub Actions workflow commands: one `::error`/`::warning` annotation line per finding. */
export function formatGithub(result: LintResult, ctx: FormatContext): string {
  const lines: string[] = [];
  for (const file of result.results) {
    for (const finding of file.findings) lines.push(toCommand(finding, ctx.cwd));
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
