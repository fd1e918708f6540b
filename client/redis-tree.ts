import * as vscode from 'vscode';
import { InspectError, RedisServerUnavailableError, type InspectReport, type PrefixReport, type Warning } from '../shared/inspector';
import { formatBytes } from '../shared/inspector/format-text';
import { renderNameForTerminal, sanitizeTerminalText } from '../shared/inspector/key-names';
import { configuredConnections, urlHasPassword, type RedisConnection } from './redis-connections';
import { plural } from './status-text';

/** The rows of the "Redis" view. Connections are the roots; everything below them comes from one report. */
export type RedisNode =
  | { kind: 'connection'; connection: RedisConnection }
  | { kind: 'error'; connection: RedisConnection; message: string; notice?: boolean }
  | { kind: 'server'; report: InspectReport }
  | { kind: 'fact'; label: string; description: string }
  | { kind: 'problems'; problems: Warning[] }
  | { kind: 'problem'; problem: Warning }
  | { kind: 'prefix'; prefix: PrefixReport }
  | { kind: 'more'; prefixes: number; keys: number; memoryBytes: number };

/** What expanding a connection produced; kept until Retry or Refresh so collapsing and expanding is free. */
type Outcome = { report: InspectReport } | { error: string; notice?: boolean };

/** Runs one inspection of a connection; the inspector module supplies passwords, the demo server and progress. */
export type InspectConnection = (connection: RedisConnection) => Promise<InspectReport>;

