import type { Finding, KeyAccess, KeySite } from '../analyzer/types';

/**
 * The code side of the join: the key index grouped by family, in a plain shape that both the CLI
 * (from `KeySite`s) and an editor client (from the language server's `cachescope/keyFamilies` reply)
 * can build.
 */

export interface CodeSite {
  /** The file, as a path or a URI: it is only shown, never opened. */
  file: string;
  /** 1-based line and column of the key expression. */
  line: number;
  column: number;
  access: KeyAccess;
  command: string;
  library?: string;
  /** For writes and expiries: the TTL as written (`EX 3600`, `no TTL in this call`). */
  ttl?: string;
  /**
   * Rules with a finding on this call (`require-ttl`, `require-ttl-jitter`, ...). Absent when the caller
   * had no findings to give; an empty list means the rules looked and found nothing.
   */
  rules?: string[];
}

export interface CodeFamily {
  /** Every variable part `*`: `product:*`. */
  pattern: string;
  /** As a person reads it: `product:{id}`. */
  display: string;
  sites: CodeSite[];
}

/** Groups key sites by family; `findings` (of the same analysis) mark the sites a rule flagged. */
export function codeFamiliesFromKeySites(sites: readonly KeySite[], findings?: Iterable<Finding>): CodeFamily[] {
  const findingsByFile = new Map<string, Finding[]>();
  if (findings) {
    for (const finding of findings) {
      const list = findingsByFile.get(finding.filePath) ?? [];
      list.push(finding);
      findingsByFile.set(finding.filePath, list);
    }
  }
  const families = new Map<string, CodeFamily>();
  for (const site of sites) {
    let family = families.get(site.family.pattern);
    if (!family) {
      family = { pattern: site.family.pattern, display: site.family.display, sites: [] };
      families.set(site.family.pattern, family);
    }
    const codeSite: CodeSite = {
      file: site.filePath,
      line: site.location.start.line,
      column: site.location.start.column,
      access: site.access,
      command: site.command,
      library: site.library,
      ...(site.ttl !== undefined ? { ttl: site.ttl } : {}),
    };
    if (findings) codeSite.rules = rulesOnCall(findingsByFile.get(site.filePath) ?? [], site.callRange);
    family.sites.push(codeSite);
  }
  for (const family of families.values()) family.sites.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
  return [...families.values()].sort((a, b) => a.pattern.localeCompare(b.pattern));
}

/** Rules with a finding inside a call's range: what the analysis says about that write. */
export function rulesOnCall(findings: readonly Finding[], callRange: readonly [number, number]): string[] {
  const rules = new Set<string>();
  for (const finding of findings) {
    if (finding.range[0] >= callRange[0] && finding.range[1] <= callRange[1]) rules.add(finding.ruleId);
  }
  return [...rules].sort();
}

/** A family as the language server's `cachescope/keyFamilies` request returns it (structurally; no LSP import). */
export interface LspKeyFamily {
  pattern: string;
  display: string;
  sites: Array<{
    uri: string;
    range: { start: { line: number; character: number } };
    access: KeyAccess;
    command: string;
    library?: string;
    ttl?: string;
    rules?: string[];
  }>;
}

/** The language server's key families in the join's shape: an editor joins them with a live inspection. */
export function codeFamiliesFromLsp(families: readonly LspKeyFamily[]): CodeFamily[] {
  return families.map((family) => ({
    pattern: family.pattern,
    display: family.display,
    sites: family.sites.map((site) => ({
      file: site.uri,
      line: site.range.start.line + 1,
      column: site.range.start.character + 1,
      access: site.access,
      command: site.command,
      ...(site.library !== undefined ? { library: site.library } : {}),
      ...(site.ttl !== undefined ? { ttl: site.ttl } : {}),
      ...(site.rules !== undefined ? { rules: site.rules } : {}),
    })),
  }));
}
