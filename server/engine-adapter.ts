import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  CodeAction,
  CodeActionKind,
  Diagnostic,
  DiagnosticRelatedInformation,
  DiagnosticSeverity,
  DiagnosticTag,
  Hover,
  MarkupKind,
  Position,
  Range,
  TextEdit,
} from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { allRules, disableForFileFix, disableForLineFix, type Finding, type Fix, type KeySite } from '../shared';
import { fixAllKind } from './protocol';

/**
 * Translation between the engine's findings and LSP shapes. Nothing here judges code: findings,
 * fixes, suppression edits and the key index all come from the engine.
 */

export const diagnosticSource = 'cachescope';

const docsUrlByRule = new Map(allRules.map((rule) => [rule.name, rule.meta.docs.url]));

/** What a diagnostic carries back to code-action requests: which finding it shows. */
export interface DiagnosticData {
  fingerprint: string;
  ruleId: string;
}

/** Positions of a finding: from the text it was computed on when at hand, else its own line/column. */
export function rangeOf(finding: Pick<Finding, 'range' | 'location'>, document?: TextDocument): Range {
  if (document) return Range.create(document.positionAt(finding.range[0]), document.positionAt(finding.range[1]));
  return Range.create(
    Position.create(finding.location.start.line - 1, finding.location.start.column - 1),
    Position.create(finding.location.end.line - 1, finding.location.end.column - 1),
  );
}

export function toDiagnostic(finding: Finding, document?: TextDocument): Diagnostic {
  const diagnostic: Diagnostic = {
    range: rangeOf(finding, document),
    severity: finding.severity === 'error' ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
    source: diagnosticSource,
    code: finding.ruleId,
    message: finding.message,
    data: { fingerprint: finding.fingerprint, ruleId: finding.ruleId } satisfies DiagnosticData,
  };
  const href = docsUrlByRule.get(finding.ruleId);
  if (href) diagnostic.codeDescription = { href };
  if (finding.relatedLocations?.length) {
    diagnostic.relatedInformation = finding.relatedLocations.map((related) =>
      DiagnosticRelatedInformation.create({ uri: fileUri(related.filePath), range: rangeOf({ range: [0, 0], location: related.location }) }, related.message),
    );
  }
  const tags = finding.tags?.map((tag) => (tag === 'unnecessary' ? DiagnosticTag.Unnecessary : DiagnosticTag.Deprecated));
  if (tags?.length) diagnostic.tags = tags;
  return diagnostic;
}

export function toTextEdits(fix: Fix, document: TextDocument): TextEdit[] {
  return fix.edits.map((edit) => TextEdit.replace(Range.create(document.positionAt(edit.range[0]), document.positionAt(edit.range[1])), edit.text));
}

/** Quick fixes for one finding: its safe fix (preferred), its suggestions, and the disable comments. */
export function codeActionsFor(finding: Finding, diagnostic: Diagnostic, document: TextDocument, offerDisableComments: boolean): CodeAction[] {
  const uri = document.uri;
  const actions: CodeAction[] = [];
  if (finding.fix) {
    actions.push({
      title: `Fix: ${firstSentence(finding.message)}`,
      kind: CodeActionKind.QuickFix,
      diagnostics: [diagnostic],
      isPreferred: true,
      edit: { changes: { [uri]: toTextEdits(finding.fix, document) } },
    });
  }
  for (const suggestion of finding.suggestions ?? []) {
    actions.push({
      title: suggestion.desc,
      kind: CodeActionKind.QuickFix,
      diagnostics: [diagnostic],
      edit: { changes: { [uri]: toTextEdits(suggestion.fix, document) } },
    });
  }
  if (offerDisableComments && !finding.fatal && finding.ruleId !== 'no-unused-disable') {
    const text = document.getText();
    actions.push({
      title: `Disable ${finding.ruleId} for this line`,
      kind: CodeActionKind.QuickFix,
      diagnostics: [diagnostic],
      edit: { changes: { [uri]: toTextEdits(disableForLineFix(text, finding.ruleId, diagnostic.range.start.line + 1), document) } },
    });
    actions.push({
      title: `Disable ${finding.ruleId} for the entire file`,
      kind: CodeActionKind.QuickFix,
      diagnostics: [diagnostic],
      edit: { changes: { [uri]: toTextEdits(disableForFileFix(text, finding.ruleId), document) } },
    });
  }
  return actions;
}

