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
