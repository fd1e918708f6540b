import { createColors } from 'picocolors';
import { formatBytes } from '../inspector/format-text';
import { sanitizeTerminalText } from '../inspector/key-names';
import type { CodeSite } from './code-families';
import { displayPath, liveText, printableName } from './describe';
import { CodeAndLiveReport, formatSeconds, JoinFinding } from './join';

/**
 * The "Code and live" section of `cachescope inspect --project`: each code family with where it is
 * written and read (TTL as written) beside its live figures, then the findings with their evidence.
 */
export function formatCodeAndLive(report: CodeAndLiveReport, options: { color: boolean; root?: string }): string {
  const c = createColors(options.color);
  const where = (site: CodeSite) => sanitizeTerminalText(`${displayPath(site.file, options.root)}:${site.line}`);
  const siteLine = (site: CodeSite) =>
    `${site.access.padEnd(12)} ${where(site)}  ${site.command}${site.ttl !== undefined ? `  ${sanitizeTerminalText(site.ttl)}` : ''}${site.rules?.length ? c.dim(`  [${site.rules.join(', ')}]`) : ''}`;
  const lines: string[] = ['', c.bold('Code and live')];
  const matchedShare = report.scan.keysScanned > 0 ? Math.round((report.matched.keys / (report.matched.keys + report.unmatched.keys || 1)) * 100) : 0;
  lines.push(
    `${report.families.length} key families in the code; ${report.matched.keys} live keys (${matchedShare}%, ${formatBytes(report.matched.memoryBytes)}) belong to one, ${report.unmatched.keys} (${formatBytes(report.unmatched.memoryBytes)}) to none${
      report.keyPrefix ? `; client key prefix "${sanitizeTerminalText(report.keyPrefix)}"` : ''
    }${report.scan.sampled ? `; sample of ${report.scan.keysScanned} keys, counts scaled x${report.scan.scale.toFixed(2)}` : ''}`,
  );
  for (const family of report.families) {
    lines.push('', `${c.bold(sanitizeTerminalText(family.display))}  ${c.dim(sanitizeTerminalText(family.pattern))}  TTL in code: ${policyText(family.ttlPolicy, family.longestTtlSeconds)}`);
    lines.push(`  live: ${liveText(family.live)}`);
    for (const site of family.sites) lines.push(`  ${siteLine(site)}`);
  }
  if (report.unmatched.prefixes.length > 0) {
    lines.push('', c.bold('Live prefixes no family matches'));
    const add = (prefixes: CodeAndLiveReport['unmatched']['prefixes'], depth: number) => {
      for (const prefix of prefixes) {
        lines.push(`${'  '.repeat(depth)}${prefix.undelimited ? '(keys without the delimiter)' : printableName(prefix.prefix)}  ${prefix.keys} keys, ${prefix.noTtlKeys} without TTL, ${formatBytes(prefix.memoryBytes)}`);
        add(prefix.children, depth + 1);
      }
    };
    add(report.unmatched.prefixes, 1);
  }
  lines.push('', c.bold(report.findings.length === 0 ? 'Code and live agree: no findings.' : 'Code and live findings'));
  for (const finding of report.findings) lines.push(...findingLines(finding, c, where));
  return `${lines.join('\n')}\n`;
}

function findingLines(finding: JoinFinding, c: ReturnType<typeof createColors>, where: (site: CodeSite) => string): string[] {
  const level = finding.level === 'error' ? c.red('error') : finding.level === 'warn' ? c.yellow('warn ') : c.cyan('info ');
  const lines = [
    `  ${level} ${sanitizeTerminalText(finding.message)}  ${c.dim(finding.id + (finding.ruleId ? ` (${finding.ruleId})` : ''))}`,
    `        why: ${finding.why}`,
    `        fix: ${finding.fix}`,
  ];
  for (const site of finding.evidence.code) lines.push(`        code: ${where(site)} ${site.command}${site.ttl !== undefined ? ` ${sanitizeTerminalText(site.ttl)}` : ''}`);
  const sample = finding.evidence.sample;
  lines.push(`        live: ${liveText(finding.evidence.live)}${sample ? ` (sample of ${sample.keysScanned} keys, scaled x${sample.scale.toFixed(2)})` : ''}`);
  return lines;
}

function policyText(policy: CodeAndLiveReport['families'][number]['ttlPolicy'], longest: number | undefined): string {
  switch (policy) {
    case 'always':
      return `always${longest !== undefined ? ` (at most ${formatSeconds(longest)})` : ''}`;
    case 'without':
      return 'none on some writes';
    case 'set-then-expire':
      return 'set, then a separate expire';
    case 'not-written':
      return 'not written here';
    default:
      return 'unknown';
  }
}
