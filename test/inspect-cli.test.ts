import { spawn, spawnSync } from 'node:child_process';
import * as net from 'node:net';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SpawnedRedis, startRedis } from '../shared/inspector/redis-process';
import { seedDemoKeyspace } from '../shared/inspector/demo';
import type { InspectReport } from '../shared/inspector/report';

/**
 * `cachescope inspect` end to end: the built CLI against redis-server processes this file starts on free
 * ports (never the machine's own Redis), checking the JSON shape, exit codes and the --demo lifecycle.
 */
const root = path.resolve(__dirname, '..');
const bin = path.join(root, 'bin', 'cachescope.js');
let redis: SpawnedRedis;
let scratch: string;

function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  // Asynchronous, so the test process keeps serving nothing else but does not block the redis-server it started.
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: scratch, env: { ...process.env, NO_COLOR: '1', REDIS_URL: '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

beforeAll(async () => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cachescope-inspect-'));
  redis = await startRedis(['--maxmemory', '64mb', '--maxmemory-policy', 'allkeys-lru']);
  await seedDemoKeyspace(redis.url);
});

afterAll(async () => {
  await redis?.stop();
  fs.rmSync(scratch, { recursive: true, force: true });
});

describe('cachescope inspect', () => {
  it('--json writes the report to stdout with its documented shape', async () => {
    const { code, stdout, stderr } = await run(['inspect', redis.url, '--json']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as InspectReport;
    expect(Object.keys(report).sort()).toEqual(['bigKeys', 'cliffs', 'findings', 'generatedAt', 'prefixes', 'scan', 'server', 'target', 'unavailable', 'warnings']);
    expect(report.target).toBe(`redis://127.0.0.1:${redis.port}`);
    expect(report.server).toMatchObject({ maxmemoryBytes: 64 * 1024 * 1024, maxmemoryPolicy: 'allkeys-lru', role: 'master' });
    expect(report.prefixes[0]).toEqual(
      expect.objectContaining({ prefix: expect.objectContaining({ text: expect.any(String) }), keys: expect.any(Number), noTtlShare: expect.any(Number), memoryBytes: expect.any(Number), ttlHistogram: expect.any(Object), types: expect.any(Object) }),
    );
    expect(report.warnings).toEqual([]);
  });

  it('takes the URL from REDIS_URL, writes -o files, and prints tables without colour codes', async () => {
    const { code, stdout } = await run(['inspect', '--depth', '1', '--sort', 'keys'], { REDIS_URL: redis.url });
    expect(code).toBe(0);
    expect(stdout).toMatch(/^session:\s+1500\s+0%/m);
    expect(stdout).not.toContain('\u001b[');
    expect(stdout).not.toMatch(/^ {2}user:profile:/m);
    const written = await run(['inspect', redis.url, '--json', '-o', 'out/report.json']);
    expect(written.code).toBe(0);
    expect(written.stdout).toBe('');
    expect((JSON.parse(fs.readFileSync(path.join(scratch, 'out/report.json'), 'utf8')) as InspectReport).scan.keysScanned).toBeGreaterThan(3000);
  });

  it('--fail-on warn exits 1 when TTL findings exist; --fail-on error does not', async () => {
    const warn = await run(['inspect', redis.url, '--fail-on', 'warn']);
    expect(warn.code).toBe(1);
    expect(warn.stdout).toContain('prefix-without-ttl');
    expect(warn.stdout).toContain('expiry-cliff');
    expect((await run(['inspect', redis.url, '--fail-on', 'error'])).code).toBe(0);
  });

  it('exits 2 with one clear line for a bad URL, a refused connection and bad options', async () => {
    const bad = await run(['inspect', 'http://example.com']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^cachescope: unsupported scheme "http:".*\n$/);
    const stopped = await startRedis();
    await stopped.stop();
    const refused = await run(['inspect', stopped.url]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(`cachescope: connection to redis://127.0.0.1:${stopped.port} refused: is Redis running there?\n`);
    expect((await run(['inspect', redis.url, '--sample', 'many'])).code).toBe(2);
    expect((await run(['inspect', redis.url, '--fail-on', 'info'])).code).toBe(2);
  });

  it('--demo without redis-server on PATH says so and exits 2', async () => {
    // The CLI itself is started by absolute path; only the redis-server lookup sees this empty PATH.
    const emptyBin = path.join(scratch, 'empty-bin');
    fs.mkdirSync(emptyBin, { recursive: true });
    const { code, stdout, stderr } = await run(['inspect', '--demo'], { PATH: emptyBin });
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^cachescope: --demo needs redis-server on PATH/);
  });

  it('--demo starts its own server, reports the demo keyspace and stops the server', async () => {
    const { code, stdout, stderr } = await run(['inspect', '--demo', '--json']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as InspectReport;
    const port = Number(/:(\d+)$/.exec(report.target)?.[1]);
    expect(port).not.toBe(redis.port);
    expect(report.prefixes.map((node) => node.prefix.text)).toEqual(expect.arrayContaining(['session:', 'product:', 'price:', 'ratelimit:', 'user:', 'leaderboard:', 'catalog:']));
    expect(report.cliffs.map((cliff) => cliff.prefix.text)).toContain('price:');
    expect(report.bigKeys.byMemory[0].key.text).toBe('leaderboard:global');
    expect(await listening(port)).toBe(false);
    const processes = spawnSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).stdout;
    expect(processes).not.toContain(`127.0.0.1:${port}`);
  });

  it('--json with --html writes the JSON to stdout and the self-contained page to the file', async () => {
    const { code, stdout, stderr } = await run(['inspect', redis.url, '--json', '--html', 'pages/report.html']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as InspectReport;
    const html = fs.readFileSync(path.join(scratch, 'pages/report.html'), 'utf8');
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`);
    expect(html).toContain(`<code>${report.target}</code>`);
    for (const node of report.prefixes) expect(html).toContain(`<code>${node.prefix.text}</code>`);
  });

  it('--demo --html writes the page of the demo keyspace next to the terminal report', async () => {
    const { code, stdout, stderr } = await run(['inspect', '--demo', '--html', 'demo.html']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('Expiry cliffs');
    const html = fs.readFileSync(path.join(scratch, 'demo.html'), 'utf8');
    expect(html).not.toMatch(/<script|https?:/i);
    const cliffs = html.slice(html.indexOf('<section id="cliffs">'), html.indexOf('</section>', html.indexOf('<section id="cliffs">')));
    expect(cliffs).toContain('<code>price:</code>');
    for (const prefix of ['session:', 'product:', 'ratelimit:', 'user:profile:', 'leaderboard:global']) expect(html).toContain(`<code>${prefix}</code>`);
  });

  it('--html to a path that cannot be written exits 2 with one line', async () => {
    const { code, stderr } = await run(['inspect', redis.url, '--html', '.']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^cachescope: cannot write the HTML report to \.: EISDIR.*\n$/);
  });
});
