import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { discoverFiles } from './discover';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cachescope-discover-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function write(relative: string): void {
  const file = path.join(root, relative);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, "import Redis from 'ioredis';\nexport const redis = new Redis();\n");
}

describe('discoverFiles and test code', () => {
  const testCode = [
    'src/catalog.test.ts',
    'src/catalog.spec.ts',
    'src/__tests__/catalog.ts',
    'web/src/__e2e__/api.ts',
    'web/src/server/api.servertest.ts',
    'web/src/client/cache.clienttest.tsx',
    'packages/benchmark/cache-get-set.ts',
    'benchmarks/redis-store.ts',
  ];
  const productionCode = ['src/catalog.ts', 'src/latest.ts', 'src/contest/entries.ts', 'src/bench-press/routine.ts'];
  for (const file of [...testCode, ...productionCode]) write(file);

  it('skips test suites, end-to-end folders and benchmarks inside a linted directory', () => {
    const found = discoverFiles({ cwd: root, targets: ['.'] }).files.map((file) => path.relative(root, file).split(path.sep).join('/'));
    expect(found.sort()).toEqual([...productionCode].sort());
  });

  it('still lints a test file named on the command line', () => {
    const found = discoverFiles({ cwd: root, targets: ['web/src/server/api.servertest.ts'] }).files;
    expect(found.map((file) => path.basename(file))).toEqual(['api.servertest.ts']);
  });

  it('lints everything when tests are included', () => {
    expect(discoverFiles({ cwd: root, targets: ['.'], includeTests: true }).files).toHaveLength(testCode.length + productionCode.length);
  });
});
