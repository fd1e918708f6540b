import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../config/load-config';
import { lint } from '../lint';
import { noKeysCommand } from '../rules/no-keys-command';
import { noUnusedDisable } from '../rules/no-unused-disable';
import { applyFixes } from './apply-fixes';
import { virtualRoot } from '../testing/rule-tester';
import * as path from 'node:path';

const rules = [noKeysCommand, noUnusedDisable];
const header = "import Redis from 'ioredis';\nconst redis = new Redis();\n";

async function findingsOf(code: string) {
  const file = path.join(virtualRoot, 'src', 'suppressed.ts');
  const config = resolveConfig(rules, {}, undefined);
  const outcome = await lint({ cwd: virtualRoot, texts: { [file]: code }, onlyTexts: true, config, rules });
  return outcome.results.flatMap((result) => result.findings);
}

describe('suppression comments', () => {
  it('disable-next-line with a reason suppresses that rule on the next line only', async () => {
    const findings = await findingsOf(
      `${header}// cachescope-disable-next-line no-keys-command -- one-off admin script\nredis.keys('a:*');\nredis.keys('b:*');\n`,
    );
    expect(findings.map((f) => `${f.location.start.line} ${f.ruleId}`)).toEqual(['5 no-keys-command']);
  });

  it('disable-line and file-wide block comments', async () => {
    expect(await findingsOf(`${header}redis.keys('a:*'); // cachescope-disable-line no-keys-command\n`)).toEqual([]);
    expect(await findingsOf(`/* cachescope-disable no-keys-command */\n${header}redis.keys('a:*');\nredis.keys('b:*');\n`)).toEqual([]);
    expect(await findingsOf(`${header}// cachescope-disable-next-line\nredis.keys('a:*');\n`)).toEqual([]);
  });

  it('a directive for another rule does not suppress, and is itself reported as unused', async () => {
    const code = `${header}// cachescope-disable-next-line require-ttl\nredis.keys('a:*');\n`;
    const findings = await findingsOf(code);
    expect(findings.map((f) => `${f.location.start.line} ${f.ruleId}`)).toEqual(['3 no-unused-disable', '4 no-keys-command']);
    const unused = findings.find((f) => f.ruleId === 'no-unused-disable')!;
    expect(unused.message).toContain('require-ttl');
    expect(applyFixes(code, [unused.fix!]).output).toBe(`${header}redis.keys('a:*');\n`);
  });

  it('removes only the unused rule ids of a partly used directive', async () => {
    const code = `${header}// cachescope-disable-next-line require-ttl, no-keys-command\nredis.keys('a:*');\n`;
    const findings = await findingsOf(code);
    expect(findings).toHaveLength(1);
    expect(applyFixes(code, [findings[0].fix!]).output).toBe(`${header}// cachescope-disable-next-line no-keys-command\nredis.keys('a:*');\n`);
  });

  it('text that only looks like a directive inside a string is not one', async () => {
    const findings = await findingsOf(`${header}const doc = '// cachescope-disable-next-line no-keys-command';\nredis.keys('a:*');\n`);
    expect(findings.map((f) => f.ruleId)).toEqual(['no-keys-command']);
  });
});
