#!/usr/bin/env node
/**
 * Times `cachescope inspect` against `redis-cli --memkeys` on the same throwaway redis-server, seeded
 * with a million keys of mixed types (--keys for smaller runs). The two tools run alternately, one
 * at a time, as their own processes; for each run the benchmark records the wall time, the server
 * CPU the run cost (INFO cpu before and after) and the latency of a PING sent every 10 ms on a
 * connection of its own, against an idle window before the run. It then checks that both tools
 * counted the same keys and the same memory.
 *
 * The inspector paces itself by the latency it observes; its own view of that pacing (duty cycle, PING
 * latency idle and during its scan) is reported beside the benchmark's. On a machine with few cores the
 * client's CPU use inflates every PING latency measured on it; `--pin` runs redis-server on a core of its
 * own (with `taskset`) and the tools and the benchmark on the others.
 *
 *   node bench/inspect-bench.mjs [--keys 1000000] [--runs 1] [--pin]
 */
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { ensureBuilt } from './ensure-built.mjs';
import { table } from './report-table.mjs';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(benchDir, '..');
const require = createRequire(import.meta.url);
const cliBin = path.join(repoRoot, 'bin', 'cachescope.js');

/** From the product issue: no slower than memkeys, less server CPU, PING p99 within 1 ms of idle. */
const targets = { wallRatio: 1.0, pingP99ExtraMs: 1 };
/** Figures of the two tools agree when they differ by at most this share. */
const agreementTolerance = 0.01;
const pingIntervalMs = 10;
/** The idle window before a run lasts as long as the same tool's previous run, within these bounds. */
const idleWindowMs = { first: 10_000, max: 30_000 };
const bigKeys = { zsetMembers: 100_000, hashFields: 50_000 };
/** Remaining TTLs of the keys that have one: hours, so nothing expires while the benchmark runs. */
const ttlRangeSeconds = { min: 3_600, max: 86_400 };

// ---------------------------------------------------------------------------------------------
// Options

const usage = `usage: node bench/inspect-bench.mjs [options]
  --keys N    keys to seed, the two big keys included (default 1000000)
  --runs N    rounds of (memkeys, inspect), alternating (default 1)
  --pin       run redis-server on CPU 0 and everything else on the other CPUs (needs taskset and 2+ cores)`;

function parseArgs(argv) {
  const options = { keys: 1_000_000, runs: 1, pin: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.includes('=') ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    const value = () => {
      const next = inline ?? argv[++i];
      if (next === undefined) throw new Error(`${flag} needs a value`);
      return next;
    };
    if (flag === '--keys') options.keys = positiveInteger(flag, value());
    else if (flag === '--runs') options.runs = positiveInteger(flag, value());
    else if (flag === '--pin') options.pin = true;
    else if (flag === '--help' || flag === '-h') options.help = true;
    else throw new Error(`unknown option ${arg}`);
  }
  if (options.keys < 10) throw new Error('--keys takes a positive whole number of at least 10');
  return options;
}

