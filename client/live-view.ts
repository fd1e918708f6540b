import * as vscode from 'vscode';
import { LiveStatsMonitor, renderLiveStatsHtml, type ConnectionSettings, type LiveStatsSnapshot } from '../shared/inspector';
import { formatRatio } from '../shared/inspector/live-html';
import { sanitizeTerminalText } from '../shared/inspector/key-names';

export const liveViewId = 'cachescope.redisLive';
export const watchLiveStatsCommand = 'cachescope.redis.watchLive';

/** The connection whose live figures are shown: the last one the user expanded, inspected or asked to watch. */
export interface LiveTarget {
  name: string;
  /** The URL to poll, with the password from secret storage when the server needs one; never displayed. */
  url: string;
  /** TLS settings and the password from secret storage, beside the URL. */
  connection?: ConnectionSettings;
}

export interface LiveUpdate {
  name: string;
  snapshot: LiveStatsSnapshot;
}

interface LiveSettings {
  intervalMs: number;
  windowMs: number;
  statusBar: boolean;
}

function liveSettings(): LiveSettings {
  const config = vscode.workspace.getConfiguration('cachescope.inspector');
  const bounded = (value: unknown, fallback: number, min: number, max: number) =>
    typeof value === 'number' && Number.isFinite(value) ? Math.min(max, Math.max(min, value)) : fallback;
  return {
    intervalMs: bounded(config.get('liveIntervalSeconds'), 2, 1, 60) * 1000,
    windowMs: bounded(config.get('liveWindowSeconds'), 60, 10, 3600) * 1000,
    statusBar: config.get<boolean>('liveStatusBar', true) !== false,
  };
}

/**
 * The "Live" webview view: hit ratio, operations, evictions and memory of the active connection, re-rendered as
 * static HTML on every sample (no scripts, the same CSP as the report). It owns the one LiveStatsMonitor, which
 * polls only while something shows its figures: this view when visible, or the status bar item when enabled.
 */
export class LiveStatsView implements vscode.WebviewViewProvider, vscode.Disposable {
  private view: vscode.WebviewView | undefined;
  private target: LiveTarget | undefined;
  private monitor: LiveStatsMonitor | undefined;
  private unsubscribe: (() => void) | undefined;
  private notice: string | undefined;
  private settings = liveSettings();
  private readonly updates = new vscode.EventEmitter<LiveUpdate | undefined>();
  /** Each new snapshot of the active connection; undefined when nothing is watched any more. */
  readonly onDidUpdate = this.updates.event;
  private readonly disposables: vscode.Disposable[] = [];

