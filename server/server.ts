import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CodeAction,
  CodeActionKind,
  CodeActionParams,
  Connection,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  FileChangeType,
  Hover,
  HoverParams,
  InitializeParams,
  InitializeResult,
  MessageType,
  ShowMessageNotification,
  Range,
  TextDocuments,
  TextDocumentSyncKind,
  WorkspaceFolder,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { applyFixes, findProjectRoot, type FileAnalysis, type Finding, type Fix, type KeySite } from '../shared';
import { rulesOnCall } from '../shared/join/code-families';
import {
  codeActionsFor,
  diagnosticSource,
  fileUri,
  fixAllAction,
  keyHover,
  toDiagnostic,
  type DiagnosticData,
} from './engine-adapter';
import { Folder } from './folder';
import {
  defaultSettings,
  fixAllKind,
  keyFamiliesRequest,
  lintWorkspaceRequest,
  statusNotification,
  type CacheScopeSettings,
  type KeyFamiliesResult,
  type KeyFamily,
  type LintWorkspaceResult,
  type StatusParams,
} from './protocol';

/**
 * The LSP wiring: documents, folders and requests. Analysis happens in the engine (through
 * `Folder`), and translation to LSP shapes in engine-adapter.ts.
 */

const maxFixPasses = 10;
/** Milliseconds between two analyses, for changes queued meanwhile to arrive (see drain). */
const settleMs = 4;
/** How long `cachescope/keyFamilies` waits for unfinished workspace scans before answering with what it has. */
const keyFamiliesWaitMs = 60_000;
const configFileNames = new Set(['.cachescoperc.json', '.cachescoperc', 'package.json', 'tsconfig.json', 'jsconfig.json']);

interface FileState {
  version: number;
  analysis: FileAnalysis;
}

export class CacheScopeServer {
  private readonly documents = new TextDocuments(TextDocument);
  private readonly folders = new Map<string, Folder>();
  private folderSpecs: WorkspaceFolder[] = [];
  private readonly fileStates = new Map<string, FileState>();
  private readonly published = new Set<string>();
  private readonly lastSent = new Map<string, string>();
  private readonly queue = new Set<string>();
  private draining = false;
  private hasConfigurationCapability = false;
  private hasWatchedFilesRegistration = false;
  private hasWorkspaceFolderCapability = false;
  /** Reloads run one at a time; requests arriving meanwhile collapse into one more. */
  private reloading?: Promise<void>;
  private reloadAgain = false;
  private initializationSettings?: Partial<CacheScopeSettings>;
  private ready: Promise<void> = Promise.resolve();
  private markReady: () => void = () => undefined;
  /** Requests waiting for a workspace scan to finish; called with true when a scan failed instead. */
  private scanWaiters: Array<(failed: boolean) => void> = [];

  constructor(private readonly connection: Connection) {}

  listen(): void {
    const { connection, documents } = this;
    this.ready = new Promise((resolve) => (this.markReady = resolve));
    connection.onInitialize((params) => this.initialize(params));
    connection.onInitialized(() => void this.guard('initialized', () => this.initialized()));
    connection.onDidChangeConfiguration(() => void this.guard('configuration change', () => this.reloadFolders()));
    connection.onDidChangeWatchedFiles((params) =>
      this.guard('file change', async () => {
        await this.ready;
        for (const change of params.changes) this.watchedFileChanged(uriToPath(change.uri), change.type);
      }),
    );
    connection.onCodeAction((params) => this.guard('code action', () => this.codeActions(params), []));
    connection.onHover((params) => this.guard('hover', () => this.hover(params), null));
    connection.onRequest(lintWorkspaceRequest, () => this.guard('lint workspace', () => this.lintWorkspace(), { files: 0, errors: 0, warnings: 0, durationMs: 0 }));
    connection.onRequest(keyFamiliesRequest, () => this.guard('key families', () => this.keyFamilies(), { families: [], complete: false }));
    connection.onShutdown(() => {
      for (const folder of this.folders.values()) folder.dispose();
    });

    documents.onDidOpen(({ document }) => void this.guard('open', () => this.documentOpened(document)));
    documents.onDidChangeContent(({ document }) => void this.guard('change', () => this.documentChanged(document)));
    documents.onDidSave(({ document }) => void this.guard('save', () => this.documentSaved(document)));
    documents.onDidClose(({ document }) => void this.guard('close', () => this.documentClosed(document)));
    documents.listen(connection);
    connection.listen();
  }

