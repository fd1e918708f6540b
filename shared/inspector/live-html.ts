import { formatBytes } from './format-text';
import { escapeHtml, htmlReportCsp } from './html-report';
import { sanitizeTerminalText } from './key-names';
import { liveHitRatioNote, type LiveStatsSnapshot } from './live-stats';
import { renderSparkline } from './sparkline';

/**
 * The live figures of one server as a small script-free HTML page (the editor's "Live" view re-renders it on
 * every sample). Connection names, addresses and server messages are untrusted text: made printable, then
 * HTML-escaped. Charts are the inline SVG sparklines, which carry only numbers.
 *
 * Stable hooks for tests and assistive tools: `#live-hit-ratio` holds the window ratio as text, `#live-samples`
 * the number of samples taken, and each chart is an `svg.sparkline` with `data-series`, `data-points`, `data-last`.
 */

/** The same policy as the HTML report: nothing may load or run; inline styles and data: images only. */
export const liveViewCsp = htmlReportCsp;

export interface LiveHtmlInput {
  /** The connection's name as the user configured it. */
  name: string;
  snapshot?: LiveStatsSnapshot;
  /** Shown instead of figures when nothing is watched, or the monitor could not be created. */
  notice?: string;
}

const styles = `
body{font-family:var(--vscode-font-family,system-ui,sans-serif);font-size:var(--vscode-font-size,13px);color:var(--vscode-foreground,#1b1d23);padding:4px 8px;margin:0}
h2{font-size:1.1em;margin:6px 0 2px;word-break:break-all}.meta,.note{color:var(--vscode-descriptionForeground,#666);font-size:.92em;margin:2px 0}
.big{font-size:1.9em;font-weight:600;font-variant-numeric:tabular-nums}.state{margin:6px 0;padding:4px 6px;border-left:3px solid var(--vscode-editorWarning-foreground,#e67e22)}
.state.unreachable,.state.failed{border-color:var(--vscode-editorError-foreground,#c0392b)}
dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 10px;margin:6px 0}dt{color:var(--vscode-descriptionForeground,#666)}dd{margin:0;font-variant-numeric:tabular-nums}
.chart{margin:4px 0 8px}.chart .label{display:block;font-size:.92em;color:var(--vscode-descriptionForeground,#666)}svg.sparkline{display:block;color:var(--vscode-charts-blue,#2980b9)}
svg.sparkline[data-series="ops-per-sec"]{color:var(--vscode-charts-purple,#8e44ad)}
`;

/** Untrusted or server-provided text, made printable and HTML-escaped. */
function text(value: string): string {
  return escapeHtml(sanitizeTerminalText(value));
}

export function formatRatio(ratio: number | null | undefined): string {
  if (ratio === undefined) return 'measuring';
  if (ratio === null) return 'no lookups';
  return `${(ratio * 100).toFixed(1)}%`;
}

function formatRate(perSecond: number | undefined): string {
  if (perSecond === undefined) return '?';
  return perSecond >= 100 ? Math.round(perSecond).toLocaleString('en-US') : String(Math.round(perSecond * 10) / 10);
}

