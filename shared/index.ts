/**
 * CacheScope's engine as a library: `lint()` takes files and/or in-memory texts and returns
 * findings with their fixes and suggestions. The CLI and the language server are thin callers.
 */
export { lint, findTsconfig, findProjectRoot, readCompilerOptions } from './analyzer/lint';
export type { LintOptions, LintOutcome } from './analyzer/lint';
export { applyFixes } from './analyzer/engine/apply-fixes';
export { allRules } from './analyzer/rules';
export { createRule } from './analyzer/rules/create-rule';
export type { AnyRule, FileRule, ProjectRule, RuleContext, ReportDescriptor } from './analyzer/rules/create-rule';
export { loadConfig, resolveConfig, findConfigFile, ConfigError } from './config/load-config';
export { buildConfigSchema } from './config/config-schema';
export type { ConfigFile, ResolvedConfig, RuleSetting, ClientDeclaration } from './config/config-types';
export type * from './analyzer/types';
export { formatResults } from './cli/formatters';
export type { FormatterName } from './cli/formatters';
export { createBaseline, applyBaseline, readBaseline } from './cli/baseline';
export { WorkspaceSession } from './analyzer/session/workspace-session';
export type { FileAnalysis, WorkspaceAnalysis, WorkspaceSessionOptions } from './analyzer/session/workspace-session';
export type { InternalError } from './analyzer/engine/analyze';
export { disableForFileFix, disableForLineFix } from './analyzer/engine/disable-comments';
// Code and live: the key index joined with a live keyspace. `joinCodeWithLive`, which also runs the
// inspection, is in shared/join/inspect-with-code so that importing the engine does not load a Redis client.
export { codeFamiliesFromKeySites, codeFamiliesFromLsp } from './join/code-families';
export type { CodeFamily, CodeSite, LspKeyFamily } from './join/code-families';
export { FamilyMatcher } from './join/family-matcher';
export { LiveTally } from './join/live-tally';
export { joinTallyWithReport, defaultJoinThresholds } from './join/join';
export type { CodeAndLiveReport, FamilyJoin, JoinFinding, JoinThresholds, LiveFigures } from './join/join';
export { formatCodeAndLive } from './join/format-text';
export { projectKeyIndex } from './join/project-key-index';
export type { ProjectKeyIndex } from './join/project-key-index';
