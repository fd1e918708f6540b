import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Finding, LintResult } from '../analyzer/types';
import { applyBaseline, BaselineError, createBaseline, parseBaseline, readBaseline, serializeBaseline, type BaselineFile } from './baseline';

const cwd = '/repo';

function finding(overrides: Partial<Finding> & Pick<Finding, 'filePath' | 'ruleId' | 'fingerprint'>): Finding {
  return {
    severity: 'warning',
    messageId: 'default',
    message: 'A cache problem',
    range: [0, 4],
    location: { start: { line: 1, column: 1 }, end: { line: 1, column: 5 } },
    ...overrides,
  };
}

function lintResult(files: Record<string, Finding[]>): LintResult {
  const results = Object.entries(files).map(([filePath, findings]) => ({ filePath, findings }));
  const all = results.flatMap((r) => r.findings);
  return {
    results,
    summary: {
      filesLinted: results.length,
      filesSkippedByGate: 2,
      filesParsed: results.length,
      errorCount: all.filter((f) => f.severity === 'error').length,
      warningCount: all.filter((f) => f.severity === 'warning').length,
      fixableCount: all.filter((f) => f.fix).length,
      durationMs: 12,
    },
  };
}

const ttlA = finding({ filePath: '/repo/src/b.ts', ruleId: 'no-missing-ttl', fingerprint: 'ttl-a', severity: 'error', fix: { edits: [{ range: [4, 4], text: ', 60' }] } });
const loopA = finding({ filePath: '/repo/src/b.ts', ruleId: 'no-loop-reads', fingerprint: 'loop-a' });
const loopInOtherFile = finding({ filePath: '/repo/lib/a.ts', ruleId: 'no-loop-reads', fingerprint: 'loop-b' });

describe('createBaseline', () => {
  it('records counts per relative path, rule and fingerprint, with sorted keys', () => {
    const duplicate = { ...loopA };
    const baseline = createBaseline(lintResult({ '/repo/src/b.ts': [ttlA, loopA, duplicate], '/repo/lib/a.ts': [loopInOtherFile] }), cwd);
    expect(baseline).toEqual({
      version: 1,
      tool: 'cachescope',
      findings: {
        'lib/a.ts': { 'no-loop-reads': { 'loop-b': 1 } },
        'src/b.ts': { 'no-loop-reads': { 'loop-a': 2 }, 'no-missing-ttl': { 'ttl-a': 1 } },
      },
    });
    expect(Object.keys(baseline.findings)).toEqual(['lib/a.ts', 'src/b.ts']);
    expect(Object.keys(baseline.findings['src/b.ts'])).toEqual(['no-loop-reads', 'no-missing-ttl']);
  });

  it('writes the same text whatever order the findings came in', () => {
    const forward = createBaseline(lintResult({ '/repo/src/b.ts': [ttlA, loopA], '/repo/lib/a.ts': [loopInOtherFile] }), cwd);
    const backward = createBaseline(lintResult({ '/repo/lib/a.ts': [loopInOtherFile], '/repo/src/b.ts': [loopA, ttlA] }), cwd);
    expect(serializeBaseline(backward)).toBe(serializeBaseline(forward));
    expect(serializeBaseline(forward).endsWith('}\n')).toBe(true);
  });

  it('never records parse errors', () => {
    const parseError = finding({ filePath: '/repo/bad.ts', ruleId: 'parse-error', fingerprint: 'parse', severity: 'error', fatal: true });
    expect(createBaseline(lintResult({ '/repo/bad.ts': [parseError] }), cwd).findings).toEqual({});
  });

  it('keys Windows files by forward-slash relative paths', () => {
    const windowsFinding = finding({ filePath: 'C:\\repo\\src\\b.ts', ruleId: 'no-loop-reads', fingerprint: 'loop-a' });
    const baseline = createBaseline(lintResult({ 'C:\\repo\\src\\b.ts': [windowsFinding] }), 'C:\\repo');
    expect(Object.keys(baseline.findings)).toEqual(['src/b.ts']);
  });
});

