import { it } from 'vitest';
import { Project } from 'ts-morph';
import { findDbOperations, createDbFileContext } from '../db/recognize-db-operation';
import * as fs from 'node:fs';

it('probe', () => {
  const snippets = JSON.parse(fs.readFileSync('/tmp/idu/snippets.json', 'utf8')) as string[];
  const project = new Project({ useInMemoryFileSystem: true, compilerOptions: { allowJs: true } });
  snippets.forEach((code, i) => {
    const sf = project.createSourceFile(`/p/s${i}.ts`, code);
    const ops = findDbOperations(sf, createDbFileContext(sf));
    console.log(`#${i}: ` + ops.map((o) => `${o.library}/${o.access}/${o.writeKind ?? ''}/${o.model ?? '?'} @${o.call.getStartLineNumber()} ${o.call.getText().slice(0, 50).replace(/\s+/g, ' ')}`).join(' | '));
  });
});
