import type { StatusParams } from '../server/protocol';

/**
 * What the status bar item shows for a server status. Kept free of the `vscode` module so the
 * wording can be checked by plain unit tests; `status-item.ts` turns it into a status bar item.
 */
export interface StatusText {
  /** The item's label, with codicons (`$(check)`), as VS Code renders them. */
  text: string;
  tooltip: string;
  /**
   * `error` paints the item with the theme's error background: only for a server that is not working.
   * Findings never colour it (they are the normal state of a codebase and live in Problems).
   */
  emphasis: 'none' | 'error';
}

export function describeStatus(status: StatusParams): StatusText {
  switch (status.state) {
    case 'scanning':
      return {
        text: '$(sync~spin) CacheScope',
        tooltip: scanningTooltip(status.filesDone, status.filesTotal),
        emphasis: 'none',
      };
    case 'ready':
      return describeReady(status.errors ?? 0, status.warnings ?? 0, status.durationMs);
    case 'error':
      return {
        text: '$(error) CacheScope',
        tooltip: `CacheScope: ${status.message ?? 'the language server reported an error'}. Click to show the log.`,
        emphasis: 'error',
      };
    case 'disabled':
      return {
        text: '$(circle-slash) CacheScope',
        tooltip: 'CacheScope is disabled (setting "cachescope.enable"). Click to show the log.',
        emphasis: 'none',
      };
  }
}

/** Shown from activation until the server sends its first status. */
export const startingStatus: StatusText = {
  text: '$(sync~spin) CacheScope',
  tooltip: 'CacheScope: starting the language server',
  emphasis: 'none',
};

/** Shown when the server could not start or stopped for good. */
export function stoppedStatus(reason: string): StatusText {
  return { text: '$(error) CacheScope', tooltip: `CacheScope: ${reason}. Click to show the log.`, emphasis: 'error' };
}

function scanningTooltip(done: number | undefined, total: number | undefined): string {
  if (done === undefined || total === undefined) return 'CacheScope: scanning the workspace';
  return `CacheScope: scanning the workspace, ${done}/${total} files`;
}

function describeReady(errors: number, warnings: number, durationMs: number | undefined): StatusText {
  const findings = errors + warnings;
  const took = durationMs === undefined ? '' : ` (last scan ${formatDuration(durationMs)})`;
  if (findings === 0) {
    return { text: '$(check) CacheScope', tooltip: `CacheScope: no cache findings in the workspace${took}`, emphasis: 'none' };
  }
  return {
    text: `$(warning) CacheScope ${findings}`,
    tooltip: `CacheScope: ${plural(errors, 'error')}, ${plural(warnings, 'warning')} in the workspace${took}. Click to show the log.`,
    emphasis: 'none',
  };
}

export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

export function formatDuration(milliseconds: number): string {
  return milliseconds < 1000 ? `${Math.round(milliseconds)} ms` : `${(milliseconds / 1000).toFixed(1)} s`;
}
