/**
 * Public data shapes of the analyzer. Everything the CLI, the language server and other callers
 * consume is defined here, so the engine's internals can change without touching its callers.
 */

export type Severity = 'error' | 'warning';
export type RuleLevel = 'off' | 'warn' | 'error';

/** A text edit on one file: replace the half-open character range [start, end) with `text`. */
export interface TextEdit {
  range: [number, number];
  text: string;
}

/** A set of edits that together make one fix; applied atomically or not at all. */
export interface Fix {
  edits: TextEdit[];
}

/** A fix that may change runtime or cache behaviour: offered, never applied by plain `--fix`. */
export interface Suggestion {
  messageId: string;
  desc: string;
  fix: Fix;
}

/** 1-based line and column, the way editors and ESLint print positions. */
export interface Position {
  line: number;
  column: number;
}

export interface SourceLocation {
  start: Position;
  end: Position;
}

/** Another place that explains a finding (LSP relatedInformation, SARIF relatedLocations). */
export interface RelatedLocation {
  filePath: string;
  location: SourceLocation;
  message: string;
}

export interface Finding {
  ruleId: string;
  severity: Severity;
  messageId: string;
  message: string;
  /** Absolute path of the file the finding is in. */
  filePath: string;
  /** Character offsets into the file text: [start, end). */
  range: [number, number];
  location: SourceLocation;
  /** A fix that cannot change runtime behaviour (applied by `--fix`). */
  fix?: Fix;
  suggestions?: Suggestion[];
  relatedLocations?: RelatedLocation[];
  /**
   * A stable identity of the finding that does not depend on line numbers: the rule, the file's
   * path relative to the lint root and a normalised text of the flagged code, with an index to tell
   * identical snippets in the same file apart. Used by SARIF `partialFingerprints` and baselines.
   */
  fingerprint: string;
  /** Set when the finding reports a problem of the linter's own input rather than a rule (e.g. parse errors). */
  fatal?: boolean;
  /** How editors may render it: `unnecessary` code is faded, `deprecated` code is struck through. */
  tags?: Array<'unnecessary' | 'deprecated'>;
}

export interface FileResult {
  filePath: string;
  findings: Finding[];
  /** The text the findings refer to (after fixes, when fixes were applied). */
  source?: string;
  /** True when `--fix` or `--fix-suggestions` changed the text. */
  fixed?: boolean;
  /** The text after fixes, when fixes were applied (ESLint's `output`). */
  output?: string;
}

export interface LintSummary {
  filesLinted: number;
  /** Files that were read but never parsed because they cannot reach a cache client. */
  filesSkippedByGate: number;
  filesParsed: number;
  errorCount: number;
  warningCount: number;
  fixableCount: number;
  durationMs: number;
}

export interface LintResult {
  results: FileResult[];
  summary: LintSummary;
}

/** ESLint-shaped rule metadata. */
export interface RuleMeta {
  type: 'problem' | 'suggestion' | 'layout';
  docs: {
    description: string;
    url: string;
    /** The level the rule has when the configuration says nothing. */
    defaultLevel: Exclude<RuleLevel, 'off'>;
  };
  messages: Record<string, string>;
  /** 'code' when the rule has fixes that cannot change behaviour. */
  fixable?: 'code';
  hasSuggestions?: boolean;
  /** JSON schema of the rule's options object. */
  schema: Record<string, unknown>;
  /** Project-wide rules see every parsed file before they report. */
  scope: 'file' | 'project';
}

/** What a command does to the cache entry its key names. */
export type KeyAccess = 'read' | 'write' | 'read-through' | 'invalidate' | 'expire';

/** One place the code names a cache key of a known family (the key index behind editor hovers). */
export interface KeySite {
  /** Absolute path of the file. */
  filePath: string;
  /** Character offsets of the key expression: [start, end). */
  range: [number, number];
  location: SourceLocation;
  /** Character offsets of the whole call the key is passed to. */
  callRange: [number, number];
  family: { display: string; pattern: string; constant: boolean };
  access: KeyAccess;
  /** The normalised command (`set`, `del`, `wrap`, ...). */
  command: string;
  /** The client library (`ioredis`, `node-redis`, `cache-manager`, ...). */
  library: string;
  /** For writes and expiries: the TTL as the code writes it (`EX 3600`, `60_000 ms`, `no TTL in this call`). */
  ttl?: string;
}