describe('applyBaseline', () => {
  const baseline = createBaseline(lintResult({ '/repo/src/b.ts': [ttlA, loopA] }), cwd);

  it('removes known findings and recomputes the summary', () => {
    const current = lintResult({ '/repo/src/b.ts': [ttlA, loopA], '/repo/lib/a.ts': [loopInOtherFile] });
    const { result, suppressedCount } = applyBaseline(current, baseline, cwd);
    expect(suppressedCount).toBe(2);
    expect(result.results.map((r) => r.findings)).toEqual([[], [loopInOtherFile]]);
    expect(result.summary).toEqual({ ...current.summary, errorCount: 0, warningCount: 1, fixableCount: 0 });
  });

  it('lets through the copies beyond the recorded count', () => {
    const secondCopy = { ...loopA, location: { start: { line: 9, column: 1 }, end: { line: 9, column: 5 } } };
    const { result, suppressedCount } = applyBaseline(lintResult({ '/repo/src/b.ts': [loopA, secondCopy] }), baseline, cwd);
    expect(suppressedCount).toBe(1);
    expect(result.results[0].findings).toEqual([secondCopy]);
    expect(result.summary.warningCount).toBe(1);
  });

  it('matches on file, rule and fingerprint together', () => {
    const sameFingerprintOtherFile = { ...loopA, filePath: '/repo/src/c.ts' };
    const sameFingerprintOtherRule = { ...loopA, ruleId: 'no-hot-keys' };
    const { result, suppressedCount } = applyBaseline(
      lintResult({ '/repo/src/c.ts': [sameFingerprintOtherFile], '/repo/src/b.ts': [sameFingerprintOtherRule] }),
      baseline,
      cwd,
    );
    expect(suppressedCount).toBe(0);
    expect(result.results.flatMap((r) => r.findings)).toHaveLength(2);
  });

  it('never suppresses parse errors and leaves its input untouched', () => {
    const parseError = finding({ filePath: '/repo/src/b.ts', ruleId: 'no-loop-reads', fingerprint: 'loop-a', severity: 'error', fatal: true });
    const current = lintResult({ '/repo/src/b.ts': [parseError, ttlA] });
    const before = JSON.stringify(current);
    const { result, suppressedCount } = applyBaseline(current, baseline, cwd);
    expect(suppressedCount).toBe(1);
    expect(result.results[0].findings).toEqual([parseError]);
    expect(result.summary.errorCount).toBe(1);
    expect(JSON.stringify(current)).toBe(before);
  });

  it('finds a baseline written on another platform', () => {
    const windowsFinding = finding({ filePath: 'C:\\repo\\src\\b.ts', ruleId: 'no-loop-reads', fingerprint: 'loop-a' });
    const { suppressedCount } = applyBaseline(lintResult({ 'C:\\repo\\src\\b.ts': [windowsFinding] }), baseline, 'C:\\repo');
    expect(suppressedCount).toBe(1);
  });
});

describe('readBaseline', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cachescope-baseline-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  function write(name: string, text: string): string {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  }

  it('reads back what createBaseline wrote', () => {
    const baseline = createBaseline(lintResult({ '/repo/src/b.ts': [ttlA, loopA, { ...loopA }] }), cwd);
    const file = write('round-trip.json', serializeBaseline(baseline));
    expect(readBaseline(file)).toEqual(baseline);
  });

  it('says when the file is missing or is a directory', () => {
    const missing = path.join(dir, 'nope.json');
    expect(() => readBaseline(missing)).toThrow(BaselineError);
    expect(() => readBaseline(missing)).toThrow(`Baseline file not found: ${missing}`);
    expect(() => readBaseline(dir)).toThrow(/is a directory/);
  });

  it('says when the file is not JSON', () => {
    const file = write('broken.json', '{ "version": 1,');
    expect(() => readBaseline(file)).toThrow(new RegExp(`^Baseline file .*broken\\.json is not valid JSON: `));
  });

  it.each<[string, unknown, RegExp]>([
    ['an array', [], /expected a JSON object/],
    ['another tool', { version: 1, tool: 'eslint', findings: {} }, /"tool" must be "cachescope", found "eslint"/],
    ['a newer version', { version: 2, tool: 'cachescope', findings: {} }, /unsupported "version" 2/],
    ['findings that are not an object', { version: 1, tool: 'cachescope', findings: [] }, /"findings" must be an object/],
    ['a file entry that is not an object', { version: 1, tool: 'cachescope', findings: { 'a.ts': 3 } }, /findings\["a\.ts"\] must be an object/],
    ['a rule entry that is not an object', { version: 1, tool: 'cachescope', findings: { 'a.ts': { r: null } } }, /findings\["a\.ts"\]\["r"\] must be an object/],
    ['a count of zero', { version: 1, tool: 'cachescope', findings: { 'a.ts': { r: { fp: 0 } } } }, /\["fp"\] must be a positive whole number, found 0/],
    ['a fractional count', { version: 1, tool: 'cachescope', findings: { 'a.ts': { r: { fp: 1.5 } } } }, /positive whole number, found 1\.5/],
  ])('rejects %s', (_label, data, expected) => {
    const file = write('shape.json', JSON.stringify(data));
    expect(() => readBaseline(file)).toThrow(BaselineError);
    expect(() => readBaseline(file)).toThrow(expected);
  });
});

describe('parseBaseline', () => {
  it('names the source in its errors', () => {
    expect(() => parseBaseline('null', 'ci/baseline.json')).toThrow('Baseline file ci/baseline.json is not a CacheScope baseline: expected a JSON object at the top level.');
  });

  it('accepts an empty baseline', () => {
    const empty: BaselineFile = { version: 1, tool: 'cachescope', findings: {} };
    expect(parseBaseline(serializeBaseline(empty), 'b.json')).toEqual(empty);
  });
});