function positiveInteger(flag, text) {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${flag} takes a positive whole number, got "${text}"`);
  return value;
}

// ---------------------------------------------------------------------------------------------
// Seeding: generated RESP piped into `redis-cli --pipe`, the fastest bulk load redis-cli offers.

/** A small deterministic generator (mulberry32), so every run seeds the same keyspace. */
function randomGenerator(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function resp(args) {
  let out = `*${args.length}\r\n`;
  for (const arg of args) {
    const text = String(arg);
    out += `$${Buffer.byteLength(text)}\r\n${text}\r\n`;
  }
  return out;
}

/**
 * The seeded keyspace as RESP commands, in chunks: cache-like families of strings (half the keys),
 * hashes, sets and sorted sets with a few members each, about 40% with a TTL, plus one 100k-member
 * sorted set and one 50k-field hash.
 */
function* seedCommands(keys) {
  const random = randomGenerator(0x5eed);
  const ttl = () => ttlRangeSeconds.min + Math.floor(random() * (ttlRangeSeconds.max - ttlRangeSeconds.min));
  let chunk = '';
  const flushAt = 1 << 20;

  for (let size = 1000, start = 0; start < bigKeys.zsetMembers; start += size) {
    const args = ['ZADD', 'leaderboard:global'];
    for (let m = start; m < Math.min(start + size, bigKeys.zsetMembers); m++) args.push(m, `player:${m}`);
    chunk += resp(args);
  }
  for (let size = 1000, start = 0; start < bigKeys.hashFields; start += size) {
    const args = ['HSET', 'catalog:all-products'];
    for (let f = start; f < Math.min(start + size, bigKeys.hashFields); f++) args.push(`sku-${f}`, `{"price":${f % 997},"stock":${f % 31}}`);
    chunk += resp(args);
  }
  yield chunk;
  chunk = '';

  for (let i = 0; i < keys - 2; i++) {
    const kind = random();
    const withTtl = random() < 0.4;
    if (kind < 0.5) {
      const key = i % 5 === 0 ? `session:${i}` : `user:${i % 100_000}:profile:${i}`;
      const value = `{"id":${i},"name":"user-${i}","plan":"${i % 3 === 0 ? 'pro' : 'free'}"}`;
      chunk += withTtl ? resp(['SET', key, value, 'EX', ttl()]) : resp(['SET', key, value]);
    } else {
      let key;
      if (kind < 0.7) {
        key = `cart:${i}`;
        chunk += resp(['HSET', key, 'sku-1', i % 7, 'sku-2', i % 5, 'updatedAt', 1_700_000_000 + i]);
      } else if (kind < 0.85) {
        key = `tags:product:${i}`;
        chunk += resp(['SADD', key, 'new', `cat-${i % 40}`, `brand-${i % 90}`]);
      } else {
        key = `feed:${i}`;
        chunk += resp(['ZADD', key, 1, `post:${i}`, 2, `post:${i + 1}`, 3, `post:${i + 2}`]);
      }
      if (withTtl) chunk += resp(['EXPIRE', key, ttl()]);
    }
    if (chunk.length >= flushAt) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

async function seed(port, keys) {
  const child = spawn('redis-cli', ['-p', String(port), '--pipe'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (data) => (output += data));
  child.stderr.on('data', (data) => (output += data));
  const exited = new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(code));
  });
  for (const chunk of seedCommands(keys)) {
    if (!child.stdin.write(chunk)) await new Promise((resolve) => child.stdin.once('drain', resolve));
  }
  child.stdin.end();
  const code = await exited;
  // redis-cli --pipe ends with "errors: N, replies: M".
  const errors = /errors:\s*(\d+)/.exec(output);
  if (code !== 0 || !errors || Number(errors[1]) !== 0) throw new Error(`seeding with redis-cli --pipe failed (exit ${code}): ${output.trim()}`);
}

// ---------------------------------------------------------------------------------------------
// Measurements

function percentile(sorted, share) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)];
}

/** PINGs every 10 ms on its own connection (one at a time, so a slow reply delays the next) until stopped. */
function startPinger(client) {
  const latencies = [];
  let stopped = false;
  let failure;
  const done = (async () => {
    while (!stopped) {
      const sent = performance.now();
      try {
        await client.ping();
      } catch (error) {
        failure = error;
        return;
      }
      const latency = performance.now() - sent;
      latencies.push(latency);
      const wait = pingIntervalMs - latency;
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
  })();
  return async () => {
    stopped = true;
    await done;
    if (failure) throw failure;
    const sorted = latencies.slice().sort((a, b) => a - b);
    return { count: sorted.length, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), max: sorted[sorted.length - 1] ?? NaN };
  };
}

async function serverCpuSeconds(client) {
  const info = await client.info('cpu');
  const field = (name) => Number(new RegExp(`^${name}:([0-9.]+)`, 'm').exec(info)?.[1]);
  const total = field('used_cpu_sys') + field('used_cpu_user');
  if (!Number.isFinite(total)) throw new Error('INFO cpu has no used_cpu_sys/used_cpu_user');
  return total;
}

/**
 * CPU pinning: redis-server alone on CPU 0, the benchmark process and the tools it starts on the rest, so the
 * client's CPU use cannot delay the server (or the other way round). Undefined when not asked for.
 */
function pinning(enabled) {
  if (!enabled) return undefined;
  const cpus = os.cpus().length;
  if (cpus < 2) throw new Error('--pin needs at least 2 CPUs');
  if (spawnSync('taskset', ['-V'], { stdio: 'ignore' }).status !== 0) throw new Error('--pin needs taskset (util-linux)');
  const clientCpus = `1-${cpus - 1}`;
  const pin = (pid, list) => {
    const result = spawnSync('taskset', ['-a', '-p', '-c', list, String(pid)], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`taskset -p ${list} ${pid} failed: ${result.stderr.trim()}`);
  };
  return { serverCpus: '0', clientCpus, pinServer: (pid) => pin(pid, '0'), pinSelf: () => pin(process.pid, clientCpus) };
}

/** The command line of a tool run, through taskset when pinning. */
function toolCommand(command, args, pin) {
  return pin ? ['taskset', ['-c', pin.clientCpus, command, ...args]] : [command, args];
}

function runProcess(command, args, pin) {
  [command, args] = toolCommand(command, args, pin);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout = [];
    let stderr = '';
    child.stdout.on('data', (data) => stdout.push(data));
    child.stderr.on('data', (data) => (stderr += data));
    child.once('error', reject);
    child.once('close', (code) => {
      const text = Buffer.concat(stdout).toString('utf8');
      if (code !== 0) reject(new Error(`${path.basename(command)} ${args.join(' ')} exited with ${code}: ${stderr.trim() || text.slice(-500)}`));
      else resolve(text);
    });
  });
}

/** The summary of `redis-cli --memkeys`: "Sampled N keys" and one "N <type>s with B bytes" line per type. */
export function parseMemkeysSummary(text) {
  const summary = text.slice(text.lastIndexOf('-------- summary -------'));
  const sampled = /Sampled (\d+) keys/.exec(summary);
  if (!sampled) throw new Error(`no summary in redis-cli --memkeys output: ${text.slice(-300)}`);
  const types = {};
  for (const match of summary.matchAll(/^(\d+) (\w+?)s with (\d+) bytes/gm)) types[match[2]] = { keys: Number(match[1]), bytes: Number(match[3]) };
  if (Object.keys(types).length === 0) throw new Error('no per-type lines in the redis-cli --memkeys summary');
  const memoryBytes = Object.values(types).reduce((sum, type) => sum + type.bytes, 0);
  return { keys: Number(sampled[1]), memoryBytes, types };
}

/** Keys and memory of a `cachescope inspect --json` report: every top-level prefix plus the summed rest. */
export function inspectTotals(report) {
  const memoryBytes = report.prefixes.reduce((sum, prefix) => sum + prefix.memoryBytes, 0) + (report.morePrefixes?.memoryBytes ?? 0);
  const prefixKeys = report.prefixes.reduce((sum, prefix) => sum + prefix.keys, 0) + (report.morePrefixes?.keys ?? 0);
  return { keys: report.scan.keysScanned, prefixKeys, memoryBytes, complete: report.scan.complete, durationMs: report.scan.durationMs, pacing: report.scan.pacing };
}

const tools = {
  memkeys: {
    label: 'redis-cli --memkeys',
    run: async (port, pin) => parseMemkeysSummary(await runProcess('redis-cli', ['-p', String(port), '--memkeys'], pin)),
  },
  inspect: {
    label: 'cachescope inspect',
    run: async (port, pin) => inspectTotals(JSON.parse(await runProcess(process.execPath, [cliBin, 'inspect', `redis://127.0.0.1:${port}`, '--json', '--no-color'], pin))),
  },
};

