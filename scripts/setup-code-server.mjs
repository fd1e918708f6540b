#!/usr/bin/env node
/**
 * Installs code-server 4.100.3 (VS Code 1.100.3 served to a browser) into `.cache/code-server/4.100.3/`
 * for the end-to-end tests, using nothing but the npm registry and Debian packages.
 *
 * A plain `npm install code-server` cannot work offline: its postinstall downloads ripgrep from GitHub.
 * So this script does by hand what that postinstall does, with Debian's ripgrep instead of the download.
 * It builds into a temporary sibling folder and renames it into place only after the result answers
 * `--version` correctly and its native modules load, so a half-built cache is never used. Once the
 * marker file is there, a second run returns at once.
 *
 * Usage: node scripts/setup-code-server.mjs        (prints the install folder on its last line)
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const CODE_SERVER_VERSION = '4.100.3';
const VS_CODE_VERSION = '1.100.3';
const REQUIRED_NODE_MAJOR = 20;

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cacheParent = path.join(projectRoot, '.cache', 'code-server');
const installDir = path.join(cacheParent, CODE_SERVER_VERSION);
const markerFile = path.join(installDir, '.cachescope-setup.json');
const lockDir = path.join(cacheParent, `${CODE_SERVER_VERSION}.lock`);
const logFile = path.join(cacheParent, `setup-${CODE_SERVER_VERSION}.log`);

/** Native modules of VS Code's server that the npm package ships as sources only. */
const vscodeNativeModules = ['kerberos', 'node-pty', '@vscode/spdlog', '@vscode/deviceid', 'native-watchdog'];

/** What the build (and later the tests) need from Debian, and the apt package that provides each. */
const runtimePrerequisites = [
  { what: 'Chromium (drives the workbench)', found: () => findExecutable('chromium'), aptPackage: 'chromium' },
  { what: 'ripgrep (VS Code search)', found: () => findExecutable('rg'), aptPackage: 'ripgrep' },
];
const buildPrerequisites = [
  { what: 'pkg-config', found: () => findExecutable('pkg-config'), aptPackage: 'pkg-config' },
  { what: 'Kerberos headers (gssapi/gssapi.h)', found: () => fs.existsSync('/usr/include/gssapi/gssapi.h'), aptPackage: 'libkrb5-dev' },
  { what: 'a C++ compiler and make', found: () => findExecutable('g++') && findExecutable('make'), aptPackage: 'build-essential' },
  { what: 'python3 (node-gyp)', found: () => findExecutable('python3'), aptPackage: 'python3' },
];

class SetupError extends Error {}

function findExecutable(name) {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not in this PATH entry
    }
  }
  return undefined;
}

function requirePrerequisites(list) {
  const missing = list.filter((item) => !item.found());
  if (missing.length === 0) return;
  const lines = missing.map((item) => `  - ${item.what}: apt package "${item.aptPackage}"`);
  const packages = [...new Set(missing.map((item) => item.aptPackage))].join(' ');
  throw new SetupError(
    `code-server setup needs Debian packages that are not installed:\n${lines.join('\n')}\n` +
      `Install them with: apt-get update && apt-get install -y --no-install-recommends ${packages}`,
  );
}

/** What the cached build depends on: a different Node ABI needs the native modules rebuilt. */
function expectedMarker() {
  return {
    codeServer: CODE_SERVER_VERSION,
    vscode: VS_CODE_VERSION,
    nodeModuleAbi: process.versions.modules,
    platform: process.platform,
    arch: process.arch,
  };
}

function cacheIsComplete() {
  try {
    const marker = JSON.parse(fs.readFileSync(markerFile, 'utf8'));
    const expected = expectedMarker();
    return Object.entries(expected).every(([key, value]) => marker[key] === value);
  } catch {
    return false;
  }
}