  // ------------------------------------------------------------------ lifecycle

  private initialize(params: InitializeParams): InitializeResult {
    const capabilities = params.capabilities;
    this.hasConfigurationCapability = capabilities.workspace?.configuration === true;
    this.hasWatchedFilesRegistration = capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
    this.hasWorkspaceFolderCapability = capabilities.workspace?.workspaceFolders === true;
    const options = params.initializationOptions as { settings?: Partial<CacheScopeSettings> } | undefined;
    this.initializationSettings = options?.settings;
    if (params.workspaceFolders?.length) this.folderSpecs = params.workspaceFolders;
    else if (params.rootUri) this.folderSpecs = [{ uri: params.rootUri, name: path.basename(uriToPath(params.rootUri)) }];
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, fixAllKind, CodeActionKind.SourceFixAll], resolveProvider: false },
        hoverProvider: true,
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: 'cachescope', version: serverVersion() },
    };
  }

  private async initialized(): Promise<void> {
    if (this.hasConfigurationCapability) {
      void this.connection.client.register(DidChangeConfigurationNotification.type, { section: 'cachescope' });
    }
    if (this.hasWatchedFilesRegistration) {
      void this.connection.client.register(DidChangeWatchedFilesNotification.type, {
        watchers: [{ globPattern: '**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs}' }, { globPattern: '**/{.cachescoperc.json,.cachescoperc,package.json,tsconfig.json,jsconfig.json}' }],
      });
    }
    if (this.hasWorkspaceFolderCapability) {
      this.connection.workspace.onDidChangeWorkspaceFolders((event) =>
        this.guard('folders change', async () => {
          const removed = new Set(event.removed.map((folder) => folder.uri));
          this.folderSpecs = [...this.folderSpecs.filter((folder) => !removed.has(folder.uri)), ...event.added];
          await this.reloadFolders();
        }),
      );
    }
    await this.reloadFolders();
    this.markReady();
  }

  /** (Re)creates every folder from current settings and configuration files. */
  private reloadFolders(): Promise<void> {
    if (this.reloading) {
      this.reloadAgain = true;
      return this.reloading;
    }
    const run = async (): Promise<void> => {
      do {
        this.reloadAgain = false;
        await this.reloadFoldersOnce();
      } while (this.reloadAgain);
    };
    this.reloading = run().finally(() => (this.reloading = undefined));
    return this.reloading;
  }

  private async reloadFoldersOnce(): Promise<void> {
    const previous = new Map(this.folders);
    const next = new Map<string, Folder>();
    for (const spec of this.folderSpecs) {
      const root = uriToPath(spec.uri);
      const settings = await this.settingsFor(spec.uri);
      const old = previous.get(root);
      const folder = new Folder(root, settings, () => this.openTextsUnder(root), this.folderListener, 'workspace', old?.settings.enable && settings.enable && settings.lintWorkspace ? old : undefined);
      next.set(root, folder);
      if (folder.configError) {
        this.connection.console.error(folder.configError);
        // A notification, not a request: nothing waits on the user, and a client without message
        // requests (some editors) cannot fail it.
        void this.connection.sendNotification(ShowMessageNotification.type, {
          type: MessageType.Error,
          message: `CacheScope: ${folder.configError.split('\n').slice(0, 2).map((line) => line.trim()).join(' ')} (using the default configuration; see the output for details)`,
        });
        this.sendStatus({ state: 'error', message: folder.configError });
      }
      if (!settings.enable) this.sendStatus({ state: 'disabled' });
    }
    for (const folder of previous.values()) folder.dispose();
    this.folders.clear();
    for (const [root, folder] of next) this.folders.set(root, folder);
    for (const folder of next.values()) folder.start();
    // Open files are re-linted at once (no flicker); other files keep what they show until the
    // first scan of their new folder replaces it.
    this.fileStates.clear();
    for (const document of this.documents.all()) {
      this.analyse(document);
      this.publish(document.uri);
    }
    for (const uri of [...this.published]) if (!this.documents.get(uri)) this.publish(uri);
  }

  private async settingsFor(scopeUri: string | undefined): Promise<CacheScopeSettings> {
    let raw: Partial<CacheScopeSettings> | undefined = this.initializationSettings;
    if (this.hasConfigurationCapability) {
      try {
        raw = ((await this.connection.workspace.getConfiguration({ scopeUri, section: 'cachescope' })) as Partial<CacheScopeSettings> | null) ?? raw;
      } catch (error) {
        this.connection.console.warn(`Could not read the cachescope settings: ${(error as Error).message}`);
      }
    }
    return normaliseSettings(raw);
  }

  private readonly folderListener = {
    onScanProgress: (_folder: Folder, done: number, total: number) => this.sendStatus({ state: 'scanning', filesDone: done, filesTotal: total }),
    onScanResult: (folder: Folder, changedFiles: ReadonlySet<string>) => {
      if (![...this.folders.values()].includes(folder)) return;
      const summary = folder.lastScan!;
      this.connection.console.info(
        `Scanned ${folder.root}: ${summary.files} files (${summary.parsed} parsed) in ${Math.round(summary.durationMs)} ms: ${summary.errors} errors, ${summary.warnings} warnings`,
      );
      const uris = new Set([...changedFiles].map(fileUri));
      for (const uri of this.published) if (folder.contains(uriToPath(uri))) uris.add(uri);
      for (const document of this.documents.all()) if (folder.contains(uriToPath(document.uri))) uris.add(document.uri);
      for (const uri of uris) this.publish(uri);
      this.sendReadyStatus();
      this.releaseScanWaiters(false);
    },
    onScanFailure: (folder: Folder, message: string, stack?: string) => {
      this.connection.console.error(`Workspace scan of ${folder.root} failed: ${message}${stack ? `\n${stack}` : ''}`);
      this.sendStatus({ state: 'error', message });
      this.releaseScanWaiters(true);
    },
    log: (message: string) => this.connection.console.info(message),
  };

  private sendReadyStatus(): void {
    let errors = 0;
    let warnings = 0;
    let durationMs = 0;
    for (const folder of this.folders.values()) {
      if (folder.scanWorkspace && !folder.scanComplete) return;
      if (!folder.settings.enable) continue;
      errors += folder.lastScan?.errors ?? 0;
      warnings += folder.lastScan?.warnings ?? 0;
      durationMs = Math.max(durationMs, folder.lastScan?.durationMs ?? 0);
    }
    this.sendStatus({ state: 'ready', errors, warnings, durationMs: Math.round(durationMs) });
  }

  private sendStatus(params: StatusParams): void {
    void this.connection.sendNotification(statusNotification, params);
  }

  // ------------------------------------------------------------------ documents

  private async documentOpened(document: TextDocument): Promise<void> {
    await this.ready;
    const file = documentPath(document);
    if (!file) return;
    this.folderFor(file)?.setText(file, document.getText());
    this.schedule(document.uri);
  }

  private async documentChanged(document: TextDocument): Promise<void> {
    await this.ready;
    const file = documentPath(document);
    if (!file) return;
    const folder = this.folderFor(file);
    folder?.setText(file, document.getText());
    if (folder?.settings.run !== 'onSave') this.schedule(document.uri);
  }

  private async documentSaved(document: TextDocument): Promise<void> {
    await this.ready;
    const file = documentPath(document);
    if (!file) return;
    if (this.folderFor(file)?.settings.run === 'onSave') this.schedule(document.uri);
  }

  private async documentClosed(document: TextDocument): Promise<void> {
    await this.ready;
    const file = documentPath(document);
    if (!file) return;
    this.fileStates.delete(document.uri);
    this.folderFor(file)?.bufferClosed(file);
    this.publish(document.uri);
  }

  private watchedFileChanged(file: string, type: FileChangeType): void {
    const folder = this.folderFor(file);
    if (!folder) return;
    if (configFileNames.has(path.basename(file))) {
      // Configuration, aliases and workspace packages change what every file means.
      this.connection.console.info(`${path.basename(file)} changed: reloading ${folder.root}`);
      void this.guard('reload', () => this.reloadFolders());
      return;
    }
    if (this.documents.get(fileUri(file)) && type === FileChangeType.Changed) return;
    folder.fileChanged(file);
    for (const document of this.documents.all()) this.schedule(document.uri);
    if (type === FileChangeType.Deleted) this.publish(fileUri(file));
  }

  /** Lints a document soon; several changes in a row are linted once, at their latest version. */
  private schedule(uri: string): void {
    this.queue.add(uri);
    if (this.draining) return;
    this.draining = true;
    setImmediate(() => this.drain());
  }

  private drain(): void {
    const [uri] = this.queue;
    if (uri === undefined) {
      this.draining = false;
      return;
    }
    this.queue.delete(uri);
    this.guard('lint', () => {
      const document = this.documents.get(uri);
      if (document) {
        this.analyse(document);
        this.publish(uri);
      }
    });
    // The protocol reads one incoming message per turn of the event loop: a short pause lets every
    // change that arrived during this analysis land first, so a burst is analysed once, at its
    // latest version, instead of once per keystroke.
    setTimeout(() => this.drain(), settleMs);
  }

  /** The per-file analysis of a document's current version (computed now if stale). */
  private analyse(document: TextDocument): FileState | undefined {
    const file = documentPath(document);
    if (!file) return undefined;
    const state = this.fileStates.get(document.uri);
    if (state && state.version === document.version) return state;
    const folder = this.folderFor(file);
    if (!folder || !folder.settings.enable) return undefined;
    const analysis = folder.session.analyzeFile(file, document.getText());
    for (const error of analysis.internalErrors) {
      this.connection.console.error(`Internal error in ${error.ruleId} on ${file}: ${error.message}\n${error.stack ?? ''}`);
    }
    const fresh = { version: document.version, analysis };
    this.fileStates.set(document.uri, fresh);
    return fresh;
  }

  /** The findings a file shows: per-file rules from its buffer, cross-file rules from the last scan. */
  private findingsFor(uri: string): { fresh: readonly Finding[]; scanned: readonly Finding[]; document?: TextDocument } {
    const file = uriToPath(uri);
    const folder = this.folderFor(file);
    if (!folder || !folder.settings.enable) return { fresh: [], scanned: [] };
    const document = this.documents.get(uri);
    if (!document) return { fresh: [], scanned: folder.settings.lintWorkspace ? folder.findingsOf(file) : [] };
    const state = this.fileStates.get(uri);
    const workspaceRules = folder.session.workspaceRuleIds;
    return {
      fresh: state?.analysis.findings ?? [],
      scanned: folder.findingsOf(file).filter((finding) => workspaceRules.has(finding.ruleId)),
      document,
    };
  }

  private publish(uri: string): void {
    const { fresh, scanned, document } = this.findingsFor(uri);
    const state = this.fileStates.get(uri);
    if (document && state && state.version !== document.version && this.queue.has(uri)) {
      // A newer version is about to be analysed and published; this would label old findings with it.
      return;
    }
    const freshDocument = document && state?.version === document.version ? document : undefined;
    const diagnostics = [...fresh.map((finding) => toDiagnostic(finding, freshDocument)), ...scanned.map((finding) => toDiagnostic(finding))];
    if (diagnostics.length === 0 && !this.published.has(uri)) return;
    // A scan republishes every file of the folder; most have not changed, and clients re-render each.
    const signature = `${document ? (state?.version ?? document.version) : ''}\0${JSON.stringify(diagnostics)}`;
    if (this.lastSent.get(uri) === signature) return;
    if (diagnostics.length === 0) {
      this.published.delete(uri);
      this.lastSent.delete(uri);
    } else {
      this.published.add(uri);
      this.lastSent.set(uri, signature);
    }
    void this.connection.sendDiagnostics({ uri, version: document ? (state?.version ?? document.version) : undefined, diagnostics });
  }

  // ------------------------------------------------------------------ requests

  private codeActions(params: CodeActionParams): CodeAction[] {
    const document = this.documents.get(params.textDocument.uri);
    const file = document && documentPath(document);
    const folder = file ? this.folderFor(file) : undefined;
    if (!document || !file || !folder || !folder.settings.enable) return [];
    const state = this.analyse(document);
    if (!state) return [];
    const only = params.context.only;
    const wants = (kind: string) => !only || only.some((requested) => kind === requested || kind.startsWith(`${requested}.`));
    const actions: CodeAction[] = [];

    const scannedCurrent = folder.scannedVersions.get(file) === document.version;
    const workspaceRules = folder.session.workspaceRuleIds;
    const scanned = scannedCurrent ? folder.findingsOf(file).filter((finding) => workspaceRules.has(finding.ruleId)) : [];
    const byFingerprint = new Map([...state.analysis.findings, ...scanned].map((finding) => [finding.fingerprint, finding]));

    if (wants(CodeActionKind.QuickFix)) {
      for (const diagnostic of params.context.diagnostics) {
        if (diagnostic.source !== diagnosticSource) continue;
        const data = diagnostic.data as DiagnosticData | undefined;
        const finding = data ? byFingerprint.get(data.fingerprint) : undefined;
        if (!finding) continue;
        actions.push(...codeActionsFor(finding, diagnostic, document, folder.settings.codeActions.disableComments));
      }
    }
    if (wants(fixAllKind)) {
      const fixed = this.fixAll(folder, file, document, scanned);
      if (fixed) actions.push(fixed);
    }
    return actions;
  }

  /** Applies every safe fix, re-analysing between passes as `cachescope lint --fix` does. */
  private fixAll(folder: Folder, file: string, document: TextDocument, scanned: readonly Finding[]): CodeAction | undefined {
    let text = document.getText();
    let count = 0;
    let fixes: Fix[] = [...(this.fileStates.get(document.uri)?.analysis.findings ?? []), ...scanned].flatMap((finding) => (finding.fix ? [finding.fix] : []));
    for (let pass = 0; pass < maxFixPasses && fixes.length > 0; pass++) {
      const { output, applied } = applyFixes(text, fixes);
      if (applied === 0 || output === text) break;
      text = output;
      count += applied;
      fixes = folder.session.analyzeFile(file, text).findings.flatMap((finding) => (finding.fix ? [finding.fix] : []));
    }
    return count > 0 ? fixAllAction(document, text, count) : undefined;
  }

  private hover(params: HoverParams): Hover | null {
    const document = this.documents.get(params.textDocument.uri);
    const file = document && documentPath(document);
    const folder = file ? this.folderFor(file) : undefined;
    if (!document || !file || !folder || !folder.settings.enable) return null;
    const state = this.analyse(document);
    if (!state) return null;
    const offset = document.offsetAt(params.position);
    const within = (range: [number, number]) => range[0] <= offset && offset <= range[1];
    const width = (range: [number, number]) => range[1] - range[0];
    const sites = state.analysis.keySites;
    const site =
      sites.filter((candidate) => within(candidate.range)).sort((a, b) => width(a.range) - width(b.range))[0] ??
      sites.filter((candidate) => within(candidate.callRange)).sort((a, b) => width(a.callRange) - width(b.callRange))[0];
    if (!site) return null;
    const family = [
      ...sites.filter((other) => other.family.pattern === site.family.pattern),
      ...folder.keySites.filter((other) => other.filePath !== file && other.family.pattern === site.family.pattern),
    ].sort((a, b) => a.filePath.localeCompare(b.filePath) || a.range[0] - b.range[0]);
    const range = Range.create(document.positionAt(site.range[0]), document.positionAt(site.range[1]));
    return keyHover(site, family, folder.root, range, folder.scanComplete || !folder.scanWorkspace);
  }

  /** The key index of every workspace folder, grouped by family, once their scans are done (see keyFamiliesRequest). */
  private async keyFamilies(): Promise<KeyFamiliesResult> {
    await this.ready;
    const deadline = Date.now() + keyFamiliesWaitMs;
    const scanning = () => [...this.folders.values()].some((folder) => folder.scanWorkspace && !folder.scanComplete);
    // A failed scan will not finish by waiting: answer with what the folders have.
    let failed = false;
    while (!failed && scanning() && Date.now() < deadline) {
      failed = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), deadline - Date.now());
        this.scanWaiters.push((scanFailed) => {
          clearTimeout(timer);
          resolve(scanFailed);
        });
      });
    }
    const families = new Map<string, KeyFamily>();
    const add = (site: KeySite, findings: readonly Finding[]) => {
      let family = families.get(site.family.pattern);
      if (!family) {
        family = { pattern: site.family.pattern, display: site.family.display, sites: [] };
        families.set(site.family.pattern, family);
      }
      const { start, end } = site.location;
      family.sites.push({
        uri: fileUri(site.filePath),
        range: { start: { line: start.line - 1, character: start.column - 1 }, end: { line: end.line - 1, character: end.column - 1 } },
        access: site.access,
        command: site.command,
        library: site.library,
        ...(site.ttl !== undefined ? { ttl: site.ttl } : {}),
        rules: rulesOnCall(findings, site.callRange),
      });
    };
    for (const folder of this.folders.values()) {
      if (!folder.settings.enable || folder.mode !== 'workspace') continue;
      if (folder.scanWorkspace) {
        for (const site of folder.keySites) add(site, folder.findingsOf(site.filePath));
      } else {
        // Without a background scan the folder is analysed once, for this request.
        const analysis = folder.session.analyzeWorkspace();
        for (const site of analysis.keySites) add(site, analysis.findings.get(site.filePath) ?? []);
      }
    }
    for (const family of families.values()) {
      family.sites.sort((a, b) => a.uri.localeCompare(b.uri) || a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
    }
    return { families: [...families.values()].sort((a, b) => a.pattern.localeCompare(b.pattern)), complete: !scanning() };
  }

  private releaseScanWaiters(failed: boolean): void {
    const waiters = this.scanWaiters;
    this.scanWaiters = [];
    for (const release of waiters) release(failed);
  }

  private async lintWorkspace(): Promise<LintWorkspaceResult> {
    await this.ready;
    const started = Date.now();
    let files = 0;
    let errors = 0;
    let warnings = 0;
    for (const folder of this.folders.values()) {
      if (!folder.settings.enable) continue;
      const summary = await folder.rescan();
      files += summary?.files ?? 0;
      errors += summary?.errors ?? 0;
      warnings += summary?.warnings ?? 0;
    }
    return { files, errors, warnings, durationMs: Date.now() - started };
  }

  // ------------------------------------------------------------------ helpers

  /** The folder a file belongs to; files outside every folder get a folder of their own project, analysed one file at a time. */
  private folderFor(file: string): Folder | undefined {
    let best: Folder | undefined;
    for (const folder of this.folders.values()) {
      if (folder.contains(file) && (!best || folder.root.length > best.root.length)) best = folder;
    }
    if (best) return best;
    const root = findProjectRoot(path.dirname(file), undefined, undefined);
    const existing = this.folders.get(root);
    if (existing) return existing;
    const settings = normaliseSettings(this.initializationSettings);
    const folder = new Folder(root, settings, () => this.openTextsUnder(root), this.folderListener, 'single-file');
    this.folders.set(root, folder);
    folder.start();
    return folder;
  }

  private openTextsUnder(root: string): Map<string, { text: string; version: number }> {
    const open = new Map<string, { text: string; version: number }>();
    for (const document of this.documents.all()) {
      const file = documentPath(document);
      const relative = file ? path.relative(root, file) : '..';
      if (file && !relative.startsWith('..') && !path.isAbsolute(relative)) open.set(file, { text: document.getText(), version: document.version });
    }
    return open;
  }

  /** Runs a handler so that nothing it throws takes the server down: the error is logged instead. */
  private guard<T>(what: string, run: () => T, fallback?: Awaited<T>): T | Promise<Awaited<T> | undefined> {
    try {
      const result = run();
      if (result instanceof Promise) {
        return result.catch((error: unknown) => {
          this.logFailure(what, error);
          return fallback;
        });
      }
      return result;
    } catch (error) {
      this.logFailure(what, error);
      return fallback as T;
    }
  }

  private logFailure(what: string, error: unknown): void {
    const err = error instanceof Error ? error : new Error(String(error));
    this.connection.console.error(`CacheScope failed during ${what}: ${err.message}\n${err.stack ?? ''}`);
  }
}

function normaliseSettings(raw: Partial<CacheScopeSettings> | undefined | null): CacheScopeSettings {
  const settings = { ...defaultSettings, ...(raw ?? {}) };
  return {
    enable: settings.enable !== false,
    run: settings.run === 'onSave' ? 'onSave' : 'onType',
    configFile: typeof settings.configFile === 'string' ? settings.configFile : '',
    rules: settings.rules && typeof settings.rules === 'object' ? settings.rules : {},
    lintWorkspace: settings.lintWorkspace !== false,
    codeActions: { disableComments: settings.codeActions?.disableComments !== false },
  };
}

function documentPath(document: TextDocument): string | undefined {
  return document.uri.startsWith('file:') ? uriToPath(document.uri) : undefined;
}

function uriToPath(uri: string): string {
  return path.normalize(fileURLToPath(uri));
}

/** The package's version, from the package.json above this file (the built and the bundled server alike). */
function serverVersion(): string {
  for (let dir = __dirname; path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    try {
      const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (manifest.name === 'cachescope' && manifest.version) return manifest.version;
    } catch {
      // No package.json here: keep walking up.
    }
  }
  return '0.0.0';
}
