import * as fs from 'node:fs';
import * as path from 'node:path';
import fg from 'fast-glob';
import { describe, expect, it } from 'vitest';
import { lint } from '../shared/analyzer/lint';

/**
 * Whole cache flows, SonarJS-style: each fixture project marks every expected finding with a
 * trailing `// expect: <rule-id>[, <rule-id>]` comment on its line. Every marked finding must be
 * reported, and nothing else may be: the unmarked look-alikes are the precision half of the test.
 */
const root = path.resolve(__dirname, '..');
const fixtures = ['shop-service', 'nest-catalog'];
const expectPattern = /\/\/\s*expect:\s*([a-z0-9-]+(?:\s*,\s*[a-z0-9-]+)*)\s*$/;

function expectedFindings(dir: string): string[] {
  const expected: string[] = [];
  for (const file of fg.sync('**/*.{ts,tsx,js,mjs,cjs}', { cwd: dir, ignore: ['**/node_modules/**'] })) {
    const lines = fs.readFileSync(path.join(dir, file), 'utf8').split('\n');
    lines.forEach((line, index) => {
      const match = expectPattern.exec(line);
      if (!match) return;
      for (const rule of match[1].split(',')) expected.push(`${file}:${index + 1} ${rule.trim()}`);
    });
  }
  return expected.sort();
}

describe.each(fixtures)('fixture %s', (name) => {
  const dir = path.join(root, 'fixtures', name);

  it('reports exactly the findings its comments mark', async () => {
    const outcome = await lint({ cwd: dir, targets: ['.'] });
    expect(outcome.internalErrors).toEqual([]);
    const actual = outcome.results
      .flatMap((result) => result.findings)
      .map((finding) => `${path.relative(dir, finding.filePath).split(path.sep).join('/')}:${finding.location.start.line} ${finding.ruleId}`)
      .sort();
    expect(actual).toEqual(expectedFindings(dir));
  });
});
