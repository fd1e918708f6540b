import * as vscode from 'vscode';
import { inspectRedis, renderHtmlReport, htmlReportCsp, type InspectReport } from '../shared/inspector';
import { listKeys } from '../shared/inspector/key-list';
import type { CodeFamily } from '../shared/join/code-families';
import {
  forgetRedisPasswordCommand,
  openRedisReportCommand,
  refreshRedisCommand,
  scanWholeKeyspaceCommand,
  retryRedisCommand,
  stopDemoRedisCommand,
} from './command-ids';
import { DemoRedis } from './demo-redis';
import { LiveStatsView, liveStatusText, liveViewId, watchLiveStatsCommand, type LiveUpdate } from './live-view';
import { RedisAccess } from './redis-access';
import { registerConnectionCommands } from './redis-connection-commands';
import { configuredConnections, RedisPasswords, type RedisConnection } from './redis-connections';
import { registerKeyCommands } from './redis-key-commands';
import { abortSignalOf, ConnectionScans, type ConnectionView } from './redis-scans';
import { describeError, hitRatioText, RedisTreeProvider, type RedisNode } from './redis-tree';

export const redisViewId = 'cachescope.redis';

/**
 * The live-Redis side of the extension: the "Redis" tree view, the report webview, the hit-ratio status item
 * and their commands. Everything it sends to Redis goes through the read-only `inspectRedis`.
 */
