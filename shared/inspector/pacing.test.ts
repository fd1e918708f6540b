import { describe, expect, it } from 'vitest';
import { FixedPacer, LatencyPacer, pauseForDuty, PacingStats, percentile } from './pacing';

/** The pacing controllers fed with latency samples: no server, no clock, only the decisions they take. */
describe('pauseForDuty', () => {
  it('pauses so that work is the given share of the time', () => {
    expect(pauseForDuty(10, 0.5)).toBe(10);
    expect(pauseForDuty(10, 0.2)).toBe(40);
    expect(pauseForDuty(10, 1)).toBe(0);
    expect(pauseForDuty(0, 0.5)).toBe(0);
  });
});

describe('FixedPacer', () => {
  it('keeps its duty cycle whatever happens, and refuses one outside (0, 1]', () => {
    const pacer = new FixedPacer(0.5);
    expect(pacer.pauseAfter(12)).toBe(12);
    expect(pacer.dutyCycle).toBe(0.5);
    expect(() => new FixedPacer(0)).toThrow(RangeError);
    expect(() => new FixedPacer(1.5)).toThrow(RangeError);
  });
});

describe('LatencyPacer', () => {
  const baseline = { p50: 0.2, p99: 0.5 };

  it('runs flat out while latency stays within the budget', () => {
    const pacer = new LatencyPacer(baseline);
    for (let index = 0; index < 50; index += 1) pacer.observe(index % 10 === 0 ? 1.4 : 0.3);
    expect(pacer.dutyCycle).toBe(1);
    expect(pacer.pauseAfter(20)).toBe(0);
  });

  it('halves the duty cycle on a sample over idle p99 + budget, once per hold-off, down to the minimum', () => {
    const pacer = new LatencyPacer(baseline, { holdOffSamples: 2 });
    pacer.observe(1.6);
    expect(pacer.dutyCycle).toBe(0.5);
    expect(pacer.pauseAfter(10)).toBe(10);
    // The next two slow samples fall in the hold-off: the same slow stretch is not punished twice.
    pacer.observe(2);
    pacer.observe(2);
    expect(pacer.dutyCycle).toBe(0.5);
    pacer.observe(2);
    expect(pacer.dutyCycle).toBe(0.25);
    for (let index = 0; index < 20; index += 1) pacer.observe(5);
    expect(pacer.dutyCycle).toBe(0.2);
    expect(pacer.pauseAfter(10)).toBe(40);
  });

  it('backs off when the median rises by more than the budget even though no sample passes p99 + budget', () => {
    const pacer = new LatencyPacer({ p50: 0.2, p99: 2 }, { windowSize: 4 });
    for (let index = 0; index < 3; index += 1) pacer.observe(1.5);
    expect(pacer.dutyCycle).toBe(1);
    pacer.observe(1.5);
    expect(pacer.dutyCycle).toBe(0.5);
  });

  it('recovers additively once latency is flat again', () => {
    const pacer = new LatencyPacer(baseline, { increaseStep: 0.1 });
    pacer.observe(10);
    expect(pacer.dutyCycle).toBe(0.5);
    for (let index = 0; index < 3; index += 1) pacer.observe(0.25);
    expect(pacer.dutyCycle).toBeCloseTo(0.8, 10);
    for (let index = 0; index < 10; index += 1) pacer.observe(0.25);
    expect(pacer.dutyCycle).toBe(1);
  });

  it('treats a failed probe (infinite latency) as over budget', () => {
    const pacer = new LatencyPacer(baseline);
    pacer.observe(Number.POSITIVE_INFINITY);
    expect(pacer.dutyCycle).toBe(0.5);
  });
});

describe('PacingStats', () => {
  it('reports the average duty cycle as work over work plus pauses, and latency percentiles', () => {
    const stats = new PacingStats();
    stats.budgetMs = 1;
    stats.recordBatch(10, 0, 1);
    stats.recordBatch(10, 10, 0.5);
    stats.recordBatch(10, 0, 1);
    stats.idleSamples.push(0.1, 0.2, 0.3);
    for (let index = 1; index <= 100; index += 1) stats.duringSamples.push(index / 100);
    const report = stats.report();
    expect(report).toMatchObject({ mode: 'latency', budgetMs: 1, averageDutyCycle: 0.75, finalDutyCycle: 1, minDutyCycle: 0.5, pausedMs: 10 });
    expect(report.idle).toEqual({ samples: 3, p50: 0.2, p99: 0.3 });
    expect(report.during).toEqual({ samples: 100, p50: 0.5, p99: 0.99 });
    expect(percentile([], 0.5)).toBeNaN();
  });
});
