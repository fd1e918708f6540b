/**
 * Runs CacheScope's library entry point (`lint()` from the built `dist/`) once on a directory and
 * prints, as JSON, the run's own summary (files linted, parsed, skipped by the gate) and where the
 * time went. Phase boundaries come from the `onProgress` callback the CLI also uses: the first
 * 'read' event follows configuration loading and file discovery; the first 'analyse' event follows
 * reading every file; everything after that is the import gate, parsing and the rules.
 *
 *   node bench/children/cachescope-phases.mjs <dist/shared/index.js> <directory>
 */
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';

const [distIndex, directory] = process.argv.slice(2);
if (!distIndex || !directory) {
  console.error('usage: cachescope-phases.mjs <dist/shared/index.js> <directory>');
  process.exit(2);
}

const loadStarted = performance.now();
const { lint } = createRequire(import.meta.url)(distIndex);
const loaded = performance.now();

let firstRead;
let readDone;
const outcome = await lint({
  cwd: directory,
  targets: ['.'],
  onProgress: (phase) => {
    if (phase === 'read' && firstRead === undefined) firstRead = performance.now();
    if (phase === 'analyse' && readDone === undefined) readDone = performance.now();
  },
});
const finished = performance.now();

// With no files at all there is no 'read' event: discovery then ends where analysis begins.
readDone ??= finished;
firstRead ??= readDone;
const seconds = (ms) => Math.round(ms) / 1000;
const findingsByRule = {};
for (const result of outcome.results) {
  for (const finding of result.findings) findingsByRule[finding.ruleId] = (findingsByRule[finding.ruleId] ?? 0) + 1;
}
process.stdout.write(
  `${JSON.stringify({
    summary: outcome.summary,
    findingsByRule,
    internalErrors: outcome.internalErrors.length,
    phases: {
      moduleLoad: seconds(loaded - loadStarted),
      configAndDiscovery: seconds(firstRead - loaded),
      reading: seconds(readDone - firstRead),
      gateParseAnalyse: seconds(finished - readDone),
      total: seconds(finished - loaded),
    },
  })}\n`,
);