export class RedisInspector implements vscode.Disposable {
  private readonly demo = new DemoRedis();
  private readonly passwords: RedisPasswords;
  private readonly access: RedisAccess;
  private readonly scans: ConnectionScans;
  private readonly tree: RedisTreeProvider;
  private readonly hitRatioItem = vscode.window.createStatusBarItem('cachescope.redisHitRatio', vscode.StatusBarAlignment.Right, 99);
  /** The active connection's live figures: the "Live" view, and the status item once the monitor runs. */
  private readonly live = new LiveStatsView();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    context: vscode.ExtensionContext,
    output: vscode.LogOutputChannel,
    /** The workspace's key families from the language server, joined with each inspected keyspace. */
    codeFamilies: () => Promise<CodeFamily[] | undefined> = async () => undefined,
  ) {
    this.passwords = new RedisPasswords(context.secrets);
    this.access = new RedisAccess(this.demo, this.passwords, output);
    this.scans = new ConnectionScans(this.access, codeFamilies);
    this.tree = new RedisTreeProvider({
      inspect: (connection) => this.inspectWithProgress(connection),
      inspectPrefix: (connection, prefix, depth) =>
        this.access.withServer(connection, (address) => inspectRedis({ ...address, prefix, depth, sample: sampleKeys() })),
      listKeys: (connection, prefix, limit) => this.access.withServer(connection, (address) => listKeys({ ...address, prefix, limit })),
    });
    this.hitRatioItem.name = 'CacheScope Redis hit ratio';
    this.disposables.push(
      this.tree,
      this.hitRatioItem,
      this.followExpansions(vscode.window.createTreeView(redisViewId, { treeDataProvider: this.tree, showCollapseAll: true })),
      this.live,
      vscode.window.registerWebviewViewProvider(liveViewId, this.live),
      this.live.onDidUpdate((update) => this.showLiveHitRatio(update)),
      vscode.commands.registerCommand(watchLiveStatsCommand, (node?: RedisNode) => this.watchLiveCommand(node)),
      vscode.workspace.onDidChangeConfiguration((event) => {
        // A connection removed from the settings is no longer followed.
        if (event.affectsConfiguration('cachescope.inspector.connections') && !configuredConnections().some((connection) => connection.name === this.live.activeName)) {
          this.live.unwatch();
        }
      }),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('cachescope.inspector.connections')) this.tree.refresh();
      }),
      vscode.commands.registerCommand(refreshRedisCommand, () => {
        this.scans.forget();
        this.tree.refresh();
      }),
      vscode.commands.registerCommand(retryRedisCommand, (node?: RedisNode) => {
        if (node && (node.kind === 'error' || node.kind === 'connection')) this.tree.retry(node.connection);
        else this.tree.refresh();
      }),
      vscode.commands.registerCommand(openRedisReportCommand, (node?: RedisNode) => this.openReport(node)),
      vscode.commands.registerCommand(forgetRedisPasswordCommand, (node?: RedisNode) => this.forgetPassword(node)),
      vscode.commands.registerCommand(stopDemoRedisCommand, () => this.stopDemo()),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('cachescope.inspector.sampleKeys')) this.tree.refresh();
      }),
      vscode.commands.registerCommand(scanWholeKeyspaceCommand, (node?: RedisNode) => this.scanWholeKeyspace(node)),
      ...registerKeyCommands(this.tree, this.access, output),
      ...registerConnectionCommands(this.passwords),
    );
  }

  /** Stops the demo server; called on deactivation, so no redis-server outlives the extension. */
  async stopDemoServer(): Promise<void> {
    await this.demo.stop();
  }

  dispose(): void {
    for (const disposable of this.disposables) disposable.dispose();
    void this.demo.stop();
  }

  /** Inspects with a notification showing progress; the inspector has no cancellation, so neither does the notification. */
  private async inspectWithProgress(connection: RedisConnection): Promise<ConnectionView> {
    return await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `CacheScope: inspecting ${connection.name}` },
      async (progress) => {
        const view = await this.inspect(connection, (message) => progress.report({ message }));
        this.showHitRatio(connection, view.report);
        void this.watchLive(connection);
        return view;
      },
    );
  }

  private async inspect(connection: RedisConnection, report: (message: string) => void): Promise<ConnectionView> {
    const onProgress = (done: number, total: number | undefined) => report(`${done}${total !== undefined ? ` of ${total}` : ''} keys scanned`);
    return await this.scans.first(connection, sampleKeys(), onProgress, report);
  }

  /**
   * Reads every key of the connection with progress and a Cancel button. It continues the SCAN of the sampled
   * first look (or of a cancelled earlier run), so cancelling keeps what was scanned and the next run resumes.
   */
  private async scanWholeKeyspace(node: RedisNode | undefined): Promise<void> {
    const connection = node && 'connection' in node ? node.connection : await pickConnection();
    if (!connection) return;
    const resuming = this.scans.resumable(connection);
    try {
      const view = await vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: `CacheScope: ${resuming ? 'resuming the scan of' : 'scanning'} ${connection.name}`,
          cancellable: true,
        },
        async (progress, token) => {
          let reported = 0;
          const onProgress = (done: number, total: number | undefined) => {
            // withProgress adds increments; report the share done since the last call.
            const share = total ? Math.min(100, (done / total) * 100) : 0;
            progress.report({ message: `${done}${total !== undefined ? ` of ${total}` : ''} keys scanned`, increment: Math.max(0, share - reported) });
            reported = Math.max(reported, share);
          };
          return await this.scans.rest(connection, abortSignalOf(token), onProgress, (message) => progress.report({ message }));
        },
      );
      this.tree.setView(connection, view);
      const report = view.report;
      this.showHitRatio(connection, report);
      if (report.scan.cancelled) {
        void vscode.window.showInformationMessage(
          `CacheScope: the scan of ${connection.name} stopped after ${report.scan.keysScanned} keys; Scan Whole Keyspace resumes it where it stopped.`,
        );
      }
    } catch (error) {
      void vscode.window.showErrorMessage(`CacheScope: cannot scan ${connection.name}: ${describeError(error)}`);
    }
  }

  private showHitRatio(connection: RedisConnection, report: InspectReport): void {
    this.hitRatioItem.text = `$(database) ${hitRatioText(report)}`;
    this.hitRatioItem.tooltip = `CacheScope: keyspace hit ratio of ${connection.name} (${report.target}) at ${report.generatedAt}\n${report.server.hitRatioNote}`;
    this.hitRatioItem.show();
  }

  private async openReport(node: RedisNode | undefined): Promise<void> {
    const connection = node && 'connection' in node ? node.connection : await pickConnection();
    if (!connection) return;
    let report: InspectReport;
    try {
      report = await this.tree.report(connection);
    } catch (error) {
      void vscode.window.showErrorMessage(`CacheScope: cannot inspect ${connection.name}: ${error instanceof Error ? error.message : describeError(error)}`);
      return;
    }
    const panel = vscode.window.createWebviewPanel('cachescope.redisReport', `Redis Report: ${connection.name}`, vscode.ViewColumn.Active, {
      // The report is static HTML and SVG: no scripts, no local files.
      enableScripts: false,
      localResourceRoots: [],
    });
    panel.webview.html = withReportCsp(renderHtmlReport(report));
  }

  private async forgetPassword(node: RedisNode | undefined): Promise<void> {
    const withPasswords = configuredConnections().filter((candidate) => !candidate.demo);
    if (!node && withPasswords.length === 0) {
      void vscode.window.showInformationMessage('CacheScope: no Redis connections are configured (setting "cachescope.inspector.connections").');
      return;
    }
    const connection = node && 'connection' in node ? node.connection : await pickConnection((candidate) => !candidate.demo);
    if (!connection || connection.demo) return;
    await this.passwords.forget(connection.name);
    void vscode.window.showInformationMessage(`CacheScope: the password of "${connection.name}" is forgotten; the next inspection asks for it.`);
  }

  /** Expanding a connection makes it the active one; a stopped demo is left alone (expanding must not restart it). */
  private followExpansions(view: vscode.TreeView<RedisNode>): vscode.TreeView<RedisNode> {
    this.disposables.push(
      view.onDidExpandElement(({ element }) => {
        if (element.kind === 'connection' && (!element.connection.demo || this.demo.running)) void this.watchLive(element.connection);
      }),
    );
    return view;
  }

  /** Makes `connection` the one the Live view and the status item follow, with its stored password. */
  private async watchLive(connection: RedisConnection): Promise<void> {
    try {
      const address = await this.access.withServer(connection, async (found) => found);
      this.live.watch({ name: connection.name, ...address });
    } catch (error) {
      void vscode.window.showErrorMessage(`CacheScope: cannot watch ${connection.name}: ${describeError(error)}`);
    }
  }

  private async watchLiveCommand(node: RedisNode | undefined): Promise<void> {
    const connection = node && 'connection' in node ? node.connection : await pickConnection();
    if (!connection) return;
    await this.watchLive(connection);
    await vscode.commands.executeCommand(`${liveViewId}.focus`);
  }

  /** The live window ratio replaces the report's static one in the status bar while the monitor runs. */
  private showLiveHitRatio(update: LiveUpdate | undefined): void {
    if (!update) {
      this.hitRatioItem.hide();
      return;
    }
    if (!this.live.statusBarEnabled) return;
    const { text, tooltip } = liveStatusText(update);
    this.hitRatioItem.text = text;
    this.hitRatioItem.tooltip = tooltip;
    this.hitRatioItem.show();
  }

  private async stopDemo(): Promise<void> {
    const stopped = await this.demo.stop();
    const demo = configuredConnections().find((connection) => connection.demo);
    if (demo) this.live.unwatch(demo.name);
    if (demo) this.tree.showNotice(demo, 'The demo Redis is stopped; Retry starts it again.');
    void vscode.window.showInformationMessage(stopped ? 'CacheScope: the demo Redis is stopped.' : 'CacheScope: the demo Redis is not running.');
  }
}

