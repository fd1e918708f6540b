import * as path from 'node:path';
import {
  allRules,
  ConfigError,
  loadConfig,
  resolveConfig,
  WorkspaceSession,
  type Finding,
  type KeySite,
  type ResolvedConfig,
} from '../shared';
import type { CacheScopeSettings } from './protocol';
import { WorkspaceScanner } from './workspace-scanner';

export interface FolderScanSummary {
  files: number;
  parsed: number;
  errors: number;
  warnings: number;
  durationMs: number;
}

export interface FolderListener {
  onScanProgress(folder: Folder, done: number, total: number): void;
  /** A workspace scan finished: `changedFiles` are the files whose workspace findings may differ. */
  onScanResult(folder: Folder, changedFiles: ReadonlySet<string>): void;
  onScanFailure(folder: Folder, message: string, stack?: string): void;
  log(message: string): void;
}

/**
 * One workspace folder: its settings and configuration, the in-thread session that answers the
 * open file, and the worker that scans the whole folder. A file opened outside every folder gets a
 * 'single-file' folder that reads nothing else and has no worker.
 */
export class Folder {
  readonly session: WorkspaceSession;
  readonly config: ResolvedConfig;
  readonly configError?: string;
  private scanner?: WorkspaceScanner;
  private workspaceFindings = new Map<string, Finding[]>();
  private workspaceKeySites: KeySite[] = [];
  private versionsAtScan = new Map<number, Map<string, number>>();
  /** Editor buffer versions the last finished scan analysed, by file. */
  scannedVersions = new Map<string, number>();
  scanComplete = false;
  lastScan?: FolderScanSummary;

  constructor(
    readonly root: string,
    readonly settings: CacheScopeSettings,
    private readonly openVersions: () => Map<string, { text: string; version: number }>,
    private readonly listener: FolderListener,
    readonly mode: 'workspace' | 'single-file',
    /** The folder this one replaces (settings changed): its findings stay shown until the first scan. */
    previous?: Folder,
  ) {
    const { config, error } = resolveFolderConfig(root, settings);
    this.config = config;
    this.configError = error;
    this.session = new WorkspaceSession({ root, config });
    if (previous) {
      this.workspaceFindings = previous.workspaceFindings;
      this.workspaceKeySites = previous.workspaceKeySites;
    }
  }

  /** Whether a worker scans the whole folder (cross-file rules, Problems for closed files). */
  get scanWorkspace(): boolean {
    return this.mode === 'workspace' && this.settings.enable && this.settings.lintWorkspace;
  }

  /** Reads the folder in this thread (what `analyzeFile` follows imports through) and starts the worker. */
  start(): void {
    const open = this.openVersions();
    for (const [file, { text }] of open) this.session.setText(file, text);
    if (this.mode === 'single-file' || !this.settings.enable) return;
    const started = Date.now();
    const files = this.session.load();
    this.listener.log(`${this.root}: ${files} files read in ${Date.now() - started} ms`);
    if (this.scanWorkspace) this.startScanner();
    else this.workspaceFindings = new Map();
  }

  private startScanner(): void {
    this.scanner?.dispose();
    this.scanComplete = false;
    const overlays = new Map([...this.openVersions()].map(([file, { text }]) => [file, text] as [string, string]));
    this.scanner = new WorkspaceScanner(this.root, {
      onProgress: (done, total) => this.listener.onScanProgress(this, done, total),
      onScanStarted: (id) => this.versionsAtScan.set(id, new Map([...this.openVersions()].map(([file, { version }]) => [file, version]))),
      onResult: (result) => {
        const changed = new Set<string>([...this.workspaceFindings.keys(), ...result.findings.map(([file]) => file)]);
        this.workspaceFindings = new Map(result.findings);
        this.workspaceKeySites = result.keySites;
        this.scannedVersions = this.versionsAtScan.get(result.id) ?? new Map();
        for (const id of this.versionsAtScan.keys()) if (id <= result.id) this.versionsAtScan.delete(id);
        this.scanComplete = true;
        let errors = 0;
        let warnings = 0;
        for (const [, findings] of result.findings) {
          for (const finding of findings) finding.severity === 'error' ? errors++ : warnings++;
        }
        this.lastScan = { files: result.filesLinted, parsed: result.filesParsed, errors, warnings, durationMs: result.durationMs };
        for (const error of result.internalErrors) {
          this.listener.log(`Internal error in ${error.ruleId}${error.filePath ? ` on ${error.filePath}` : ''}: ${error.message}\n${error.stack ?? ''}`);
        }
        this.listener.onScanResult(this, changed);
      },
      onFailure: (message, stack) => this.listener.onScanFailure(this, message, stack),
    });
    this.scanner.start(this.config, overlays);
  }

  contains(file: string): boolean {
    return this.session.contains(file);
  }

  setText(file: string, text: string | undefined): void {
    const before = this.session.textOf(file);
    this.session.setText(file, text);
    // Opening a file, or closing one that was saved, changes no text the scan sees: no re-scan.
    if (this.session.textOf(file) !== before) this.scanner?.setText(file, text);
  }

  /** An editor buffer closed: the file's text is the disk's again, read afresh (it may have been saved). */
  bufferClosed(file: string): void {
    const before = this.session.textOf(file);
    this.session.setText(file, undefined);
    this.session.fileChanged(file);
    if (this.session.textOf(file) === before) return;
    this.scanner?.setText(file, undefined);
    this.scanner?.fileChanged(file);
  }

  fileChanged(file: string): void {
    this.session.fileChanged(file);
    this.scanner?.fileChanged(file);
  }

  /** Re-reads every file and re-scans now. */
  async rescan(): Promise<FolderScanSummary | undefined> {
    if (!this.scanWorkspace) return undefined;
    this.session.load();
    this.startScanner();
    const result = await this.scanner!.scanNow();
    return result ? this.lastScan : undefined;
  }

  findingsOf(file: string): readonly Finding[] {
    return this.workspaceFindings.get(file) ?? [];
  }

  get filesWithFindings(): Iterable<string> {
    return this.workspaceFindings.keys();
  }

  get keySites(): readonly KeySite[] {
    return this.workspaceKeySites;
  }

  dispose(): void {
    this.scanner?.dispose();
    this.scanner = undefined;
  }
}

/** The folder's configuration file (or the one the settings name), with the settings' rule levels on top. */
function resolveFolderConfig(root: string, settings: CacheScopeSettings): { config: ResolvedConfig; error?: string } {
  const overrides = settings.rules;
  try {
    const configPath = settings.configFile ? path.resolve(root, settings.configFile) : undefined;
    return { config: loadConfig(allRules, { startDir: root, configPath, overrides }) };
  } catch (error) {
    const message = error instanceof ConfigError || error instanceof Error ? error.message : String(error);
    // A broken configuration must not silence the linter: fall back to the defaults and say why.
    try {
      return { config: resolveConfig(allRules, undefined, undefined, overrides), error: message };
    } catch {
      return { config: resolveConfig(allRules, undefined, undefined), error: message };
    }
  }
}
