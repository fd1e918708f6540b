/**
 * CacheScope's own LSP messages, typed once for the server and the VS Code client. Plain types and
 * method names only: no import of either side's library, so both can use this file as it is.
 */

/** Server → client: progress and outcome of the workspace scan (drives the status bar item). */
export const statusNotification = 'cachescope/status';

export interface StatusParams {
  state: 'scanning' | 'ready' | 'error' | 'disabled';
  /** Files of the workspace read so far and in all (while scanning). */
  filesDone?: number;
  filesTotal?: number;
  /** After a scan: findings in the workspace, by severity. */
  errors?: number;
  warnings?: number;
  /** Duration of the last workspace scan in milliseconds. */
  durationMs?: number;
  /** A one-line explanation for 'error' (shown as the status item's tooltip). */
  message?: string;
}

/** Client → server: re-read and re-lint every file of every workspace folder now. */
export const lintWorkspaceRequest = 'cachescope/lintWorkspace';

export type LintWorkspaceParams = Record<string, never>;

export interface LintWorkspaceResult {
  files: number;
  errors: number;
  warnings: number;
  durationMs: number;
}

/**
 * Client → server: the workspace's key index grouped by family (pattern `product:*`, display `product:{id}`),
 * with every place the code reads, writes, expires or invalidates it. The Redis view joins it with a live
 * inspection through `shared/join` (`codeFamiliesFromLsp` there turns the reply into its input).
 */
export const keyFamiliesRequest = 'cachescope/keyFamilies';

export type KeyFamiliesParams = Record<string, never>;

export interface KeyFamilySite {
  uri: string;
  /** LSP range (0-based line and UTF-16 character) of the key expression. */
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  access: 'read' | 'write' | 'read-through' | 'invalidate' | 'expire';
  command: string;
  library: string;
  /** For writes and expiries: the TTL as written (`EX 3600`, `no TTL in this call`). */
  ttl?: string;
  /** Rules with a finding on the call (`require-ttl`, `require-ttl-jitter`, ...). */
  rules: string[];
}

export interface KeyFamily {
  pattern: string;
  display: string;
  sites: KeyFamilySite[];
}

export interface KeyFamiliesResult {
  families: KeyFamily[];
  /** False when a workspace scan had not finished in time: the families of the files scanned so far. */
  complete: boolean;
}

/** The `cachescope.*` settings the server reads through `workspace/configuration` (section `cachescope`). */
export interface CacheScopeSettings {
  enable: boolean;
  /** Lint open files while typing, or only when they are saved. */
  run: 'onType' | 'onSave';
  /** A configuration file to use instead of the nearest `.cachescoperc.json`, relative to the workspace folder. */
  configFile: string;
  /** Rule levels that win over the configuration file: `{ "require-ttl": "error" }`. */
  rules: Record<string, 'off' | 'warn' | 'error'>;
  /** Lint every file of the workspace (not only open ones) so Problems lists all findings and cross-file rules see everything. */
  lintWorkspace: boolean;
  /** Offer "disable <rule> for this line/file" code actions. */
  codeActions: { disableComments: boolean };
}

export const defaultSettings: CacheScopeSettings = {
  enable: true,
  run: 'onType',
  configFile: '',
  rules: {},
  lintWorkspace: true,
  codeActions: { disableComments: true },
};

/** The kind of the fix-all code action, for `editor.codeActionsOnSave`. */
export const fixAllKind = 'source.fixAll.cachescope';
