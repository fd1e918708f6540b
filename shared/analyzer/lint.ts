import * as fs from 'node:fs';
import * as path from 'node:path';
import { ts } from 'ts-morph';
import { loadConfig } from '../config/load-config';
import type { ResolvedConfig, RuleSetting } from '../config/config-types';
import { analyze, InternalError } from './engine/analyze';
import { applyFixes } from './engine/apply-fixes';
import { discoverFiles } from './project/discover';
import { couldReachCache, skippedFinding, tooLargeMessage } from './engine/skipped-files';
import { createLibraryLookup } from './clients/libraries';
import { allRules } from './rules';
import type { AnyRule } from './rules/create-rule';
import type { FileResult, Finding, Fix, LintResult } from './types';

export interface LintOptions {
  /** Working directory: relative targets, config lookup and reported paths start here. */
  cwd?: string;
  /** Files and directories to lint (default: the working directory). */
  targets?: string[];
  /**
   * In-memory texts that replace (or add to) files on disk, keyed by path: editor buffers, stdin.
   * When `onlyTexts` is set, findings are reported for these files only.
   */
  texts?: Record<string, string>;
  onlyTexts?: boolean;
  /** An explicit configuration file; otherwise the nearest one is used. */
  configPath?: string;
  /** A configuration already resolved by the caller (the language server keeps its own). */
  config?: ResolvedConfig;
  /** Rule levels/options that win over the configuration file (`--rule id:level`). */
  ruleOverrides?: Record<string, RuleSetting>;
  /**
   * The project the targets belong to: its other files are read for context (imported clients, key
   * helpers, fan-out) but not reported. Default: the nearest directory with a tsconfig.json,
   * package.json or .git, else the configuration file's directory.
   */
  projectRoot?: string;
  /** tsconfig.json to read path aliases from; the nearest one is used when omitted. */
  tsconfigPath?: string;
  /** Extra gitignore-style patterns of files not to lint (`--ignore-pattern`), added to the configuration's. */
  ignorePatterns?: string[];
  /** Apply fixes that cannot change behaviour. */
  fix?: boolean;
  /** Also apply each finding's first suggestion (changes cache behaviour; opt-in). */
  fixSuggestions?: boolean;
  rules?: readonly AnyRule[];
  /** Called as files are read, so long runs can show progress. */
  onProgress?: (phase: 'read' | 'analyse', done: number, total: number) => void;
}

export interface LintOutcome extends LintResult {
  config: ResolvedConfig;
  internalErrors: InternalError[];
  /** Targets that do not exist. */
  missingTargets: string[];
}

const maxFixPasses = 10;

/** Finds the nearest tsconfig.json from `startDir` upwards. */
export function findTsconfig(startDir: string): string | undefined {
  for (let dir = path.resolve(startDir); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'tsconfig.json');
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** The project a path belongs to: its tsconfig's folder, else the nearest folder with package.json or .git. */
export function findProjectRoot(startDir: string, tsconfigPath: string | undefined, configPath: string | undefined): string {
  if (tsconfigPath) return path.dirname(tsconfigPath);
  for (let dir = path.resolve(startDir); ; dir = path.dirname(dir)) {
    if (['package.json', '.git'].some((marker) => fs.existsSync(path.join(dir, marker)))) return dir;
    if (path.dirname(dir) === dir) break;
  }
  if (configPath) return path.dirname(configPath);
  return startDir;
}

export function readCompilerOptions(tsconfigPath: string | undefined): ts.CompilerOptions {
  if (!tsconfigPath) return {};
  const read = ts.readConfigFile(tsconfigPath, ts.sys.readFile);
  if (read.error) return {};
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, path.dirname(tsconfigPath), undefined, tsconfigPath);
  return parsed.options;
}

