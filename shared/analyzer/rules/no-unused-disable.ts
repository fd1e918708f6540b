import type { SourceFile } from 'ts-morph';
import type { Directive } from '../engine/suppressions';
import { interpolate, locationOf } from '../engine/text-positions';
import type { Finding, Fix, Severity } from '../types';
import { createRule } from './create-rule';

export const unusedDirectiveRuleId = 'no-unused-disable';

/**
 * Reports `cachescope-disable` comments that suppress nothing. The engine evaluates directives
 * after every other rule has reported, so this rule has no listeners of its own.
 */
export const noUnusedDisable = createRule<Record<string, never>>({
  name: unusedDirectiveRuleId,
  meta: {
    type: 'suggestion',
    scope: 'file',
    docs: {
      description: 'Report cachescope-disable comments that suppress no finding',
      defaultLevel: 'warn',
    },
    messages: {
      unused: 'Unused cachescope-disable directive (no finding from {{rules}} was reported here).',
      unusedAll: 'Unused cachescope-disable directive (no finding was reported here).',
    },
    fixable: 'code',
    schema: { type: 'object', additionalProperties: false, properties: {} },
  },
  defaultOptions: {},
  create: () => ({}),
});

/** Findings for directives (or rule ids in them) that suppressed nothing, with fixes that remove them. */
export function unusedDirectiveFindings(sourceFile: SourceFile, directives: Directive[], severity: Severity): Finding[] {
  const rule = noUnusedDisable;
  const findings: Finding[] = [];
  const text = sourceFile.getFullText();
  for (const directive of directives) {
    const unusedRules = directive.rules.filter((id) => !directive.used.has(id));
    const wholeUnused = directive.rules.length === 0 ? !directive.usedAll : unusedRules.length === directive.rules.length;
    if (!wholeUnused && unusedRules.length === 0) continue;
    const [start, end] = directive.commentRange;
    let fix: Fix;
    if (wholeUnused) {
      // Remove the comment, and its line when the comment is alone on it.
      const lineStart = text.lastIndexOf('\n', start - 1) + 1;
      let lineEnd = text.indexOf('\n', end);
      if (lineEnd === -1) lineEnd = text.length;
      const alone = text.slice(lineStart, start).trim() === '' && text.slice(end, lineEnd).trim() === '';
      fix = { edits: [alone ? { range: [lineStart, Math.min(lineEnd + 1, text.length)], text: '' } : { range: [start, end], text: '' }] };
    } else {
      fix = {
        edits: directive.rules
          .map((id, index) => ({ id, range: directive.ruleRanges[index] }))
          .filter(({ id }) => unusedRules.includes(id))
          .map(({ range }) => {
            // Remove the id with the separator before it (or after it for the first id).
            const before = text.slice(0, range[0]).match(/,\s*$/);
            if (before) return { range: [range[0] - before[0].length, range[1]] as [number, number], text: '' };
            const after = text.slice(range[1]).match(/^\s*,\s*/);
            return { range: [range[0], range[1] + (after ? after[0].length : 0)] as [number, number], text: '' };
          }),
      };
    }
    const message = wholeUnused
      ? directive.rules.length === 0
        ? rule.meta.messages['unusedAll']
        : interpolate(rule.meta.messages['unused'], { rules: directive.rules.join(', ') })
      : interpolate(rule.meta.messages['unused'], { rules: unusedRules.join(', ') });
    findings.push({
      ruleId: unusedDirectiveRuleId,
      severity,
      messageId: wholeUnused && directive.rules.length === 0 ? 'unusedAll' : 'unused',
      message,
      filePath: sourceFile.getFilePath(),
      range: [start, end],
      location: locationOf(sourceFile, start, end),
      fix,
      fingerprint: '',
      tags: ['unnecessary'],
    });
  }
  return findings;
}
