import * as path from 'node:path';
import { allRules } from '../analyzer/rules';
import { WorkspaceSession } from '../analyzer/session/workspace-session';
import type { Finding, KeySite } from '../analyzer/types';
import { loadConfig } from '../config/load-config';
import { CodeFamily, codeFamiliesFromKeySites } from './code-families';

export interface ProjectKeyIndex {
  root: string;
  sites: KeySite[];
  findings: Finding[];
  families: CodeFamily[];
}

/**
 * A project's key index with the findings of every rule, read the way `cachescope lint <dir>` reads it:
 * the nearest configuration file (or `configPath`), the same file discovery, ignore patterns and gate.
 */
export function projectKeyIndex(dir: string, options: { configPath?: string } = {}): ProjectKeyIndex {
  const root = path.resolve(dir);
  const config = loadConfig(allRules, { startDir: root, configPath: options.configPath });
  const session = new WorkspaceSession({ root, config });
  session.load();
  const analysis = session.analyzeWorkspace();
  const findings = [...analysis.findings.values()].flat();
  return { root, sites: analysis.keySites, findings, families: codeFamiliesFromKeySites(analysis.keySites, findings) };
}