/** The analyzer's front door: lint files on disk and/or in-memory texts and return findings with fixes. */
export async function lint(options: LintOptions = {}): Promise<LintOutcome> {
  const started = Date.now();
  const cwd = path.resolve(options.cwd ?? process.cwd());
  const rules = options.rules ?? allRules;
  const targets = options.targets && options.targets.length > 0 ? options.targets : options.onlyTexts ? [] : ['.'];
  const firstTarget = path.resolve(cwd, targets[0] ?? Object.keys(options.texts ?? {})[0] ?? '.');
  const startDir = fs.existsSync(firstTarget) && fs.statSync(firstTarget).isDirectory() ? firstTarget : path.dirname(firstTarget);
  const loaded =
    options.config ?? loadConfig(rules, { startDir, configPath: options.configPath, overrides: options.ruleOverrides });
  const config = options.ignorePatterns?.length ? { ...loaded, ignorePatterns: [...loaded.ignorePatterns, ...options.ignorePatterns] } : loaded;

  const tsconfigPath = options.tsconfigPath ? path.resolve(cwd, options.tsconfigPath) : findTsconfig(startDir);
  const explicitCompilerOptions = options.tsconfigPath ? readCompilerOptions(tsconfigPath) : undefined;

  const discovered = discoverFiles({ cwd, targets, ignorePatterns: config.ignorePatterns, includeTests: config.lintTestFiles });
  // Files outside the targets still matter: a linted file may import its client from them, and
  // fan-out invalidation spans the project. They are read and gated, but never reported.
  const projectRoot = options.projectRoot ? path.resolve(cwd, options.projectRoot) : findProjectRoot(startDir, tsconfigPath, config.filePath);
  const targetIsRoot = targets.length === 1 && path.resolve(cwd, targets[0]) === projectRoot;
  const context = targetIsRoot
    ? discovered.files
    : discoverFiles({ cwd, targets: [projectRoot], ignorePatterns: config.ignorePatterns, includeTests: config.lintTestFiles }).files;
  const texts = new Map<string, string>();
  const tooLarge: Finding[] = [];
  const unreadable: Finding[] = [];
  const gatingSpecifiers = new Set(createLibraryLookup(config.clients).gatingSpecifiers);
  const targetFiles = new Set(discovered.files);
  const toRead = [...discovered.files, ...context.filter((file) => !targetFiles.has(file))];
  toRead.forEach((file, index) => {
    const isTarget = targetFiles.has(file);
    try {
      const size = fs.statSync(file).size;
      if (size > config.maxFileSize) {
        if (!isTarget) return;
        // Too large to parse. Only worth a finding when it could reach a cache client: a generated
        // bundle that imports no cache library loses nothing by being skipped.
        if (couldReachCache(fs.readFileSync(file, 'utf8'), gatingSpecifiers)) {
          tooLarge.push(skippedFinding(file, tooLargeMessage(size, config.maxFileSize)));
        }
        return;
      }
      texts.set(file, fs.readFileSync(file, 'utf8'));
    } catch (error) {
      if (isTarget) unreadable.push(skippedFinding(file, `File could not be read: ${(error as Error).message}`));
    }
    if (options.onProgress && index % 250 === 0) options.onProgress('read', index, toRead.length);
  });
  const inMemory = new Set<string>();
  for (const [file, text] of Object.entries(options.texts ?? {})) {
    const absolute = path.resolve(cwd, file);
    texts.set(absolute, text);
    inMemory.add(absolute);
  }
  const reportFor = options.onlyTexts ? inMemory : new Set([...targetFiles, ...inMemory].filter((file) => texts.has(file)));

  options.onProgress?.('analyse', 0, texts.size);
  let output = analyze({ texts, reportFor, rules, config, rootDir: cwd, explicitCompilerOptions });
  const originals = new Map<string, string>();
  if (options.fix || options.fixSuggestions) {
    for (let pass = 0; pass < maxFixPasses; pass++) {
      let changed = false;
      for (const [file, findings] of output.findings) {
        const fixes: Fix[] = [];
        for (const finding of findings) {
          if (finding.fix && options.fix) fixes.push(finding.fix);
          else if (options.fixSuggestions && finding.suggestions?.[0]) fixes.push(finding.suggestions[0].fix);
        }
        if (fixes.length === 0) continue;
        const before = texts.get(file) ?? '';
        const { output: after, applied } = applyFixes(before, fixes);
        if (applied === 0 || after === before) continue;
        if (!originals.has(file)) originals.set(file, before);
        texts.set(file, after);
        changed = true;
      }
      if (!changed) break;
      output = analyze({ texts, reportFor, rules, config, rootDir: cwd, explicitCompilerOptions });
    }
  }

  const results: FileResult[] = [];
  const allFindings = new Map(output.findings);
  for (const finding of [...tooLarge, ...unreadable]) allFindings.set(finding.filePath, [finding]);
  for (const [filePath, findings] of allFindings) {
    if (findings.length === 0 && !originals.has(filePath)) continue;
    const result: FileResult = { filePath, findings, source: texts.get(filePath) };
    if (originals.has(filePath)) {
      result.fixed = true;
      result.output = texts.get(filePath);
    }
    results.push(result);
  }
  for (const filePath of originals.keys()) {
    if (!allFindings.has(filePath)) results.push({ filePath, findings: [], fixed: true, output: texts.get(filePath), source: texts.get(filePath) });
  }
  results.sort((a, b) => a.filePath.localeCompare(b.filePath));

  let errorCount = 0;
  let warningCount = 0;
  let fixableCount = 0;
  for (const result of results) {
    for (const finding of result.findings) {
      if (finding.severity === 'error') errorCount++;
      else warningCount++;
      if (finding.fix) fixableCount++;
    }
  }
  return {
    results,
    summary: {
      filesLinted: reportFor.size,
      filesSkippedByGate: texts.size - output.analysedFiles.length - output.supportFiles.length,
      filesParsed: output.analysedFiles.length + output.supportFiles.length,
      errorCount,
      warningCount,
      fixableCount,
      durationMs: Date.now() - started,
    },
    config,
    internalErrors: output.internalErrors,
    missingTargets: discovered.missing,
  };
}