async function measureRun(tool, port, control, pingClient, idleMs, log, pin) {
  const stopIdle = startPinger(pingClient);
  await new Promise((resolve) => setTimeout(resolve, idleMs));
  const idle = await stopIdle();

  const cpuBefore = await serverCpuSeconds(control);
  const stopDuring = startPinger(pingClient);
  const started = performance.now();
  const result = await tools[tool].run(port, pin);
  const wallMs = performance.now() - started;
  const during = await stopDuring();
  const cpuAfter = await serverCpuSeconds(control);
  const run = { tool, wallMs, serverCpuSeconds: cpuAfter - cpuBefore, idleWindowMs: idleMs, pingIdle: idle, pingDuring: during, result };
  log(
    `${tools[tool].label}: ${seconds(wallMs)} s, server CPU ${run.serverCpuSeconds.toFixed(2)} s, ${result.keys.toLocaleString('en')} keys, ` +
      `PING p99 ${idle.p99.toFixed(2)} ms idle / ${during.p99.toFixed(2)} ms during` +
      (result.pacing ? `; inspector's pacing: ${pacingText(result.pacing)}` : ''),
  );
  return run;
}

/** The inspector's own account of its pacing, in one line. */
export function pacingText(pacing) {
  const latency = (summary) => (summary ? `${summary.p50.toFixed(2)}/${summary.p99.toFixed(2)}` : '?');
  return (
    `${pacing.mode}, duty cycle ${pacing.averageDutyCycle.toFixed(2)} average / ${pacing.minDutyCycle.toFixed(2)} lowest, ` +
    `paused ${seconds(pacing.pausedMs)} s, PING p50/p99 ${latency(pacing.idle)} ms idle, ${latency(pacing.during)} ms during`
  );
}

