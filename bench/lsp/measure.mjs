/**
 * The measurements of the language-server latency benchmark. Each one drives the built server
 * (`bin/cachescope-lsp.js --stdio`) through the protocol client of the server tests, and takes a
 * time when the client has read a message: what an editor would see, pipes and JSON included.
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createEditSequence } from './edits.mjs';
import { loadLspClient } from './load-client.mjs';
import { writeServiceFile } from './service-file.mjs';

const require = createRequire(import.meta.url);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** How long a wait for a workspace scan may take before the benchmark gives up (5,000 files take seconds). */
const waitLimitMs = 180_000;
/** How long a wait for diagnostics may take: far beyond any target, short enough to fail fast. */
const diagnosticsLimitMs = 60_000;

// ---------------------------------------------------------------------------------------------
// Workspace

/**
 * Copies the corpus to `workspace` (so the added file does not change what the lint benchmark
 * measures) and writes the large service file into the copy. Returns the files to open.
 */
export function prepareWorkspace({ corpusDir, workspace, serviceLines }) {
  fs.rmSync(workspace, { recursive: true, force: true });
  fs.cpSync(corpusDir, workspace, { recursive: true });
  const { file, text, expected } = writeServiceFile(workspace, serviceLines);
  return { root: workspace, serviceFile: file, serviceText: text, expectedFindings: expected, typicalFile: typicalCacheFile(workspace) ?? file };
}

/**
 * A typical service of the corpus that uses its package's cache module and calls KEYS (which
 * CacheScope always reports, so the file has diagnostics to publish): the first such file the
 * corpus's manifest lists (the corpus is generated from a seed, so it is the same file every run).
 */
