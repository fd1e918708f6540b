import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import { allRules } from '../shared/analyzer/rules';
import { docsBaseUrl } from '../shared/analyzer/rules/create-rule';
import { buildConfigSchema } from '../shared/config/config-schema';

/**
 * Every rule ships as a set: the rule, its tests and its docs page, with metadata that agrees with
 * what the rule does. This test fails when any part of the set is missing or inconsistent.
 */
const root = path.resolve(__dirname, '..');
const requiredSections = ['## What it does', '## Why is this bad?', '## Examples', '### Wrong', '### Right', '## Options', '## When not to use it', '## References'];
const fiveCoreRules = ['no-keys-command', 'require-ttl', 'require-ttl-jitter', 'invalidate-dont-update', 'fanout-invalidation'];

describe('rule catalog', () => {
  it('ships the five core rules', () => {
    const names = allRules.map((rule) => rule.name);
    for (const id of fiveCoreRules) expect(names).toContain(id);
  });

  for (const rule of allRules) {
    describe(rule.name, () => {
      const docPath = path.join(root, 'docs', 'rules', `${rule.name}.md`);

      it('has a docs page with every section and a wrong and a right example', () => {
        expect(fs.existsSync(docPath), `${docPath} is missing`).toBe(true);
        const doc = fs.readFileSync(docPath, 'utf8');
        expect(doc.startsWith(`# ${rule.name}\n`)).toBe(true);
        for (const section of requiredSections) expect(doc, `missing "${section}"`).toContain(`\n${section}\n`);
        const wrong = doc.slice(doc.indexOf('### Wrong'), doc.indexOf('### Right'));
        const right = doc.slice(doc.indexOf('### Right'), doc.indexOf('## Options'));
        expect(wrong).toMatch(/```(ts|typescript|js)\n[\s\S]+?```/);
        expect(right).toMatch(/```(ts|typescript|js)\n[\s\S]+?```/);
        expect(doc).toContain(rule.meta.docs.defaultLevel === 'error' ? 'error' : 'warn');
      });

      it('has a test file', () => {
        const testPath = path.join(root, 'shared', 'analyzer', 'rules', `${rule.name}.test.ts`);
        expect(fs.existsSync(testPath), `${testPath} is missing`).toBe(true);
        const text = fs.readFileSync(testPath, 'utf8');
        expect(text).toMatch(/valid:\s*\[/);
        expect(text).toMatch(/invalid:\s*\[/);
      });

      it('has consistent ESLint-shaped metadata', () => {
        expect(['problem', 'suggestion', 'layout']).toContain(rule.meta.type);
        expect(rule.meta.docs.description.length).toBeGreaterThan(10);
        expect(rule.meta.docs.url).toBe(`${docsBaseUrl}${rule.name}.md`);
        expect(Object.keys(rule.meta.messages).length).toBeGreaterThan(0);
        expect(new Ajv({ strict: false }).validateSchema(rule.meta.schema)).toBe(true);
        expect(new Ajv({ strict: false, useDefaults: false }).validate(rule.meta.schema, rule.defaultOptions)).toBe(true);
        const source = fs.readFileSync(path.join(root, 'shared', 'analyzer', 'rules', `${rule.name}.ts`), 'utf8');
        // A rule that declares suggestions must produce some, and one that produces them must declare them.
        expect(Boolean(rule.meta.hasSuggestions)).toBe(/\bsuggest\s*:/.test(source));
        for (const messageId of Object.keys(rule.meta.messages)) {
          expect(source, `message "${messageId}" is never used`).toMatch(new RegExp(`['"]${messageId}['"]|messages\\.${messageId}\\b`));
        }
      });
    });
  }

  it('publishes an up-to-date configuration schema', () => {
    const published = JSON.parse(fs.readFileSync(path.join(root, 'schema', 'cachescoperc.schema.json'), 'utf8'));
    expect(published).toEqual(buildConfigSchema(allRules));
  });
});
