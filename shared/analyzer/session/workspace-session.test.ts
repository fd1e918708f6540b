import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/load-config';
import { allRules } from '../rules';
import { WorkspaceSession } from './workspace-session';

const fixtures = path.resolve(__dirname, '../../../fixtures');

function sessionFor(root: string): WorkspaceSession {
  const session = new WorkspaceSession({ root, config: loadConfig(allRules, { startDir: root }) });
  session.load();
  return session;
}

const summary = (findings: Array<{ ruleId: string; range: [number, number]; message: string }>) =>
  findings.map((finding) => `${finding.ruleId}@${finding.range[0]}-${finding.range[1]}: ${finding.message}`).sort();

describe('WorkspaceSession', () => {
  for (const fixture of ['shop-service', 'nest-catalog']) {
    it(`gives the same per-file findings for one file as for the whole workspace (${fixture})`, () => {
      const session = sessionFor(path.join(fixtures, fixture));
      const workspace = session.analyzeWorkspace();
      const workspaceRules = session.workspaceRuleIds;
      let compared = 0;
      for (const file of [...workspace.findings.keys()]) {
        const expected = (workspace.findings.get(file) ?? []).filter((finding) => !workspaceRules.has(finding.ruleId));
        const single = session.analyzeFile(file);
        expect(summary(single.findings), path.relative(fixtures, file)).toEqual(summary(expected));
        compared += expected.length;
      }
      expect(compared).toBeGreaterThan(3);
    });
  }

  it('indexes key families with their access and TTL as written', () => {
    const session = sessionFor(path.join(fixtures, 'shop-service'));
    const sites = session.analyzeWorkspace().keySites;
    const accesses = new Set(sites.map((site) => site.access));
    expect(accesses).toContain('read');
    expect(accesses).toContain('write');
    expect(accesses).toContain('invalidate');
    const withTtl = sites.filter((site) => site.access === 'write' && site.ttl && /^(EX|PX) /.test(site.ttl));
    expect(withTtl.length).toBeGreaterThan(0);
    for (const site of sites) {
      const text = fs.readFileSync(site.filePath, 'utf8').slice(site.range[0], site.range[1]);
      expect(text.length, `${site.family.display} in ${site.filePath}`).toBeGreaterThan(0);
      expect(site.family.pattern).not.toBe('');
    }
  });

  it('sees editor buffers over the disk, and a change in one file reaches a cross-file finding in another', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cachescope-session-'));
    fs.cpSync(path.join(fixtures, 'shop-service'), root, { recursive: true });
    const session = sessionFor(root);
    const before = session.analyzeWorkspace();
    const fanout = [...before.findings.values()].flat().filter((finding) => finding.ruleId === 'fanout-invalidation');
    expect(fanout.length).toBeGreaterThan(0);
    // Deleting every line that fills a key family removes the catalog the fan-out findings rest on.
    for (const finding of fanout) {
      for (const related of finding.relatedLocations ?? []) {
        const text = session.textOf(related.filePath)!;
        const lines = text.split('\n');
        lines[related.location.start.line - 1] = '';
        session.setText(related.filePath, lines.join('\n'));
      }
    }
    const after = session.analyzeWorkspace();
    const fanoutAfter = [...after.findings.values()].flat().filter((finding) => finding.ruleId === 'fanout-invalidation');
    expect(fanoutAfter.length).toBeLessThan(fanout.length);
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('reports a file that does not parse and keeps the others', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cachescope-session-'));
    fs.cpSync(path.join(fixtures, 'shop-service'), root, { recursive: true });
    const session = sessionFor(root);
    const file = [...session.analyzeWorkspace().findings.keys()][0]!;
    session.setText(file, `${session.textOf(file)}\nconst broken = {;\n`);
    const single = session.analyzeFile(file);
    expect(single.findings.map((finding) => finding.ruleId)).toEqual(['parse-error']);
    const workspace = session.analyzeWorkspace();
    expect(workspace.findings.get(file)?.map((finding) => finding.ruleId)).toEqual(['parse-error']);
    expect([...workspace.findings.keys()].length).toBeGreaterThan(1);
    fs.rmSync(root, { recursive: true, force: true });
  });
});
