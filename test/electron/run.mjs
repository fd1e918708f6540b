#!/usr/bin/env node
/**
 * Runs the in-editor suite (test/editor-suite, compiled to dist/editor-suite) inside VS Code desktop with
 * @vscode/test-electron: this repository as the extension under development, a temporary copy of
 * fixtures/shop-service as the workspace, every other extension disabled.
 *
 * VS Code is downloaded into .cache/vscode-test (version from CACHESCOPE_VSCODE_VERSION, default the
 * latest stable) unless CACHESCOPE_VSCODE_EXECUTABLE names an installed VS Code binary. When the download
 * fails the run stops with one line saying so; where VS Code cannot be downloaded, the same suite runs in
 * code-server instead.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { downloadAndUnzipVSCode, runTests } from '@vscode/test-electron';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const suiteEntry = path.join(root, 'dist', 'editor-suite', 'index.js');
const extensionEntry = path.join(root, 'dist', 'extension', 'client.js');
const fixture = path.join(root, 'fixtures', 'shop-service');

function fail(message) {
  console.error(`test:electron: ${message}`);
  process.exit(1);
}

for (const [file, how] of [
  [extensionEntry, 'npm run bundle'],
  [suiteEntry, 'tsc -p test/editor-suite/tsconfig.json'],
]) {
  if (!fs.existsSync(file)) fail(`${path.relative(root, file)} is missing; build it with "${how}" (or run "npm run test:electron")`);
}

async function resolveVSCode() {
  const installed = process.env.CACHESCOPE_VSCODE_EXECUTABLE;
  if (installed) {
    if (!fs.existsSync(installed)) fail(`CACHESCOPE_VSCODE_EXECUTABLE points to ${installed}, which does not exist`);
    return installed;
  }
  const version = process.env.CACHESCOPE_VSCODE_VERSION || 'stable';
  try {
    return await downloadAndUnzipVSCode({ version, cachePath: path.join(root, '.cache', 'vscode-test'), timeout: 20_000 });
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    fail(`could not download VS Code ${version} (${reason}); set CACHESCOPE_VSCODE_EXECUTABLE to an installed VS Code, or run the suite in code-server`);
  }
}

const vscodeExecutablePath = await resolveVSCode();
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cachescope-electron-'));
const workspace = path.join(scratch, 'shop-service');
fs.cpSync(fixture, workspace, { recursive: true });

try {
  await runTests({
    vscodeExecutablePath,
    extensionDevelopmentPath: root,
    extensionTestsPath: suiteEntry,
    launchArgs: [
      workspace,
      '--disable-extensions',
      '--disable-workspace-trust',
      '--skip-welcome',
      '--skip-release-notes',
      '--user-data-dir',
      path.join(scratch, 'user-data'),
    ],
  });
  console.log('test:electron: the editor suite passed');
} catch (error) {
  // runTests rejects when VS Code exits non-zero, which it does when run() throws; the suite has printed its cases.
  fail(`the editor suite failed (${error instanceof Error ? error.message : String(error)})`);
} finally {
  fs.rmSync(scratch, { recursive: true, force: true });
}
