import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  createProtocolConnection,
  Diagnostic,
  InitializeRequest,
  InitializedNotification,
  ProtocolConnection,
  PublishDiagnosticsNotification,
  PublishDiagnosticsParams,
  StreamMessageReader,
  StreamMessageWriter,
  ConfigurationRequest,
  RegistrationRequest,
  ShowMessageNotification,
  ShowMessageRequest,
  LogMessageNotification,
  ShutdownRequest,
  ExitNotification,
  DidOpenTextDocumentNotification,
  DidChangeTextDocumentNotification,
  DidCloseTextDocumentNotification,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  FileChangeType,
  CodeActionRequest,
  HoverRequest,
  type CodeAction,
  type Hover,
  type Range,
  type TextEdit,
} from 'vscode-languageserver-protocol/node';
import type { CacheScopeSettings, StatusParams } from '../../server/protocol';
import { statusNotification } from '../../server/protocol';

/**
 * A real LSP client for tests: spawns the built server (`bin/cachescope-lsp.js --stdio`) and
 * talks the protocol to it through vscode-languageserver-protocol's own connection, answering the
 * server's `workspace/configuration` requests with settings the test controls.
 */

export const repoRoot = path.resolve(__dirname, '../..');

export interface LspClientOptions {
  rootPath: string;
  settings?: Partial<CacheScopeSettings>;
  /** Whether the client answers `workspace/configuration` (Neovim-like clients may not). */
  configurationCapability?: boolean;
}

export class LspClient {
  readonly connection: ProtocolConnection;
  readonly diagnostics = new Map<string, PublishDiagnosticsParams>();
  readonly statuses: StatusParams[] = [];
  readonly logs: string[] = [];
  readonly messages: string[] = [];
  settings: Partial<CacheScopeSettings>;
  private readonly child: ChildProcess;
  private listeners: Array<() => void> = [];
  private readonly versions = new Map<string, number>();
  readonly stderr: string[] = [];