/**
 * Starts its own redis-server (never an existing one), seeds it, and runs the tools alternately.
 * @param {{ keys: number, runs: number, idleFirstMs?: number, pin?: boolean }} options
 */
export async function runBenchmark(options, log = () => {}) {
  const { startRedis } = require('../dist/shared/inspector/redis-process.js');
  const Redis = require('ioredis');
  const pin = pinning(options.pin);
  const server = await startRedis();
  if (pin) {
    pin.pinServer(server.pid);
    pin.pinSelf();
    log(`pinned: redis-server on CPU ${pin.serverCpus}, the benchmark and the tools on CPUs ${pin.clientCpus}`);
  }
  const control = new Redis({ port: server.port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0 });
  const pingClient = new Redis({ port: server.port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0 });
  try {
    await control.connect();
    await pingClient.connect();
    const version = /^redis_version:(.+)$/m.exec(await control.info('server'))?.[1].trim();
    log(`redis-server ${version} on port ${server.port} (its own, --save "" --appendonly no)`);

    const seedStarted = performance.now();
    await seed(server.port, options.keys);
    const seedingMs = performance.now() - seedStarted;
    const dbsize = await control.dbsize();
    const usedMemoryBytes = Number(/^used_memory:(\d+)/m.exec(await control.info('memory'))?.[1]);
    log(`seeded ${dbsize.toLocaleString('en')} keys in ${seconds(seedingMs)} s (used_memory ${(usedMemoryBytes / 1024 / 1024).toFixed(0)} MB)`);

    const runs = [];
    const previousWall = {};
    for (let round = 0; round < options.runs; round++) {
      for (const tool of ['memkeys', 'inspect']) {
        const idleMs = Math.min(idleWindowMs.max, previousWall[tool] ?? options.idleFirstMs ?? idleWindowMs.first);
        const run = await measureRun(tool, server.port, control, pingClient, idleMs, log, pin);
        previousWall[tool] = run.wallMs;
        runs.push(run);
      }
    }
    return { keys: options.keys, dbsize, seedingMs, usedMemoryBytes, version, pinned: Boolean(pin), runs, summary: summarise(runs) };
  } finally {
    control.disconnect();
    pingClient.disconnect();
    await server.stop();
  }
}

function median(values) {
  const sorted = values.slice().sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function relativeDifference(a, b) {
  return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), 1);
}

