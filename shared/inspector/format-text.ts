import { createColors } from 'picocolors';
import { escapeBytes, RenderedName, renderNameForTerminal, sanitizeTerminalText } from './key-names';
import type { LatencySummary, PacingReport } from './pacing';
import type { InspectReport, PrefixReport, Warning } from './report';

/** Plain-text tables for a terminal. Key names are re-escaped from their exact bytes so nothing can inject control codes. */
export function formatInspectReport(report: InspectReport, options: { color: boolean }): string {
  const c = createColors(options.color);
  const lines: string[] = [];
  const name = (rendered: RenderedName) => (rendered.base64 !== undefined ? escapeBytes(Buffer.from(rendered.base64, 'base64')) : renderNameForTerminal(Buffer.from(rendered.text, 'utf8')));
  const heading = (text: string) => {
    lines.push('', c.bold(text));
  };

  const s = report.server;
  lines.push(c.bold(`Redis ${s.version ?? '(version unknown)'} at ${report.target}`) + (s.role ? ` (${s.role})` : ''));
  const memory = s.usedMemoryBytes !== undefined ? formatBytes(s.usedMemoryBytes) : '?';
  const limit = s.maxmemoryBytes === undefined ? '?' : s.maxmemoryBytes === 0 ? 'no limit' : formatBytes(s.maxmemoryBytes);
  lines.push(`memory ${memory} of ${limit}, policy ${s.maxmemoryPolicy ?? '?'}, persistence ${persistenceText(report)}`);
  lines.push(
    `evicted ${s.evictedKeys ?? '?'}, expired ${s.expiredKeys ?? '?'}, ${s.opsPerSec ?? '?'} ops/s, hit ratio ${
      s.hitRatio === undefined ? '?' : s.hitRatio === null ? 'n/a (no lookups)' : `${(s.hitRatio * 100).toFixed(1)}%`
    } (${s.keyspaceHits ?? '?'} hits, ${s.keyspaceMisses ?? '?'} misses since start, excluding the inspector's own ${s.inspectorLookups.hits + s.inspectorLookups.misses} lookups)`,
  );

  const scan = report.scan;
  let scanLine = `scanned ${scan.keysScanned} keys${scan.dbsize !== undefined ? ` of ${scan.dbsize}` : ''} in ${(scan.durationMs / 1000).toFixed(1)} s`;
  if (scan.prefix) scanLine += ` matching ${name(scan.prefix)}*`;
  if (scan.sampled) {
    scanLine += `; sample of ${scan.keysScanned} keys, counts scaled x${scan.scale.toFixed(2)}`;
    if (scan.shareErrorBound95 !== undefined) scanLine += `, shares +/-${(scan.shareErrorBound95 * 100).toFixed(1)} points (95%)`;
  }
  lines.push(scanLine);
  if (scan.cancelled) lines.push(c.yellow(`cancelled after ${scan.keysScanned} keys: the figures cover only the keys scanned so far`));
  if (scan.pacing) lines.push(pacingLine(scan.pacing));
  if (report.cluster) {
    lines.push(`cluster of ${report.cluster.masters.length} masters, figures merged: ${report.cluster.masters.map((master) => `${sanitizeTerminalText(master.address)} (${master.keysScanned} keys)`).join(', ')}`);
  }

  heading(`Prefixes (delimiter "${renderNameForTerminal(Buffer.from(scan.delimiter))}", by ${scan.sortBy})`);
  const rows: string[][] = [['prefix', 'keys', 'no TTL', 'memory', 'types', 'TTL <1m/1-10m/10m-1h/1-6h/6-24h/1-7d/>7d/none']];
  const addRows = (nodes: PrefixReport[]) => {
    for (const node of nodes) {
      const label = node.undelimited ? `(keys without "${renderNameForTerminal(Buffer.from(scan.delimiter))}")` : name(node.prefix);
      rows.push([
        `${'  '.repeat(node.depth - 1)}${label}`,
        String(node.keys),
        `${Math.round(node.noTtlShare * 100)}%`,
        formatBytes(node.memoryBytes),
        Object.entries(node.types)
          .map(([type, count]) => `${type} ${count}`)
          .join(', '),
        Object.values(node.ttlHistogram).join('/'),
      ]);
      addRows(node.children);
      if (node.moreChildren) {
        rows.push([`${'  '.repeat(node.depth)}(${node.moreChildren.prefixes} more prefixes)`, String(node.moreChildren.keys), '', formatBytes(node.moreChildren.memoryBytes), '', '']);
      }
    }
  };
  addRows(report.prefixes);
  if (report.morePrefixes) rows.push([`(${report.morePrefixes.prefixes} more prefixes)`, String(report.morePrefixes.keys), '', formatBytes(report.morePrefixes.memoryBytes), '', '']);
  lines.push(...table(rows));

  heading('Big keys by memory');
  lines.push(...table([['key', 'type', 'memory', 'elements', 'TTL'], ...report.bigKeys.byMemory.map((key) => [name(key.key), key.type, key.memoryBytes === null ? '?' : formatBytes(key.memoryBytes), String(key.elements ?? '-'), key.ttlSeconds === null ? 'none' : `${key.ttlSeconds} s`])]));
  heading('Big keys by elements');
  lines.push(...table([['key', 'type', 'elements', 'memory'], ...report.bigKeys.byElements.map((key) => [name(key.key), key.type, String(key.elements ?? '-'), key.memoryBytes === null ? '?' : formatBytes(key.memoryBytes)])]));

  if (report.hotKeys) {
    const hot = report.hotKeys;
    heading(
      hot.source === 'lfu'
        ? `Hot keys (LFU counters of ${hot.keysSampled} keys, OBJECT FREQ)`
        : `Hot keys (GET-family reads in a ${((hot.windowMs ?? 0) / 1000).toFixed(1)} s MONITOR window, ${hot.commandsSampled} commands sampled)`,
    );
    lines.push(...table([['key', hot.source === 'lfu' ? 'LFU counter' : 'reads'], ...hot.keys.map((entry) => [name(entry.key), String(entry.count)])]));
  }

  if (report.cliffs.length > 0) {
    heading('Expiry cliffs');
    for (const cliff of report.cliffs) lines.push(`${name(cliff.prefix)}  ${cliff.keys} of ${cliff.ttlKeys} keys with a TTL expire between ${cliff.from} and ${cliff.to}`);
  }

  const issues = [...report.warnings, ...report.findings];
  heading(issues.length === 0 ? 'No configuration or TTL problems found.' : 'Problems');
  for (const issue of issues) lines.push(...issueLines(issue, c));

  if (report.unavailable.length > 0) {
    heading('Not available');
    for (const reason of report.unavailable) lines.push(`  ${sanitizeTerminalText(reason)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** What the pacing did, in one line: the duty cycle chosen and the latency the inspector's probe saw. */
export function pacingLine(pacing: PacingReport): string {
  const duty = `duty cycle ${pacing.averageDutyCycle.toFixed(2)} on average (lowest ${pacing.minDutyCycle.toFixed(2)}, ${pacing.finalDutyCycle.toFixed(2)} at the end), paused ${(pacing.pausedMs / 1000).toFixed(1)} s`;
  const latency = (what: string, summary: LatencySummary | undefined) => (summary ? `${summary.p50.toFixed(2)}/${summary.p99.toFixed(2)} ms ${what}` : undefined);
  const seen = [latency('idle', pacing.idle), latency('during the scan', pacing.during)].filter(Boolean).join(', ');
  const mode = pacing.mode === 'latency' ? `latency-driven (budget +${pacing.budgetMs ?? '?'} ms over idle)` : 'fixed';
  let line = `pacing: ${mode}, ${duty}`;
  if (seen) line += `; PING p50/p99 ${seen}${pacing.probe === 'main-thread' ? ' (timed on the main thread)' : ''}`;
  if (pacing.note) line += `; ${pacing.note}`;
  return line;
}

function issueLines(issue: Warning, c: ReturnType<typeof createColors>): string[] {
  const level = issue.level === 'error' ? c.red('error') : c.yellow('warn ');
  return [`  ${level} ${sanitizeTerminalText(issue.message)}  ${c.dim(issue.id)}`, `        why: ${issue.why}`, `        fix: ${issue.fix}`];
}

function persistenceText(report: InspectReport): string {
  const p = report.server.persistence;
  if (!p) return '?';
  const parts = [p.save ? `save "${p.save}"` : 'no RDB', p.appendonly ? 'AOF' : 'no AOF'];
  return parts.join(', ');
}

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  return rows.map((row) =>
    row
      .map((cell, column) => (column === 0 || column === row.length - 1 ? cell.padEnd(widths[column]) : cell.padStart(widths[column])))
      .join('  ')
      .trimEnd(),
  );
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}
