import * as path from 'node:path';
import * as vscode from 'vscode';
import { InspectError, RedisServerUnavailableError, type InspectReport, type PrefixReport, type Warning } from '../shared/inspector';
import { formatBytes } from '../shared/inspector/format-text';
import { renderNameForTerminal, sanitizeTerminalText } from '../shared/inspector/key-names';
import { sortKeys, type KeyListing } from '../shared/inspector/key-list';
import type { KeyRecord } from '../shared/inspector/scan';
import type { CodeSite } from '../shared/join/code-families';
import { liveText } from '../shared/join/describe';
import type { CodeAndLiveReport, FamilyJoin, JoinFinding } from '../shared/join/join';
import { loadMoreKeysCommand } from './command-ids';
import type { ConnectionView } from './redis-scans';
import { configuredConnections, urlHasPassword, type RedisConnection } from './redis-connections';
import { plural } from './status-text';

/** The rows of the "Redis" view. Connections are the roots; everything below them comes from one report. */
export type RedisNode =
  | { kind: 'connection'; connection: RedisConnection }
  | { kind: 'error'; connection: RedisConnection; message: string; notice?: boolean }
  | { kind: 'scan'; connection: RedisConnection; report: InspectReport }
  | { kind: 'server'; report: InspectReport }
  | { kind: 'fact'; label: string; description: string }
  | { kind: 'problems'; problems: Warning[] }
  | { kind: 'problem'; problem: Warning }
  | { kind: 'prefix'; connection: RedisConnection; prefix: PrefixReport; scanDepth: number }
  | { kind: 'more'; prefixes: number; keys: number; memoryBytes: number }
  | KeysNode
  | { kind: 'key'; connection: RedisConnection; record: KeyRecord; parent: KeysNode }
  | { kind: 'moreKeys'; parent: KeysNode; shown: number }
  | { kind: 'message'; label: string; tooltip?: string; error?: boolean }
  | { kind: 'codeAndLive'; join: CodeAndLiveReport }
  | { kind: 'joinFinding'; finding: JoinFinding }
  | { kind: 'families'; families: FamilyJoin[] }
  | { kind: 'family'; family: FamilyJoin }
  | { kind: 'codeSite'; site: CodeSite };

/** The "Keys" row under a prefix: its keys are listed (a bounded SCAN) only when it is expanded. */
export interface KeysNode {
  kind: 'keys';
  connection: RedisConnection;
  prefix: Buffer;
  /** Rendered prefix, for messages. */
  label: string;
}

/** What expanding a connection produced; kept until Retry or Refresh so collapsing and expanding is free. */
type Outcome = { view: ConnectionView } | { error: string; notice?: boolean };

/** How the view reaches Redis: the inspector module supplies passwords, the demo server and progress. */
export interface RedisTreeAccess {
  /** The connection's report (a sample of the keyspace or all of it, as the settings say) and its join with the code. */
  inspect(connection: RedisConnection): Promise<ConnectionView>;
  /** A report of the keys under one prefix, `depth` levels deep from the root: the next levels of the tree. */
  inspectPrefix(connection: RedisConnection, prefix: Buffer, depth: number): Promise<InspectReport>;
  /** Up to `limit` keys under the prefix, with type, TTL and memory. */
  listKeys(connection: RedisConnection, prefix: Buffer, limit: number): Promise<KeyListing>;
}

/** The order of prefixes and keys: by memory, or by TTL (what never expires first). */
export type RedisViewOrder = 'memory' | 'ttl';

/** A page of keys is a few pipelines of reads: large enough that sorting a typical family sorts all of it. */
const firstKeyPage = 1000;
const maxKeyPage = 10_000;

