/**
 * A tiny runner for named async cases, so the suite needs no test framework inside the editor: cases
 * run one after another, each under its own time limit, and the outcome is a plain report.
 */
export interface EditorCase {
  name: string;
  /** Milliseconds the case may take before it counts as failed. */
  timeoutMs: number;
  run(): Promise<void>;
}

export interface SuiteReport {
  passed: string[];
  failed: { name: string; message: string }[];
}

export async function runCases(cases: readonly EditorCase[], log: (line: string) => void): Promise<SuiteReport> {
  const report: SuiteReport = { passed: [], failed: [] };
  for (const testCase of cases) {
    const started = Date.now();
    try {
      await withTimeout(testCase.run(), testCase.timeoutMs, testCase.name);
      report.passed.push(testCase.name);
      log(`  ok   ${testCase.name} (${Date.now() - started} ms)`);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      report.failed.push({ name: testCase.name, message });
      log(`  FAIL ${testCase.name} (${Date.now() - started} ms)\n       ${message.split('\n').join('\n       ')}`);
    }
  }
  log(`${report.passed.length} passed, ${report.failed.length} failed`);
  return report;
}

async function withTimeout(work: Promise<void>, timeoutMs: number, name: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`"${name}" did not finish within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
