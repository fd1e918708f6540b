import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Redis from 'ioredis';
import { SpawnedRedis, startRedis } from '../shared/inspector/redis-process';
import type { CodeAndLiveReport } from '../shared/join/join';

/**
 * `cachescope inspect --project`: the built CLI analyses the fixture service and joins its key families
 * with a redis-server this file starts and seeds (never the machine's own Redis).
 */
const root = path.resolve(__dirname, '..');
const bin = path.join(root, 'bin', 'cachescope.js');
const fixture = path.join(root, 'fixtures', 'code-and-live');
let redis: SpawnedRedis;
let scratch: string;

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: scratch, env: { ...process.env, NO_COLOR: '1', REDIS_URL: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cachescope-project-'));
  // Its own --dir: a redis-server loads any dump.rdb in its working directory at start.
  redis = await startRedis(['--dir', scratch]);
  const client = new Redis(redis.url, { maxRetriesPerRequest: 1, retryStrategy: () => null });
  const batch = client.pipeline();
  for (let i = 0; i < 40; i++) batch.set(`product:${i}`, 'p', 'EX', 3600 + i * 37);
  for (let i = 0; i < 12; i++) batch.set(`user:${i}:profile`, '{}', 'EX', 250);
  await batch.exec();
  client.disconnect();
});

afterAll(async () => {
  await redis?.stop();
  fs.rmSync(scratch, { recursive: true, force: true });
});

describe('cachescope inspect --project', () => {
  it('prints a Code and live section after the report, with where each family is written and read', async () => {
    const { code, stdout, stderr } = await run(['inspect', redis.url, '--project', fixture]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const section = stdout.slice(stdout.indexOf('\nCode and live\n'));
    expect(stdout.indexOf('\nCode and live\n')).toBeGreaterThan(stdout.indexOf('Prefixes'));
    expect(section).toMatch(/^7 key families in the code; 52 live keys \(100%, .+\) belong to one, 0 \(0 B\) to none$/m);
    expect(section).toMatch(/^product:\{id\}\s+product:\*\s+TTL in code: always$/m);
    expect(section).toMatch(/^ {2}live: 40 keys, 0 without TTL, .+, remaining TTL max 84 min \/ median 72 min$/m);
    expect(section).toContain('  write        src/products.ts:5  set  EX 3600 + Math.floor(Math.random() * 360)');
    expect(section).toContain('  read         src/products.ts:9  get');
    expect(section).toMatch(/^ {2}info {2}feature:\{name\}: the code reads it, but no live key matches feature:\*\s+family-not-live$/m);
    expect(section).not.toMatch(/^ {2}(warn |error) /m);
  });

  it('includes the join under codeAndLive in --json, and --fail-on counts its findings', async () => {
    const clean = await run(['inspect', redis.url, '--project', fixture, '--json', '--fail-on', 'warn']);
    expect(clean.stderr).toBe('');
    const report = JSON.parse(clean.stdout) as { codeAndLive: CodeAndLiveReport; warnings: unknown[]; findings: unknown[] };
    expect(report.codeAndLive.families.map((family) => [family.pattern, family.live.keys])).toEqual([
      ['cart:*', 0],
      ['catalog:page:*', 0],
      ['feature:*', 0],
      ['product:*', 40],
      ['rate:*', 0],
      ['session:*', 0],
      ['user:*:profile', 12],
    ]);
    expect(report.codeAndLive.findings.every((finding) => finding.level === 'info')).toBe(true);
    // maxmemory is unset on the spawned server: the inspector's own warning fails --fail-on warn; the join adds none.
    expect(report.warnings.length).toBeGreaterThan(0);
    const onlyErrors = await run(['inspect', redis.url, '--project', fixture, '--fail-on', 'error']);
    expect(onlyErrors.code).toBe(0);

    const client = new Redis(redis.url, { maxRetriesPerRequest: 1, retryStrategy: () => null });
    await client.set('catalog:page:1', '<html>');
    client.disconnect();
    const failing = await run(['inspect', redis.url, '--project', fixture, '--json', '--fail-on', 'error']);
    expect(failing.code).toBe(1);
    const withError = JSON.parse(failing.stdout) as { codeAndLive: CodeAndLiveReport };
    expect(withError.codeAndLive.findings.filter((finding) => finding.level === 'error').map((finding) => [finding.id, finding.family?.pattern, finding.evidence.live.noTtlKeys])).toEqual([
      ['no-ttl-confirmed', 'catalog:page:*', 1],
    ]);
    const withoutProject = await run(['inspect', redis.url, '--json', '--fail-on', 'error']);
    expect(withoutProject.code).toBe(0);
    expect(JSON.parse(withoutProject.stdout)).not.toHaveProperty('codeAndLive');
  });

  it('adds the section to the --html page, inside its body', async () => {
    const { code } = await run(['inspect', redis.url, '--project', fixture, '--html', 'report.html']);
    expect(code).toBe(0);
    const html = fs.readFileSync(path.join(scratch, 'report.html'), 'utf8');
    const section = html.indexOf('<section id="code-and-live"><h2>Code and live</h2>');
    expect(section).toBeGreaterThan(html.indexOf('<section id="problems">'));
    expect(html.indexOf('</body>')).toBeGreaterThan(section);
    expect(html).toContain('<h3><code>product:{id}</code> <span class="note">product:*</span></h3><p>Live: 40 keys, 0 without TTL');
    expect(html).not.toContain(fixture);
  });

  it('exits 2 with one line when the project is not a directory, or --key-prefix comes without it', async () => {
    const { code, stderr } = await run(['inspect', redis.url, '--project', 'no-such-dir']);
    expect(code).toBe(2);
    expect(stderr).toBe('cachescope: --project no-such-dir: not a directory\n');
    const alone = await run(['inspect', redis.url, '--key-prefix', 'shop:']);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toBe('cachescope: --key-prefix applies to the code of --project; give --project <dir> with it\n');
  });
});
