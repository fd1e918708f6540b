import { stripVTControlCharacters } from 'util';
import { describe, expect, it } from 'vitest';
import type { Finding, LintResult } from '../../analyzer/types';
import type { FormatContext } from './index';
import { formatStylish } from './stylish';

function finding(overrides: Partial<Finding> & Pick<Finding, 'filePath' | 'ruleId' | 'message'>, line: number, column: number): Finding {
  return {
    severity: 'warning',
    messageId: 'default',
    range: [0, 1],
    location: { start: { line, column }, end: { line, column: column + 1 } },
    fingerprint: `${overrides.ruleId}:${line}`,
    ...overrides,
  };
}

function lintResult(results: LintResult['results']): LintResult {
  return {
    results,
    summary: { filesLinted: results.length, filesSkippedByGate: 0, filesParsed: results.length, errorCount: 0, warningCount: 0, fixableCount: 0, durationMs: 1 },
  };
}

const ctx: FormatContext = { cwd: '/repo', color: false, rules: [], toolVersion: '0.1.0' };

const twoFiles = lintResult([
  {
    filePath: '/repo/src/cache.ts',
    findings: [
      finding(
        {
          filePath: '/repo/src/cache.ts',
          ruleId: 'no-missing-ttl',
          severity: 'error',
          message: 'Key has no TTL.',
          fix: { edits: [{ range: [10, 10], text: ', "EX", 60' }] },
          suggestions: [{ messageId: 'addTtl', desc: 'Add a 60 s TTL', fix: { edits: [{ range: [10, 10], text: ', "EX", 60' }] } }],
          relatedLocations: [
            { filePath: '/repo/src/keys.ts', location: { start: { line: 10, column: 1 }, end: { line: 10, column: 9 } }, message: 'Key is built here' },
          ],
        },
        3,
        5,
      ),
      finding({ filePath: '/repo/src/cache.ts', ruleId: 'no-loop-reads', message: 'Cache read in a loop' }, 12, 10),
    ],
  },
  { filePath: '/repo/src/clean.ts', findings: [] },
  {
    filePath: '/repo/lib/other.ts',
    findings: [
      finding(
        {
          filePath: '/repo/lib/other.ts',
          ruleId: 'no-unbounded-keys',
          message: 'Unbounded key set.',
          suggestions: [
            { messageId: 'a', desc: 'Hash the user id', fix: { edits: [{ range: [0, 1], text: 'h' }] } },
            { messageId: 'b', desc: 'Add a key prefix', fix: { edits: [{ range: [0, 0], text: 'p' }] } },
          ],
        },
        1,
        1,
      ),
    ],
  },
]);

describe('formatStylish', () => {
  it('prints nothing when there are no findings', () => {
    expect(formatStylish(lintResult([]), ctx)).toBe('');
    expect(formatStylish(lintResult([{ filePath: '/repo/a.ts', findings: [] }]), ctx)).toBe('');
  });

  it('prints aligned rows, related locations, suggestions, marks and the summary', () => {
    expect(formatStylish(twoFiles, ctx)).toBe(
      [
        '',
        'src/cache.ts',
        '   3:5   error    Key has no TTL        no-missing-ttl  (fixable, 1 suggestion)',
        '    ↳ src/keys.ts:10:1 Key is built here',
        '    suggestion: Add a 60 s TTL',
        '  12:10  warning  Cache read in a loop  no-loop-reads',
        '',
        'lib/other.ts',
        '  1:1  warning  Unbounded key set  no-unbounded-keys  (2 suggestions)',
        '    suggestion: Hash the user id',
        '    suggestion: Add a key prefix',
        '',
        '✖ 3 problems (1 error, 2 warnings)',
        '  1 error and 0 warnings potentially fixable with the --fix option.',
        '',
      ].join('\n'),
    );
  });

  it('uses singular words and leaves out the fixable line when nothing is fixable', () => {
    const single = lintResult([
      { filePath: '/repo/a.ts', findings: [finding({ filePath: '/repo/a.ts', ruleId: 'r', severity: 'error', message: 'Bad' }, 1, 2)] },
    ]);
    expect(formatStylish(single, ctx)).toBe(['', 'a.ts', '  1:2  error  Bad  r', '', '✖ 1 problem (1 error, 0 warnings)', ''].join('\n'));
  });

  it('does not call a fix without edits fixable', () => {
    const emptyFix = lintResult([
      { filePath: '/repo/a.ts', findings: [finding({ filePath: '/repo/a.ts', ruleId: 'r', message: 'Bad', fix: { edits: [] } }, 1, 2)] },
    ]);
    expect(formatStylish(emptyFix, ctx)).toBe(['', 'a.ts', '  1:2  warning  Bad  r', '', '✖ 1 problem (0 errors, 1 warning)', ''].join('\n'));
  });

  it('shows a parse error as an error without a rule id', () => {
    const fatal = lintResult([
      {
        filePath: '/repo/broken.ts',
        findings: [finding({ filePath: '/repo/broken.ts', ruleId: 'parse-error', severity: 'error', fatal: true, message: "Parsing error: '}' expected." }, 7, 1)],
      },
    ]);
    expect(formatStylish(fatal, ctx)).toBe(
      ['', 'broken.ts', "  7:1  error  Parsing error: '}' expected", '', '✖ 1 problem (1 error, 0 warnings)', ''].join('\n'),
    );
  });

  it('colours the output only when asked, keeping the same columns', () => {
    const colored = formatStylish(twoFiles, { ...ctx, color: true });
    expect(colored).toContain('\u001b[31merror\u001b[39m');
    expect(colored).toContain('\u001b[33mwarning\u001b[39m');
    expect(stripVTControlCharacters(colored)).toBe(formatStylish(twoFiles, ctx));
    expect(formatStylish(twoFiles, ctx)).not.toMatch(/\u001b/);
  });
});