export class RedisTreeProvider implements vscode.TreeDataProvider<RedisNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<RedisNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly outcomes = new Map<string, Promise<Outcome>>();
  /** Deeper prefix levels and key pages, per connection, so collapsing and expanding does not scan again. */
  private readonly deeper = new Map<string, Promise<PrefixReport[]>>();
  private readonly listings = new Map<string, Promise<KeyListing>>();
  private readonly pageSizes = new Map<string, number>();
  private viewOrder: RedisViewOrder = 'memory';

  constructor(private readonly access: RedisTreeAccess) {}

  get order(): RedisViewOrder {
    return this.viewOrder;
  }

  /** Re-sorts prefixes and listed keys; nothing is scanned again. */
  setOrder(order: RedisViewOrder): void {
    this.viewOrder = order;
    this.changed.fire(undefined);
  }

  /** Forgets every report and redraws the roots (after a settings change or Refresh). */
  refresh(): void {
    this.outcomes.clear();
    this.deeper.clear();
    this.listings.clear();
    this.changed.fire(undefined);
  }

  /** Forgets one connection's report or error and inspects it again when its node is redrawn. */
  retry(connection: RedisConnection): void {
    this.outcomes.delete(connection.name);
    this.forgetBelow(connection);
    this.changed.fire(undefined);
  }

  /** Shows a notice instead of inspecting again, e.g. after the demo server was stopped (expanding must not restart it). */
  showNotice(connection: RedisConnection, message: string): void {
    this.outcomes.set(connection.name, Promise.resolve({ error: message, notice: true }));
    this.forgetBelow(connection);
    this.changed.fire(undefined);
  }

  /** Replaces a connection's report, e.g. with the result of a whole-keyspace scan. */
  setView(connection: RedisConnection, view: ConnectionView): void {
    this.outcomes.set(connection.name, Promise.resolve({ view }));
    this.forgetBelow(connection);
    this.changed.fire(undefined);
  }

  /** Lists the keys of a Keys row again (after a key was deleted or its TTL set). */
  relist(node: KeysNode): void {
    this.listings.delete(this.listingKey(node));
    this.changed.fire(undefined);
  }

  /** Doubles the page of a Keys row, up to 10,000 keys. */
  loadMore(node: KeysNode): void {
    const key = this.listingKey(node);
    this.pageSizes.set(key, Math.min(maxKeyPage, this.pageSize(node) * 2));
    this.listings.delete(key);
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
    return outcome.view.report;
  }

  /** The report shown for a connection, if one was made; never starts an inspection. */
  async currentReport(connection: RedisConnection): Promise<InspectReport | undefined> {
    const outcome = await this.outcomes.get(connection.name);
    return outcome && 'view' in outcome ? outcome.view.report : undefined;
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
      case 'scan': {
        const scan = node.report.scan;
        const item = new vscode.TreeItem(scanLabel(node.report), vscode.TreeItemCollapsibleState.None);
        item.iconPath = new vscode.ThemeIcon(scan.complete ? 'check-all' : 'dashboard');
        item.description = scan.complete ? undefined : scanDescription(node.report);
        item.tooltip = scan.complete
          ? `Every key was scanned (${scan.keysScanned}); the figures below are exact.`
          : `Only part of the keyspace was scanned: counts are estimates scaled to ${scan.dbsize ?? 'the keyspace'}, shares carry the error bound shown. Scan Whole Keyspace (the action on this row) reads every key, with progress and cancel.`;
        item.contextValue = scan.complete ? 'cachescope.redisCompleteScan' : 'cachescope.redisPartialScan';
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
        // Every delimited prefix can be opened: its children come from the report, or from a scan of that prefix.
        const item = new vscode.TreeItem(label, prefix.undelimited && prefix.children.length === 0 ? vscode.TreeItemCollapsibleState.None : vscode.TreeItemCollapsibleState.Collapsed);
        item.iconPath = new vscode.ThemeIcon(prefix.noTtlShare > 0.5 ? 'warning' : 'key');
        item.description = prefixDescription(prefix.keys, prefix.noTtlShare, prefix.memoryBytes);
        item.accessibilityInformation = { label: `${label}, ${item.description}` };
        item.tooltip = `${label}\n${prefix.keys} keys (${prefix.keysScanned} scanned)\n${formatPercent(prefix.noTtlShare)} without a TTL\n${formatBytes(prefix.memoryBytes)}\nTypes: ${Object.entries(prefix.types)
          .map(([type, count]) => `${type} ${count}`)
          .join(', ')}`;
        item.contextValue = 'cachescope.redisPrefix';
        return item;
      }
      case 'more': {
        const item = new vscode.TreeItem(`(${node.prefixes} more prefixes)`, vscode.TreeItemCollapsibleState.None);
        item.description = `${plural(node.keys, 'key')} · ${formatBytes(node.memoryBytes)}`;
        return item;
      }
      case 'keys': {
        const item = new vscode.TreeItem('Keys', vscode.TreeItemCollapsibleState.Collapsed);
        item.iconPath = new vscode.ThemeIcon('list-flat');
        item.description = this.viewOrder === 'ttl' ? 'by TTL' : 'by size';
        item.tooltip = `The keys under ${node.label}, read with a bounded SCAN when expanded: type, TTL, memory and element count. Sort by Size / Sort by TTL in the view's title bar.`;
        item.contextValue = 'cachescope.redisKeys';
        return item;
      }
      case 'key': {
        const record = node.record;
        const label = renderNameForTerminal(record.name);
        const item = new vscode.TreeItem(label === '' ? '(empty name)' : label, vscode.TreeItemCollapsibleState.None);
        item.iconPath = new vscode.ThemeIcon(record.pttlMs < 0 ? 'warning' : 'symbol-key');
        item.description = keyDescription(record);
        item.accessibilityInformation = { label: `${item.label as string}, ${item.description}` };
        item.tooltip = `${label}\nType: ${record.type}\nTTL: ${formatTtl(record.pttlMs)} (when listed)\nMemory: ${record.memoryBytes === null ? 'unknown' : formatBytes(record.memoryBytes)}${record.elements === null ? '' : `\n${record.type === 'string' ? 'Length' : 'Elements'}: ${record.elements}`}`;
        item.contextValue = 'cachescope.redisKey';
        return item;
      }
      case 'moreKeys': {
        const item = new vscode.TreeItem('Load more keys', vscode.TreeItemCollapsibleState.None);
        item.iconPath = new vscode.ThemeIcon('ellipsis');
        item.description = `${plural(node.shown, 'key')} listed`;
        item.tooltip = `The first ${node.shown} keys SCAN returned under ${node.parent.label}, sorted among themselves; click to list twice as many (at most ${maxKeyPage}).`;
        item.command = { command: loadMoreKeysCommand, title: 'Load more keys', arguments: [node.parent] };
        return item;
      }
      case 'codeAndLive': {
        const join = node.join;
        const item = new vscode.TreeItem('Code and live', join.findings.length > 0 ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
        item.iconPath = new vscode.ThemeIcon('link');
        const total = join.matched.keys + join.unmatched.keys;
        item.description = `${plural(join.findings.length, 'finding')} · ${`${join.families.length} key ${join.families.length === 1 ? 'family' : 'families'}`} in the code · ${total > 0 ? formatPercent(join.matched.keys / total) : '0%'} of keys matched`;
        item.tooltip = 'The key families the workspace reads and writes (from the language server), joined with the keys this server holds: where the live cache contradicts or confirms what the code does.';
        return item;
      }
      case 'joinFinding': {
        const finding = node.finding;
        const item = new vscode.TreeItem(sanitizeTerminalText(finding.message), finding.evidence.code.length > 0 ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
        item.iconPath = new vscode.ThemeIcon(finding.level === 'error' ? 'error' : finding.level === 'warn' ? 'warning' : 'info');
        item.description = finding.ruleId ?? finding.id;
        item.tooltip = `${sanitizeTerminalText(finding.message)}\n\nWhy: ${sanitizeTerminalText(finding.why)}\n\nFix: ${sanitizeTerminalText(finding.fix)}`;
        item.contextValue = 'cachescope.redisJoinFinding';
        return item;
      }
      case 'families': {
        const item = new vscode.TreeItem('Key families in the code', vscode.TreeItemCollapsibleState.Collapsed);
        item.iconPath = new vscode.ThemeIcon('symbol-namespace');
        item.description = String(node.families.length);
        return item;
      }
      case 'family': {
        const family = node.family;
        const item = new vscode.TreeItem(sanitizeTerminalText(family.display), vscode.TreeItemCollapsibleState.Collapsed);
        item.iconPath = new vscode.ThemeIcon(family.live.keys > 0 && family.live.noTtlKeys === family.live.keys ? 'warning' : 'symbol-key');
        item.description = familyDescription(family);
        item.tooltip = `${sanitizeTerminalText(family.display)} (pattern ${sanitizeTerminalText(family.pattern)})\nIn the code: ${ttlPolicyText(family)}\nLive: ${liveText(family.live)}`;
        return item;
      }
      case 'codeSite': {
        const site = node.site;
        const uri = vscode.Uri.parse(site.file);
        const item = new vscode.TreeItem(`${path.posix.basename(uri.path)}:${site.line}`, vscode.TreeItemCollapsibleState.None);
        item.iconPath = new vscode.ThemeIcon(site.access === 'read' ? 'eye' : site.access === 'invalidate' ? 'trash' : 'edit');
        item.description = [site.access, site.command, site.ttl].filter(Boolean).join(' · ');
        item.tooltip = `${vscode.workspace.asRelativePath(uri)}:${site.line}:${site.column}\n${item.description}${site.rules && site.rules.length > 0 ? `\nFlagged by ${site.rules.join(', ')}` : ''}`;
        const position = new vscode.Position(site.line - 1, Math.max(0, site.column - 1));
        item.command = { command: 'vscode.open', title: 'Open', arguments: [uri, { selection: new vscode.Range(position, position) }] };
        return item;
      }
      case 'message': {
        const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
        item.iconPath = node.error ? new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground')) : new vscode.ThemeIcon('info');
        item.tooltip = node.tooltip ?? node.label;
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
        const { report, codeAndLive } = outcome.view;
        return [
          { kind: 'scan', connection: node.connection, report },
          { kind: 'server', report },
          { kind: 'problems', problems: [...report.warnings, ...report.findings] },
          ...(codeAndLive && codeAndLive.families.length > 0 ? [{ kind: 'codeAndLive', join: codeAndLive } as const] : []),
          ...this.prefixNodes(node.connection, report.prefixes, report.morePrefixes, report.scan.depth),
        ];
      }
      case 'server':
        return serverFacts(node.report);
      case 'problems':
        return node.problems.map((problem) => ({ kind: 'problem', problem }));
      case 'prefix':
        return await this.prefixChildren(node);
      case 'keys':
        return await this.keyRows(node);
      case 'codeAndLive':
        return [
          ...node.join.findings.map((finding): RedisNode => ({ kind: 'joinFinding', finding })),
          { kind: 'families', families: node.join.families },
          ...(node.join.unmatched.keys > 0
            ? [{ kind: 'fact', label: 'Not written by this code', description: `${plural(Math.round(node.join.unmatched.keys), 'key')} · ${formatBytes(node.join.unmatched.memoryBytes)}` } as const]
            : []),
        ];
      case 'joinFinding':
        return node.finding.evidence.code.map((site): RedisNode => ({ kind: 'codeSite', site }));
      case 'families':
        return node.families.map((family): RedisNode => ({ kind: 'family', family }));
      case 'family':
        return node.family.sites.map((site): RedisNode => ({ kind: 'codeSite', site }));
      default:
        return [];
    }
  }

  dispose(): void {
    this.changed.dispose();
  }

  private async prefixChildren(node: Extract<RedisNode, { kind: 'prefix' }>): Promise<RedisNode[]> {
    const prefix = node.prefix;
    if (prefix.undelimited) return this.prefixNodes(node.connection, prefix.children, prefix.moreChildren, node.scanDepth);
    const bytes = prefixBytes(prefix);
    const keysRow: KeysNode = { kind: 'keys', connection: node.connection, prefix: bytes, label: prefixLabel(prefix) };
    if (prefix.children.length > 0 || prefix.moreChildren !== undefined || prefix.depth < node.scanDepth) {
      return [...this.prefixNodes(node.connection, prefix.children, prefix.moreChildren, node.scanDepth), keysRow];
    }
    // The report stopped at its depth: the next two levels come from a scan of this prefix alone.
    const cacheKey = `${node.connection.name}\u0000${bytes.toString('base64')}`;
    let deeper = this.deeper.get(cacheKey);
    if (!deeper) {
      deeper = this.access.inspectPrefix(node.connection, bytes, prefix.depth + 2).then((report) => childrenOf(report.prefixes, bytes));
      this.deeper.set(cacheKey, deeper);
      deeper.catch(() => this.deeper.delete(cacheKey));
    }
    try {
      const children = await deeper;
      return [...this.prefixNodes(node.connection, children, undefined, prefix.depth + 2), keysRow];
    } catch (error) {
      return [{ kind: 'message', label: describeError(error), error: true }, keysRow];
    }
  }

  private async keyRows(node: KeysNode): Promise<RedisNode[]> {
    const key = this.listingKey(node);
    const limit = this.pageSize(node);
    let listing = this.listings.get(key);
    if (!listing) {
      listing = this.access.listKeys(node.connection, node.prefix, limit);
      this.listings.set(key, listing);
      listing.catch(() => this.listings.delete(key));
    }
    try {
      const listed = await listing;
      if (listed.keys.length === 0) return [{ kind: 'message', label: 'No keys under this prefix now' }];
      const rows: RedisNode[] = sortKeys(listed.keys, this.viewOrder).map((record) => ({ kind: 'key', connection: node.connection, record, parent: node }));
      if (!listed.complete && limit < maxKeyPage) rows.push({ kind: 'moreKeys', parent: node, shown: listed.keys.length });
      return rows;
    } catch (error) {
      return [{ kind: 'message', label: describeError(error), error: true }];
    }
  }

  /** Prefixes in the view's order: by memory, or by the share of keys without a TTL. */
  private prefixNodes(connection: RedisConnection, prefixes: PrefixReport[], more: { prefixes: number; keys: number; memoryBytes: number } | undefined, scanDepth: number): RedisNode[] {
    const sorted = [...prefixes].sort(
      this.viewOrder === 'ttl' ? (a, b) => b.noTtlShare - a.noTtlShare || b.keys - a.keys : (a, b) => b.memoryBytes - a.memoryBytes,
    );
    const nodes: RedisNode[] = sorted.map((prefix) => ({ kind: 'prefix', connection, prefix, scanDepth }));
    if (more) nodes.push({ kind: 'more', ...more });
    return nodes;
  }

  private listingKey(node: KeysNode): string {
    return `${node.connection.name}\u0000${node.prefix.toString('base64')}`;
  }

  private pageSize(node: KeysNode): number {
    return this.pageSizes.get(this.listingKey(node)) ?? firstKeyPage;
  }

  private forgetBelow(connection: RedisConnection): void {
    const mine = (key: string) => key.startsWith(`${connection.name}\u0000`);
    for (const key of [...this.deeper.keys()]) if (mine(key)) this.deeper.delete(key);
    for (const key of [...this.listings.keys()]) if (mine(key)) this.listings.delete(key);
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
      return { view: await this.access.inspect(connection) };
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

/** The children of `prefix` in a prefix-scoped report, whose tree starts at the root. */
function childrenOf(prefixes: PrefixReport[], prefix: Buffer): PrefixReport[] {
  for (const node of prefixes) {
    if (node.undelimited) continue;
    const bytes = prefixBytes(node);
    if (bytes.equals(prefix)) return node.children;
    if (prefix.subarray(0, bytes.length).equals(bytes)) return childrenOf(node.children, prefix);
  }
  return [];
}

function prefixBytes(prefix: PrefixReport): Buffer {
  return prefix.prefix.base64 !== undefined ? Buffer.from(prefix.prefix.base64, 'base64') : Buffer.from(prefix.prefix.text, 'utf8');
}

/** The prefix through the core's terminal-safe renderer: controls and bidirectional overrides escaped, invalid UTF-8 as `\\xNN`. */
function prefixLabel(prefix: PrefixReport): string {
  if (prefix.undelimited) return '(keys without a delimiter)';
  const text = renderNameForTerminal(prefixBytes(prefix));
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

/** "Sampled 10,000 of 1,234,567 keys" or "All 2,110 keys scanned". */
export function scanLabel(report: InspectReport): string {
  const scan = report.scan;
  if (scan.complete) return `All ${plural(scan.keysScanned, 'key')} scanned`;
  const of = scan.dbsize !== undefined ? ` of ${scan.dbsize}` : '';
  if (scan.cancelled) return `Scanned ${scan.keysScanned}${of} keys, then cancelled`;
  return `${scan.sampled ? 'Sampled' : 'Scanned'} ${scan.keysScanned}${of} keys`;
}

function scanDescription(report: InspectReport): string {
  const bound = report.scan.shareErrorBound95;
  return bound !== undefined ? `shares ±${(bound * 100).toFixed(1)}% (95%)` : 'partial';
}

function keyDescription(record: KeyRecord): string {
  const parts = [record.type, formatTtl(record.pttlMs)];
  if (record.memoryBytes !== null) parts.push(formatBytes(record.memoryBytes));
  if (record.elements !== null && record.type !== 'string') parts.push(plural(record.elements, 'element'));
  return parts.join(' · ');
}

/** A remaining TTL as a person reads it: `no TTL`, `45s`, `12m 5s`, `3h 20m`, `2d 4h`. */
export function formatTtl(pttlMs: number): string {
  if (pttlMs < 0) return 'no TTL';
  const seconds = Math.ceil(pttlMs / 1000);
  const units: [number, string][] = [
    [86_400, 'd'],
    [3600, 'h'],
    [60, 'm'],
    [1, 's'],
  ];
  const parts: string[] = [];
  let rest = seconds;
  for (const [size, unit] of units) {
    if (rest >= size || (unit === 's' && parts.length === 0)) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
    if (parts.length === 2) break;
  }
  return `TTL ${parts.join(' ')}`;
}

function ttlPolicyText(family: FamilyJoin): string {
  switch (family.ttlPolicy) {
    case 'always':
      return family.longestTtlSeconds !== undefined ? `always written with a TTL (at most ${family.longestTtlSeconds} s)` : 'always written with a TTL';
    case 'without':
      return 'written without a TTL';
    case 'set-then-expire':
      return 'written, then given a TTL by a separate EXPIRE';
    case 'not-written':
      return 'read only (written elsewhere)';
    default:
      return 'written with a TTL the analyzer cannot read';
  }
}

function familyDescription(family: FamilyJoin): string {
  const live = family.live;
  const figures = live.keys === 0 ? 'no live keys' : `${plural(Math.round(live.keys), 'live key')} · ${formatPercent(live.noTtlKeys / live.keys)} no TTL · ${formatBytes(live.memoryBytes)}`;
  return `${figures} · ${ttlPolicyText(family)}`;
}
