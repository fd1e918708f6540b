import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * `cachescope lint` end to end: the built CLI run as a user runs it, on a project written to a
 * temporary directory, checking exit codes, every output format and the files --fix writes.
 */
const root = path.resolve(__dirname, '..');
const bin = path.join(root, 'bin', 'cachescope.js');
let project: string;

function run(args: string[], options: { cwd?: string; input?: string } = {}) {
  const result = spawnSync(process.execPath, [bin, ...args], {
    cwd: options.cwd ?? project,
    input: options.input,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function write(relative: string, text: string): void {
  const file = path.join(project, relative);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

const redisModule = "import Redis from 'ioredis';\nexport const redis = new Redis(process.env.REDIS_URL ?? 'redis://localhost:6379');\n";
const keysUser = "import { redis } from './redis';\n\nexport async function sessionKeys() {\n  return redis.keys('session:*');\n}\n";

beforeAll(() => {
  project = fs.mkdtempSync(path.join(os.tmpdir(), 'cachescope-cli-'));
  write('.cachescoperc.json', JSON.stringify({ rules: { 'require-ttl': 'off', 'require-ttl-jitter': 'off', 'invalidate-dont-update': 'off', 'fanout-invalidation': 'off' } }));
  write('src/redis.ts', redisModule);
  write('src/sessions.ts', keysUser);
  write('src/plain.ts', 'const map = new Map<string, number>();\nexport const names = [...map.keys()];\n');
  write('src/broken.ts', "import { redis } from './redis';\nexport function oops( {\n  return redis.get('x');\n");
  write('node_modules/dep/index.ts', "import Redis from 'ioredis';\nnew Redis().keys('*');\n");
  write('generated/out.ts', "import Redis from 'ioredis';\nnew Redis().keys('*');\n");
  write('.gitignore', 'generated/\n');
});

afterAll(() => {
  fs.rmSync(project, { recursive: true, force: true });
});

describe('cachescope lint', () => {
  it('reports findings in stylish format and exits 1 on errors; a broken file does not stop the run', () => {
    const { code, stdout } = run(['lint', 'src']);
    expect(code).toBe(1);
    expect(stdout).toContain('src/sessions.ts');
    expect(stdout).toMatch(/4:16\s+error\s+Redis KEYS blocks the server.*no-keys-command/);
    expect(stdout).toContain('src/broken.ts');
    expect(stdout).toMatch(/Parsing error/);
    expect(stdout).not.toContain('plain.ts');
    expect(stdout).not.toContain('node_modules');
    expect(stdout).not.toContain('generated');
  });

  it('skips test files inside linted directories unless named or configured', () => {
    write('src/sessions.test.ts', "import { redis } from './redis';\nredis.keys('*');\n");
    expect(run(['lint', '--format', 'json', 'src']).stdout).not.toContain('sessions.test.ts');
    const named = run(['lint', '--format', 'json', 'src/sessions.test.ts']);
    expect(JSON.parse(named.stdout)[0].filePath).toContain('sessions.test.ts');
    write('with-tests/.cachescoperc.json', JSON.stringify({ lintTestFiles: true }));
    write('with-tests/a.spec.ts', "import Redis from 'ioredis';\nnew Redis().keys('*');\n");
    expect(run(['lint', 'with-tests']).stdout).toContain('a.spec.ts');
    fs.rmSync(path.join(project, 'src/sessions.test.ts'));
  });

  it('--quiet reports errors only; --ignore-pattern skips files', () => {
    const quiet = run(['lint', '--quiet', '--rule', 'no-keys-command:warn', 'src/sessions.ts']);
    expect(quiet.code).toBe(0);
    expect(quiet.stdout.trim()).toBe('');
    const ignored = run(['lint', '--ignore-pattern', 'src/sessions.ts', '--format', 'json', 'src']);
    expect(ignored.stdout).not.toContain('sessions.ts');
    expect(ignored.stdout).toContain('broken.ts');
  });

  it('exits 0 on a clean tree', () => {
    const { code, stdout } = run(['lint', 'src/plain.ts']);
    expect(code).toBe(0);
    expect(stdout.trim()).toBe('');
  });

  it('writes ESLint-compatible JSON', () => {
    const { code, stdout } = run(['lint', '--format', 'json', 'src']);
    expect(code).toBe(1);
    const files = JSON.parse(stdout) as Array<{ filePath: string; messages: Array<{ ruleId: string | null; line: number; column: number; suggestions?: unknown[] }> }>;
    const sessions = files.find((file) => file.filePath.endsWith('sessions.ts'))!;
    expect(sessions.messages).toHaveLength(1);
    expect(sessions.messages[0]).toMatchObject({ ruleId: 'no-keys-command', line: 4, column: 16 });
    expect(sessions.messages[0].suggestions).toHaveLength(1);
  });

  it('writes SARIF 2.1.0 that validates against the official schema, with line-independent fingerprints', () => {
    const out = path.join(project, 'out', 'cachescope.sarif');
    const { code } = run(['lint', '--format', 'sarif', '-o', out, 'src']);
    expect(code).toBe(1);
    const log = JSON.parse(fs.readFileSync(out, 'utf8'));
    const schema = JSON.parse(fs.readFileSync(path.join(root, 'test', 'schemas', 'sarif-2.1.0.json'), 'utf8'));
    const ajv = new Ajv({ strict: false, unicodeRegExp: false, allErrors: true });
    addFormats(ajv);
    const validate = ajv.compile(schema);
    expect(validate(log), JSON.stringify(validate.errors)).toBe(true);
    const result = log.runs[0].results.find((r: { ruleId: string }) => r.ruleId === 'no-keys-command');
    const fingerprint = result.partialFingerprints['cachescopeFingerprint/v1'];
    // Shift the finding down by two lines: the fingerprint must not change.
    write('src/sessions.ts', `// sessions\n\n${keysUser}`);
    run(['lint', '--format', 'sarif', '-o', out, 'src']);
    const moved = JSON.parse(fs.readFileSync(out, 'utf8')).runs[0].results.find((r: { ruleId: string }) => r.ruleId === 'no-keys-command');
    expect(moved.locations[0].physicalLocation.region.startLine).toBe(6);
    expect(moved.partialFingerprints['cachescopeFingerprint/v1']).toBe(fingerprint);
    write('src/sessions.ts', keysUser);
  });

  it('writes GitHub workflow annotations', () => {
    const { stdout } = run(['lint', '--format', 'github', 'src/sessions.ts']);
    expect(stdout).toMatch(/^::error file=src\/sessions\.ts,line=4,col=16,endLine=4,endColumn=20,title=cachescope\(no-keys-command\)::Redis KEYS/m);
  });

  it('applies a rule override from the command line and honours --max-warnings', () => {
    const warn = run(['lint', '--rule', 'no-keys-command:warn', 'src/sessions.ts']);
    expect(warn.code).toBe(0);
    expect(warn.stdout).toMatch(/warning/);
    const strict = run(['lint', '--rule', 'no-keys-command:warn', '--max-warnings', '0', 'src/sessions.ts']);
    expect(strict.code).toBe(1);
    const off = run(['lint', '--rule', 'no-keys-command:off', 'src/sessions.ts']);
    expect(off.code).toBe(0);
  });

  it('fails only on findings that are not in the baseline', () => {
    const baseline = run(['baseline', '-o', '.cachescope-baseline.json', 'src/sessions.ts']);
    expect(baseline.code).toBe(0);
    expect(baseline.stdout).toContain('1 finding');
    expect(run(['lint', '--baseline', '.cachescope-baseline.json', 'src/sessions.ts']).code).toBe(0);
    write('src/more.ts', "import { redis } from './redis';\nexport const all = () => redis.keys('*');\n");
    const withNew = run(['lint', '--baseline', '.cachescope-baseline.json', 'src/sessions.ts', 'src/more.ts']);
    expect(withNew.code).toBe(1);
    expect(withNew.stdout).toContain('more.ts');
    expect(withNew.stdout).not.toContain('sessions.ts');
    fs.rmSync(path.join(project, 'src/more.ts'));
  });

  it('lints standard input under a given file name, resolving imports from disk', () => {
    const { code, stdout } = run(['lint', '--stdin', '--stdin-filename', 'src/editor.ts', '--format', 'json'], {
      input: "import { redis } from './redis';\nredis.KEYS('*');\n",
    });
    expect(code).toBe(1);
    const files = JSON.parse(stdout) as Array<{ filePath: string; messages: Array<{ line: number }> }>;
    expect(files).toHaveLength(1);
    expect(files[0].filePath).toBe(path.join(project, 'src', 'editor.ts'));
    expect(files[0].messages[0].line).toBe(2);
  });

  it('--fix merges a SET and the EXPIRE after it, and writes the file', () => {
    write('src/profile.ts', "import { redis } from './redis';\nexport async function save(key: string, value: string) {\n  await redis.set(key, value);\n  await redis.expire(key, 60);\n}\n");
    const fixed = run(['lint', '--fix', 'src/profile.ts']);
    expect(fixed.code).toBe(0);
    expect(fixed.stdout.trim()).toBe('');
    expect(fs.readFileSync(path.join(project, 'src/profile.ts'), 'utf8')).toBe(
      "import { redis } from './redis';\nexport async function save(key: string, value: string) {\n  await redis.set(key, value, 'EX', 60);\n}\n",
    );
    fs.rmSync(path.join(project, 'src/profile.ts'));
  });

  it('applies suggestions only with --fix-suggestions, and writes the files', () => {
    write('src/fixme.ts', "import { redis } from './redis';\nexport const all = () => redis.keys('x:*');\n");
    run(['lint', '--fix', 'src/fixme.ts']);
    expect(fs.readFileSync(path.join(project, 'src/fixme.ts'), 'utf8')).toContain('redis.keys(');
    const fixed = run(['lint', '--fix-suggestions', 'src/fixme.ts']);
    expect(fixed.code).toBe(0);
    const text = fs.readFileSync(path.join(project, 'src/fixme.ts'), 'utf8');
    expect(text).toContain("redis.scanStream({ match: 'x:*', count: 1000 })");
    expect(text).not.toContain('redis.keys(');
    fs.rmSync(path.join(project, 'src/fixme.ts'));
  });

  it('exits 2 with a clear message on usage and configuration errors', () => {
    const missing = run(['lint', 'does-not-exist']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no such file or directory: does-not-exist');
    const badRule = run(['lint', '--rule', 'no-such-rule:error', 'src']);
    expect(badRule.code).toBe(2);
    expect(badRule.stderr).toContain('Unknown rule "no-such-rule"');
    const badFlag = run(['lint', '--format', 'xml', 'src']);
    expect(badFlag.code).toBe(2);
    write('bad-config/.cachescoperc.json', '{ "rules": { "require-ttl": "sometimes" } }');
    write('bad-config/a.ts', 'export {};\n');
    const badConfig = run(['lint', 'bad-config']);
    expect(badConfig.code).toBe(2);
    expect(badConfig.stderr).toContain('Invalid configuration');
  });

  it('reports a file over maxFileSize instead of hanging on it, and lints the rest', () => {
    write('big/.cachescoperc.json', JSON.stringify({ maxFileSize: 1000 }));
    write('big/huge.ts', `import Redis from 'ioredis';\n${'// padding\n'.repeat(200)}`);
    write('big/generated.ts', `export const bundle = 1;\n${'// padding\n'.repeat(200)}`);
    write('big/small.ts', "import Redis from 'ioredis';\nnew Redis().keys('*');\n");
    const { code, stdout } = run(['lint', 'big']);
    expect(code).toBe(1);
    expect(stdout).toMatch(/huge\.ts[\s\S]*File skipped: .* exceeds maxFileSize/);
    expect(stdout).toMatch(/small\.ts[\s\S]*no-keys-command/);
    // A large file that imports no cache client loses nothing by being skipped, so it is not reported.
    expect(stdout).not.toContain('generated.ts');
  });
});
