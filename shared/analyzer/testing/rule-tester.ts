import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../config/load-config';
import { lint } from '../lint';
import type { AnyRule } from '../rules/create-rule';
import { applyFixes } from '../engine/apply-fixes';
import type { Finding } from '../types';

/**
 * typescript-eslint's RuleTester, for CacheScope rules: each case is code (optionally with other
 * project files), linted in memory through the real engine; invalid cases state every expected
 * finding with its exact position, and the text each suggestion produces.
 */
export interface CaseFiles {
  /** The file under test; `.ts` unless `filename` says otherwise. */
  code: string;
  filename?: string;
  /** Other project files by relative path (a shared `redis.ts`, key helpers, the DB layer). */
  files?: Record<string, string>;
  options?: Record<string, unknown>;
  name?: string;
}

export interface ExpectedFinding {
  messageId: string;
  line: number;
  column?: number;
  endLine?: number;
  endColumn?: number;
  /** The file the finding is in, when it is not the file under test. */
  file?: string;
  /** Texts of the file after applying each suggestion, in order. */
  suggestions?: string[];
  /** Messages of related locations, in order (`file:line message`). */
  related?: string[];
}

export interface InvalidCase extends CaseFiles {
  errors: ExpectedFinding[];
  /** The text after `--fix` (null: no fix). */
  output?: string | null;
}

export interface RuleTests {
  valid: Array<string | CaseFiles>;
  invalid: InvalidCase[];
}

export const virtualRoot = path.join(os.tmpdir(), 'cachescope-rule-tester', 'project');

export async function lintCase(rule: AnyRule, testCase: CaseFiles): Promise<{ findings: Finding[]; texts: Record<string, string>; main: string }> {
  const main = path.join(virtualRoot, testCase.filename ?? 'src/subject.ts');
  const texts: Record<string, string> = { [main]: testCase.code };
  for (const [relative, text] of Object.entries(testCase.files ?? {})) texts[path.join(virtualRoot, relative)] = text;
  const config = resolveConfig([rule], { rules: { [rule.name]: ['warn', testCase.options ?? {}] } as never }, undefined);
  const outcome = await lint({ cwd: virtualRoot, texts, onlyTexts: true, config, rules: [rule] });
  if (outcome.internalErrors.length > 0) {
    throw new Error(`Rule threw: ${outcome.internalErrors.map((e) => e.stack ?? e.message).join('\n')}`);
  }
  const findings = outcome.results.flatMap((result) => result.findings);
  return { findings, texts, main };
}

export function runRuleTests(rule: AnyRule, tests: RuleTests): void {
  describe(rule.name, () => {
    describe('valid', () => {
      tests.valid.forEach((entry, index) => {
        const testCase = typeof entry === 'string' ? { code: entry } : entry;
        it(testCase.name ?? `valid #${index + 1}: ${firstLine(testCase.code)}`, async () => {
          const { findings } = await lintCase(rule, testCase);
          expect(findings.map(describeFinding)).toEqual([]);
        });
      });
    });
    describe('invalid', () => {
      tests.invalid.forEach((testCase, index) => {
        it(testCase.name ?? `invalid #${index + 1}: ${firstLine(testCase.code)}`, async () => {
          const { findings, texts, main } = await lintCase(rule, testCase);
          const actual = findings.map((finding) => ({
            messageId: finding.messageId,
            line: finding.location.start.line,
            column: finding.location.start.column,
            endLine: finding.location.end.line,
            endColumn: finding.location.end.column,
            file: finding.filePath === main ? undefined : path.relative(virtualRoot, finding.filePath),
          }));
          const expected = testCase.errors.map((error, i) => ({
            messageId: error.messageId,
            line: error.line,
            column: error.column ?? actual[i]?.column,
            endLine: error.endLine ?? actual[i]?.endLine,
            endColumn: error.endColumn ?? actual[i]?.endColumn,
            file: error.file,
          }));
          expect(actual).toEqual(expected);
          testCase.errors.forEach((error, i) => {
            const finding = findings[i];
            const source = texts[finding.filePath];
            if (error.suggestions) {
              expect((finding.suggestions ?? []).map((suggestion) => applyFixes(source, [suggestion.fix]).output)).toEqual(error.suggestions);
            }
            if (error.related) {
              expect(
                (finding.relatedLocations ?? []).map(
                  (related) => `${path.relative(virtualRoot, related.filePath)}:${related.location.start.line} ${related.message}`,
                ),
              ).toEqual(error.related);
            }
          });
          if (testCase.output !== undefined) {
            const fixes = findings.filter((finding) => finding.filePath === main && finding.fix).map((finding) => finding.fix!);
            expect(fixes.length > 0 ? applyFixes(testCase.code, fixes).output : null).toEqual(testCase.output);
          }
        });
      });
    });
  });
}

function describeFinding(finding: Finding): string {
  return `${finding.location.start.line}:${finding.location.start.column} ${finding.ruleId}/${finding.messageId}: ${finding.message}`;
}

function firstLine(code: string): string {
  const line = code.trim().split('\n').find((l) => /redis|cache|client|keyv|\.(set|get|keys|del)/i.test(l)) ?? code.trim().split('\n')[0];
  return line.trim().slice(0, 70);
}
