#!/usr/bin/env node
/**
 * How fast the CacheScope language server answers an editor, measured on the built server process
 * over stdio in the generated 5,000-file monorepo (bench/generate-corpus.mjs):
 *
 * - first diagnostics: from spawning a fresh server, and from `didOpen`, to the first
 *   `publishDiagnostics` of an opened file that uses a cache client, next to when the background
 *   workspace scan reported `ready` (it must come later: the open file does not wait for it);
 * - typing: incremental `didChange`s in a 2,000-line service file, each timed to the
 *   `publishDiagnostics` of its version, and bursts of changes 10 ms apart;
 * - ESLint 9's `Linter#verify` on the same versions of the same file, in this process, as the peer;
 * - the server's peak RSS.
 *
 *   node bench/lsp-latency.mjs [--runs 5] [--changes 300] [--bursts 20] [--lines 2000] [--files 5000] [--seed S]
 */
import * as fs from 'node:fs';
import { ensureBuilt } from './ensure-built.mjs';
import { table } from './report-table.mjs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { corpusDefaults, generateCorpus, generatorHash, readManifest } from './generate-corpus.mjs';
import { measureEslint, measureFirstDiagnostics, measureTyping, prepareWorkspace, summarise } from './lsp/measure.mjs';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(benchDir, '..');

export const targets = { firstDiagnosticsMs: 1500, typingP95Ms: 50 };

const usage = `usage: node bench/lsp-latency.mjs [options]
  --runs N       fresh servers timed for the first diagnostics (default 5)
  --changes N    awaited typing changes (default 300)
  --bursts N     bursts of 10 changes 10 ms apart (default 20)
  --lines N      length of the typed-in service file (default 2000)
  --files N      size of the generated corpus (default ${corpusDefaults.files})
  --seed S       seed of the generated corpus (default ${corpusDefaults.seed})`;

function parseArgs(argv) {
  const options = { runs: 5, changes: 300, bursts: 20, lines: 2000, files: corpusDefaults.files, seed: corpusDefaults.seed };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.includes('=') ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    const value = () => {
      const next = inline ?? argv[++i];
      if (next === undefined) throw new Error(`${flag} needs a value`);
      return next;
    };
    if (flag === '--help' || flag === '-h') options.help = true;
    else if (flag === '--seed') options.seed = value();
    else if (['--runs', '--changes', '--bursts', '--lines', '--files'].includes(flag)) options[flag.slice(2)] = positiveInteger(flag, value());
    else throw new Error(`unknown option ${arg}`);
  }
  return options;
}

function positiveInteger(flag, text) {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${flag} takes a positive whole number, got "${text}"`);
  return value;
}

// ---------------------------------------------------------------------------------------------
// Preparation


/** The generated corpus, reused when its manifest matches the options and the generator. */
function ensureCorpus({ files, seed }) {
  const out = corpusDefaults.out;
  const manifest = readManifest(out);
  if (manifest && manifest.options?.files === files && manifest.options?.seed === String(seed) && manifest.generatorHash === generatorHash()) {
    console.log(`corpus: reusing ${path.relative(process.cwd(), out)} (${manifest.files} files, seed ${manifest.seed})`);
    return out;
  }
  const started = performance.now();
  const summary = generateCorpus({ files, seed, out });
  console.log(`corpus: generated ${summary.files} files into ${path.relative(process.cwd(), out)} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return out;
}

// ---------------------------------------------------------------------------------------------
// The benchmark

/**
 * Runs every measurement on a copy of `corpusDir` and returns the figures. `log` receives progress
 * lines. The copy is removed afterwards.
 */