/** Runs a command, appending its output to the log; on failure shows the end of that output. */
function run(command, args, options) {
  const label = `${path.relative(projectRoot, options.cwd) || '.'}$ ${command} ${args.join(' ')}`;
  fs.appendFileSync(logFile, `\n### ${label}\n`);
  const result = spawnSync(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  fs.appendFileSync(logFile, output);
  if (result.error || result.status !== 0) {
    const tail = output.trimEnd().split('\n').slice(-40).join('\n');
    const reason = result.error ? result.error.message : `exit code ${result.status}`;
    throw new SetupError(`Step failed (${reason}): ${label}\n${tail}\nFull log: ${logFile}`);
  }
  return result.stdout;
}

function step(message) {
  process.stdout.write(`[setup:vscode] ${message}\n`);
}

function symlink(target, linkPath) {
  fs.rmSync(linkPath, { recursive: true, force: true });
  fs.symlinkSync(target, linkPath);
}

/**
 * node-gyp must not try to download Node's headers (no internet here): point it at the headers that
 * come with the running Node when they are installed beside it (Debian's nodejs package does this).
 */
function nodeGypEnvironment() {
  const nodeDir = path.resolve(path.dirname(process.execPath), '..');
  const hasHeaders = fs.existsSync(path.join(nodeDir, 'include', 'node', 'node.h'));
  return hasHeaders ? { npm_config_nodedir: nodeDir } : {};
}

function build(buildDir) {
  const npm = 'npm';
  const quietNpm = ['--no-audit', '--no-fund', '--loglevel=error'];
  const gypEnv = nodeGypEnvironment();
  const packDir = path.join(buildDir, '.pack');
  fs.mkdirSync(packDir, { recursive: true });

  step(`downloading code-server@${CODE_SERVER_VERSION} from the npm registry`);
  const packOutput = run(npm, ['pack', `code-server@${CODE_SERVER_VERSION}`, '--pack-destination', packDir, ...quietNpm], { cwd: packDir });
  const tarball = path.join(packDir, packOutput.trim().split('\n').pop());
  // `--strip-components=1` drops the tarball's `package/` folder so the package root is buildDir.
  run('tar', ['-xzf', tarball, '-C', buildDir, '--strip-components=1'], { cwd: buildDir });
  fs.rmSync(packDir, { recursive: true, force: true });

  const vscodeDir = path.join(buildDir, 'lib', 'vscode');
  const extensionsDir = path.join(vscodeDir, 'extensions');
  for (const dir of [buildDir, vscodeDir, extensionsDir]) {
    step(`installing dependencies in ${path.relative(buildDir, dir) || 'the package root'}`);
    run(npm, ['install', '--omit=dev', '--ignore-scripts', ...quietNpm], { cwd: dir });
  }

  step('building native modules (about a minute and a half)');
  run(npm, ['rebuild', 'argon2', ...quietNpm], { cwd: buildDir, env: gypEnv });
  for (const name of vscodeNativeModules) {
    run('npx', ['--yes', 'node-gyp', 'rebuild'], { cwd: path.join(vscodeDir, 'node_modules', name), env: gypEnv });
  }

  step('linking ripgrep and what the skipped postinstall links');
  const ripgrepBin = path.join(vscodeDir, 'node_modules', '@vscode', 'ripgrep', 'bin');
  fs.mkdirSync(ripgrepBin, { recursive: true });
  symlink(findExecutable('rg'), path.join(ripgrepBin, 'rg'));
  symlink('node_modules', path.join(vscodeDir, 'node_modules.asar'));
  symlink('code-linux.sh', path.join(vscodeDir, 'bin', 'remote-cli', 'code-server'));
  symlink('browser-linux.sh', path.join(vscodeDir, 'bin', 'helpers', 'browser.sh'));
  run(process.execPath, ['postinstall.mjs'], { cwd: extensionsDir });

  verify(buildDir, vscodeDir);
  fs.writeFileSync(path.join(buildDir, path.basename(markerFile)), `${JSON.stringify(expectedMarker(), null, 2)}\n`);
}

/** The build counts only if code-server reports the right versions and every native module loads. */
function verify(buildDir, vscodeDir) {
  step('checking the build');
  const scratch = fs.mkdtempSync(path.join(buildDir, '.verify-'));
  const env = { XDG_CONFIG_HOME: path.join(scratch, 'config'), XDG_DATA_HOME: path.join(scratch, 'data') };
  const versionOutput = run(process.execPath, ['out/node/entry.js', '--version'], { cwd: buildDir, env });
  // The first run also logs that it wrote a default config file; the version is its own line.
  const versionLine = versionOutput.split('\n').find((line) => line.startsWith(`${CODE_SERVER_VERSION} `));
  if (!versionLine || !versionLine.includes(`with Code ${VS_CODE_VERSION}`)) {
    throw new SetupError(`code-server reported:\n${versionOutput.trim()}\nexpected a line "${CODE_SERVER_VERSION} ... with Code ${VS_CODE_VERSION}"`);
  }
  const loadAll = [...vscodeNativeModules.map((name) => path.join(vscodeDir, 'node_modules', name)), path.join(buildDir, 'node_modules', 'argon2')]
    .map((modulePath) => `require(${JSON.stringify(modulePath)});`)
    .join('');
  run(process.execPath, ['-e', loadAll], { cwd: buildDir });
  fs.rmSync(scratch, { recursive: true, force: true });
}

function processIsAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/** The pid in the lock, or undefined while its owner has not written it yet (or just removed it). */
function readLockOwner() {
  try {
    const pid = Number(fs.readFileSync(path.join(lockDir, 'pid'), 'utf8'));
    return pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** One build at a time (CI's setup step and the test may both ask); a lock left by a dead process is taken over. */
async function withLock(work) {
  const waitUntil = Date.now() + 15 * 60_000;
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      fs.writeFileSync(path.join(lockDir, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      const owner = readLockOwner();
      if (owner !== undefined && !processIsAlive(owner)) {
        fs.rmSync(lockDir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > waitUntil) throw new SetupError(`Timed out waiting for another setup (lock ${lockDir})`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
  try {
    return work();
  } finally {
    fs.rmSync(lockDir, { recursive: true, force: true });
  }
}

async function main() {
  requirePrerequisites(runtimePrerequisites);
  if (cacheIsComplete()) {
    process.stdout.write(`${installDir}\n`);
    return;
  }
  const nodeMajor = Number(process.versions.node.split('.')[0]);
  if (nodeMajor !== REQUIRED_NODE_MAJOR) {
    throw new SetupError(`code-server ${CODE_SERVER_VERSION} needs Node ${REQUIRED_NODE_MAJOR}; this is Node ${process.versions.node}`);
  }
  requirePrerequisites(buildPrerequisites);
  fs.mkdirSync(cacheParent, { recursive: true });

  await withLock(() => {
    // Another process may have finished the build while this one waited for the lock.
    if (cacheIsComplete()) return;
    const started = Date.now();
    fs.writeFileSync(logFile, `code-server ${CODE_SERVER_VERSION} setup, ${new Date().toISOString()}\n`);
    // Holding the lock, any partial folder left is from a build that was killed: remove it.
    for (const entry of fs.readdirSync(cacheParent)) {
      if (entry.startsWith(`${CODE_SERVER_VERSION}.partial-`)) fs.rmSync(path.join(cacheParent, entry), { recursive: true, force: true });
    }
    const buildDir = path.join(cacheParent, `${CODE_SERVER_VERSION}.partial-${process.pid}`);
    fs.mkdirSync(buildDir, { recursive: true });
    try {
      build(buildDir);
      // An outdated or broken install (no marker, other Node ABI) is replaced only by a verified one.
      fs.rmSync(installDir, { recursive: true, force: true });
      fs.renameSync(buildDir, installDir);
    } catch (error) {
      fs.rmSync(buildDir, { recursive: true, force: true });
      throw error;
    }
    step(`done in ${Math.round((Date.now() - started) / 1000)} s`);
  });
  process.stdout.write(`${installDir}\n`);
}

main().catch((error) => {
  process.stderr.write(`[setup:vscode] ${error instanceof SetupError ? error.message : error.stack}\n`);
  process.exit(1);
});