/** The fix-all action: one minimal edit from the document's text to its fixed text. */
export function fixAllAction(document: TextDocument, fixedText: string, fixCount: number): CodeAction | undefined {
  const edit = minimalEdit(document, fixedText);
  if (!edit) return undefined;
  return {
    title: `Fix all CacheScope problems (${fixCount})`,
    kind: fixAllKind,
    edit: { changes: { [document.uri]: [edit] } },
  };
}

function minimalEdit(document: TextDocument, after: string): TextEdit | undefined {
  const before = document.getText();
  if (before === after) return undefined;
  let start = 0;
  while (start < before.length && start < after.length && before[start] === after[start]) start++;
  let endBefore = before.length;
  let endAfter = after.length;
  while (endBefore > start && endAfter > start && before[endBefore - 1] === after[endAfter - 1]) {
    endBefore--;
    endAfter--;
  }
  return TextEdit.replace(Range.create(document.positionAt(start), document.positionAt(endBefore)), after.slice(start, endAfter));
}

function firstSentence(message: string): string {
  const sentence = message.split(/(?<=[.!?])\s/)[0] ?? message;
  return sentence.length > 90 ? `${sentence.slice(0, 87)}...` : sentence;
}

export function fileUri(filePath: string): string {
  return pathToFileURL(filePath).toString();
}

const accessHeadings: Array<{ access: KeySite['access'][]; heading: string }> = [
  { access: ['read', 'read-through'], heading: 'Read' },
  { access: ['write', 'read-through'], heading: 'Written' },
  { access: ['expire'], heading: 'Expiry set' },
  { access: ['invalidate'], heading: 'Invalidated' },
];

const maxSitesPerGroup = 8;

/**
 * The hover of a cache key: its family, and every place in the workspace that reads, writes or
 * invalidates it, with the TTL each write sets as written.
 */
export function keyHover(site: KeySite, family: readonly KeySite[], root: string, range: Range, complete: boolean): Hover {
  const lines: string[] = [];
  lines.push(`**Cache key** \`${escapeCode(site.family.display)}\` (family \`${escapeCode(site.family.pattern)}\`)`);
  lines.push('');
  const ttls = [...new Set(family.filter((other) => other.ttl && other.access !== 'read').map((other) => other.ttl!))];
  if (ttls.length > 0) lines.push(`TTL as written: ${ttls.map((ttl) => `\`${escapeCode(ttl)}\``).join(' · ')}`, '');
  for (const { access, heading } of accessHeadings) {
    const sites = family.filter((other) => access.includes(other.access));
    if (sites.length === 0) {
      if (heading === 'Invalidated') lines.push(`**${heading}:** nowhere in the workspace`, '');
      continue;
    }
    lines.push(`**${heading}** (${sites.length}):`);
    for (const other of sites.slice(0, maxSitesPerGroup)) {
      const where = `${path.relative(root, other.filePath).split(path.sep).join('/')}:${other.location.start.line}`;
      const link = `${fileUri(other.filePath)}#L${other.location.start.line},${other.location.start.column}`;
      const ttl = other.ttl && heading !== 'Read' && heading !== 'Invalidated' ? ` · ${escapeMarkdown(other.ttl)}` : '';
      lines.push(`- [${escapeMarkdown(where)}](${link}) \`${other.command}\`${ttl}`);
    }
    if (sites.length > maxSitesPerGroup) lines.push(`- and ${sites.length - maxSitesPerGroup} more`);
    lines.push('');
  }
  if (!complete) lines.push('_The workspace scan is still running: other files may add to this list._');
  return { contents: { kind: MarkupKind.Markdown, value: lines.join('\n').trim() }, range };
}

function escapeCode(text: string): string {
  return text.replace(/`/g, "'");
}

function escapeMarkdown(text: string): string {
  return text.replace(/([\\`*_{}[\]()#+!|<>])/g, '\\$1');
}
