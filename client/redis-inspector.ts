import * as vscode from 'vscode';
import { InspectError, inspectRedis, renderHtmlReport, htmlReportCsp, type InspectReport } from '../shared/inspector';
import {
  forgetRedisPasswordCommand,
  openRedisReportCommand,
  refreshRedisCommand,
  retryRedisCommand,
  stopDemoRedisCommand,
} from './command-ids';
import { DemoRedis } from './demo-redis';
import { configuredConnections, RedisPasswords, urlWithPassword, type RedisConnection } from './redis-connections';
import { describeError, hitRatioText, RedisTreeProvider, type RedisNode } from './redis-tree';

export const redisViewId = 'cachescope.redis';

/**
 * The live-Redis side of the extension: the "Redis" tree view, the report webview, the hit-ratio status item
 * and their commands. Everything it sends to Redis goes through the read-only `inspectRedis`.
 */
export class RedisInspector implements vscode.Disposable {
  private readonly demo = new DemoRedis();
  private readonly passwords: RedisPasswords;
  private readonly tree: RedisTreeProvider;
  private readonly hitRatioItem = vscode.window.createStatusBarItem('cachescope.redisHitRatio', vscode.StatusBarAlignment.Right, 99);
  private readonly disposables: vscode.Disposable[] = [];

  constructor(context: vscode.ExtensionContext, private readonly output: vscode.LogOutputChannel) {
    this.passwords = new RedisPasswords(context.secrets);
    this.tree = new RedisTreeProvider((connection) => this.inspectWithProgress(connection));
    this.hitRatioItem.name = 'CacheScope Redis hit ratio';
    this.disposables.push(
      this.tree,
      this.hitRatioItem,
      vscode.window.createTreeView(redisViewId, { treeDataProvider: this.tree, showCollapseAll: true }),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('cachescope.inspector.connections')) this.tree.refresh();
      }),
      vscode.commands.registerCommand(refreshRedisCommand, () => this.tree.refresh()),
      vscode.commands.registerCommand(retryRedisCommand, (node?: RedisNode) => {
        if (node && (node.kind === 'error' || node.kind === 'connection')) this.tree.retry(node.connection);
        else this.tree.refresh();
      }),
      vscode.commands.registerCommand(openRedisReportCommand, (node?: RedisNode) => this.openReport(node)),
      vscode.commands.registerCommand(forgetRedisPasswordCommand, (node?: RedisNode) => this.forgetPassword(node)),
      vscode.commands.registerCommand(stopDemoRedisCommand, () => this.stopDemo()),
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
  private async inspectWithProgress(connection: RedisConnection): Promise<InspectReport> {
    return await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `CacheScope: inspecting ${connection.name}` },
      async (progress) => {
        const report = await this.inspect(connection, (message) => progress.report({ message }));
        this.showHitRatio(connection, report);
        return report;
      },
    );
  }

  private async inspect(connection: RedisConnection, report: (message: string) => void): Promise<InspectReport> {
    const onProgress = (done: number, total: number | undefined) => report(`${done}${total !== undefined ? ` of ${total}` : ''} keys scanned`);
    if (connection.demo) {
      report('starting redis-server with the demo keyspace');
      const url = await this.demo.url();
      this.output.info(`Inspecting the demo Redis at ${url}`);
      return inspectRedis({ url, onProgress });
    }
    const url = connection.url ?? '';
    const stored = await this.passwords.get(connection.name);
    try {
      this.output.info(`Inspecting ${connection.name} (${url})`);
      return await inspectRedis({ url: urlWithPassword(url, stored), onProgress });
    } catch (error) {
      // First connect to a server that needs a password, or a stored one that no longer works: ask once.
      if (!(error instanceof InspectError) || error.kind !== 'auth-failed') throw error;
      const password = await this.passwords.ask(connection.name, stored ? 'The stored password was refused.' : `${connection.name} needs a password.`);
      if (!password) throw error;
      const inspected = await inspectRedis({ url: urlWithPassword(url, password), onProgress });
      await this.passwords.store(connection.name, password);
      return inspected;
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

  private async stopDemo(): Promise<void> {
    const stopped = await this.demo.stop();
    const demo = configuredConnections().find((connection) => connection.demo);
    if (demo) this.tree.showNotice(demo, 'The demo Redis is stopped; Retry starts it again.');
    void vscode.window.showInformationMessage(stopped ? 'CacheScope: the demo Redis is stopped.' : 'CacheScope: the demo Redis is not running.');
  }
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
