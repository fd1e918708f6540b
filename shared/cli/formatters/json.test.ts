import { describe, expect, it } from 'vitest';
import type { Finding, LintResult, TextEdit } from '../../analyzer/types';
import { formatJson, toJsonFix, type JsonFileResult } from './json';

const SOURCE = 'const a = 1;\nconst b = 2;\nredis.set(key, value);\n';

function finding(overrides: Partial<Finding> & Pick<Finding, 'ruleId' | 'message'>): Finding {
  return {
    severity: 'warning',
    messageId: 'default',
    filePath: '/repo/src/cache.ts',
    range: [26, 48],
    location: { start: { line: 3, column: 1 }, end: { line: 3, column: 23 } },
    fingerprint: `${overrides.ruleId}:src/cache.ts:0`,
    ...overrides,
  };
}

function lintResult(results: LintResult['results']): LintResult {
  return {
    results,
    summary: { filesLinted: results.length, filesSkippedByGate: 0, filesParsed: results.length, errorCount: 0, warningCount: 0, fixableCount: 0, durationMs: 3 },
  };
}

function applyEdits(text: string, edits: TextEdit[]): string {
  return [...edits].sort((a, b) => b.range[0] - a.range[0]).reduce((acc, edit) => acc.slice(0, edit.range[0]) + edit.text + acc.slice(edit.range[1]), text);
}

describe('formatJson', () => {
  it('writes ESLint-shaped results that parse back to the expected structure', () => {
    const result = lintResult([
      {
        filePath: '/repo/src/cache.ts',
        source: SOURCE,
        findings: [
          finding({
            ruleId: 'no-missing-ttl',
            severity: 'error',
            messageId: 'missingTtl',
            message: 'Key has no TTL.',
            fix: { edits: [{ range: [47, 47], text: ', "EX", 60' }] },
            suggestions: [{ messageId: 'addTtl', desc: 'Add a TTL', fix: { edits: [{ range: [47, 47], text: ', "EX", 3600' }] } }],
            relatedLocations: [
              { filePath: '/repo/src/keys.ts', location: { start: { line: 2, column: 3 }, end: { line: 2, column: 9 } }, message: 'Key built here' },
            ],
          }),
          finding({ ruleId: 'no-loop-reads', message: 'Read in a loop' }),
        ],
      },
      { filePath: '/repo/src/clean.ts', source: 'export {};\n', findings: [] },
    ]);

    const parsed = JSON.parse(formatJson(result)) as JsonFileResult[];

    expect(parsed).toEqual([
      {
        filePath: '/repo/src/cache.ts',
        messages: [
          {
            ruleId: 'no-missing-ttl',
            severity: 2,
            message: 'Key has no TTL.',
            messageId: 'missingTtl',
            line: 3,
            column: 1,
            endLine: 3,
            endColumn: 23,
            fix: { range: [47, 47], text: ', "EX", 60' },
            suggestions: [{ desc: 'Add a TTL', messageId: 'addTtl', fix: { range: [47, 47], text: ', "EX", 3600' } }],
            relatedLocations: [{ filePath: '/repo/src/keys.ts', line: 2, column: 3, endLine: 2, endColumn: 9, message: 'Key built here' }],
          },
          {
            ruleId: 'no-loop-reads',
            severity: 1,
            message: 'Read in a loop',
            messageId: 'default',
            line: 3,
            column: 1,
            endLine: 3,
            endColumn: 23,
          },
        ],
        errorCount: 1,
        fatalErrorCount: 0,
        warningCount: 1,
        fixableErrorCount: 1,
        fixableWarningCount: 0,
        source: SOURCE,
      },
      {
        filePath: '/repo/src/clean.ts',
        messages: [],
        errorCount: 0,
        fatalErrorCount: 0,
        warningCount: 0,
        fixableErrorCount: 0,
        fixableWarningCount: 0,
      },
    ]);
  });

  it('reports parse errors as fatal with a null rule id', () => {
    const result = lintResult([
      {
        filePath: '/repo/broken.ts',
        findings: [finding({ filePath: '/repo/broken.ts', ruleId: 'parse-error', severity: 'error', fatal: true, message: "'}' expected." })],
      },
    ]);
    const [file] = JSON.parse(formatJson(result)) as JsonFileResult[];
    expect(file.messages[0]).toMatchObject({ ruleId: null, fatal: true, severity: 2, message: "'}' expected." });
    expect(file.errorCount).toBe(1);
    expect(file.fatalErrorCount).toBe(1);
  });

  it('gives the fixed text as output instead of source once fixes were applied', () => {
    const fixedText = 'redis.set(key, value, "EX", 60);\n';
    const result = lintResult([
      {
        filePath: '/repo/src/cache.ts',
        source: fixedText,
        output: fixedText,
        fixed: true,
        findings: [finding({ ruleId: 'no-loop-reads', message: 'Read in a loop', range: [0, 5] })],
      },
    ]);
    const [file] = JSON.parse(formatJson(result)) as JsonFileResult[];
    expect(file.output).toBe(fixedText);
    expect(file).not.toHaveProperty('source');
  });

  it('produces the same JSON twice for the same input', () => {
    const result = lintResult([{ filePath: '/repo/a.ts', findings: [finding({ ruleId: 'r', message: 'm' })] }]);
    expect(formatJson(result)).toBe(formatJson(result));
    expect(formatJson(lintResult([]))).toBe('[]');
  });
});

describe('toJsonFix', () => {
  const edits: TextEdit[] = [
    { range: [19, 20], text: 'y' },
    { range: [6, 7], text: 'x' },
  ];

  it('merges several edits into one covering edit that changes the text the same way', () => {
    const merged = toJsonFix({ edits }, SOURCE);
    expect(merged).toEqual({ range: [6, 20], text: 'x = 1;\nconst y' });
    if (!merged || !('range' in merged)) throw new Error('expected a single edit');
    expect(applyEdits(SOURCE, [merged])).toBe(applyEdits(SOURCE, edits));
    expect(applyEdits(SOURCE, [merged])).toBe('const x = 1;\nconst y = 2;\nredis.set(key, value);\n');
  });

  it('keeps the separate edits when there is no source text to merge with', () => {
    expect(toJsonFix({ edits }, undefined)).toEqual({
      edits: [
        { range: [6, 7], text: 'x' },
        { range: [19, 20], text: 'y' },
      ],
    });
  });

  it('keeps the separate edits when they overlap or run past the end of the source', () => {
    const overlapping: TextEdit[] = [
      { range: [6, 10], text: 'x' },
      { range: [8, 12], text: 'y' },
    ];
    expect(toJsonFix({ edits: overlapping }, SOURCE)).toEqual({ edits: overlapping });
    const pastEnd: TextEdit[] = [
      { range: [0, 1], text: 'x' },
      { range: [500, 501], text: 'y' },
    ];
    expect(toJsonFix({ edits: pastEnd }, SOURCE)).toEqual({ edits: pastEnd });
  });

  it('leaves out a fix without edits', () => {
    expect(toJsonFix({ edits: [] }, SOURCE)).toBeUndefined();
  });
});