export class RedisTreeProvider implements vscode.TreeDataProvider<RedisNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<RedisNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly outcomes = new Map<string, Promise<Outcome>>();

  constructor(private readonly inspect: InspectConnection) {}

  /** Forgets every report and redraws the roots (after a settings change or Refresh). */
  refresh(): void {
    this.outcomes.clear();
    this.changed.fire(undefined);
  }

  /** Forgets one connection's report or error and inspects it again when its node is redrawn. */
  retry(connection: RedisConnection): void {
    this.outcomes.delete(connection.name);
    this.changed.fire(undefined);
  }

  /** Shows a notice instead of inspecting again, e.g. after the demo server was stopped (expanding must not restart it). */
  showNotice(connection: RedisConnection, message: string): void {
    this.outcomes.set(connection.name, Promise.resolve({ error: message, notice: true }));
    this.changed.fire(undefined);
  }

  /** The connection's report, inspecting it unless an earlier expansion already did; rejects with the classified error. */
  async report(connection: RedisConnection): Promise<InspectReport> {
    let outcome = await this.outcome(connection);
    if ('error' in outcome && outcome.notice) {
      // Asking for the report is asking to inspect: a stopped demo starts again.
      this.outcomes.delete(connection.name);
      outcome = await this.outcome(connection);
      this.changed.fire(undefined);
    }
    if ('error' in outcome) throw new Error(outcome.error);
    return outcome.report;
  }

  getTreeItem(node: RedisNode): vscode.TreeItem {
    switch (node.kind) {
      case 'connection': {
        const item = new vscode.TreeItem(node.connection.name, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `connection:${node.connection.name}`;
        item.description = node.connection.demo ? 'throwaway local redis-server' : node.connection.url;
        item.iconPath = new vscode.ThemeIcon('database');
        item.contextValue = node.connection.demo ? 'cachescope.redisDemo' : 'cachescope.redisConnection';
        // Screen readers read the name, not the (longer) tooltip.
        item.accessibilityInformation = { label: `${node.connection.name}, ${item.description}` };
        item.tooltip = node.connection.demo
          ? 'A redis-server started on a free local port with a sample cache keyspace; expand to inspect it.'
          : `Expand to inspect ${node.connection.url} read-only.`;
        return item;
      }
      case 'error': {
        const item = new vscode.TreeItem(node.message, vscode.TreeItemCollapsibleState.None);
        item.iconPath = node.notice ? new vscode.ThemeIcon('info') : new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
        item.tooltip = node.message;
        item.contextValue = 'cachescope.redisError';
        return item;
      }
      case 'server': {
        const item = new vscode.TreeItem('Server', vscode.TreeItemCollapsibleState.Collapsed);
        item.iconPath = new vscode.ThemeIcon('server');
        item.description = [node.report.server.version && `Redis ${node.report.server.version}`, hitRatioText(node.report)].filter(Boolean).join(' · ');
        return item;
      }
      case 'fact': {
        const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
        item.description = node.description;
        return item;
      }
      case 'problems': {
        const item = new vscode.TreeItem(
          'Problems',
          node.problems.length > 0 ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None,
        );
        item.iconPath = new vscode.ThemeIcon(node.problems.length > 0 ? 'warning' : 'pass');
        item.description = node.problems.length === 0 ? 'none found' : String(node.problems.length);
        return item;
      }
      case 'problem': {
        const item = new vscode.TreeItem(sanitizeTerminalText(node.problem.message), vscode.TreeItemCollapsibleState.None);
        item.iconPath = new vscode.ThemeIcon(node.problem.level === 'error' ? 'error' : 'warning');
        item.description = node.problem.id;
        // Plain text, not Markdown: messages may quote key names, which must not be rendered as links or HTML.
        item.tooltip = `${sanitizeTerminalText(node.problem.message)}\n\nWhy: ${sanitizeTerminalText(node.problem.why)}\n\nFix: ${sanitizeTerminalText(node.problem.fix)}`;
        return item;
      }
      case 'prefix': {
        const prefix = node.prefix;
        const label = prefixLabel(prefix);
        const hasChildren = prefix.children.length > 0 || prefix.moreChildren !== undefined;
        const item = new vscode.TreeItem(label, hasChildren ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
        item.iconPath = new vscode.ThemeIcon(prefix.noTtlShare > 0.5 ? 'warning' : 'key');
        item.description = prefixDescription(prefix.keys, prefix.noTtlShare, prefix.memoryBytes);
        item.accessibilityInformation = { label: `${label}, ${item.description}` };
        item.tooltip = `${label}\n${prefix.keys} keys (${prefix.keysScanned} scanned)\n${formatPercent(prefix.noTtlShare)} without a TTL\n${formatBytes(prefix.memoryBytes)}\nTypes: ${Object.entries(prefix.types)
          .map(([type, count]) => `${type} ${count}`)
          .join(', ')}`;
        return item;
      }
      case 'more': {
        const item = new vscode.TreeItem(`(${node.prefixes} more prefixes)`, vscode.TreeItemCollapsibleState.None);
        item.description = `${plural(node.keys, 'key')} · ${formatBytes(node.memoryBytes)}`;
        return item;
      }
    }
  }

  async getChildren(node?: RedisNode): Promise<RedisNode[]> {
    if (!node) return configuredConnections().map((connection) => ({ kind: 'connection', connection }));
    switch (node.kind) {
      case 'connection': {
        const outcome = await this.outcome(node.connection);
        if ('error' in outcome) return [{ kind: 'error', connection: node.connection, message: outcome.error, notice: outcome.notice }];
        const report = outcome.report;
        return [
          { kind: 'server', report },
          { kind: 'problems', problems: [...report.warnings, ...report.findings] },
          ...prefixNodes(report.prefixes, report.morePrefixes),
        ];
      }
      case 'server':
        return serverFacts(node.report);
      case 'problems':
        return node.problems.map((problem) => ({ kind: 'problem', problem }));
      case 'prefix':
        return prefixNodes(node.prefix.children, node.prefix.moreChildren);
      default:
        return [];
    }
  }

  dispose(): void {
    this.changed.dispose();
  }

  private outcome(connection: RedisConnection): Promise<Outcome> {
    let outcome = this.outcomes.get(connection.name);
    if (!outcome) {
      outcome = this.run(connection);
      this.outcomes.set(connection.name, outcome);
    }
    return outcome;
  }

  /** Never rejects: every failure becomes the message of an error node. */
  private async run(connection: RedisConnection): Promise<Outcome> {
    if (connection.url && urlHasPassword(connection.url)) {
      return { error: `The URL of "${connection.name}" contains a password: remove it from the setting; CacheScope asks for it and keeps it in secret storage.` };
    }
    try {
      return { report: await this.inspect(connection) };
    } catch (error) {
      return { error: describeError(error) };
    }
  }
}

/** The classified message of the inspector (connection refused, authentication failed, ...), or the raw one. */
export function describeError(error: unknown): string {
  if (error instanceof InspectError || error instanceof RedisServerUnavailableError) return sanitizeTerminalText(error.message);
  return `Inspection failed: ${sanitizeTerminalText(error instanceof Error ? error.message : String(error))}`;
}

/** Prefixes by memory, largest first, whatever order the report was asked in. */
function prefixNodes(prefixes: PrefixReport[], more: { prefixes: number; keys: number; memoryBytes: number } | undefined): RedisNode[] {
  const nodes: RedisNode[] = [...prefixes].sort((a, b) => b.memoryBytes - a.memoryBytes).map((prefix) => ({ kind: 'prefix', prefix }));
  if (more) nodes.push({ kind: 'more', ...more });
  return nodes;
}

/** The prefix through the core's terminal-safe renderer: controls and bidirectional overrides escaped, invalid UTF-8 as `\\xNN`. */
function prefixLabel(prefix: PrefixReport): string {
  if (prefix.undelimited) return '(keys without a delimiter)';
  const bytes = prefix.prefix.base64 !== undefined ? Buffer.from(prefix.prefix.base64, 'base64') : Buffer.from(prefix.prefix.text, 'utf8');
  const text = renderNameForTerminal(bytes);
  return text === '' ? '(empty prefix)' : text;
}

export function prefixDescription(keys: number, noTtlShare: number, memoryBytes: number): string {
  return `${plural(keys, 'key')} · ${formatPercent(noTtlShare)} no TTL · ${formatBytes(memoryBytes)}`;
}

function formatPercent(share: number): string {
  return `${(share * 100).toFixed(share > 0 && share < 0.1 ? 1 : 0)}%`;
}

export function hitRatioText(report: InspectReport): string {
  const ratio = report.server.hitRatio;
  if (ratio === undefined) return 'hit ratio unknown';
  if (ratio === null) return 'no lookups yet';
  return `${(ratio * 100).toFixed(1)}% hits`;
}

function serverFacts(report: InspectReport): RedisNode[] {
  const server = report.server;
  const fact = (label: string, description: string): RedisNode => ({ kind: 'fact', label, description });
  const facts: RedisNode[] = [fact('Address', report.target), fact('Version', server.version ?? 'unknown')];
  const limit = server.maxmemoryBytes === undefined ? 'limit unknown' : server.maxmemoryBytes === 0 ? 'no limit' : `limit ${formatBytes(server.maxmemoryBytes)}`;
  facts.push(fact('Memory', `${server.usedMemoryBytes !== undefined ? formatBytes(server.usedMemoryBytes) : 'unknown'} used, ${limit}`));
  facts.push(fact('Eviction policy', server.maxmemoryPolicy ?? 'unknown'));
  facts.push(fact('Hit ratio', hitRatioText(report)));
  facts.push(fact('Keys', `${report.scan.dbsize ?? report.scan.keysScanned} (${report.scan.keysScanned} scanned${report.scan.sampled ? ', sampled' : ''})`));
  return facts;
}
