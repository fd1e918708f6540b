import * as fs from 'node:fs';
import * as path from 'node:path';
import { editorCases } from './cases';
import { runCases, type SuiteReport } from './runner';

/**
 * The CacheScope editor suite. Hosts load the compiled `dist/editor-suite/index.js`:
 * - `run()` is the entry @vscode/test-electron calls (extensionTestsPath): it throws an AggregateError
 *   naming every failed case, which fails the run;
 * - `runAndReport(file)` writes `{ passed, failed: [{ name, message }] }` as JSON for hosts that read
 *   results from a file (code-server end-to-end tests) and does not throw on failed cases.
 */
export async function run(): Promise<void> {
  const report = await runSuite();
  if (report.failed.length > 0) {
    const total = report.failed.length + report.passed.length;
    throw new AggregateError(
      report.failed.map(({ name, message }) => new Error(`${name}: ${message}`)),
      `${report.failed.length} of ${total} CacheScope editor cases failed: ${report.failed.map(({ name }) => name).join('; ')}`,
    );
  }
}

export async function runAndReport(resultFile: string): Promise<SuiteReport> {
  const report = await runSuite();
  await fs.promises.mkdir(path.dirname(resultFile), { recursive: true });
  await fs.promises.writeFile(resultFile, `${JSON.stringify(report, null, 2)}\n`);
  return report;
}

function runSuite(): Promise<SuiteReport> {
  console.log('CacheScope editor suite');
  return runCases(editorCases(), (line) => console.log(line));
}
