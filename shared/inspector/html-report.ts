import { formatBytes, pacingLine } from './format-text';
import { escapeBytes, RenderedName, renderNameForTerminal, sanitizeTerminalText } from './key-names';
import { ttlBuckets } from './keyspace';
import type { BigKeyReport, CliffReport, InspectReport, PrefixReport, Warning } from './report';

/**
 * `cachescope inspect --html`: the report as one self-contained HTML file. It loads nothing (the
 * Content-Security-Policy forbids every fetch and every script), needs no JavaScript (charts are inline SVG),
 * and every string that came from Redis is first made printable by the same renderings as the terminal
 * output, then escaped for HTML, so a key name can never become markup.
 */

/** Blocks scripts, frames, fonts and any fetch; only the inline stylesheet and data: images may load. */
export const htmlReportCsp = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

const htmlEntities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text for element content or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => htmlEntities[char]);
}

/** Free text that may carry server-provided parts (messages, server fields): control characters escaped, then HTML-escaped. */
function safeText(text: string): string {
  return escapeHtml(sanitizeTerminalText(text));
}

/** A key name or prefix, printable (the terminal rendering from its exact bytes), not yet HTML-escaped. */
function printableName(name: RenderedName): string {
  return name.base64 !== undefined ? escapeBytes(Buffer.from(name.base64, 'base64')) : renderNameForTerminal(Buffer.from(name.text, 'utf8'));
}

/** A key name as HTML; names that are not valid UTF-8 are marked, since their `\xNN` form is not their text. */
function nameHtml(name: RenderedName): string {
  const shown = `<code>${escapeHtml(printableName(name))}</code>`;
  return name.base64 !== undefined ? `${shown} <span class="note" title="not valid UTF-8: bytes shown as \\xNN escapes">(bytes)</span>` : shown;
}

/** Chart labels are cut to a fixed length (before escaping, so no entity is split); the full name is in the tooltip. */
function shortLabel(text: string, maxChars = 34): string {
  const chars = Array.from(text);
  return chars.length <= maxChars ? text : `${chars.slice(0, maxChars - 1).join('')}\u2026`;
}

function prefixLabel(node: PrefixReport, delimiter: string): string {
  return node.undelimited ? `(keys without "${renderNameForTerminal(Buffer.from(delimiter))}")` : printableName(node.prefix);
}

const count = (value: number) => value.toLocaleString('en-US');
const percent = (share: number, digits = 0) => `${(share * 100).toFixed(digits)}%`;

/** Colours from "expires soon" (red) to "long-lived" (green); keys without a TTL in grey. */
const ttlColours: Record<string, string> = {
  '<1m': '#c0392b',
  '1-10m': '#e67e22',
  '10m-1h': '#f1c40f',
  '1-6h': '#9acd32',
  '6-24h': '#27ae60',
  '1-7d': '#16a085',
  '>7d': '#2980b9',
  none: '#95a5a6',
};

