#!/usr/bin/env node
/**
 * Times `cachescope lint` against ESLint 9 on the same files: by default a generated monorepo of
 * 5,000 TypeScript files (bench/generate-corpus.mjs), or any checkout with --dir. ESLint runs with
 * @typescript-eslint/parser, no type information and a single `no-restricted-syntax` rule (the
 * cheapest way to look for `.keys(` calls); CacheScope runs its full rule set through the built CLI.
 * Each tool runs as its own process, one at a time, alternating, --runs times; the table shows the
 * median wall time and the highest peak RSS.
 *
 *   node bench/lint-bench.mjs [--runs 3] [--files 5000] [--seed S] [--dir PATH] [--only eslint|cachescope]
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { ensureBuilt } from './ensure-built.mjs';
import { table } from './report-table.mjs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { corpusDefaults, generateCorpus, generatorHash, readManifest } from './generate-corpus.mjs';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(benchDir, '..');
const require = createRequire(import.meta.url);
const children = {
  peakRss: path.join(benchDir, 'children', 'peak-rss.cjs'),
  eslint: path.join(benchDir, 'children', 'eslint-lint.mjs'),
  phases: path.join(benchDir, 'children', 'cachescope-phases.mjs'),
};
const distIndex = path.join(repoRoot, 'dist', 'shared', 'index.js');
const distCli = path.join(repoRoot, 'dist', 'shared', 'cli', 'main.js');
const cliBin = path.join(repoRoot, 'bin', 'cachescope.js');

const targets = { wallRatio: 0.1, peakRssMb: 400 };
const lintedExtensions = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];

// ---------------------------------------------------------------------------------------------
// Options

const usage = `usage: node bench/lint-bench.mjs [options]
  --runs N          runs of each tool; the median wall time is reported (default 3)
  --files N         size of the generated corpus (default ${corpusDefaults.files})
  --seed S          seed of the generated corpus (default ${corpusDefaults.seed})
  --dir PATH        benchmark this checkout instead of the generated corpus (no generation)
  --only TOOL       run only "eslint" or only "cachescope"`;

function parseArgs(argv) {
  const options = { runs: 3, files: corpusDefaults.files, seed: corpusDefaults.seed };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.includes('=') ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    const value = () => {
      const next = inline ?? argv[++i];
      if (next === undefined) throw new Error(`${flag} needs a value`);
      return next;
    };
    if (flag === '--runs') options.runs = positiveInteger(flag, value());
    else if (flag === '--files') options.files = positiveInteger(flag, value());
    else if (flag === '--seed') options.seed = value();
    else if (flag === '--dir') options.dir = path.resolve(value());
    else if (flag === '--only') {
      options.only = value();
      if (!['eslint', 'cachescope'].includes(options.only)) throw new Error('--only takes "eslint" or "cachescope"');
    } else if (flag === '--help' || flag === '-h') options.help = true;
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

function prepareCorpus(options) {
  const out = corpusDefaults.out;
  const manifest = readManifest(out);
  const upToDate =
    manifest &&
    manifest.options?.files === options.files &&
    manifest.options?.seed === String(options.seed) &&
    manifest.generatorHash === generatorHash();
  if (upToDate) {
    console.log(`corpus: reusing ${path.relative(process.cwd(), out)} (${manifest.files} files, ${manifest.lines.toLocaleString('en')} lines, seed ${manifest.seed})`);
    return { dir: out, description: `generated corpus, ${manifest.files.toLocaleString('en')} files, ${manifest.lines.toLocaleString('en')} lines` };
  }
  const started = performance.now();
  const summary = generateCorpus({ files: options.files, seed: options.seed, out });
  console.log(
    `corpus: generated ${summary.files} files, ${summary.lines.toLocaleString('en')} lines into ${path.relative(process.cwd(), out)} in ${seconds(performance.now() - started)} s (${summary.cacheFiles.length} touch a cache client)`,
  );
  if (!summary.gitInitialised) console.log('corpus: warning: `git init` failed; .gitignore rules of an enclosing repository may hide the corpus from CacheScope');
  return { dir: out, description: `generated corpus, ${summary.files.toLocaleString('en')} files, ${summary.lines.toLocaleString('en')} lines` };
}

/**
 * The files ESLint is given: what git lists as tracked or untracked-but-not-ignored (the same
 * .gitignore semantics CacheScope applies), or every lintable file outside node_modules when the
 * directory is not in a git work tree; test files excluded, as CacheScope excludes them.
 */
