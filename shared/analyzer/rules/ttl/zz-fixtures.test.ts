import * as path from 'node:path';
import { it } from 'vitest';
import { lint } from '../../lint';
import { requireTtl } from '../require-ttl';
import { requireTtlJitter } from '../require-ttl-jitter';
import { resolveConfig } from '../../../config/load-config';
it('fixtures', async () => {
  for (const fixture of ['shop-service', 'nest-catalog']) {
    const cwd = path.resolve(__dirname, '../../../../fixtures', fixture);
    const rules = [requireTtl, requireTtlJitter];
    const config = resolveConfig(rules, { rules: { 'require-ttl': 'warn', 'require-ttl-jitter': 'warn' } } as never, undefined);
    const out = await lint({ cwd, rules, config });
    console.log(fixture, out.internalErrors);
    for (const r of out.results) for (const f of r.findings) console.log(`${path.relative(cwd, f.filePath)}:${f.location.start.line}:${f.location.start.column} ${f.ruleId} ${f.message}`);
  }
}, 120000);
