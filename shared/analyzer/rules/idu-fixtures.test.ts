import * as path from 'node:path';
import * as fs from 'node:fs';
import { it } from 'vitest';
import { lint } from '../lint';
import { invalidateDontUpdate } from './invalidate-dont-update';
import { requireTtl } from './require-ttl';

for (const name of ['shop-service', 'nest-catalog']) {
  it(name, async () => {
    const cwd = path.resolve(__dirname, '../../../fixtures', name);
    const outcome = await lint({ cwd, rules: [invalidateDontUpdate, requireTtl], ruleOverrides: undefined });
    if (outcome.internalErrors.length) console.log(outcome.internalErrors);
    const got = new Set<string>();
    for (const r of outcome.results) for (const f of r.findings) if (f.ruleId === 'invalidate-dont-update') {
      got.add(`${path.relative(cwd, r.filePath)}:${f.location.start.line}`);
      console.log(`${path.relative(cwd, r.filePath)}:${f.location.start.line}:${f.location.start.column} ${f.messageId} ${f.message}`);
    }
    const expected = new Set<string>();
    const walk = (d: string) => { for (const e of fs.readdirSync(d, { withFileTypes: true })) { const p = path.join(d, e.name); if (e.isDirectory()) walk(p); else if (/\.ts$/.test(e.name)) fs.readFileSync(p, 'utf8').split('\n').forEach((l, i) => { if (/expect:.*invalidate-dont-update/.test(l)) expected.add(`${path.relative(cwd, p)}:${i + 1}`); }); } };
    walk(path.join(cwd, 'src'));
    console.log(name, 'missing', [...expected].filter((x) => !got.has(x)), 'extra', [...got].filter((x) => !expected.has(x)));
  });
}
