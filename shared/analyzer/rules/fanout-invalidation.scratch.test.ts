import * as path from 'node:path';
import { it } from 'vitest';
import { lint } from '../lint';
import { resolveConfig } from '../../work/main/shared/config/load-config';
import { fanoutInvalidation } from './fanout-invalidation';
import { applyFixes } from '../engine/apply-fixes';
import * as fs from 'node:fs';

for (const fixture of ['shop-service', 'nest-catalog']) {
  it(fixture, async () => {
    const cwd = path.resolve('/work/main/fixtures', fixture);
    const config = resolveConfig([fanoutInvalidation], { rules: { 'fanout-invalidation': 'warn' } } as never, undefined);
    const t = Date.now();
    const outcome = await lint({ cwd, config, rules: [fanoutInvalidation] });
    console.log(fixture, Date.now() - t, 'ms', outcome.internalErrors);
    for (const r of outcome.results) for (const f of r.findings) {
      console.log(path.relative(cwd, f.filePath), f.location.start.line, f.location.start.column, f.message);
      for (const rel of f.relatedLocations ?? []) console.log('   related', path.relative(cwd, rel.filePath), rel.location.start.line, rel.message);
      for (const s of f.suggestions ?? []) {
        const out = applyFixes(fs.readFileSync(f.filePath, 'utf8'), [s.fix]).output;
        console.log('   suggestion', s.desc, JSON.stringify(out.slice(s.fix.edits[0].range[0] - 80, s.fix.edits[0].range[0] + s.fix.edits[0].text.length + 20)));
      }
    }
  }, 120000);
}
