import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { Project, SourceFile, ts } from 'ts-morph';
import { ClientResolver } from '../clients/client-resolver';
import { createLibraryLookup } from '../clients/libraries';
import { selectFilesToAnalyse } from '../project/gate';
import { attachModuleResolver, ModuleResolver } from '../project/module-resolver';
import { findInstalledCacheLibraries, TypedReceivers } from '../typed/typed-receivers';
import { WrapperPackages } from '../typed/wrapper-packages';
import type { AnyRule, FileRule, ProjectRule, FileRuleContext, FileRuleListener, Fixer, FixFunction, ReportDescriptor, RuleContext } from '../rules/create-rule';
import type { Finding, Fix, KeySite, RelatedLocation, Severity, TextEdit } from '../types';
import { collectKeySites } from '../keys/key-sites';
import type { ResolvedConfig } from '../../config/config-types';
import { FileModel, ProjectModel } from './models';
import { interpolate, locationOf } from './text-positions';
import { Directive, isSuppressed, parseDirectives } from './suppressions';
import { unusedDirectiveFindings, unusedDirectiveRuleId } from '../rules/no-unused-disable';

/** A rule that threw: logged by callers, while every other rule still reports. */
export interface InternalError {
  ruleId: string;
  filePath?: string;
  message: string;
  stack?: string;
}

export interface AnalyzeInput {
  /** Every file of the project to consider, with its text. */
  texts: ReadonlyMap<string, string>;
  /** Files to report findings for (all analysed files when omitted). */
  reportFor?: ReadonlySet<string>;
  rules: readonly AnyRule[];
  config: ResolvedConfig;
  /** Root for relative paths in fingerprints. */
  rootDir: string;
  /** Compiler options from an explicit `--project`; otherwise each file's nearest tsconfig.json applies. */
  explicitCompilerOptions?: ts.CompilerOptions;
  /**
   * Facts about the whole project, for callers that analyse only part of it (an editor analysing
   * one file with what it imports); read from `texts` when omitted.
   */
  facts?: ProjectFacts;
  /** Leave out no-unused-disable: a partial run cannot know which directives other rules use. */
  skipUnusedDirectives?: boolean;
  /** Also collect the key index of the reported files (editor hovers). */
  collectKeySites?: boolean;
  /** Files analysed for their own sake with what they import (see GateInput.entryFiles). */
  entryFiles?: ReadonlySet<string>;
  /**
   * A resolver kept across runs by a caller that analyses parts of one project again and again (an
   * editor): its memoised resolutions save a walk of the disk per import and run. It may know more
   * files than `texts`; only those in `texts` count.
   */
  modules?: ModuleResolver;
}

/** Project-wide settings that change how single files are judged, found by a regex pass over every file. */
export interface ProjectFacts {
  /** A NestJS `CacheModule.register({ ttl })` gives every cache-manager write a default TTL. */
  nestCacheHasDefaultTtl: boolean;
  /** The app registers @fastify/redis, so `fastify.redis` is a client without an import. */
  fastifyRedis: boolean;
}