function summarise(runs) {
  const of = (tool) => runs.filter((run) => run.tool === tool);
  const per = (tool) => {
    const list = of(tool);
    return {
      wallMs: median(list.map((run) => run.wallMs)),
      serverCpuSeconds: median(list.map((run) => run.serverCpuSeconds)),
      pingIdleP50: median(list.map((run) => run.pingIdle.p50)),
      pingIdleP99: median(list.map((run) => run.pingIdle.p99)),
      pingDuringP50: median(list.map((run) => run.pingDuring.p50)),
      pingDuringP99: median(list.map((run) => run.pingDuring.p99)),
      pingDuringMax: Math.max(...list.map((run) => run.pingDuring.max)),
      keys: list[list.length - 1].result.keys,
      memoryBytes: list[list.length - 1].result.memoryBytes,
      pacing: list[list.length - 1].result.pacing,
    };
  };
  const memkeys = per('memkeys');
  const inspect = per('inspect');
  const keysDifference = relativeDifference(inspect.keys, memkeys.keys);
  const memoryDifference = relativeDifference(inspect.memoryBytes, memkeys.memoryBytes);
  return {
    memkeys,
    inspect,
    wallRatio: inspect.wallMs / memkeys.wallMs,
    keysDifference,
    memoryDifference,
    keysAgree: keysDifference <= agreementTolerance,
    memoryAgree: memoryDifference <= agreementTolerance,
    targets: {
      wall: inspect.wallMs / memkeys.wallMs <= targets.wallRatio,
      serverCpu: inspect.serverCpuSeconds < memkeys.serverCpuSeconds,
      pingP99: inspect.pingDuringP99 - inspect.pingIdleP99 <= targets.pingP99ExtraMs,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Report

function seconds(ms) {
  return (ms / 1000).toFixed(ms < 10_000 ? 2 : 1);
}

const met = (ok) => (ok ? 'met' : 'MISSED');

export function formatReport(figures) {
  const { summary } = figures;
  const { memkeys, inspect } = summary;
  const rounds = figures.runs.length / 2;
  const rows = [
    ['', 'redis-cli --memkeys', 'cachescope inspect'],
    ['wall time (s)', seconds(memkeys.wallMs), seconds(inspect.wallMs)],
    ['ratio to memkeys', '1.00x', `${summary.wallRatio.toFixed(2)}x`],
    ['server CPU (s)', memkeys.serverCpuSeconds.toFixed(2), inspect.serverCpuSeconds.toFixed(2)],
    ['PING p50 idle / during (ms)', `${memkeys.pingIdleP50.toFixed(2)} / ${memkeys.pingDuringP50.toFixed(2)}`, `${inspect.pingIdleP50.toFixed(2)} / ${inspect.pingDuringP50.toFixed(2)}`],
    ['PING p99 idle / during (ms)', `${memkeys.pingIdleP99.toFixed(2)} / ${memkeys.pingDuringP99.toFixed(2)}`, `${inspect.pingIdleP99.toFixed(2)} / ${inspect.pingDuringP99.toFixed(2)}`],
    ['PING max during (ms)', memkeys.pingDuringMax.toFixed(2), inspect.pingDuringMax.toFixed(2)],
    ['keys counted', memkeys.keys.toLocaleString('en'), inspect.keys.toLocaleString('en')],
    ['memory total (MEMORY USAGE, MB)', mb(memkeys.memoryBytes), mb(inspect.memoryBytes)],
  ];
  const pacing = inspect.pacing;
  if (pacing) {
    const latency = (summary) => (summary ? `${summary.p50.toFixed(2)} / ${summary.p99.toFixed(2)}` : '-');
    rows.push(
      ['inspector pacing', '-', pacing.mode],
      ['duty cycle average / lowest', '-', `${pacing.averageDutyCycle.toFixed(2)} / ${pacing.minDutyCycle.toFixed(2)}`],
      ['time paused (s)', '-', seconds(pacing.pausedMs)],
      ["inspector's PING p50 / p99 idle (ms)", '-', latency(pacing.idle)],
      ["inspector's PING p50 / p99 during (ms)", '-', latency(pacing.during)],
    );
  }
  const out = [
    `Inspection of ${figures.dbsize.toLocaleString('en')} keys (redis-server ${figures.version}, used_memory ${mb(figures.usedMemoryBytes)} MB); ` +
      `seeding took ${seconds(figures.seedingMs)} s; ${rounds} round${rounds === 1 ? '' : 's'}, medians shown` +
      (figures.pinned ? '; redis-server pinned to a CPU of its own' : ''),
    '',
    table(rows),
    '',
    `Agreement (within ${agreementTolerance * 100}%): keys ${summary.keysAgree ? 'agree' : 'DIFFER'} (${pct(summary.keysDifference)} apart), ` +
      `memory ${summary.memoryAgree ? 'agrees' : 'DIFFERS'} (${pct(summary.memoryDifference)} apart)`,
    '',
    'Targets:',
    `  wall time at most ${targets.wallRatio.toFixed(1)}x memkeys: ${summary.wallRatio.toFixed(2)}x, ${met(summary.targets.wall)}`,
    `  less server CPU than memkeys: ${inspect.serverCpuSeconds.toFixed(2)} s vs ${memkeys.serverCpuSeconds.toFixed(2)} s, ${met(summary.targets.serverCpu)}`,
    `  PING p99 during the scan within ${targets.pingP99ExtraMs} ms of idle: ${inspect.pingDuringP99.toFixed(2)} ms vs ${inspect.pingIdleP99.toFixed(2)} ms idle, ${met(summary.targets.pingP99)}`,
  ];
  return out.join('\n');
}

function mb(bytes) {
  return (bytes / 1024 / 1024).toFixed(1);
}

function pct(share) {
  return `${(share * 100).toFixed(3)}%`;
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  if (options.help) {
    console.log(usage);
    return 0;
  }
  if (!ensureBuilt({ repoRoot, sourceDirs: ['shared'], outputs: ['dist/shared/cli/main.js', 'dist/shared/inspector/index.js'], what: 'the inspector' })) return 2;
  console.log(`machine: ${os.cpus().length} cores, load average ${os.loadavg()[0].toFixed(2)} at start; Node ${process.version}`);
  const figures = await runBenchmark(options, (line) => console.log(line));
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
      console.error(`inspect-bench: ${usageError ? error.message : (error.stack ?? error.message)}`);
      if (usageError) console.error(usage);
      process.exit(2);
    },
  );
}
