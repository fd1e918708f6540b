/**
 * The join of what the code does to its cache (the analyzer's key index) with what the live cache
 * holds (the inspector's scan). Rules never talk to Redis and the inspector never parses code; this
 * module imports the public shapes of both.
 */
export { FamilyMatcher, literalHead } from './family-matcher';
export type { FamilyPattern } from './family-matcher';
export { codeFamiliesFromKeySites, codeFamiliesFromLsp, rulesOnCall } from './code-families';
export type { CodeFamily, CodeSite, LspKeyFamily } from './code-families';
export { writtenTtl, evaluateArithmetic } from './ttl-text';
export type { WrittenTtl, TtlKind } from './ttl-text';
export { LiveTally } from './live-tally';
export type { FamilyTally, LiveTallyOptions, UnmatchedPrefix } from './live-tally';
export { joinTallyWithReport, ttlPolicyOf, defaultJoinThresholds } from './join';
export type { CodeAndLiveReport, FamilyJoin, JoinFinding, JoinFindingId, JoinLevel, JoinThresholds, LiveFigures, UnmatchedReport } from './join';
export { joinCodeWithLive } from './inspect-with-code';
export type { JoinCodeWithLiveOptions } from './inspect-with-code';
export { projectKeyIndex } from './project-key-index';
export type { ProjectKeyIndex } from './project-key-index';
export { formatCodeAndLive } from './format-text';
export { prepareProjectJoin, failingFindings, ProjectJoinError } from './project-join';
export type { ProjectJoin } from './project-join';
