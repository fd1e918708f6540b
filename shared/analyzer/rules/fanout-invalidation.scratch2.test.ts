import * as path from 'node:path';
import * as fs from 'node:fs';
import { it } from 'vitest';
import { Project } from 'ts-morph';
import { createDbFileContext, findDbOperations } from '../db/recognize-db-operation';

it('ops', () => {
  const root = path.resolve(__dirname, '../../../fixtures/shop-service/src');
  const project = new Project({ compilerOptions: { allowJs: true, noLib: true, noResolve: true }, skipAddingFilesFromTsConfig: true });
  const files = ['services/catalog.service.ts', 'services/product-admin.service.ts', 'db/pool.ts', 'cache/index.ts', 'cache/keys.ts', 'cache/redis.ts', 'cache/jitter.ts', 'cache/lru.ts'];
  for (const f of files) project.createSourceFile(path.join(root, f), fs.readFileSync(path.join(root, f), 'utf8'), { overwrite: true });
  for (const f of files.slice(0, 2)) {
    const sf = project.getSourceFileOrThrow(path.join(root, f));
    for (const op of findDbOperations(sf, createDbFileContext(sf))) console.log(f, op.access, op.model, op.call.getStartLineNumber());
  }
});