function typicalCacheFile(root) {
  let manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(path.join(root, '.corpus-manifest.json'), 'utf8'));
  } catch {
    return undefined;
  }
  for (const relative of manifest.cacheFiles ?? []) {
    if (!relative.endsWith('.service.ts')) continue;
    const file = path.join(root, relative);
    const text = fs.readFileSync(file, 'utf8');
    if (/from '\.\.\/cache'/.test(text) && /await [\w.]+\.keys\('/.test(text)) return file;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Helpers

/** Peak resident set size of a process in MB (Linux: VmHWM, which counts its worker threads too). */
export function peakRssMb(pid) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/^VmHWM:\s+(\d+)\s+kB/m.exec(status)?.[1]);
    return Number.isFinite(kb) ? kb / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** When (performance.now()) the client reads a publication for `uri` that `accept` takes. */
function arrivalOf(client, uri, accept, what, timeoutMs = diagnosticsLimitMs) {
  return client.waitFor(() => {
    const params = client.diagnostics.get(uri);
    return params && accept(params) ? { at: performance.now(), params } : undefined;
  }, what, timeoutMs);
}

/**
 * Waits until the workspace scans have settled: a `ready` status, then no further one within
 * twice the last scan's duration plus a second (the server re-scans after changes, silently until
 * it is done), so that timed typing does not compete with a scan.
 */
async function waitForQuietWorkspace(client) {
  let seen = 0;
  let ready = await client.waitFor(() => client.statuses.slice(seen).find((status) => status.state === 'ready'), 'a finished workspace scan', waitLimitMs);
  for (;;) {
    seen = client.statuses.length;
    const quietMs = 2 * (ready.durationMs ?? 1000) + 1000;
    try {
      ready = await client.waitFor(() => client.statuses.slice(seen).find((status) => status.state === 'ready'), 'another workspace scan', quietMs);
    } catch {
      return;
    }
  }
}

export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

export function summarise(values) {
  return {
    count: values.length,
    p50: percentile(values, 50),
    p95: percentile(values, 95),
    p99: percentile(values, 99),
    max: Math.max(...values),
    mean: values.reduce((sum, value) => sum + value, 0) / values.length,
  };
}

// ---------------------------------------------------------------------------------------------
// First diagnostics

/**
 * One fresh server: spawn, initialize, open `file` at once (as an editor restoring a tab does) and
 * time its first publication, and the first `ready` status of the workspace scan.
 */
export async function measureFirstDiagnostics({ root, file }) {
  const { LspClient, uri } = await loadLspClient();
  const text = fs.readFileSync(file, 'utf8');
  const spawned = performance.now();
  const client = new LspClient({ rootPath: root });
  try {
    const scanReady = client.waitFor(() => (client.statuses.some((status) => status.state === 'ready') ? performance.now() : undefined), 'a finished workspace scan', waitLimitMs);
    // Awaited below; until then a failure elsewhere must not leave it an unhandled rejection.
    scanReady.catch(() => undefined);
    await client.initialize();
    const initialized = performance.now();
    const documentUri = client.open(file, text);
    const opened = performance.now();
    const first = await arrivalOf(client, documentUri, () => true, `the first diagnostics of ${file}`);
    const readyAt = await scanReady;
    const ready = client.statuses.find((status) => status.state === 'ready');
    const result = {
      file,
      spawnToInitializedMs: initialized - spawned,
      spawnToDiagnosticsMs: first.at - spawned,
      openToDiagnosticsMs: first.at - opened,
      spawnToScanReadyMs: readyAt - spawned,
      diagnostics: first.params.diagnostics.length,
      workspaceFindings: (ready.errors ?? 0) + (ready.warnings ?? 0),
      scanDurationMs: ready.durationMs,
      peakRssMb: peakRssMb(client.pid),
    };
    if (documentUri !== uri(file)) throw new Error('the client opened an unexpected URI');
    return result;
  } finally {
    await client.shutdown();
  }
}

// ---------------------------------------------------------------------------------------------
// Typing

/**
 * One server with the large file open and the workspace scanned: `changes` incremental edits, each
 * sent after the diagnostics of the previous one arrived (a steady typist who waits for squiggles),
 * then `bursts` bursts of `burstSize` edits `burstGapMs` apart (a fast typist), timed from the last
 * edit of each burst to the diagnostics of its version.
 */
export async function measureTyping({ root, file, text, changes, warmup = 5, bursts, burstSize = 10, burstGapMs = 10, seed = 1 }) {
  const { LspClient } = await loadLspClient();
  const client = new LspClient({ rootPath: root });
  const steadyEdits = createEditSequence(text, warmup + changes, seed);
  const burstEdits = createEditSequence(steadyEdits.at(-1).text, bursts * burstSize, seed + 1);
  try {
    await client.initialize();
    const documentUri = client.open(file, text);
    const opened = await arrivalOf(client, documentUri, (params) => params.version === 1, 'diagnostics of the opened file');
    await waitForQuietWorkspace(client);

    const statusesBeforeTyping = client.statuses.length;
    const latencies = [];
    const findingsPerVersion = [];
    let versionsAnswered = 0;
    for (const [index, edit] of steadyEdits.entries()) {
      const version = client.change(documentUri, edit.change);
      const sent = performance.now();
      const arrived = await arrivalOf(client, documentUri, (params) => params.version === version, `diagnostics of version ${version}`);
      versionsAnswered++;
      if (index < warmup) continue;
      latencies.push(arrived.at - sent);
      findingsPerVersion.push(arrived.params.diagnostics.length);
    }

    const burstLatencies = [];
    for (let burst = 0; burst < bursts; burst++) {
      let version = 0;
      let sent = 0;
      for (let i = 0; i < burstSize; i++) {
        if (i > 0) await sleep(burstGapMs);
        version = client.change(documentUri, burstEdits[burst * burstSize + i].change);
        sent = performance.now();
      }
      const arrived = await arrivalOf(client, documentUri, (params) => params.version === version, `diagnostics of burst version ${version}`);
      burstLatencies.push(arrived.at - sent);
      findingsPerVersion.push(arrived.params.diagnostics.length);
    }

    return {
      openDiagnostics: opened.params.diagnostics,
      latencies,
      burstLatencies,
      versionsAnswered,
      findingsPerVersion,
      warmup,
      // The server re-scans the workspace once changes pause; scans that ran meanwhile competed for the CPU.
      scansDuringTyping: client.statuses.slice(statusesBeforeTyping).filter((status) => status.state === 'ready').length,
      changesSent: steadyEdits.length + burstEdits.length,
      steadyEdits: steadyEdits.slice(warmup),
      peakRssMb: peakRssMb(client.pid),
    };
  } finally {
    await client.shutdown();
  }
}

// ---------------------------------------------------------------------------------------------
// ESLint on the same texts

/**
 * ESLint 9's `Linter#verify` on each version the typing benchmark sent, in this process, with
 * @typescript-eslint/parser and one cheap rule: the least work the ESLint extension does on a
 * change. The first `warmup` runs (on the original text) are not timed.
 */
export function measureEslint({ text, edits, filename, warmup = 5 }) {
  const { Linter } = require('eslint');
  const parser = require('@typescript-eslint/parser');
  // Flat config matches `files` against the path relative to `cwd`: the file must lie below it.
  const linter = new Linter({ configType: 'flat', cwd: path.dirname(filename) });
  const config = [
    {
      files: ['**/*.ts'],
      languageOptions: { parser, ecmaVersion: 'latest', sourceType: 'module' },
      rules: { 'no-restricted-syntax': ['error', { selector: "CallExpression[callee.property.name='keys']", message: 'KEYS blocks Redis; use SCAN.' }] },
    },
  ];
  for (let i = 0; i < warmup; i++) linter.verify(text, config, filename);
  const latencies = [];
  let fatal = 0;
  const findingsPerVersion = [];
  for (const edit of edits) {
    const started = performance.now();
    const messages = linter.verify(edit.text, config, filename);
    latencies.push(performance.now() - started);
    fatal += messages.filter((message) => message.fatal).length;
    findingsPerVersion.push(messages.filter((message) => message.ruleId === 'no-restricted-syntax').length);
  }
  return { latencies, fatal, findingsPerVersion, version: Linter.version };
}