const styles = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;padding:24px 32px;color:#1b1d23;background:#fafafa;max-width:1100px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
.meta{color:#666;margin:0}.note{color:#777;font-size:12px}
table{border-collapse:collapse;width:100%;background:#fff}th,td{text-align:left;padding:3px 8px;border-bottom:1px solid #eee;vertical-align:top}
th{background:#f0f0f0;font-weight:600}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
code{font:12.5px ui-monospace,Menlo,Consolas,monospace;word-break:break-all}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:0}dt{color:#555}dd{margin:0}
svg{display:block;max-width:100%;height:auto;background:#fff}dd svg,td svg{display:inline-block;vertical-align:middle;margin-left:8px}svg text{font:12px ui-monospace,Menlo,Consolas,monospace;fill:#1b1d23}
.issue{background:#fff;border-left:4px solid #e67e22;padding:8px 12px;margin:8px 0}.issue.error{border-color:#c0392b}
.level{font-weight:700;text-transform:uppercase;font-size:12px;margin-right:6px}.issue .id{color:#777;font-size:12px}
.legend span{display:inline-block;margin-right:12px;font-size:12px}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px}
`;

export function renderHtmlReport(report: InspectReport): string {
  const sections = [
    serverSection(report),
    hitRatioSection(report),
    memoryChartSection(report),
    ttlChartSection(report),
    prefixTableSection(report),
    cliffSection(report.cliffs),
    bigKeysSection('Big keys by memory', report.bigKeys.byMemory),
    bigKeysSection('Big keys by elements', report.bigKeys.byElements),
    problemsSection([...report.warnings, ...report.findings]),
    unavailableSection(report.unavailable),
  ];
  const target = safeText(report.target);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${htmlReportCsp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>CacheScope inspect: ${target}</title>
<style>${styles}</style>
</head>
<body>
<h1>CacheScope inspect: <code>${target}</code></h1>
<p class="meta">Generated ${safeText(report.generatedAt)}. A read-only snapshot; see the CacheScope documentation of <code>cachescope inspect</code> for what each figure means.</p>
${sections.filter((section) => section !== '').join('\n')}
</body>
</html>
`;
}

function serverSection(report: InspectReport): string {
  const s = report.server;
  const scan = report.scan;
  const facts: [string, string][] = [
    ['Version', safeText(s.version ?? '?')],
    ['Role', safeText(s.role ?? '?')],
    ['Memory', memoryText(report)],
    ['Eviction policy', safeText(s.maxmemoryPolicy ?? '?')],
    ['Persistence', persistenceHtml(report)],
    ['Evicted / expired keys', `${s.evictedKeys === undefined ? '?' : count(s.evictedKeys)} / ${s.expiredKeys === undefined ? '?' : count(s.expiredKeys)}`],
    ['Operations per second', s.opsPerSec === undefined ? '?' : count(s.opsPerSec)],
  ];
  let scanText = `${count(scan.keysScanned)} keys${scan.dbsize !== undefined ? ` of ${count(scan.dbsize)}` : ''} in ${(scan.durationMs / 1000).toFixed(1)} s`;
  if (scan.prefix) scanText += `, matching ${nameHtml(scan.prefix)}*`;
  if (scan.cancelled) scanText += ` (cancelled after ${scan.keysScanned} keys)`;
  else if (!scan.complete) scanText += ' (incomplete)';
  if (scan.sampled) {
    scanText += `; a sample, counts scaled &times;${scan.scale.toFixed(2)}`;
    if (scan.shareErrorBound95 !== undefined) scanText += `, shares &plusmn;${(scan.shareErrorBound95 * 100).toFixed(1)} points (95%)`;
  }
  facts.push(['Scan', scanText]);
  if (scan.pacing) facts.push(['Pacing', safeText(pacingLine(scan.pacing).replace(/^pacing: /, ''))]);
  return `<section id="server"><h2>Server</h2>
<dl class="facts">${facts.map(([term, value]) => `<dt>${term}</dt><dd>${value}</dd>`).join('')}</dl></section>`;
}

function memoryText(report: InspectReport): string {
  const s = report.server;
  const used = s.usedMemoryBytes !== undefined ? formatBytes(s.usedMemoryBytes) : '?';
  const limit = s.maxmemoryBytes === undefined ? '?' : s.maxmemoryBytes === 0 ? 'no limit' : formatBytes(s.maxmemoryBytes);
  if (s.usedMemoryBytes === undefined || !s.maxmemoryBytes) return `${used} of ${limit}`;
  const share = s.usedMemoryBytes / s.maxmemoryBytes;
  return `${used} of ${limit}${meterSvg('memory used against maxmemory', share, share >= 0.9 ? '#c0392b' : '#2980b9', 300)}`;
}

function persistenceHtml(report: InspectReport): string {
  const p = report.server.persistence;
  if (!p) return '?';
  return `${p.save ? `RDB save "${safeText(p.save)}"` : 'no RDB'}, ${p.appendonly ? 'AOF' : 'no AOF'}`;
}

/** A single horizontal bar filled to `share` (0..1), used for memory against maxmemory. */
function meterSvg(label: string, share: number, colour: string, width = 600): string {
  const filled = Math.max(0, Math.min(1, share)) * width;
  return `<svg viewBox="0 0 ${width + 70} 24" width="${width + 70}" height="24" role="img" aria-label="${escapeHtml(label)}: ${percent(share)}">
<rect x="0" y="4" width="${width}" height="16" fill="#eee"/><rect x="0" y="4" width="${filled.toFixed(1)}" height="16" fill="${colour}"/>
<text x="${width + 8}" y="17">${percent(share)}</text></svg>`;
}

function hitRatioSection(report: InspectReport): string {
  const s = report.server;
  const own = s.inspectorLookups.hits + s.inspectorLookups.misses;
  const note = `<p class="note">${safeText(s.hitRatioNote)} The inspector's own ${count(own)} lookups are already subtracted.</p>`;
  if (s.hitRatio === undefined) return `<section id="hit-ratio"><h2>Hit ratio</h2><p>Not available.</p>${note}</section>`;
  if (s.hitRatio === null) return `<section id="hit-ratio"><h2>Hit ratio</h2><p>No lookups since the server started.</p>${note}</section>`;
  const hits = s.keyspaceHits ?? 0;
  const misses = s.keyspaceMisses ?? 0;
  const width = 600;
  const hitWidth = s.hitRatio * width;
  const svg = `<svg viewBox="0 0 ${width} 44" width="${width}" height="44" role="img" aria-label="hit ratio ${percent(s.hitRatio, 1)}">
<rect x="0" y="0" width="${hitWidth.toFixed(1)}" height="20" fill="#27ae60"/><rect x="${hitWidth.toFixed(1)}" y="0" width="${(width - hitWidth).toFixed(1)}" height="20" fill="#c0392b"/>
<text x="0" y="36">${count(hits)} hits</text><text x="${width}" y="36" text-anchor="end">${count(misses)} misses</text></svg>`;
  return `<section id="hit-ratio"><h2>Hit ratio: ${percent(s.hitRatio, 1)}</h2>${svg}${note}</section>`;
}

const chartLabelWidth = 270;
const chartBarWidth = 430;
const chartRowHeight = 22;

function memoryChartSection(report: InspectReport): string {
  const rows: { label: string; title: string; bytes: number }[] = report.prefixes.slice(0, 15).map((node) => {
    const label = prefixLabel(node, report.scan.delimiter);
    return { label: shortLabel(label), title: label, bytes: node.memoryBytes };
  });
  const rest = report.prefixes.slice(15);
  const restBytes = rest.reduce((sum, node) => sum + node.memoryBytes, 0) + (report.morePrefixes?.memoryBytes ?? 0);
  const restCount = rest.length + (report.morePrefixes?.prefixes ?? 0);
  if (restCount > 0) rows.push({ label: `(${restCount} more prefixes)`, title: `${restCount} more prefixes`, bytes: restBytes });
  if (rows.length === 0) return '<section id="memory"><h2>Memory by prefix</h2><p>No keys.</p></section>';
  const largest = Math.max(1, ...rows.map((row) => row.bytes));
  const height = rows.length * chartRowHeight + 4;
  const bars = rows
    .map((row, index) => {
      const y = index * chartRowHeight + 2;
      const width = (row.bytes / largest) * chartBarWidth;
      return `<g><title>${escapeHtml(row.title)}: ${formatBytes(row.bytes)}</title><text x="${chartLabelWidth - 8}" y="${y + 15}" text-anchor="end">${escapeHtml(row.label)}</text>` +
        `<rect x="${chartLabelWidth}" y="${y + 3}" width="${width.toFixed(1)}" height="${chartRowHeight - 6}" fill="#2980b9"/>` +
        `<text x="${(chartLabelWidth + width + 6).toFixed(1)}" y="${y + 15}">${formatBytes(row.bytes)}</text></g>`;
    })
    .join('\n');
  const totalWidth = chartLabelWidth + chartBarWidth + 90;
  return `<section id="memory"><h2>Memory by prefix</h2>
<svg viewBox="0 0 ${totalWidth} ${height}" width="${totalWidth}" height="${height}" role="img" aria-label="memory by top-level prefix">
${bars}
</svg><p class="note">Redis's MEMORY USAGE estimate, summed per prefix${report.scan.sampled ? ' and scaled from the sample' : ''}.</p></section>`;
}

/** Top-level prefixes followed by their children, as far as the report goes, for the TTL chart. */
function flattenPrefixes(nodes: PrefixReport[], into: PrefixReport[] = []): PrefixReport[] {
  for (const node of nodes) {
    into.push(node);
    flattenPrefixes(node.children, into);
  }
  return into;
}

function ttlChartSection(report: InspectReport): string {
  const nodes = flattenPrefixes(report.prefixes).slice(0, 25);
  if (nodes.length === 0) return '';
  const height = nodes.length * chartRowHeight + 4;
  const bars = nodes
    .map((node, index) => {
      const y = index * chartRowHeight + 2;
      const label = prefixLabel(node, report.scan.delimiter);
      const indent = '\u00a0\u00a0'.repeat(node.depth - 1);
      const total = ttlBuckets.reduce((sum, bucket) => sum + (node.ttlHistogram[bucket] ?? 0), 0);
      let x = chartLabelWidth;
      const segments = ttlBuckets
        .filter((bucket) => (node.ttlHistogram[bucket] ?? 0) > 0)
        .map((bucket) => {
          const keys = node.ttlHistogram[bucket];
          const width = total > 0 ? (keys / total) * chartBarWidth : 0;
          const segment = `<rect x="${x.toFixed(1)}" y="${y + 3}" width="${width.toFixed(1)}" height="${chartRowHeight - 6}" fill="${ttlColours[bucket]}"><title>${escapeHtml(bucket)}: ${count(keys)} keys</title></rect>`;
          x += width;
          return segment;
        })
        .join('');
      return `<g><title>${escapeHtml(label)}</title><text x="${chartLabelWidth - 8}" y="${y + 15}" text-anchor="end">${escapeHtml(indent + shortLabel(label, 34 - indent.length))}</text>${segments}` +
        `<text x="${chartLabelWidth + chartBarWidth + 6}" y="${y + 15}">${count(node.keys)}</text></g>`;
    })
    .join('\n');
  const legend = ttlBuckets.map((bucket) => `<span><i style="background:${ttlColours[bucket]}"></i>${escapeHtml(bucket === 'none' ? 'no TTL' : bucket)}</span>`).join('');
  const totalWidth = chartLabelWidth + chartBarWidth + 90;
  return `<section id="ttl"><h2>Remaining TTL by prefix</h2><p class="legend">${legend}</p>
<svg viewBox="0 0 ${totalWidth} ${height}" width="${totalWidth}" height="${height}" role="img" aria-label="remaining TTL histogram per prefix">
${bars}
</svg><p class="note">Each bar is one prefix's keys split by remaining TTL; the number is its key count.</p></section>`;
}

function prefixTableSection(report: InspectReport): string {
  const rows: string[] = [];
  const addRows = (nodes: PrefixReport[]) => {
    for (const node of nodes) {
      const label = node.undelimited ? escapeHtml(prefixLabel(node, report.scan.delimiter)) : nameHtml(node.prefix);
      const types = Object.entries(node.types)
        .map(([type, keys]) => `${safeText(type)} ${count(keys)}`)
        .join(', ');
      rows.push(
        `<tr><td style="padding-left:${node.depth * 12 - 4}px">${label}</td><td class="num">${count(node.keys)}</td><td class="num">${percent(node.noTtlShare)}</td><td class="num">${formatBytes(node.memoryBytes)}</td><td>${types}</td></tr>`,
      );
      addRows(node.children);
      if (node.moreChildren) rows.push(moreRow(node.moreChildren, node.depth * 12 + 8));
    }
  };
  addRows(report.prefixes);
  if (report.morePrefixes) rows.push(moreRow(report.morePrefixes, 8));
  const delimiter = escapeHtml(renderNameForTerminal(Buffer.from(report.scan.delimiter)));
  return `<section id="prefixes"><h2>Prefixes</h2><p class="note">Delimiter <code>${delimiter}</code>, sorted by ${report.scan.sortBy}.</p>
<table><thead><tr><th>prefix</th><th>keys</th><th>no TTL</th><th>memory</th><th>types</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table></section>`;
}

function moreRow(more: { prefixes: number; keys: number; memoryBytes: number }, indentPx: number): string {
  return `<tr><td style="padding-left:${indentPx}px" class="note">(${count(more.prefixes)} more prefixes)</td><td class="num">${count(more.keys)}</td><td></td><td class="num">${formatBytes(more.memoryBytes)}</td><td></td></tr>`;
}

function cliffSection(cliffs: CliffReport[]): string {
  if (cliffs.length === 0) return '<section id="cliffs"><h2>Expiry cliffs</h2><p>None: no prefix has most of its expiring keys in one window.</p></section>';
  const rows = cliffs
    .map(
      (cliff) =>
        `<tr><td>${nameHtml(cliff.prefix)}</td><td class="num">${count(cliff.keys)} of ${count(cliff.ttlKeys)}</td><td>${meterSvg('share of the keys with a TTL', cliff.share, '#c0392b', 160)}</td>` +
        `<td>${safeText(cliff.from)} &ndash; ${safeText(cliff.to)} (${cliff.windowSeconds} s)</td></tr>`,
    )
    .join('\n');
  return `<section id="cliffs"><h2>Expiry cliffs</h2><p class="note">Keys of one prefix that expire within the same window all miss together.</p>
<table><thead><tr><th>prefix</th><th>keys expiring together</th><th>share of keys with a TTL</th><th>window</th></tr></thead><tbody>
${rows}
</tbody></table></section>`;
}

function bigKeysSection(title: string, keys: BigKeyReport[]): string {
  const id = title.endsWith('memory') ? 'big-keys-memory' : 'big-keys-elements';
  if (keys.length === 0) return `<section id="${id}"><h2>${title}</h2><p>No keys.</p></section>`;
  const rows = keys
    .map(
      (key) =>
        `<tr><td>${nameHtml(key.key)}</td><td>${safeText(key.type)}</td><td class="num">${key.memoryBytes === null ? '?' : formatBytes(key.memoryBytes)}</td>` +
        `<td class="num">${key.elements === null ? '-' : count(key.elements)}</td><td class="num">${key.ttlSeconds === null ? 'none' : `${count(key.ttlSeconds)} s`}</td></tr>`,
    )
    .join('\n');
  return `<section id="${id}"><h2>${title}</h2>
<table><thead><tr><th>key</th><th>type</th><th>memory</th><th>elements</th><th>TTL</th></tr></thead><tbody>
${rows}
</tbody></table></section>`;
}

function problemsSection(issues: Warning[]): string {
  if (issues.length === 0) return '<section id="problems"><h2>Problems</h2><p>No configuration or TTL problems found.</p></section>';
  const items = issues
    .map(
      (issue) =>
        `<div class="issue ${issue.level}"><p><span class="level">${issue.level}</span>${safeText(issue.message)} <span class="id">${safeText(issue.id)}</span></p>` +
        `<p><strong>Why:</strong> ${safeText(issue.why)}</p><p><strong>Fix:</strong> ${safeText(issue.fix)}</p></div>`,
    )
    .join('\n');
  return `<section id="problems"><h2>Problems (${issues.length})</h2>
${items}</section>`;
}

function unavailableSection(reasons: string[]): string {
  if (reasons.length === 0) return '';
  return `<section id="unavailable"><h2>Not available</h2><ul>${reasons.map((reason) => `<li>${safeText(reason)}</li>`).join('')}</ul></section>`;
}
