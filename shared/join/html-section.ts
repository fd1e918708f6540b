import { formatBytes } from '../inspector/format-text';
import { escapeHtml } from '../inspector/html-report';
import { sanitizeTerminalText } from '../inspector/key-names';
import type { CodeSite } from './code-families';
import { displayPath, liveText, printableName } from './describe';
import type { CodeAndLiveReport } from './join';

/**
 * The "Code and live" section of the HTML report: the same content as the terminal section, as one
 * `<section>` in the report's own markup and styles. Everything from code or keys is escaped text.
 */
export function renderCodeAndLiveHtml(report: CodeAndLiveReport, options: { root?: string } = {}): string {
  const text = (value: string) => escapeHtml(sanitizeTerminalText(value));
  const where = (site: CodeSite) => text(`${displayPath(site.file, options.root)}:${site.line}`);
  const siteRow = (site: CodeSite) =>
    `<tr><td>${text(site.access)}</td><td><code>${where(site)}</code></td><td>${text(site.command)}</td><td>${site.ttl !== undefined ? `<code>${text(site.ttl)}</code>` : ''}</td><td>${text((site.rules ?? []).join(', '))}</td></tr>`;
  const families = report.families
    .map(
      (family) =>
        `<h3><code>${text(family.display)}</code> <span class="note">${text(family.pattern)}</span></h3><p>Live: ${text(liveText(family.live))}</p>` +
        `<table><thead><tr><th>access</th><th>where</th><th>command</th><th>TTL as written</th><th>rules</th></tr></thead><tbody>${family.sites.map(siteRow).join('')}</tbody></table>`,
    )
    .join('\n');
  const findings =
    report.findings.length === 0
      ? '<p>Code and live agree: no findings.</p>'
      : report.findings
          .map(
            (finding) =>
              `<div class="issue ${finding.level}"><p><span class="level">${finding.level}</span>${text(finding.message)} <span class="id">${text(finding.id)}${finding.ruleId ? ` (${text(finding.ruleId)})` : ''}</span></p>` +
              `<p><strong>Why:</strong> ${text(finding.why)}</p><p><strong>Fix:</strong> ${text(finding.fix)}</p>` +
              (finding.evidence.code.length > 0 ? `<p><strong>Code:</strong> ${finding.evidence.code.map((site) => `<code>${where(site)}</code> ${text(site.command)}${site.ttl !== undefined ? ` <code>${text(site.ttl)}</code>` : ''}`).join('; ')}</p>` : '') +
              `<p><strong>Live:</strong> ${text(liveText(finding.evidence.live))}</p></div>`,
          )
          .join('\n');
  const unmatched = report.unmatched.prefixes.length > 0
    ? `<h3>Live prefixes no family matches</h3><ul>${report.unmatched.prefixes.map((prefix) => `<li><code>${text(prefix.undelimited ? '(keys without the delimiter)' : printableName(prefix.prefix))}</code> ${prefix.keys} keys, ${prefix.noTtlKeys} without TTL, ${formatBytes(prefix.memoryBytes)}</li>`).join('')}</ul>`
    : '';
  return `<section id="code-and-live"><h2>Code and live</h2>
<p class="note">${report.families.length} key families in the code; ${report.matched.keys} live keys (${formatBytes(report.matched.memoryBytes)}) belong to one, ${report.unmatched.keys} (${formatBytes(report.unmatched.memoryBytes)}) to none${report.keyPrefix ? `; client key prefix <code>${text(report.keyPrefix)}</code>` : ''}.</p>
${families}
${unmatched}
<h3>Findings (${report.findings.length})</h3>
${findings}</section>`;
}

/** The report page with the section added at the end of its body. */
export function withCodeAndLiveSection(page: string, report: CodeAndLiveReport, options: { root?: string } = {}): string {
  const end = page.lastIndexOf('</body>');
  const section = `${renderCodeAndLiveHtml(report, options)}\n`;
  return end < 0 ? page + section : page.slice(0, end) + section + page.slice(end);
}
