/**
 * How hard the inspector may push a server. A pacer turns the time a batch of work took into the pause that
 * follows it, through a duty cycle (the share of wall time spent working): 1.0 runs flat out, 0.5 pauses as long
 * as each batch took. The fixed pacer keeps one duty cycle; the latency pacer adapts it to what a latency probe
 * observes, so that the server's responsiveness to other clients stays within a budget of its idle latency.
 */
export interface Pacer {
  /** The share of wall time the inspector currently spends working, in (0, 1]. */
  readonly dutyCycle: number;
  /** Milliseconds to pause after a batch that took `workedMs`. */
  pauseAfter(workedMs: number): number;
}

/** The pause that makes `workedMs` of work `dutyCycle` of the time. */
export function pauseForDuty(workedMs: number, dutyCycle: number): number {
  if (dutyCycle >= 1 || workedMs <= 0) return 0;
  return Math.ceil((workedMs * (1 - dutyCycle)) / dutyCycle);
}

export class FixedPacer implements Pacer {
  constructor(readonly dutyCycle: number) {
    if (!(dutyCycle > 0 && dutyCycle <= 1)) throw new RangeError(`a duty cycle must be in (0, 1], got ${dutyCycle}`);
  }

  pauseAfter(workedMs: number): number {
    return pauseForDuty(workedMs, this.dutyCycle);
  }
}

/** The server's latency before the inspector started working, as the probe saw it. */
export interface LatencyBaseline {
  p50: number;
  p99: number;
}

export interface LatencyPacerOptions {
  /** How far (ms) observed latency may rise above the idle baseline before the pacer backs off. */
  budgetMs: number;
  minDutyCycle: number;
  maxDutyCycle: number;
  /** Added to the duty cycle for each sample within the budget. */
  increaseStep: number;
  /** The duty cycle is multiplied by this on a sample over the budget. */
  decreaseFactor: number;
  /** Samples in the sliding window whose median is compared with the idle median. */
  windowSize: number;
  /** Samples to wait after a decrease before the next one, so one slow stretch is not punished twice. */
  holdOffSamples: number;
}

export const defaultLatencyPacerOptions: LatencyPacerOptions = {
  budgetMs: 1,
  minDutyCycle: 0.2,
  maxDutyCycle: 1,
  increaseStep: 0.05,
  decreaseFactor: 0.5,
  windowSize: 8,
  holdOffSamples: 2,
};

/**
 * Additive increase, multiplicative decrease of the duty cycle, driven by latency samples. A sample is over the
 * budget when it exceeds the idle p99 by more than the budget, or when the median of the recent window exceeds the
 * idle median by more than the budget (a rise of the whole distribution, not a single slow reply). Over the
 * budget the duty cycle halves (at most once per hold-off, never below the minimum); within it, the duty cycle
 * grows by a small step up to the maximum. It starts flat out: a server that stays responsive is never slowed.
 */
export class LatencyPacer implements Pacer {
  private duty: number;
  private readonly window: number[] = [];
  private samplesSinceDecrease: number;
  readonly options: LatencyPacerOptions;

  constructor(
    readonly baseline: LatencyBaseline,
    options: Partial<LatencyPacerOptions> = {},
  ) {
    this.options = { ...defaultLatencyPacerOptions, ...options };
    this.duty = this.options.maxDutyCycle;
    this.samplesSinceDecrease = this.options.holdOffSamples;
  }

  get dutyCycle(): number {
    return this.duty;
  }

  /** Whether a latency sample, with the recent window, shows the server slower than the budget allows. */
  overBudget(latencyMs: number): boolean {
    if (latencyMs > this.baseline.p99 + this.options.budgetMs) return true;
    return this.window.length >= this.options.windowSize && median(this.window) > this.baseline.p50 + this.options.budgetMs;
  }

