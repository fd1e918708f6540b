import { describe, expect, it } from 'vitest';
import type { Finding, LintResult } from '../../analyzer/types';
import { escapeData, escapeProperty, formatGithub } from './github';
import type { FormatContext } from './index';

const ctx: FormatContext = { cwd: '/repo', color: false, rules: [], toolVersion: '0.1.0' };

function finding(overrides: Partial<Finding> & Pick<Finding, 'filePath' | 'ruleId' | 'message'>): Finding {
  return {
    severity: 'warning',
    messageId: 'default',
    range: [0, 4],
    location: { start: { line: 3, column: 5 }, end: { line: 4, column: 9 } },
    fingerprint: 'fp',
    ...overrides,
  };
}

function lintResult(findings: Finding[]): LintResult {
  return {
    results: findings.map((f) => ({ filePath: f.filePath, findings: [f] })),
    summary: { filesLinted: findings.length, filesSkippedByGate: 0, filesParsed: findings.length, errorCount: 0, warningCount: 0, fixableCount: 0, durationMs: 1 },
  };
}

describe('escaping like @actions/core', () => {
  it('escapes %, CR and LF in data', () => {
    expect(escapeData('100% done\r\nnext: a,b')).toBe('100%25 done%0D%0Anext: a,b');
  });

  it('also escapes : and , in properties', () => {
    expect(escapeProperty('C:/a,b%\n')).toBe('C%3A/a%2Cb%25%0A');
  });

  it('escapes % first so the escapes themselves are not escaped again', () => {
    expect(escapeData('%0A')).toBe('%250A');
  });
});

describe('formatGithub', () => {
  it('prints nothing when there are no findings', () => {
    expect(formatGithub(lintResult([]), ctx)).toBe('');
  });

  it('writes one annotation command per finding', () => {
    const output = formatGithub(
      lintResult([
        finding({ filePath: '/repo/src/cache.ts', ruleId: 'no-missing-ttl', severity: 'error', message: 'Key has no TTL.' }),
        finding({ filePath: '/repo/src/loop.ts', ruleId: 'no-loop-reads', message: 'Read in a loop' }),
      ]),
      ctx,
    );
    expect(output).toBe(
      '::error file=src/cache.ts,line=3,col=5,endLine=4,endColumn=9,title=cachescope(no-missing-ttl)::Key has no TTL.\n' +
        '::warning file=src/loop.ts,line=3,col=5,endLine=4,endColumn=9,title=cachescope(no-loop-reads)::Read in a loop\n',
    );
  });

  it('escapes messages and property values', () => {
    const output = formatGithub(
      lintResult([finding({ filePath: '/repo/src/a,b:c.ts', ruleId: 'ns:rule,x', message: '50% of keys\r\nhave no TTL: fix, please' })]),
      ctx,
    );
    expect(output).toBe(
      '::warning file=src/a%2Cb%3Ac.ts,line=3,col=5,endLine=4,endColumn=9,title=cachescope(ns%3Arule%2Cx)::50%25 of keys%0D%0Ahave no TTL: fix, please\n',
    );
  });

  it('appends related locations to the message on their own lines', () => {
    const output = formatGithub(
      lintResult([
        finding({
          filePath: '/repo/src/cache.ts',
          ruleId: 'no-missing-ttl',
          message: 'Key has no TTL',
          relatedLocations: [
            { filePath: '/repo/src/keys.ts', location: { start: { line: 7, column: 2 }, end: { line: 7, column: 8 } }, message: 'Key built here' },
          ],
        }),
      ]),
      ctx,
    );
    expect(output.trimEnd().split('::')[2]).toBe('Key has no TTL%0A↳ src/keys.ts:7:2 Key built here');
  });

  it('titles parse errors without a rule and reports them as errors', () => {
    const output = formatGithub(
      lintResult([finding({ filePath: '/repo/bad.ts', ruleId: 'parse-error', severity: 'error', fatal: true, message: "'}' expected." })]),
      ctx,
    );
    expect(output).toBe("::error file=bad.ts,line=3,col=5,endLine=4,endColumn=9,title=cachescope::'}' expected.\n");
  });

  it('uses forward slashes for Windows paths', () => {
    const output = formatGithub(
      lintResult([finding({ filePath: 'C:\\work\\app\\src\\cache.ts', ruleId: 'r', message: 'm' })]),
      { ...ctx, cwd: 'C:\\work\\app' },
    );
    expect(output).toBe('::warning file=src/cache.ts,line=3,col=5,endLine=4,endColumn=9,title=cachescope(r)::m\n');
  });
});
