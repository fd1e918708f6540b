import type { Finding, InternalError, KeySite, ResolvedConfig } from '../shared';

/** Messages between the language server and its workspace-scan worker thread. */

export type ToWorker =
  /** (Re)start on a folder: discover and read its files. */
  | { type: 'load'; root: string; config: ResolvedConfig; overlays: Array<[string, string]> }
  /** An editor buffer's text, or `null` when the buffer closed (back to the disk text). */
  | { type: 'setText'; file: string; text: string | null }
  | { type: 'fileChanged'; file: string }
  | { type: 'analyze'; id: number };

export type FromWorker =
  | { type: 'progress'; done: number; total: number }
  | { type: 'loaded'; files: number }
  | {
      type: 'result';
      id: number;
      findings: Array<[string, Finding[]]>;
      keySites: KeySite[];
      internalErrors: InternalError[];
      filesLinted: number;
      filesParsed: number;
      durationMs: number;
    }
  | { type: 'failed'; id?: number; message: string; stack?: string };