const cacheModuleTtl = /CacheModule\s*\.\s*register(?:Async)?\s*\([\s\S]{0,600}?\bttl\b/;
const fastifyRedisImport = /['"]@fastify\/redis['"]/;

/** The facts one file contributes (a project's facts are the OR over its files). */
export function factsOfText(text: string): ProjectFacts {
  return {
    nestCacheHasDefaultTtl: text.includes('CacheModule') && cacheModuleTtl.test(text),
    fastifyRedis: text.includes('@fastify/redis') && fastifyRedisImport.test(text),
  };
}

export function projectFacts(texts: Iterable<string>): ProjectFacts {
  const facts: ProjectFacts = { nestCacheHasDefaultTtl: false, fastifyRedis: false };
  for (const text of texts) {
    const own = factsOfText(text);
    facts.nestCacheHasDefaultTtl ||= own.nestCacheHasDefaultTtl;
    facts.fastifyRedis ||= own.fastifyRedis;
    if (facts.nestCacheHasDefaultTtl && facts.fastifyRedis) break;
  }
  return facts;
}

export interface AnalyzeOutput {
  findings: Map<string, Finding[]>;
  analysedFiles: string[];
  supportFiles: string[];
  internalErrors: InternalError[];
  /** Key sites of the reported files, when `collectKeySites` was asked. */
  keySites: KeySite[];
}

/** Runs every enabled rule over the files that can reach a cache client. */
export function analyze(input: AnalyzeInput): AnalyzeOutput {
  const { texts, rules, config } = input;
  const modules = input.modules ?? new ModuleResolver(texts, input.explicitCompilerOptions);
  const inTexts = (resolved: ts.ResolvedModuleFull | undefined) => (resolved && texts.has(resolved.resolvedFileName) ? resolved : undefined);
  // Every file the analysis sees is created from text, so ts-morph needs no disk access (which
  // otherwise costs a directory walk per added file); module resolution goes through `modules`.
  const project = new Project({
    useInMemoryFileSystem: true,
    resolutionHost: () => ({ resolveModuleNames: (names, containingFile) => modules.resolveModuleNames(names, containingFile).map(inTexts) }),
    compilerOptions: {
      allowJs: true,
      noResolve: true,
      noLib: true,
      types: [],
      noEmit: true,
      skipLibCheck: true,
    },
    skipAddingFilesFromTsConfig: true,
    skipFileDependencyResolution: true,
    skipLoadingLibFiles: true,
  });
  attachModuleResolver(project, modules);
  const { lookup, gatingSpecifiers } = createLibraryLookup(config.clients);
  const { nestCacheHasDefaultTtl, fastifyRedis } = input.facts ?? projectFacts(texts.values());
  const createResolver = () => new ClientResolver({ nestCacheHasDefaultTtl, libraryFor: lookup, fastifyRedis });
  const nodeModules = config.typeInformation !== 'off' ? findInstalledCacheLibraries(input.rootDir) : undefined;
  const wrappers = nodeModules ? new WrapperPackages() : undefined;
  const gate = selectFilesToAnalyse({
    texts,
    project,
    modules,
    gatingSpecifiers,
    fastifyRedis,
    wrapsCacheClient: wrappers ? (specifier, fromFile) => !modules.isWorkspaceSpecifier(specifier) && wrappers.wrapsCacheClient(specifier, fromFile) : undefined,
    createResolver,
    entryFiles: input.entryFiles,
  });

  // Type information is asked only in files that import a wrapper package: elsewhere the import-based
  // analysis already knows every client, and building the typed program would only cost time.
  const typedReceivers =
    nodeModules && gate.wrapperImporters.length > 0
      ? new TypedReceivers([...gate.analysed, ...gate.support], texts, modules.optionsFor(gate.wrapperImporters[0]), new Set(gate.wrapperImporters))
      : undefined;
  const model = new ProjectModel(input.rootDir, gate.resolver, nestCacheHasDefaultTtl, typedReceivers, gate.cacheCalls);
  const findings = new Map<string, Finding[]>();
  const internalErrors: InternalError[] = [];
  const directivesByFile = new Map<string, Directive[]>();
  const reportable = (file: string) => !input.reportFor || input.reportFor.has(file);

  const parsedFiles: FileModel[] = [];
  for (const file of gate.analysed) {
    const sourceFile = project.getSourceFileOrThrow(file);
    const parseError = firstParseError(project, sourceFile);
    if (parseError) {
      if (reportable(file)) findings.set(file, [parseError]);
      continue;
    }
    parsedFiles.push(model.addFile(sourceFile));
  }

  const enabled = rules.filter((rule) => config.rules[rule.name]?.level !== 'off' && rule.name !== unusedDirectiveRuleId);
  const raw: Finding[] = [];
  const makeReporter = (rule: AnyRule) => {
    const severity: Severity = config.rules[rule.name]?.level === 'error' ? 'error' : 'warning';
    return (descriptor: ReportDescriptor) => {
      raw.push(toFinding(rule, severity, descriptor));
    };
  };

  for (const file of parsedFiles) {
    if (!reportable(file.filePath)) continue;
    const listeners: Array<{ rule: AnyRule; listener: FileRuleListener }> = [];
    for (const rule of enabled) {
      if (rule.meta.scope !== 'file') continue;
      const context: FileRuleContext<unknown> = {
        id: rule.name,
        options: config.rules[rule.name]?.options ?? rule.defaultOptions,
        project: model,
        file,
        report: makeReporter(rule),
      };
      try {
        listeners.push({ rule, listener: (rule as FileRule<unknown>).create(context) });
      } catch (error) {
        internalErrors.push(internalError(rule.name, file.filePath, error));
      }
    }
    let calls;
    try {
      calls = file.cacheCalls;
    } catch (error) {
      internalErrors.push(internalError('cache-client-recognition', file.filePath, error));
      continue;
    }
    for (const { rule, listener } of listeners) {
      try {
        if (listener.cacheCall) for (const call of calls) listener.cacheCall(call);
        listener.fileEnd?.();
      } catch (error) {
        internalErrors.push(internalError(rule.name, file.filePath, error));
      }
    }
  }

  for (const rule of enabled) {
    if (rule.meta.scope !== 'project') continue;
    const context: RuleContext<unknown> = {
      id: rule.name,
      options: config.rules[rule.name]?.options ?? rule.defaultOptions,
      project: model,
      report: makeReporter(rule),
    };
    try {
      (rule as ProjectRule<unknown>).create(context).projectEnd?.();
    } catch (error) {
      internalErrors.push(internalError(rule.name, undefined, error));
    }
  }

  for (const finding of raw) {
    if (!reportable(finding.filePath)) continue;
    let directives = directivesByFile.get(finding.filePath);
    if (!directives) {
      const sourceFile = project.getSourceFile(finding.filePath);
      directives = sourceFile ? parseDirectives(sourceFile) : [];
      directivesByFile.set(finding.filePath, directives);
    }
    if (isSuppressed(directives, finding.ruleId, finding.location.start.line)) continue;
    const list = findings.get(finding.filePath) ?? [];
    list.push(finding);
    findings.set(finding.filePath, list);
  }

  const unusedLevel = input.skipUnusedDirectives ? 'off' : (config.rules[unusedDirectiveRuleId]?.level ?? 'off');
  if (unusedLevel !== 'off') {
    for (const file of parsedFiles) {
      if (!reportable(file.filePath)) continue;
      let directives = directivesByFile.get(file.filePath);
      if (!directives) {
        directives = parseDirectives(file.sourceFile);
        directivesByFile.set(file.filePath, directives);
      }
      const unused = unusedDirectiveFindings(file.sourceFile, directives, unusedLevel === 'error' ? 'error' : 'warning');
      if (unused.length === 0) continue;
      findings.set(file.filePath, [...(findings.get(file.filePath) ?? []), ...unused]);
    }
  }

  for (const [file, list] of findings) {
    list.sort((a, b) => a.range[0] - b.range[0] || a.ruleId.localeCompare(b.ruleId));
    assignFingerprints(list, path.relative(input.rootDir, file), texts.get(file) ?? '');
  }
  const keySites: KeySite[] = [];
  if (input.collectKeySites) {
    for (const file of parsedFiles) {
      if (!reportable(file.filePath)) continue;
      try {
        keySites.push(...collectKeySites(file));
      } catch (error) {
        internalErrors.push(internalError('key-index', file.filePath, error));
      }
    }
  }
  return { findings, analysedFiles: gate.analysed, supportFiles: gate.support, internalErrors, keySites };
}

function internalError(ruleId: string, filePath: string | undefined, error: unknown): InternalError {
  const err = error instanceof Error ? error : new Error(String(error));
  return { ruleId, filePath, message: err.message, stack: err.stack };
}

function firstParseError(project: Project, sourceFile: SourceFile): Finding | undefined {
  const diagnostics = project.getProgram().compilerObject.getSyntacticDiagnostics(sourceFile.compilerNode);
  const first = diagnostics[0];
  if (!first) return undefined;
  const start = first.start ?? 0;
  const end = start + Math.max(first.length ?? 0, 0);
  const message = ts.flattenDiagnosticMessageText(first.messageText, '\n');
  return {
    ruleId: 'parse-error',
    severity: 'error',
    messageId: 'parseError',
    message: `Parsing error: ${message} (the file was not analysed)`,
    filePath: sourceFile.getFilePath(),
    range: [start, end],
    location: locationOf(sourceFile, start, end),
    fingerprint: '',
    fatal: true,
  };
}


const fixer: Fixer = {
  replaceText: (node, text) => ({ range: [node.getStart(), node.getEnd()], text }),
  replaceRange: (range, text) => ({ range, text }),
  insertTextBefore: (node, text) => ({ range: [node.getStart(), node.getStart()], text }),
  insertTextAfter: (node, text) => ({ range: [node.getEnd(), node.getEnd()], text }),
  remove: (node) => ({ range: [node.getStart(), node.getEnd()], text: '' }),
};

function buildFix(fn: FixFunction | undefined): Fix | undefined {
  if (!fn) return undefined;
  const result = fn(fixer);
  if (!result) return undefined;
  const edits: TextEdit[] = Array.isArray(result) ? result : [result];
  return edits.length > 0 ? { edits } : undefined;
}


function toFinding(rule: AnyRule, severity: Severity, descriptor: ReportDescriptor): Finding {
  const [from, to] = Array.isArray(descriptor.node) ? descriptor.node : [descriptor.node, descriptor.node];
  const sourceFile = from.getSourceFile();
  const start = from.getStart();
  const end = to.getEnd();
  const template = rule.meta.messages[descriptor.messageId];
  if (template === undefined) throw new Error(`Rule ${rule.name} reported unknown messageId "${descriptor.messageId}"`);
  const relatedLocations: RelatedLocation[] | undefined = descriptor.related?.map((related) => {
    const relatedFile = related.node.getSourceFile();
    return {
      filePath: relatedFile.getFilePath(),
      location: locationOf(relatedFile, related.node.getStart(), related.node.getEnd()),
      message: related.message,
    };
  });
  const suggestions = descriptor.suggest
    ?.map((suggestion) => {
      const fix = buildFix(suggestion.fix);
      const desc = rule.meta.messages[suggestion.messageId];
      if (desc === undefined) throw new Error(`Rule ${rule.name} suggested unknown messageId "${suggestion.messageId}"`);
      return fix ? { messageId: suggestion.messageId, desc: interpolate(desc, suggestion.data), fix } : undefined;
    })
    .filter((suggestion): suggestion is NonNullable<typeof suggestion> => suggestion !== undefined);
  return {
    ruleId: rule.name,
    severity,
    messageId: descriptor.messageId,
    message: interpolate(template, descriptor.data),
    filePath: sourceFile.getFilePath(),
    range: [start, end],
    location: locationOf(sourceFile, start, end),
    fix: buildFix(descriptor.fix),
    suggestions: suggestions && suggestions.length > 0 ? suggestions : undefined,
    relatedLocations: relatedLocations && relatedLocations.length > 0 ? relatedLocations : undefined,
    fingerprint: '',
  };
}

/**
 * Fingerprints identify a finding across edits: the rule, the file and the flagged code with
 * whitespace collapsed, plus an occurrence index for identical snippets; no line numbers.
 */
function assignFingerprints(findings: Finding[], relativePath: string, text: string): void {
  const seen = new Map<string, number>();
  const portablePath = relativePath.split(path.sep).join('/');
  for (const finding of findings) {
    const lineStart = text.lastIndexOf('\n', finding.range[0] - 1) + 1;
    const lineEndIndex = text.indexOf('\n', finding.range[1]);
    const snippet = text.slice(lineStart, lineEndIndex === -1 ? text.length : lineEndIndex).replace(/\s+/g, ' ').trim();
    const hash = createHash('sha256').update(`${finding.ruleId}\0${portablePath}\0${snippet}`).digest('hex').slice(0, 20);
    const index = seen.get(hash) ?? 0;
    seen.set(hash, index + 1);
    finding.fingerprint = `${hash}:${index}`;
  }
}