  observe(latencyMs: number): void {
    this.window.push(latencyMs);
    if (this.window.length > this.options.windowSize) this.window.shift();
    this.samplesSinceDecrease += 1;
    if (this.overBudget(latencyMs)) {
      if (this.samplesSinceDecrease > this.options.holdOffSamples) {
        this.duty = Math.max(this.options.minDutyCycle, this.duty * this.options.decreaseFactor);
        this.samplesSinceDecrease = 0;
      }
    } else {
      this.duty = Math.min(this.options.maxDutyCycle, this.duty + this.options.increaseStep);
    }
  }

  pauseAfter(workedMs: number): number {
    return pauseForDuty(workedMs, this.duty);
  }
}

/** The value below which `share` of the sorted samples fall (nearest rank). */
export function percentile(sorted: number[], share: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(share * sorted.length) - 1))];
}

function median(values: number[]): number {
  return percentile([...values].sort((a, b) => a - b), 0.5);
}

/** What pacing did over an inspection, for the report. Latencies are in ms, as the inspector's probe saw them. */
export interface PacingReport {
  /** latency: the duty cycle followed the probe; fixed: a duty cycle given as an option (or no probe was possible). */
  mode: 'latency' | 'fixed';
  /** How far latency may rise above idle before the inspector backs off (latency mode). */
  budgetMs?: number;
  /** Where the probe timed its PINGs: a worker thread of its own, or the main thread when no worker could start. */
  probe?: 'thread' | 'main-thread';
  /** Share of the scanning time spent working rather than pausing. */
  averageDutyCycle: number;
  /** The duty cycle when the scan ended, and the lowest it went. */
  finalDutyCycle: number;
  minDutyCycle: number;
  pausedMs: number;
  /** Probe round trips before the scan (idle) and while it ran (during). */
  idle?: LatencySummary;
  during?: LatencySummary;
  note?: string;
}

export interface LatencySummary {
  samples: number;
  p50: number;
  p99: number;
}

export function summariseLatencies(samples: number[]): LatencySummary | undefined {
  if (samples.length === 0) return undefined;
  const sorted = [...samples].sort((a, b) => a - b);
  return { samples: sorted.length, p50: round3(percentile(sorted, 0.5)), p99: round3(percentile(sorted, 0.99)) };
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/**
 * Accumulates what pacing did over every node and every run of an inspection: work and pause time, the duty
 * cycles chosen, and the probe's samples.
 */
export class PacingStats {
  workedMs = 0;
  pausedMs = 0;
  finalDutyCycle = 1;
  minDutyCycle = 1;
  readonly idleSamples: number[] = [];
  readonly duringSamples: number[] = [];
  mode: 'latency' | 'fixed' = 'latency';
  budgetMs?: number;
  probe?: 'thread' | 'main-thread';
  private readonly notes = new Set<string>();

  recordBatch(workedMs: number, pausedMs: number, dutyCycle: number): void {
    this.workedMs += workedMs;
    this.pausedMs += pausedMs;
    this.finalDutyCycle = dutyCycle;
    this.minDutyCycle = Math.min(this.minDutyCycle, dutyCycle);
  }

  note(text: string): void {
    this.notes.add(text);
  }

  report(): PacingReport {
    const total = this.workedMs + this.pausedMs;
    const idle = summariseLatencies(this.idleSamples);
    const during = summariseLatencies(this.duringSamples);
    return {
      mode: this.mode,
      ...(this.budgetMs !== undefined ? { budgetMs: this.budgetMs } : {}),
      ...(this.probe !== undefined ? { probe: this.probe } : {}),
      averageDutyCycle: total > 0 ? round3(this.workedMs / total) : this.finalDutyCycle,
      finalDutyCycle: round3(this.finalDutyCycle),
      minDutyCycle: round3(this.minDutyCycle),
      pausedMs: Math.round(this.pausedMs),
      ...(idle ? { idle } : {}),
      ...(during ? { during } : {}),
      ...(this.notes.size > 0 ? { note: [...this.notes].join('; ') } : {}),
    };
  }
}
