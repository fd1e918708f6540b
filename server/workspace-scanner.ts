import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ResolvedConfig } from '../shared';
import type { FromWorker, ToWorker } from './scan-messages';

type ScanResult = Extract<FromWorker, { type: 'result' }>;

/** The file the worker thread runs: the server's entry, which turns into the scan worker off the main thread. */
let scanWorkerEntry: string | undefined;

export function setScanWorkerEntry(file: string): void {
  scanWorkerEntry = file;
}

export interface ScannerEvents {
  onProgress(done: number, total: number): void;
  /** A scan starts: it sees every change forwarded before this moment. */
  onScanStarted(id: number): void;
  onResult(result: ScanResult): void;
  onFailure(message: string, stack?: string): void;
}

/**
 * The server's side of one folder's scan worker. Changes are forwarded as they happen; scans are
 * coalesced: one runs at a time, and changes made during it lead to exactly one more.
 */
export class WorkspaceScanner {
  private worker?: Worker;
  private running = false;
  private pending = false;
  private timer?: NodeJS.Timeout;
  private nextId = 1;
  private waiters: Array<(result: ScanResult | undefined) => void> = [];
  private disposed = false;

  constructor(
    private readonly root: string,
    private readonly events: ScannerEvents,
    /**
     * Quiet time after the last change before a re-scan starts: long enough that typing does not
     * keep both cores busy with scans, short enough that cross-file findings follow a pause.
     */
    private readonly delayMs = 800,
  ) {}

  start(config: ResolvedConfig, overlays: ReadonlyMap<string, string>): void {
    this.stopWorker();
    const worker = new Worker(scanWorkerEntry ?? path.join(__dirname, 'main.js'));
    this.worker = worker;
    this.running = false;
    this.pending = false;
    worker.on('message', (message: FromWorker) => this.handle(message));
    worker.on('error', (error) => {
      this.events.onFailure(`The workspace scan stopped: ${error.message}`, error.stack);
      this.running = false;
      this.release(undefined);
    });
    worker.on('exit', (code) => {
      if (this.worker === worker && !this.disposed && code !== 0) {
        this.events.onFailure(`The workspace scan exited with code ${code}`);
        this.release(undefined);
      }
    });
    this.post({ type: 'load', root: this.root, config, overlays: [...overlays] });
    this.scanSoon(0);
  }

  setText(file: string, text: string | undefined): void {
    this.post({ type: 'setText', file, text: text ?? null });
    this.scanSoon();
  }

  fileChanged(file: string): void {
    this.post({ type: 'fileChanged', file });
    this.scanSoon();
  }

  /** A scan now (after any running one); resolves with its result, or undefined if the worker failed. */
  scanNow(): Promise<ScanResult | undefined> {
    const promise = new Promise<ScanResult | undefined>((resolve) => this.waiters.push(resolve));
    this.scanSoon(0);
    return promise;
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.stopWorker();
    this.release(undefined);
  }

  private scanSoon(delay = this.delayMs): void {
    this.pending = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.startScanIfIdle();
    }, delay);
  }

  private startScanIfIdle(): void {
    if (this.running || !this.pending || !this.worker) return;
    this.pending = false;
    this.running = true;
    const id = this.nextId++;
    this.events.onScanStarted(id);
    this.post({ type: 'analyze', id });
  }

  private handle(message: FromWorker): void {
    switch (message.type) {
      case 'progress':
        this.events.onProgress(message.done, message.total);
        break;
      case 'loaded':
        break;
      case 'result':
        this.running = false;
        this.events.onResult(message);
        if (this.pending) {
          // Changes arrived during the scan: the result is already stale for them.
          if (!this.timer) this.startScanIfIdle();
        } else {
          this.release(message);
        }
        break;
      case 'failed':
        if (message.id !== undefined) this.running = false;
        this.events.onFailure(message.message, message.stack);
        if (message.id !== undefined) this.release(undefined);
        break;
    }
  }

  private release(result: ScanResult | undefined): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve(result);
  }

  private post(message: ToWorker): void {
    this.worker?.postMessage(message);
  }

  private stopWorker(): void {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) void worker.terminate();
  }
}
