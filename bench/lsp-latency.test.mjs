import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCorpus } from './generate-corpus.mjs';
import { formatReport, runBenchmark } from './lsp-latency.mjs';

/**
 * The language-server latency benchmark's core on a small generated corpus: it must produce
 * well-formed figures, and the server must answer every awaited change with diagnostics of that
 * version. No timing is asserted (timed assertions flake); `npm run bench:lsp` reports the times.
 */

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'lsp-bench-test-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

const isDuration = (value) => Number.isFinite(value) && value > 0;

describe('bench/lsp-latency.mjs', () => {
  const changes = 30;
  const bursts = 2;
  let figures;

  beforeAll(async () => {
    const corpusDir = path.join(scratch, 'corpus');
    generateCorpus({ files: 200, seed: 'lsp-bench-test', out: corpusDir });
    figures = await runBenchmark({ corpusDir, runs: 1, changes, bursts, lines: 600 });
  }, 240_000);

  it('times the first diagnostics of a fresh server and the end of its workspace scan', () => {
    const { runs, spawnToDiagnostics, openToDiagnostics, spawnToScanReady } = figures.firstDiagnostics;
    expect(runs).toHaveLength(1);
    for (const summary of [spawnToDiagnostics, openToDiagnostics, spawnToScanReady]) {
      expect(summary.count).toBe(1);
      expect(isDuration(summary.p50)).toBe(true);
    }
    expect(runs[0].spawnToDiagnosticsMs).toBeGreaterThan(runs[0].openToDiagnosticsMs);
    expect(runs[0].diagnostics).toBeGreaterThan(0);
    expect(figures.files).toBeGreaterThan(200);
  });

  it('answers every awaited change with the diagnostics of its version, findings intact', () => {
    const { typing } = figures;
    expect(typing.openFindings).toEqual(typing.expectedFindings);
    expect(Object.keys(typing.openFindings).length).toBeGreaterThan(0);
    expect(typing.steady.count).toBe(changes);
    expect(typing.versionsAnswered).toBe(changes + typing.warmupChanges);
    expect(typing.bursts.count).toBe(bursts);
    expect(typing.changesSent).toBe(changes + typing.warmupChanges + bursts * 10);
    expect(typing.findingsPerVersion.min).toBeGreaterThan(0);
    for (const value of [typing.steady.p50, typing.steady.p95, typing.steady.p99, typing.steady.max, typing.bursts.p50]) expect(isDuration(value)).toBe(true);
  });

  it('times ESLint on the same versions, all of which parse', () => {
    expect(figures.eslint.steady.count).toBe(changes);
    expect(figures.eslint.fatal).toBe(0);
    expect(isDuration(figures.eslint.steady.p50)).toBe(true);
  });

  it('reads the server peak RSS and prints a report with every figure', () => {
    if (process.platform === 'linux') expect(isDuration(figures.peakRssMb.typing)).toBe(true);
    const report = formatReport(figures);
    for (const label of ['spawn → first diagnostics', 'didOpen → first diagnostics', 'CacheScope: didChange → publishDiagnostics', 'CacheScope / ESLint', 'Bursts:', 'peak RSS']) {
      expect(report).toContain(label);
    }
    expect(report).not.toMatch(/NaN|undefined/);
  });
});
