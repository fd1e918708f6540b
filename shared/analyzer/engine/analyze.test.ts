import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../config/load-config';
import { lint } from '../lint';
import { createRule } from '../rules/create-rule';
import { noKeysCommand } from '../rules/no-keys-command';
import { virtualRoot } from '../testing/rule-tester';

/** One broken rule or one broken file must never cost the findings of the others. */
const throwingRule = createRule<Record<string, never>>({
  name: 'always-throws',
  meta: {
    type: 'problem',
    scope: 'file',
    docs: { description: 'A rule that fails on every cache call', defaultLevel: 'error' },
    messages: { never: 'never reported' },
    schema: { type: 'object' },
  },
  defaultOptions: {},
  create: () => ({
    cacheCall() {
      throw new Error('rule bug');
    },
  }),
});

describe('engine resilience', () => {
  it('records an internal error of one rule and still reports every other rule', async () => {
    const rules = [throwingRule, noKeysCommand];
    const config = resolveConfig(rules, {}, undefined);
    const file = path.join(virtualRoot, 'resilience', 'a.ts');
    const outcome = await lint({
      cwd: path.join(virtualRoot, 'resilience'),
      texts: { [file]: "import Redis from 'ioredis';\nnew Redis().keys('*');\n" },
      onlyTexts: true,
      config,
      rules,
    });
    expect(outcome.internalErrors.map((e) => `${e.ruleId}: ${e.message}`)).toEqual(['always-throws: rule bug']);
    expect(outcome.results.flatMap((r) => r.findings.map((f) => f.ruleId))).toEqual(['no-keys-command']);
  });

  it('reports a file that does not parse and analyses the rest', async () => {
    const config = resolveConfig([noKeysCommand], {}, undefined);
    const dir = path.join(virtualRoot, 'parse');
    const outcome = await lint({
      cwd: dir,
      texts: {
        [path.join(dir, 'broken.ts')]: "import Redis from 'ioredis';\nconst x = ;\n",
        [path.join(dir, 'fine.ts')]: "import Redis from 'ioredis';\nnew Redis().keys('*');\n",
      },
      onlyTexts: true,
      config,
      rules: [noKeysCommand],
    });
    const byFile = Object.fromEntries(outcome.results.map((r) => [path.basename(r.filePath), r.findings.map((f) => f.ruleId)]));
    expect(byFile).toEqual({ 'broken.ts': ['parse-error'], 'fine.ts': ['no-keys-command'] });
    expect(outcome.results.find((r) => r.filePath.endsWith('broken.ts'))!.findings[0]).toMatchObject({ fatal: true, location: { start: { line: 2 } } });
  });
});
