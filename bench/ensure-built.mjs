/**
 * Benchmarks run the built code: this rebuilds dist/ (`npm run build`) when an output is missing or
 * older than the TypeScript sources it comes from, and says so.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

function newestMtime(dir, accept) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(full, accept));
    else if (accept(entry.name)) newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

/**
 * @param {{ repoRoot: string, sourceDirs: string[], outputs: string[], what: string }} options
 *   sourceDirs and outputs relative to repoRoot; `what` names the benchmarked thing in the failure message.
 * @returns {boolean} false when the build fails.
 */
export function ensureBuilt({ repoRoot, sourceDirs, outputs, what }) {
  const isSource = (name) => name.endsWith('.ts') && !name.endsWith('.test.ts');
  const sourcesChanged = Math.max(
    ...sourceDirs.map((dir) => newestMtime(path.join(repoRoot, dir), isSource)),
    ...['tsconfig.json', 'tsconfig.build.json'].map((name) => fs.statSync(path.join(repoRoot, name)).mtimeMs),
  );
  const files = outputs.map((file) => path.join(repoRoot, file));
  const built = files.every((file) => fs.existsSync(file)) ? Math.min(...files.map((file) => fs.statSync(file).mtimeMs)) : 0;
  if (built >= sourcesChanged) return true;
  console.log(built === 0 ? 'build: dist/ is missing; running `npm run build`' : 'build: dist/ is older than the sources; running `npm run build`');
  const result = spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', 'build', '--silent'], { cwd: repoRoot, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`build: \`npm run build\` failed; ${what} cannot be benchmarked until it builds`);
    return false;
  }
  return true;
}
