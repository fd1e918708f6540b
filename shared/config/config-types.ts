import type { ExportRole } from '../analyzer/clients/libraries';
import type { CacheLibrary } from '../analyzer/clients/libraries';
import type { RuleLevel } from '../analyzer/types';

export type RuleSetting = RuleLevel | 0 | 1 | 2 | [RuleLevel | 0 | 1 | 2] | [RuleLevel | 0 | 1 | 2, Record<string, unknown>];

/** An in-house wrapper that CacheScope should treat as a cache client. */
export interface ClientDeclaration {
  /** The module specifier as code imports it: `@acme/cache`, `~/lib/redis`. */
  module: string;
  /** The export name (`default` for the default export). */
  export: string;
  /** What the export is: a client instance, a factory returning one, a class to `new`, or a type. */
  role: Extract<ExportRole, 'instance' | 'factory' | 'constructor' | 'type'>;
  /** Which command spelling the wrapper speaks; `ioredis` when omitted. */
  library?: Exclude<CacheLibrary, 'custom'>;
}

/** The configuration file as written (`.cachescoperc.json` or package.json's `cachescope`). */
export interface ConfigFile {
  $schema?: string;
  rules?: Record<string, RuleSetting>;
  clients?: ClientDeclaration[];
  ignorePatterns?: string[];
  /** Files larger than this many bytes are reported and skipped (minified bundles, generated code). */
  maxFileSize?: number;
  /** Lint test files (`*.test.*`, `*.spec.*`, `test/`, `__tests__/`...) found in target directories; default false. */
  lintTestFiles?: boolean;
  /** Use installed cache library typings to place receivers the syntactic resolver cannot ('auto', the default), or not ('off'). */
  typeInformation?: 'auto' | 'off';
}

export interface ResolvedRuleConfig {
  level: RuleLevel;
  options: Record<string, unknown>;
}

export interface ResolvedConfig {
  /** The file the configuration came from, when there was one. */
  filePath?: string;
  rules: Record<string, ResolvedRuleConfig>;
  clients: ClientDeclaration[];
  ignorePatterns: string[];
  maxFileSize: number;
  lintTestFiles: boolean;
  typeInformation: 'auto' | 'off';
}

export const defaultMaxFileSize = 2 * 1024 * 1024;
