import { beforeAll, describe, expect, it } from 'vitest';
import { formatReport, runBenchmark } from './inspect-bench.mjs';

/**
 * The inspection benchmark on a small keyspace (its own redis-server, 5,000 keys): it must produce
 * well-formed figures, and the inspector and `redis-cli --memkeys` must count the same keys and the
 * same memory. No timing is asserted (timed assertions flake); `npm run bench:inspect` reports the times.
 */

const isFigure = (value) => Number.isFinite(value) && value >= 0;
const keys = 5000;

// Like every Redis test of the project it needs redis-server and redis-cli (.ci/run installs them): it fails without.
describe('bench/inspect-bench.mjs', () => {
  let figures;

  beforeAll(async () => {
    // A short idle window keeps the test quick; the full benchmark idles as long as each tool ran.
    figures = await runBenchmark({ keys, runs: 1, idleFirstMs: 1000 });
  }, 60_000);

  it('seeds the asked number of keys and runs each tool once', () => {
    expect(figures.dbsize).toBe(keys);
    expect(figures.seedingMs).toBeGreaterThan(0);
    expect(figures.runs.map((run) => run.tool)).toEqual(['memkeys', 'inspect']);
  });

  it('records wall time, server CPU and PING latencies of every run', () => {
    for (const run of figures.runs) {
      expect(run.wallMs).toBeGreaterThan(0);
      expect(isFigure(run.serverCpuSeconds)).toBe(true);
      for (const ping of [run.pingIdle, run.pingDuring]) {
        expect(ping.count).toBeGreaterThan(0);
        for (const value of [ping.p50, ping.p99, ping.max]) expect(isFigure(value)).toBe(true);
        expect(ping.p99).toBeGreaterThanOrEqual(ping.p50);
      }
    }
    expect(figures.runs[0].pingIdle.count).toBeGreaterThan(20);
  });

  it('has both tools count every key and the same memory', () => {
    const { memkeys, inspect } = figures.summary;
    expect(memkeys.keys).toBe(keys);
    expect(inspect.keys).toBe(keys);
    expect(figures.runs[1].result.complete).toBe(true);
    expect(figures.runs[1].result.prefixKeys).toBe(keys);
    expect(memkeys.memoryBytes).toBeGreaterThan(0);
    expect(figures.summary.keysAgree).toBe(true);
    expect(figures.summary.memoryAgree).toBe(true);
  });

  it('prints a report with every figure and a verdict per target', () => {
    const report = formatReport(figures);
    for (const label of ['wall time (s)', 'ratio to memkeys', 'server CPU (s)', 'PING p99 idle / during (ms)', 'keys counted', 'memory total', 'Agreement', 'Targets:']) {
      expect(report).toContain(label);
    }
    expect(report.match(/: .*(met|MISSED)$/gm)).toHaveLength(3);
    expect(report).not.toMatch(/NaN|undefined|Infinity/);
  });
});
