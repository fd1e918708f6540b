import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../config/load-config';
import { lint } from '../lint';
import { noKeysCommand } from '../rules/no-keys-command';
import { makeWorkDir, removeWorkDir } from '../testing/fix-harness';

/**
 * With cache libraries installed, a client handed out by a wrapper package the engine has never
 * heard of is placed through the package's typings. The project lives under the repository's
 * node_modules/.cache so ioredis resolves from the repository's own node_modules.
 */
let root: string;

function write(relative: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(root, relative)), { recursive: true });
  fs.writeFileSync(path.join(root, relative), text);
}

beforeAll(() => {
  root = makeWorkDir('typed-receivers');
  write('package.json', '{ "name": "typed-app", "dependencies": { "@acme/redis-manager": "1.0.0" } }');
  write(
    'node_modules/@acme/redis-manager/package.json',
    '{ "name": "@acme/redis-manager", "version": "1.0.0", "types": "dist/index.d.ts", "main": "dist/index.js", "peerDependencies": { "ioredis": "^5" } }',
  );
  write('node_modules/@acme/redis-manager/dist/index.d.ts', "export * from './manager';\n");
  write(
    'node_modules/@acme/redis-manager/dist/manager.d.ts',
    "import type { Redis } from 'ioredis';\nexport declare class RedisManager {\n  getConnection(name?: string): Redis;\n  describe(): { name: string; keys(): string[] };\n}\n",
  );
  write(
    'src/sweeper.ts',
    [
      "import { RedisManager } from '@acme/redis-manager';",
      '',
      'export class Sweeper {',
      '  constructor(private readonly manager: RedisManager) {}',
      '  sessions() { return this.manager.getConnection().keys("session:*"); }',
      '  names() { return this.manager.describe().keys(); }',
      '}',
      '',
    ].join('\n'),
  );
});

afterAll(() => {
  if (root) removeWorkDir(root);
});

async function keysFindings(typeInformation: 'auto' | 'off') {
  const config = resolveConfig([noKeysCommand], { typeInformation }, undefined);
  const outcome = await lint({ cwd: root, targets: ['src'], config, rules: [noKeysCommand] });
  return outcome.results.flatMap((result) => result.findings.map((f) => `${path.relative(root, f.filePath)}:${f.location.start.line}`));
}

describe('type information from installed typings', () => {
  it('places a client returned by a wrapper package, and only that one', async () => {
    expect(await keysFindings('auto')).toEqual([path.join('src', 'sweeper.ts') + ':5']);
  });

  it('is not used when turned off', async () => {
    expect(await keysFindings('off')).toEqual([]);
  });
});