export async function runBenchmark({ corpusDir, runs, changes, bursts, lines }, log = () => undefined) {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cachescope-lsp-bench-'));
  try {
    const workspace = prepareWorkspace({ corpusDir, workspace: path.join(scratch, 'workspace'), serviceLines: lines });
    const relative = (file) => path.relative(workspace.root, file).split(path.sep).join('/');

    const firstRuns = [];
    for (let run = 1; run <= runs; run++) {
      const result = await measureFirstDiagnostics({ root: workspace.root, file: workspace.typicalFile });
      firstRuns.push(result);
      log(
        `  first diagnostics, run ${run}: ${ms(result.spawnToDiagnosticsMs)} from spawn, ${ms(result.openToDiagnosticsMs)} from didOpen; ` +
          `scan ready after ${ms(result.spawnToScanReadyMs)}`,
      );
    }

    log(`  typing: ${changes} awaited changes and ${bursts} bursts in ${relative(workspace.serviceFile)}`);
    const typing = await measureTyping({ root: workspace.root, file: workspace.serviceFile, text: workspace.serviceText, changes, bursts });
    log('  ESLint: Linter#verify on the same versions');
    const eslint = measureEslint({ text: workspace.serviceText, edits: typing.steadyEdits, filename: workspace.serviceFile });

    const openRules = countBy(typing.openDiagnostics.map((diagnostic) => diagnostic.code));
    return {
      files: countFiles(workspace.root),
      firstDiagnostics: {
        file: relative(workspace.typicalFile),
        runs: firstRuns,
        spawnToDiagnostics: summarise(firstRuns.map((run) => run.spawnToDiagnosticsMs)),
        openToDiagnostics: summarise(firstRuns.map((run) => run.openToDiagnosticsMs)),
        spawnToInitialized: summarise(firstRuns.map((run) => run.spawnToInitializedMs)),
        spawnToScanReady: summarise(firstRuns.map((run) => run.spawnToScanReadyMs)),
        beforeScanReady: firstRuns.filter((run) => run.spawnToDiagnosticsMs < run.spawnToScanReadyMs).length,
      },
      typing: {
        file: relative(workspace.serviceFile),
        lines,
        openFindings: openRules,
        expectedFindings: workspace.expectedFindings,
        steady: summarise(typing.latencies),
        bursts: summarise(typing.burstLatencies),
        warmupChanges: typing.warmup,
        scansDuringTyping: typing.scansDuringTyping,
        changesSent: typing.changesSent,
        versionsAnswered: typing.versionsAnswered,
        findingsPerVersion: { min: Math.min(...typing.findingsPerVersion), max: Math.max(...typing.findingsPerVersion) },
      },
      eslint: {
        version: eslint.version,
        steady: summarise(eslint.latencies),
        fatal: eslint.fatal,
        findingsPerVersion: { min: Math.min(...eslint.findingsPerVersion), max: Math.max(...eslint.findingsPerVersion) },
      },
      peakRssMb: {
        typing: typing.peakRssMb,
        firstDiagnosticsMax: Math.max(...firstRuns.map((run) => run.peakRssMb ?? NaN)),
      },
    };
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

function countBy(values) {
  const counts = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

/** Source files in the workspace (what the server can lint), for the report. */
function countFiles(root) {
  let count = 0;
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === '.git' || entry.name === 'node_modules') continue;
      if (entry.isDirectory()) walk(path.join(dir, entry.name));
      else if (/\.[cm]?[jt]sx?$/.test(entry.name)) count++;
    }
  };
  walk(root);
  return count;
}

// ---------------------------------------------------------------------------------------------
// Report

const ms = (value) => `${Math.round(value).toLocaleString('en')} ms`;
const fixed = (value) => (value < 10 ? value.toFixed(1) : Math.round(value).toLocaleString('en'));
const verdict = (ok) => (ok ? 'met' : 'MISSED');

const formatCounts = (counts) =>
  Object.entries(counts)
    .map(([name, count]) => `${name} ${count}`)
    .join(', ') || 'none';

