import { describe, expect, it } from 'vitest';
import type { LintResult } from '../../analyzer/types';
import { FORMATTER_NAMES, formatGithub, formatJson, formatResults, formatSarif, formatStylish, isFormatterName, type FormatContext, type FormatterName } from './index';

const ctx: FormatContext = { cwd: '/repo', color: false, rules: [], toolVersion: '0.1.0' };

const result: LintResult = {
  results: [
    {
      filePath: '/repo/src/cache.ts',
      findings: [
        {
          ruleId: 'no-loop-reads',
          severity: 'warning',
          messageId: 'loop',
          message: 'Read in a loop',
          filePath: '/repo/src/cache.ts',
          range: [0, 4],
          location: { start: { line: 1, column: 1 }, end: { line: 1, column: 5 } },
          fingerprint: 'no-loop-reads:src/cache.ts:get:0',
        },
      ],
    },
  ],
  summary: { filesLinted: 1, filesSkippedByGate: 0, filesParsed: 1, errorCount: 0, warningCount: 1, fixableCount: 0, durationMs: 2 },
};

describe('formatResults', () => {
  it('hands each name to its formatter', () => {
    expect(formatResults('stylish', result, ctx)).toBe(formatStylish(result, ctx));
    expect(formatResults('json', result, ctx)).toBe(formatJson(result));
    expect(formatResults('sarif', result, ctx)).toBe(formatSarif(result, ctx));
    expect(formatResults('github', result, ctx)).toBe(formatGithub(result, ctx));
    const outputs = new Set(FORMATTER_NAMES.map((name) => formatResults(name, result, ctx)));
    expect(outputs.size).toBe(FORMATTER_NAMES.length);
  });

  it('refuses a name that is not a formatter', () => {
    expect(() => formatResults('checkstyle' as FormatterName, result, ctx)).toThrow(/Unknown formatter "checkstyle"/);
  });
});

describe('isFormatterName', () => {
  it('accepts exactly the known formatter names', () => {
    for (const name of FORMATTER_NAMES) expect(isFormatterName(name)).toBe(true);
    expect(isFormatterName('compact')).toBe(false);
    expect(isFormatterName('')).toBe(false);
  });
});