  constructor() {
    this.disposables.push(
      this.updates,
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (!event.affectsConfiguration('cachescope.inspector')) return;
        const previous = this.settings;
        this.settings = liveSettings();
        if (this.target && (previous.intervalMs !== this.settings.intervalMs || previous.windowMs !== this.settings.windowMs)) {
          const target = this.target;
          this.target = undefined;
          this.watch(target);
        } else {
          this.updateDemand();
        }
      }),
    );
  }

  /** Whether the status bar item should show the live ratio (setting `cachescope.inspector.liveStatusBar`). */
  get statusBarEnabled(): boolean {
    return this.settings.statusBar;
  }

  get activeName(): string | undefined {
    return this.target?.name;
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    // Static HTML and inline SVG: no scripts, no local files.
    view.webview.options = { enableScripts: false, localResourceRoots: [] };
    view.onDidChangeVisibility(() => {
      this.updateDemand();
      if (view.visible) this.render();
    });
    view.onDidDispose(() => {
      if (this.view === view) this.view = undefined;
      this.updateDemand();
    });
    this.render();
    this.updateDemand();
  }

  /** Makes `target` the active connection; the same name and URL keep the running series. */
  watch(target: LiveTarget): void {
    const unchanged =
      this.target?.name === target.name && this.target.url === target.url && JSON.stringify(this.target.connection) === JSON.stringify(target.connection);
    if (unchanged && this.monitor && this.monitor.latest.state !== 'failed') {
      this.updateDemand();
      return;
    }
    this.stopMonitor();
    this.target = target;
    this.notice = undefined;
    try {
      this.monitor = new LiveStatsMonitor({ url: target.url, connection: target.connection, intervalMs: this.settings.intervalMs, windowMs: this.settings.windowMs });
      this.unsubscribe = this.monitor.onSnapshot((snapshot) => this.show(snapshot));
    } catch (error) {
      this.notice = `Cannot follow ${target.name}: ${error instanceof Error ? error.message : String(error)}`;
    }
    this.render();
    this.updateDemand();
  }

  /** Stops following `name` (or whatever is followed): e.g. the demo server was stopped. */
  unwatch(name?: string): void {
    if (!this.target || (name !== undefined && this.target.name !== name)) return;
    this.stopMonitor();
    this.target = undefined;
    this.notice = undefined;
    this.render();
    this.updates.fire(undefined);
  }

  dispose(): void {
    this.stopMonitor();
    for (const disposable of this.disposables) disposable.dispose();
  }

  private stopMonitor(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    void this.monitor?.stop();
    this.monitor = undefined;
  }

  /** Polls while the view is visible or the status bar shows the live ratio; a wrong password is not retried. */
  private updateDemand(): void {
    const monitor = this.monitor;
    if (!monitor) return;
    const wanted = this.view?.visible === true || this.settings.statusBar;
    if (wanted && !monitor.isRunning && monitor.latest.state !== 'failed') monitor.start();
    else if (!wanted && monitor.isRunning) void monitor.stop();
  }

  private show(snapshot: LiveStatsSnapshot): void {
    if (!this.target) return;
    if (this.view?.visible) this.render();
    this.updates.fire({ name: this.target.name, snapshot });
  }

  private render(): void {
    if (!this.view) return;
    this.view.description = this.target ? sanitizeTerminalText(this.target.name) : undefined;
    this.view.webview.html = renderLiveStatsHtml({ name: this.target?.name ?? '', snapshot: this.target ? this.monitor?.latest : undefined, notice: this.notice });
  }
}

/** The status bar text and tooltip for a live snapshot; plain text, since names and messages are untrusted. */
export function liveStatusText(update: LiveUpdate): { text: string; tooltip: string } {
  const { snapshot } = update;
  const name = sanitizeTerminalText(update.name);
  const windowSeconds = Math.round(snapshot.windowMs / 1000);
  const intervalSeconds = Math.round(snapshot.intervalMs / 100) / 10;
  if (snapshot.state === 'unreachable' || snapshot.state === 'failed' || snapshot.state === 'info-not-allowed') {
    const label = snapshot.state === 'info-not-allowed' ? 'INFO not allowed' : snapshot.state === 'failed' ? 'cannot connect' : 'unreachable';
    return {
      text: `$(debug-disconnect) ${label}`,
      tooltip: `CacheScope: live stats of ${name}: ${sanitizeTerminalText(snapshot.message ?? label)}`,
    };
  }
  const since = snapshot.sinceStart ? `\nSince the server started: ${formatRatio(snapshot.sinceStart.hitRatio)}.` : '';
  const ratioText = (ratio: number | null) => (ratio === null ? 'no lookups yet' : `${formatRatio(ratio)} hits`);
  // Until the window has two samples, the ratio since start stands in, and the tooltip says so.
  const shown = snapshot.window ?? snapshot.sinceStart;
  const what = snapshot.window ? `over the last ${windowSeconds} s` : 'since the server started (the window is still filling)';
  return {
    text: `$(pulse) ${shown ? ratioText(shown.hitRatio) : 'measuring hit ratio'}`,
    tooltip:
      `CacheScope: live keyspace hit ratio of ${name} (${sanitizeTerminalText(snapshot.target)}) ${what}, sampled every ${intervalSeconds} s; window ${windowSeconds} s. ` +
      `The inspector's own lookups are excluded.${since}`,
  };
}