function memoryText(snapshot: LiveStatsSnapshot): string {
  const used = snapshot.usedMemoryBytes === undefined ? '?' : formatBytes(snapshot.usedMemoryBytes);
  const max = snapshot.maxmemoryBytes;
  if (max === undefined) return `${used} used`;
  if (max === 0) return `${used} used, no maxmemory limit`;
  const share = snapshot.usedMemoryBytes === undefined ? '' : ` (${Math.round((snapshot.usedMemoryBytes / max) * 100)}%)`;
  return `${used} of ${formatBytes(max)}${share}`;
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

function page(body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${liveViewCsp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>${styles}</style>
</head>
<body>
${body}
</body>
</html>
`;
}

export function renderLiveStatsHtml(input: LiveHtmlInput): string {
  const snapshot = input.snapshot;
  if (!snapshot) {
    return page(`<p class="note">${text(input.notice ?? 'Expand a connection in the Redis view, or run "Watch Live Stats" on it, to follow its hit ratio live.')}</p>`);
  }
  const parts: string[] = [];
  parts.push(`<h2>${text(input.name)}</h2>`);
  parts.push(`<p class="meta">${text(snapshot.target)}${snapshot.version ? ` · Redis ${text(snapshot.version)}` : ''}</p>`);
  if (snapshot.state !== 'live' && snapshot.message) parts.push(`<p class="state ${snapshot.state}" role="status">${text(snapshot.message)}</p>`);
  else if (snapshot.state === 'connecting') parts.push(`<p class="state" role="status">Connecting...</p>`);
  else if (snapshot.state === 'stopped') parts.push(`<p class="state" role="status">Paused while nothing shows the figures.</p>`);

  const windowSeconds = Math.round(snapshot.windowMs / 1000);
  parts.push(
    `<div><span class="big" id="live-hit-ratio">${text(formatRatio(snapshot.window?.hitRatio))}</span> hit ratio over the last ${windowSeconds} s</div>`,
  );
  const since = snapshot.sinceStart;
  parts.push(
    `<p class="meta">Since the server started: <span id="live-hit-ratio-since-start">${text(formatRatio(since?.hitRatio))}</span>` +
      (since ? ` (${since.hits.toLocaleString('en-US')} hits, ${since.misses.toLocaleString('en-US')} misses)` : '') +
      `</p>`,
  );
  const percent = (value: number) => `${Math.round(value * 100)}%`;
  parts.push(
    `<div class="chart"><span class="label">Hit ratio per ${seconds(snapshot.intervalMs)}</span>` +
      renderSparkline(
        snapshot.series.map((point) => point.hitRatio),
        { series: 'hit-ratio', label: 'Hit ratio per interval', min: 0, max: 1, width: 220, height: 40, format: percent },
      ) +
      `</div>`,
  );
  parts.push(
    `<div class="chart"><span class="label">Operations per second: <span id="live-ops">${text(formatRate(snapshot.opsPerSec))}</span></span>` +
      renderSparkline(
        snapshot.series.map((point) => point.opsPerSec),
        { series: 'ops-per-sec', label: 'Operations per second', min: 0, width: 220, height: 40, format: (value) => formatRate(value) },
      ) +
      `</div>`,
  );
  parts.push(
    `<dl>` +
      `<dt>Evicted keys/s</dt><dd>${text(formatRate(snapshot.evictedPerSec))}${snapshot.evictedKeys !== undefined ? ` (${snapshot.evictedKeys.toLocaleString('en-US')} in all)` : ''}</dd>` +
      `<dt>Expired keys/s</dt><dd>${text(formatRate(snapshot.expiredPerSec))}${snapshot.expiredKeys !== undefined ? ` (${snapshot.expiredKeys.toLocaleString('en-US')} in all)` : ''}</dd>` +
      `<dt>Memory</dt><dd>${text(memoryText(snapshot))}</dd>` +
      `<dt>Eviction policy</dt><dd>${text(snapshot.maxmemoryPolicy ?? '?')}</dd>` +
      `</dl>`,
  );
  const own = snapshot.ownLookupsSubtracted;
  parts.push(`<p class="note">${text(liveHitRatioNote)} Subtracted so far: ${own.hits.toLocaleString('en-US')} hits, ${own.misses.toLocaleString('en-US')} misses.</p>`);
  if (snapshot.resetNotice) parts.push(`<p class="note">${text(snapshot.resetNotice)}</p>`);
  parts.push(
    `<p class="meta">Samples: <span id="live-samples">${snapshot.samplesTaken}</span>, one every ${seconds(snapshot.intervalMs)}; window ${windowSeconds} s.</p>`,
  );
  return page(parts.join('\n'));
}