export function formatReport(figures) {
  const { firstDiagnostics: first, typing, eslint } = figures;
  const out = [];
  const runs = first.runs.length;
  out.push(`First diagnostics: ${runs} fresh server${runs === 1 ? '' : 's'}, each opening ${first.file} right after initialize\n`);
  out.push(
    table([
      ['', 'median', 'max', 'target'],
      ['spawn → initialize answered', ms(first.spawnToInitialized.p50), ms(first.spawnToInitialized.max), ''],
      ['spawn → first diagnostics', ms(first.spawnToDiagnostics.p50), ms(first.spawnToDiagnostics.max), `< ${ms(targets.firstDiagnosticsMs)}: ${verdict(first.spawnToDiagnostics.max < targets.firstDiagnosticsMs)}`],
      ['didOpen → first diagnostics', ms(first.openToDiagnostics.p50), ms(first.openToDiagnostics.max), ''],
      ['spawn → workspace scan ready', ms(first.spawnToScanReady.p50), ms(first.spawnToScanReady.max), ''],
    ]),
  );
  out.push(
    `The first diagnostics came before the workspace scan was ready in ${first.beforeScanReady} of ${runs} runs` +
      (first.beforeScanReady === runs ? ': the open file did not wait for the scan.' : ': SOME RUNS WAITED FOR THE SCAN.'),
  );
  const opened = first.runs[0].diagnostics;
  out.push(
    `(${opened} diagnostic${opened === 1 ? '' : 's'} in the opened file; the scan found ${first.runs[0].workspaceFindings} findings ` +
      `in ${figures.files.toLocaleString('en')} files in ${ms(first.runs[0].scanDurationMs)}.)\n`,
  );

  out.push(`Typing in ${typing.file} (${typing.lines.toLocaleString('en')} lines; findings when opened: ${formatCounts(typing.openFindings)})`);
  out.push(
    `${typing.steady.count} incremental changes of one character (after ${typing.warmupChanges} untimed ones), each sent when the previous one's diagnostics had arrived, ` +
      'with the workspace scan finished\n',
  );
  const ratio = (a, b) => `${(a / b).toFixed(2)}x`;
  out.push(
    table([
      ['', 'p50', 'p95', 'p99', 'max', 'target'],
      ['CacheScope: didChange → publishDiagnostics', fixed(typing.steady.p50), fixed(typing.steady.p95), fixed(typing.steady.p99), fixed(typing.steady.max), `p95 < ${targets.typingP95Ms} ms: ${verdict(typing.steady.p95 < targets.typingP95Ms)}`],
      [`ESLint ${eslint.version} Linter#verify (1 rule, @typescript-eslint/parser)`, fixed(eslint.steady.p50), fixed(eslint.steady.p95), fixed(eslint.steady.p99), fixed(eslint.steady.max), ''],
      ['CacheScope / ESLint', ratio(typing.steady.p50, eslint.steady.p50), ratio(typing.steady.p95, eslint.steady.p95), ratio(typing.steady.p99, eslint.steady.p99), ratio(typing.steady.max, eslint.steady.max), ''],
    ]),
  );
  out.push('(milliseconds; CacheScope\'s figure includes the round trip through the pipes and JSON, ESLint\'s is the call alone)');
  out.push(
    `Bursts: ${typing.bursts.count} × 10 changes 10 ms apart; last change → diagnostics of its version: ` +
      `median ${ms(typing.bursts.p50)}, p95 ${ms(typing.bursts.p95)}, max ${ms(typing.bursts.max)}`,
  );
  out.push(
    `Versions answered with their own diagnostics: ${typing.versionsAnswered} of ${typing.steady.count + typing.warmupChanges} awaited changes, ` +
      `and the last version of each of the ${typing.bursts.count} bursts; ` +
      `${typing.findingsPerVersion.min}–${typing.findingsPerVersion.max} findings per version; ` +
      `${typing.scansDuringTyping} workspace re-scans finished meanwhile (the server re-scans when changes pause). ESLint parsed every version` +
      `${eslint.fatal === 0 ? '' : ` EXCEPT ${eslint.fatal}`} and found ${eslint.findingsPerVersion.min}–${eslint.findingsPerVersion.max} KEYS calls.\n`,
  );
  out.push(
    `Server peak RSS (VmHWM, worker thread included): ${fixed(figures.peakRssMb.typing ?? NaN)} MB after typing; ` +
      `${fixed(figures.peakRssMb.firstDiagnosticsMax)} MB at most in the first-diagnostics runs`,
  );
  return out.join('\n');
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  if (options.help) {
    console.log(usage);
    return 0;
  }
  const corpusDir = ensureCorpus(options);
  if (!ensureBuilt({ repoRoot, sourceDirs: ['shared', 'server'], outputs: ['dist/server/main.js', 'dist/shared/index.js'], what: 'the server' })) return 2;
  console.log(`machine: ${os.cpus().length} cores, load average ${os.loadavg()[0].toFixed(2)} at start; Node ${process.version}`);
  const figures = await runBenchmark({ corpusDir, ...options }, (line) => console.log(line));
  console.log(`\nworkspace: the generated corpus (${figures.files.toLocaleString('en')} files with the added service file), copied to a temporary folder`);
  console.log(`machine load average at the end: ${os.loadavg()[0].toFixed(2)}\n`);
  console.log(formatReport(figures));
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error) => {
      const usageError = /unknown option|needs a value|takes a positive/.test(error.message);
      console.error(`lsp-latency: ${usageError ? error.message : (error.stack ?? error.message)}`);
      if (usageError) console.error(usage);
      // Pending waits of the failed measurement would keep the process alive until they time out.
      process.exit(2);
    },
  );
}
