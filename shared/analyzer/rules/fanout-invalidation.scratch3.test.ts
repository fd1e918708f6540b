import { it, expect } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { lintCase } from '../testing/rule-tester';
import { fanoutInvalidation } from './fanout-invalidation';

// Loads the valid cases from the test file by evaluating it with a stubbed runRuleTests.
it('mutations', async () => {
  const mod = await import('./fanout-invalidation.test-cases-dump');
  for (const [name, testCase] of mod.cases) {
    const { findings } = await lintCase(fanoutInvalidation, testCase);
    console.log(findings.length, name, findings.map((f) => f.message).join(' | '));
  }
}, 60000);