function listLintableFiles(dir) {
  // CacheScope skips test files by default (they set keys without TTLs on purpose); ESLint gets
  // the same list so both tools do the same work.
  const { testFilePatterns } = require('../dist/shared/analyzer/project/discover.js');
  const isTest = require('picomatch')(testFilePatterns, { dot: true });
  const isLintable = (file) =>
    lintedExtensions.includes(path.extname(file)) &&
    !/\.d\.[cm]?ts$/.test(file) &&
    !file.split(/[\\/]/).includes('node_modules') &&
    !isTest(path.relative(dir, path.resolve(dir, file)).split(path.sep).join('/'));
  const git = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: dir, encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
  if (git.status === 0) {
    return git.stdout
      .split('\0')
      .filter(Boolean)
      .filter(isLintable)
      .map((file) => path.join(dir, file))
      .filter((file) => fs.existsSync(file))
      .sort();
  }
  const fg = require('fast-glob');
  return fg
    .sync(lintedExtensions.map((ext) => `**/*${ext}`), { cwd: dir, absolute: true, ignore: ['**/node_modules/**', '**/.git/**'] })
    .filter(isLintable)
    .map((file) => path.normalize(file))
    .sort();
}

function writeEslintConfig(workDir) {
  const parserUrl = pathToFileURL(require.resolve('@typescript-eslint/parser')).href;
  const config = `// Generated by bench/lint-bench.mjs: ESLint with the TypeScript parser, no type information, one rule.
import parser from ${JSON.stringify(parserUrl)};

export default [
  {
    files: ${JSON.stringify(lintedExtensions.map((ext) => `**/*${ext}`))},
    languageOptions: { parser, ecmaVersion: 'latest', sourceType: 'module' },
    linterOptions: { reportUnusedDisableDirectives: 'off' },
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.property.name='keys']", message: 'KEYS blocks Redis while it scans every key; iterate with SCAN.' },
      ],
    },
  },
];
`;
  const file = path.join(workDir, 'eslint.config.mjs');
  fs.writeFileSync(file, config);
  return file;
}


// ---------------------------------------------------------------------------------------------
// Timed runs

/**
 * Runs one tool as a child process with the peak-RSS probe preloaded. stdout goes to a file, so a
 * large report costs the tool what writing it costs, not what a pipe reader makes it cost.
 */
function timedRun({ script, args, cwd, workDir, label, okExitCodes }) {
  const rssFile = path.join(workDir, `${label}.rss`);
  const stdoutFile = path.join(workDir, `${label}.stdout`);
  fs.rmSync(rssFile, { force: true });
  const stdoutFd = fs.openSync(stdoutFile, 'w');
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['--require', children.peakRss, script, ...args], {
      cwd,
      env: { ...process.env, LINT_BENCH_RSS_FILE: rssFile, NO_COLOR: '1' },
      stdio: ['ignore', stdoutFd, 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - started;
      fs.closeSync(stdoutFd);
      if (!okExitCodes.includes(code)) {
        reject(new Error(`${label} exited with code ${code}\n${stderr.trim()}`));
        return;
      }
      const peakKb = fs.existsSync(rssFile) ? Number(fs.readFileSync(rssFile, 'utf8')) : NaN;
      resolve({ wallMs, peakMb: peakKb / 1024, stdoutFile, stderr });
    });
  });
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const seconds = (ms) => (ms / 1000).toFixed(2);