  constructor(private readonly options: LspClientOptions) {
    this.settings = options.settings ?? {};
    this.child = spawn(process.execPath, [path.join(repoRoot, 'bin/cachescope-lsp.js'), '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stderr!.on('data', (chunk: Buffer) => this.stderr.push(chunk.toString()));
    this.connection = createProtocolConnection(new StreamMessageReader(this.child.stdout!), new StreamMessageWriter(this.child.stdin!));
    this.connection.onNotification(PublishDiagnosticsNotification.type, (params) => {
      this.diagnostics.set(params.uri, params);
      this.notify();
    });
    this.connection.onNotification(statusNotification, (params: StatusParams) => {
      this.statuses.push(params);
      this.notify();
    });
    this.connection.onNotification(LogMessageNotification.type, (params) => {
      this.logs.push(params.message);
      this.notify();
    });
    this.connection.onNotification(ShowMessageNotification.type, (params) => {
      this.messages.push(params.message);
      this.notify();
    });
    this.connection.onRequest(ConfigurationRequest.type, (params) => params.items.map(() => this.settings));
    this.connection.onRequest(RegistrationRequest.type, () => undefined);
    this.connection.onRequest(ShowMessageRequest.type, (params) => {
      this.messages.push(params.message);
      this.notify();
      return null;
    });
    this.connection.listen();
  }

  async initialize(): Promise<void> {
    const rootUri = uri(this.options.rootPath);
    await this.connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri,
      workspaceFolders: [{ uri: rootUri, name: path.basename(this.options.rootPath) }],
      capabilities: {
        workspace: { configuration: this.options.configurationCapability !== false, didChangeWatchedFiles: { dynamicRegistration: true }, workspaceFolders: true },
        textDocument: {
          publishDiagnostics: { relatedInformation: true, versionSupport: true, codeDescriptionSupport: true, dataSupport: true, tagSupport: { valueSet: [1, 2] } },
          codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'source', 'source.fixAll'] } }, isPreferredSupport: true, dataSupport: true },
          hover: { contentFormat: ['markdown', 'plaintext'] },
        },
      },
      initializationOptions: { settings: this.settings },
    });
    await this.connection.sendNotification(InitializedNotification.type, {});
  }

  open(filePath: string, text: string): string {
    const documentUri = uri(filePath);
    this.versions.set(documentUri, 1);
    void this.connection.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri: documentUri, languageId: languageOf(filePath), version: 1, text },
    });
    return documentUri;
  }

  /** Replaces the whole text (full sync) or one range (incremental sync). */
  change(documentUri: string, change: { text: string; range?: Range }): number {
    const version = (this.versions.get(documentUri) ?? 1) + 1;
    this.versions.set(documentUri, version);
    void this.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri: documentUri, version },
      contentChanges: [change.range ? { range: change.range, text: change.text } : { text: change.text }],
    });
    return version;
  }

  close(documentUri: string): void {
    void this.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri: documentUri } });
  }

  changeSettings(settings: Partial<CacheScopeSettings>): void {
    this.settings = settings;
    void this.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: { cachescope: settings } });
  }

  fileChanged(filePath: string, type: FileChangeType = FileChangeType.Changed): void {
    void this.connection.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri: uri(filePath), type }] });
  }

  codeActions(documentUri: string, range: Range, diagnostics: Diagnostic[], only?: string[]): Promise<CodeAction[]> {
    return this.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri: documentUri }, range, context: { diagnostics, only } }) as Promise<CodeAction[]>;
  }

  hover(documentUri: string, position: { line: number; character: number }): Promise<Hover | null> {
    return this.connection.sendRequest(HoverRequest.type, { textDocument: { uri: documentUri }, position });
  }

  /** Waits until `check` returns a value (re-checked on every diagnostic or status notification). */
  waitFor<T>(check: () => T | undefined, what: string, timeoutMs = 30_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const done = (value: T) => {
        clearTimeout(timer);
        this.listeners = this.listeners.filter((listener) => listener !== attempt);
        resolve(value);
      };
      const attempt = () => {
        const value = check();
        if (value !== undefined) done(value);
      };
      const timer = setTimeout(() => {
        this.listeners = this.listeners.filter((listener) => listener !== attempt);
        reject(new Error(`Timed out waiting for ${what}.\nServer log:\n${this.logs.join('\n')}\n${this.stderr.join('')}`));
      }, timeoutMs);
      this.listeners.push(attempt);
      attempt();
    });
  }

  /** Diagnostics of a document once a publication satisfies `accept`. */
  waitForDiagnostics(documentUri: string, accept: (diagnostics: Diagnostic[], params: PublishDiagnosticsParams) => boolean, what = `diagnostics of ${documentUri}`): Promise<Diagnostic[]> {
    return this.waitFor(() => {
      const params = this.diagnostics.get(documentUri);
      return params && accept(params.diagnostics, params) ? params.diagnostics : undefined;
    }, what);
  }

  waitForScan(timeoutMs?: number): Promise<StatusParams> {
    const seen = this.statuses.length;
    return this.waitFor(() => this.statuses.slice(seen).find((status) => status.state === 'ready'), 'a finished workspace scan', timeoutMs);
  }

  async shutdown(): Promise<void> {
    try {
      await Promise.race([this.connection.sendRequest(ShutdownRequest.type), new Promise((resolve) => setTimeout(resolve, 3000))]);
      void this.connection.sendNotification(ExitNotification.type);
    } finally {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.child.kill('SIGKILL');
          resolve();
        }, 3000);
        this.child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        if (this.child.exitCode !== null) {
          clearTimeout(timer);
          resolve();
        }
      });
      this.connection.dispose();
    }
  }

  get exited(): boolean {
    return this.child.exitCode !== null;
  }

  /** The server process's id (the latency benchmark reads its peak memory from /proc). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

export function uri(filePath: string): string {
  return pathToFileURL(filePath).toString();
}

function languageOf(filePath: string): string {
  if (/\.tsx$/.test(filePath)) return 'typescriptreact';
  if (/\.jsx$/.test(filePath)) return 'javascriptreact';
  if (/\.[cm]?js$/.test(filePath)) return 'javascript';
  return 'typescript';
}

/** Applies LSP text edits to a text (edits of one version, applied back to front). */
export function applyTextEdits(text: string, edits: TextEdit[]): string {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const offset = (position: { line: number; character: number }) => (lineStarts[position.line] ?? text.length) + position.character;
  const sorted = [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start));
  let output = text;
  for (const edit of sorted) output = output.slice(0, offset(edit.range.start)) + edit.newText + output.slice(offset(edit.range.end));
  return output;
}
