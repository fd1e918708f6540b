import pc from 'picocolors';
import type { Finding, LintResult } from '../../analyzer/types';
import type { FormatContext } from './index';
import { displayPath } from './paths';

const COLUMN_GAP = '  ';

interface Row {
  finding: Finding;
  line: string;
  column: string;
  severity: 'error' | 'warning';
  message: string;
  ruleId: string;
  marks: string;
}

function pluralize(word: string, count: number): string {
  return count === 1 ? word : `${word}s`;
}

function isErrorLike(finding: Finding): boolean {
  return finding.fatal === true || finding.severity === 'error';
}

function hasFix(finding: Finding): boolean {
  return (finding.fix?.edits.length ?? 0) > 0;
}

function marksOf(finding: Finding): string {
  const marks: string[] = [];
  if (hasFix(finding)) marks.push('fixable');
  const suggestionCount = finding.suggestions?.length ?? 0;
  if (suggestionCount > 0) marks.push(`${suggestionCount} ${pluralize('suggestion', suggestionCount)}`);
  return marks.length > 0 ? `(${marks.join(', ')})` : '';
}

function toRow(finding: Finding): Row {
  return {
    finding,
    line: String(finding.location.start.line),
    column: String(finding.location.start.column),
    severity: isErrorLike(finding) ? 'error' : 'warning',
    // ESLint's stylish drops a sentence's final period so the rule id reads as the line's end.
    message: finding.message.replace(/([^ ])\.$/u, '$1'),
    ruleId: finding.fatal ? '' : finding.ruleId,
    marks: marksOf(finding),
  };
}

function padEnd(colored: string, plainLength: number, width: number): string {
  return colored + ' '.repeat(Math.max(0, width - plainLength));
}

/**
 * ESLint's stylish layout: one block per file with a header, one aligned row per finding and a
 * closing summary. Colour codes are added after measuring so the columns line up with colour on.
 */
export function formatStylish(result: LintResult, ctx: FormatContext): string {
  const c = pc.createColors(ctx.color);
  let output = '';
  let errorCount = 0;
  let warningCount = 0;
  let fixableErrorCount = 0;
  let fixableWarningCount = 0;

  for (const file of result.results) {
    if (file.findings.length === 0) continue;
    const rows = file.findings.map(toRow);
    const lineWidth = Math.max(...rows.map((row) => row.line.length));
    const columnWidth = Math.max(...rows.map((row) => row.column.length));
    const severityWidth = Math.max(...rows.map((row) => row.severity.length));
    const messageWidth = Math.max(...rows.map((row) => row.message.length));
    const ruleWidth = Math.max(...rows.map((row) => row.ruleId.length));

    output += `${c.underline(displayPath(ctx.cwd, file.filePath))}\n`;
    for (const row of rows) {
      if (row.severity === 'error') {
        errorCount++;
        if (hasFix(row.finding)) fixableErrorCount++;
      } else {
        warningCount++;
        if (hasFix(row.finding)) fixableWarningCount++;
      }
      const position = `${row.line.padStart(lineWidth)}:${row.column.padEnd(columnWidth)}`;
      const severity = row.severity === 'error' ? c.red(row.severity) : c.yellow(row.severity);
      const cells = [
        '',
        c.dim(position),
        padEnd(severity, row.severity.length, severityWidth),
        padEnd(row.message, row.message.length, messageWidth),
        padEnd(row.ruleId === '' ? '' : c.dim(row.ruleId), row.ruleId.length, ruleWidth),
        row.marks === '' ? '' : c.dim(row.marks),
      ];
      output += `${cells.join(COLUMN_GAP).trimEnd()}\n`;

      for (const related of row.finding.relatedLocations ?? []) {
        const where = `${displayPath(ctx.cwd, related.filePath)}:${related.location.start.line}:${related.location.start.column}`;
        output += `    ${c.dim(`↳ ${where}`)} ${related.message}`.trimEnd() + '\n';
      }
      for (const suggestion of row.finding.suggestions ?? []) {
        output += `    ${c.dim('suggestion:')} ${suggestion.desc}\n`;
      }
    }
    output += '\n';
  }

  const total = errorCount + warningCount;
  if (total === 0) return '';

  const summaryColor = errorCount > 0 ? c.red : c.yellow;
  output += `${summaryColor(
    c.bold(
      `✖ ${total} ${pluralize('problem', total)} (${errorCount} ${pluralize('error', errorCount)}, ` +
        `${warningCount} ${pluralize('warning', warningCount)})`,
    ),
  )}\n`;
  if (fixableErrorCount > 0 || fixableWarningCount > 0) {
    output += `${summaryColor(
      c.bold(
        `  ${fixableErrorCount} ${pluralize('error', fixableErrorCount)} and ` +
          `${fixableWarningCount} ${pluralize('warning', fixableWarningCount)} potentially fixable with the --fix option.`,
      ),
    )}\n`;
  }
  return `\n${output}`;
}