/** The sidebar's sample size: `cachescope.inspector.sampleKeys`, 0 for the whole keyspace. */
function sampleKeys(): number | undefined {
  const configured = vscode.workspace.getConfiguration('cachescope').get<number>('inspector.sampleKeys', 10_000);
  return typeof configured === 'number' && configured > 0 ? Math.floor(configured) : undefined;
}

/** Asks which connection a command run from the Command Palette is meant for. */
async function pickConnection(filter: (connection: RedisConnection) => boolean = () => true): Promise<RedisConnection | undefined> {
  const connections = configuredConnections().filter(filter);
  if (connections.length === 0) return undefined;
  const picked = await vscode.window.showQuickPick(
    connections.map((connection) => ({ label: connection.name, description: connection.url ?? 'throwaway local redis-server', connection })),
    { title: 'CacheScope: which Redis?' },
  );
  return picked?.connection;
}

/**
 * The report page already carries this CSP; the webview gets it for certain, inserted when a future renderer
 * should lose it, because a webview without a CSP may load whatever the page names.
 */
export function withReportCsp(html: string): string {
  if (html.includes(`content="${htmlReportCsp}"`)) return html;
  return html.replace(/<head>/i, `<head>\n<meta http-equiv="Content-Security-Policy" content="${htmlReportCsp}">`);
}