function runPhases(dir) {
  const result = spawnSync(process.execPath, [children.phases, distIndex, dir], { cwd: dir, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`the CacheScope library run failed:\n${result.stderr}`);
  return JSON.parse(result.stdout);
}

/** The last run's counts with each phase's median over all runs (phases vary with machine load). */
function medianPhases(runs) {
  const last = runs[runs.length - 1];
  const phases = {};
  for (const name of Object.keys(last.phases)) phases[name] = median(runs.map((run) => run.phases[name]));
  return { ...last, phases };
}

function summariseCliJson(file) {
  const report = JSON.parse(fs.readFileSync(file, 'utf8'));
  const byRule = {};
  let findings = 0;
  for (const result of report) {
    for (const message of result.messages) {
      findings++;
      const rule = message.ruleId ?? '(fatal)';
      byRule[rule] = (byRule[rule] ?? 0) + 1;
    }
  }
  return { filesWithFindings: report.length, findings, byRule };
}

// ---------------------------------------------------------------------------------------------
// Report

const formatCounts = (counts) =>
  Object.entries(counts)
    .sort((a, b) => b[1] - a[1])
    .map(([name, count]) => `${name} ${count}`)
    .join(', ') || 'none';

async function main() {
  const options = parseArgs(process.argv.slice(2));
  if (options.help) {
    console.log(usage);
    return 0;
  }
  const runEslint = options.only !== 'cachescope';
  const runCachescope = options.only !== 'eslint';

  let target;
  if (options.dir) {
    if (!fs.existsSync(options.dir) || !fs.statSync(options.dir).isDirectory()) throw new Error(`--dir ${options.dir} is not a directory`);
    target = { dir: options.dir, description: options.dir };
  } else {
    target = prepareCorpus(options);
  }
  if (!ensureBuilt({ repoRoot, sourceDirs: ['shared'], outputs: [path.relative(repoRoot, distIndex), path.relative(repoRoot, distCli)], what: 'CacheScope' })) return 2;

  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cachescope-bench-'));
  try {
    const files = listLintableFiles(target.dir);
    const fileListPath = path.join(workDir, 'files.json');
    fs.writeFileSync(fileListPath, JSON.stringify(files));
    const eslintConfig = writeEslintConfig(workDir);
    const lines = files.reduce((sum, file) => sum + fs.readFileSync(file, 'utf8').split('\n').length - 1, 0);
    const load = os.loadavg()[0];
    console.log(`target: ${target.description} (${files.length.toLocaleString('en')} lintable files, ${lines.toLocaleString('en')} lines)`);
    console.log(`machine: ${os.cpus().length} cores, load average ${load.toFixed(2)} at start; Node ${process.version}`);
    console.log(`runs: ${options.runs} of each tool, alternating, one process at a time\n`);

    const eslintRuns = [];
    const cachescopeRuns = [];
    const phaseRuns = [];
    let eslintSummary;
    let cliSummary;
    for (let run = 1; run <= options.runs; run++) {
      if (runEslint) {
        const result = await timedRun({ script: children.eslint, args: [eslintConfig, fileListPath, target.dir], cwd: target.dir, workDir, label: 'eslint', okExitCodes: [0] });
        eslintSummary = JSON.parse(fs.readFileSync(result.stdoutFile, 'utf8'));
        eslintRuns.push(result);
        console.log(`  run ${run}  ESLint      ${seconds(result.wallMs).padStart(7)} s  ${result.peakMb.toFixed(0).padStart(5)} MB`);
      }
      if (runCachescope) {
        // Exit code 1 means "findings"; 2 is a usage or internal error.
        const result = await timedRun({ script: cliBin, args: ['lint', '--format', 'json', target.dir], cwd: target.dir, workDir, label: 'cachescope', okExitCodes: [0, 1] });
        cliSummary = summariseCliJson(result.stdoutFile);
        cachescopeRuns.push(result);
        console.log(`  run ${run}  CacheScope  ${seconds(result.wallMs).padStart(7)} s  ${result.peakMb.toFixed(0).padStart(5)} MB`);
        // Not timed: the library run that reports the gate's numbers and the time per phase.
        phaseRuns.push(runPhases(target.dir));
      }
    }

    const rows = [['tool', 'median wall (s)', 'peak RSS (MB)', 'files linted', 'findings']];
    const eslintWall = eslintRuns.length ? median(eslintRuns.map((r) => r.wallMs)) : undefined;
    const cachescopeWall = cachescopeRuns.length ? median(cachescopeRuns.map((r) => r.wallMs)) : undefined;
    const cachescopePeak = cachescopeRuns.length ? Math.max(...cachescopeRuns.map((r) => r.peakMb)) : undefined;
    const phases = phaseRuns.length ? medianPhases(phaseRuns) : undefined;
    if (eslintWall !== undefined) {
      rows.push([`ESLint ${eslintSummary.eslintVersion} (1 rule, @typescript-eslint/parser)`, seconds(eslintWall), Math.max(...eslintRuns.map((r) => r.peakMb)).toFixed(0), eslintSummary.filesLinted, eslintSummary.findings]);
    }
    if (cachescopeWall !== undefined) {
      rows.push(['CacheScope (lint --format json, all rules)', seconds(cachescopeWall), cachescopePeak.toFixed(0), phases.summary.filesLinted, cliSummary.findings]);
    }
    console.log(`\n${table(rows)}\n`);

    if (eslintWall !== undefined && cachescopeWall !== undefined) {
      const ratio = cachescopeWall / eslintWall;
      const verdict = (ok) => (ok ? 'met' : 'MISSED');
      console.log(`CacheScope / ESLint wall time: ${ratio.toFixed(3)}x   (target ≤ ${targets.wallRatio}x: ${verdict(ratio <= targets.wallRatio)})`);
      console.log(`CacheScope peak RSS: ${cachescopePeak.toFixed(0)} MB   (target < ${targets.peakRssMb} MB: ${verdict(cachescopePeak < targets.peakRssMb)})`);
      if (eslintSummary.filesLinted !== phases.summary.filesLinted) {
        console.log(`note: the tools linted different file sets (ESLint ${eslintSummary.filesLinted}, CacheScope ${phases.summary.filesLinted}); the ratio compares unequal work`);
      }
    } else if (cachescopeWall !== undefined) {
      console.log(`CacheScope peak RSS: ${cachescopePeak.toFixed(0)} MB   (target < ${targets.peakRssMb} MB: ${cachescopePeak < targets.peakRssMb ? 'met' : 'MISSED'})`);
    }

    if (runEslint) {
      console.log(`ESLint findings by rule: ${formatCounts(eslintSummary.findingsByRule)}${eslintSummary.fatal ? `; ${eslintSummary.fatal} files failed to parse` : ''}`);
    }
    if (runCachescope) {
      const { summary } = phases;
      const p = phases.phases;
      console.log(
        `CacheScope: ${summary.filesLinted} files linted, ${summary.filesParsed} parsed, ${summary.filesSkippedByGate} skipped by the import gate; ` +
          `${cliSummary.findings} findings in ${cliSummary.filesWithFindings} files (${formatCounts(cliSummary.byRule)})`,
      );
      console.log(
        `CacheScope time (median of ${phaseRuns.length} in-process lint() runs, ${p.total.toFixed(2)} s): ` +
          `${p.configAndDiscovery.toFixed(2)} s configuration and file discovery, ${p.reading.toFixed(2)} s reading, ` +
          `${p.gateParseAnalyse.toFixed(2)} s import gate, parsing and analysis; loading the modules took ${p.moduleLoad.toFixed(2)} s`,
      );
      if (cachescopeWall !== undefined) {
        const rest = cachescopeWall / 1000 - p.total - p.moduleLoad;
        console.log(
          rest >= 0.05
            ? `  the CLI's median wall time exceeds that by ${rest.toFixed(2)} s: Node start-up and writing the JSON report`
            : `  the CLI's median wall time is within measurement noise of that (Node start-up and the JSON report are negligible)`,
        );
      }
      if (phases.internalErrors > 0) console.log(`warning: CacheScope reported ${phases.internalErrors} internal errors`);
    }
    return 0;
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    console.error(`lint-bench: ${error.message}`);
    if (/unknown option|needs a value|takes/.test(error.message)) console.error(usage);
    process.exitCode = 2;
  },
);
