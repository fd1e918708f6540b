import type { FileResult, Finding, Fix, LintResult, TextEdit } from '../../analyzer/types';

/** ESLint's fix shape: one replacement. */
export interface JsonSingleFix {
  range: [number, number];
  text: string;
}

/** Used only when a multi-edit fix cannot be merged (no source text, or edits that overlap). */
export interface JsonMultiEditFix {
  edits: TextEdit[];
}

export type JsonFix = JsonSingleFix | JsonMultiEditFix;

export interface JsonSuggestion {
  desc: string;
  messageId: string;
  fix: JsonFix;
}

export interface JsonRelatedLocation {
  filePath: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  message: string;
}

export interface JsonMessage {
  ruleId: string | null;
  severity: 1 | 2;
  fatal?: true;
  message: string;
  messageId: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  fix?: JsonFix;
  suggestions?: JsonSuggestion[];
  relatedLocations?: JsonRelatedLocation[];
}

export interface JsonFileResult {
  filePath: string;
  messages: JsonMessage[];
  errorCount: number;
  fatalErrorCount: number;
  warningCount: number;
  fixableErrorCount: number;
  fixableWarningCount: number;
  source?: string;
  output?: string;
}

/**
 * Turns a fix into ESLint's single `{ range, text }`: the covering range from the first edit's
 * start to the last edit's end, with the untouched text between edits copied from the source.
 * Returns `{ edits }` when that is impossible, so no information is lost.
 */
export function toJsonFix(fix: Fix, sourceText: string | undefined): JsonFix | undefined {
  if (fix.edits.length === 0) return undefined;
  if (fix.edits.length === 1) {
    const [edit] = fix.edits;
    return { range: [edit.range[0], edit.range[1]], text: edit.text };
  }
  const sorted = [...fix.edits].sort((a, b) => a.range[0] - b.range[0]);
  const start = sorted[0].range[0];
  const end = Math.max(...sorted.map((edit) => edit.range[1]));
  const unmerged: JsonMultiEditFix = {
    edits: sorted.map((edit) => ({ range: [edit.range[0], edit.range[1]], text: edit.text })),
  };
  if (sourceText === undefined || end > sourceText.length) return unmerged;
  let text = '';
  let cursor = start;
  for (const edit of sorted) {
    if (edit.range[0] < cursor) return unmerged;
    text += sourceText.slice(cursor, edit.range[0]) + edit.text;
    cursor = edit.range[1];
  }
  text += sourceText.slice(cursor, end);
  return { range: [start, end], text };
}

function toJsonMessage(finding: Finding, sourceText: string | undefined): JsonMessage {
  const message: JsonMessage = {
    ruleId: finding.fatal ? null : finding.ruleId,
    severity: finding.fatal || finding.severity === 'error' ? 2 : 1,
    message: finding.message,
    messageId: finding.messageId,
    line: finding.location.start.line,
    column: finding.location.start.column,
    endLine: finding.location.end.line,
    endColumn: finding.location.end.column,
  };
  if (finding.fatal) message.fatal = true;
  const fix = finding.fix ? toJsonFix(finding.fix, sourceText) : undefined;
  if (fix) message.fix = fix;
  if (finding.suggestions && finding.suggestions.length > 0) {
    const suggestions: JsonSuggestion[] = [];
    for (const suggestion of finding.suggestions) {
      const suggestionFix = toJsonFix(suggestion.fix, sourceText);
      if (suggestionFix) suggestions.push({ desc: suggestion.desc, messageId: suggestion.messageId, fix: suggestionFix });
    }
    if (suggestions.length > 0) message.suggestions = suggestions;
  }
  if (finding.relatedLocations && finding.relatedLocations.length > 0) {
    message.relatedLocations = finding.relatedLocations.map((related) => ({
      filePath: related.filePath,
      line: related.location.start.line,
      column: related.location.start.column,
      endLine: related.location.end.line,
      endColumn: related.location.end.column,
      message: related.message,
    }));
  }
  return message;
}

export function toJsonFileResult(file: FileResult): JsonFileResult {
  // Findings are reported against the text after fixes, which `source` holds; `output` is that same text.
  const findingsText = file.source ?? file.output;
  const messages = file.findings.map((finding) => toJsonMessage(finding, findingsText));
  const jsonResult: JsonFileResult = {
    filePath: file.filePath,
    messages,
    errorCount: messages.filter((m) => m.severity === 2).length,
    fatalErrorCount: messages.filter((m) => m.fatal).length,
    warningCount: messages.filter((m) => m.severity === 1).length,
    fixableErrorCount: messages.filter((m) => m.severity === 2 && m.fix).length,
    fixableWarningCount: messages.filter((m) => m.severity === 1 && m.fix).length,
  };
  // Like ESLint: `output` when fixes changed the file, otherwise `source` only when there is something to show in it.
  if (file.fixed && file.output !== undefined) {
    jsonResult.output = file.output;
  } else if (messages.length > 0 && file.source !== undefined) {
    jsonResult.source = file.source;
  }
  return jsonResult;
}

/** ESLint's `json` formatter output: one compact JSON array with an entry per linted file. */
export function formatJson(result: LintResult): string {
  return JSON.stringify(result.results.map(toJsonFileResult));
}
