import * as fs from 'node:fs';
import * as path from 'node:path';
import ignore from 'ignore';
import picomatch from 'picomatch';
import type { ResolvedConfig } from '../../config/config-types';
import { createLibraryLookup } from '../clients/libraries';
import { analyze, factsOfText, InternalError, ProjectFacts } from '../engine/analyze';
import { couldReachCache, skippedFinding, tooLargeMessage } from '../engine/skipped-files';
import { discoverFiles, testFilePatterns } from '../project/discover';
import { scanImportSpecifiers } from '../project/import-scan';
import { ModuleResolver } from '../project/module-resolver';
import { allRules } from '../rules';
import type { AnyRule } from '../rules/create-rule';
import { unusedDirectiveRuleId } from '../rules/no-unused-disable';
import type { Finding, KeySite } from '../types';

/**
 * A long-lived view of one workspace folder for editors: the texts of its files (editor buffers
 * over disk), and two ways to analyse them. `analyzeFile` runs the rules that judge one file at a
 * time over that file and what it imports, fast enough to run on every keystroke;
 * `analyzeWorkspace` runs every rule over the whole folder, which cross-file rules need and which
 * an editor runs in the background. The engine is the same one `cachescope lint` runs.
 */

export interface WorkspaceSessionOptions {
  /** The workspace folder: files are discovered below it and paths in fingerprints are relative to it. */
  root: string;
  config: ResolvedConfig;
  rules?: readonly AnyRule[];
}

export interface FileAnalysis {
  filePath: string;
  /** Findings of the per-file rules (empty when the file is not linted: ignored, or a test file). */
  findings: Finding[];
  /** The key index of this file (kept for files that are not linted too: hovers still explain keys). */
  keySites: KeySite[];
  internalErrors: InternalError[];
  /** False for files the configuration leaves out (ignore patterns, .gitignore, test files). */
  linted: boolean;
  /** Files read to analyse it (the file and its import closure) and files parsed among them. */
  filesRead: number;
  filesParsed: number;
  durationMs: number;
}

export interface WorkspaceAnalysis {
  /** Every rule's findings, by file; files without findings are absent. */
  findings: Map<string, Finding[]>;
  keySites: KeySite[];
  internalErrors: InternalError[];
  filesLinted: number;
  filesParsed: number;
  durationMs: number;
}

/** How far `analyzeFile` follows imports: clients, key helpers and barrels sit a few hops away. */
const closureDepth = 4;
const closureLimit = 400;

export class WorkspaceSession {
  readonly root: string;
  readonly config: ResolvedConfig;
  private readonly rules: readonly AnyRule[];
  private readonly fileRules: readonly AnyRule[];
  private readonly diskTexts = new Map<string, string>();
  private readonly overlays = new Map<string, string>();
  private readonly tooLarge = new Map<string, number>();
  private readonly factsByFile = new Map<string, ProjectFacts>();
  private lintSet = new Set<string>();
  private loaded = false;
  private merged?: Map<string, string>;
  private resolver?: ModuleResolver;
  private facts?: ProjectFacts;
  private readonly gatingSpecifiers: ReadonlySet<string>;
  private readonly isTestFile: (relative: string) => boolean;

  constructor(options: WorkspaceSessionOptions) {
    this.root = path.resolve(options.root);
    this.config = options.config;
    this.rules = options.rules ?? allRules;
    this.fileRules = this.rules.filter((rule) => rule.meta.scope === 'file' && rule.name !== unusedDirectiveRuleId);
    this.gatingSpecifiers = new Set(createLibraryLookup(this.config.clients).gatingSpecifiers);
    this.isTestFile = picomatch(testFilePatterns, { dot: true });
  }

  /**
   * Rule ids whose findings only `analyzeWorkspace` gives: cross-file rules, and unused-directive
   * reports (a partial run cannot know which directives the cross-file rules use).
   */
  get workspaceRuleIds(): ReadonlySet<string> {
    return new Set(this.rules.filter((rule) => !this.fileRules.includes(rule)).map((rule) => rule.name));
  }

  /** Finds the folder's files (honouring .gitignore and the configuration) and reads them. */
  load(onProgress?: (done: number, total: number) => void): number {
    const context = discoverFiles({ cwd: this.root, targets: [this.root], ignorePatterns: this.config.ignorePatterns, includeTests: this.config.lintTestFiles });
    this.lintSet = new Set(context.files);
    this.diskTexts.clear();
    this.tooLarge.clear();
    this.factsByFile.clear();
    context.files.forEach((file, index) => {
      this.readFromDisk(file);
      if (onProgress && index % 200 === 0) onProgress(index, context.files.length);
    });
    for (const [file, text] of this.overlays) this.factsByFile.set(file, factsOfText(text));
    this.loaded = true;
    onProgress?.(context.files.length, context.files.length);
    this.invalidate(true);
    return context.files.length;
  }

  get fileCount(): number {
    return this.lintSet.size;
  }

  isLinted(file: string): boolean {
    return this.lintSet.has(path.normalize(file));
  }

  /** True when the file lies inside this workspace folder. */
  contains(file: string): boolean {
    const relative = path.relative(this.root, file);
    return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
  }

  /** An editor buffer's text, which wins over the file on disk; `undefined` goes back to the disk text. */
  setText(file: string, text: string | undefined): void {
    const normalised = path.normalize(file);
    if (text === undefined) this.overlays.delete(normalised);
    else this.overlays.set(normalised, text);
    this.factsByFile.set(normalised, factsOfText(text ?? this.diskTexts.get(normalised) ?? ''));
    this.invalidate(!this.diskTexts.has(normalised));
  }

  /** A file was created, changed or deleted on disk. */
  fileChanged(file: string): void {
    const normalised = path.normalize(file);
    const existed = this.diskTexts.has(normalised) || this.tooLarge.has(normalised);
    const exists = fs.existsSync(normalised);
    if (!exists) {
      this.diskTexts.delete(normalised);
      this.tooLarge.delete(normalised);
      this.factsByFile.delete(normalised);
      this.lintSet.delete(normalised);
      this.invalidate(true);
      return;
    }
    if (!existed) {
      // A new file is linted when a fresh discovery would find it: same ignore rules as the CLI.
      const found = discoverFiles({ cwd: this.root, targets: [path.dirname(normalised)], ignorePatterns: this.config.ignorePatterns, includeTests: this.config.lintTestFiles });
      if (!found.files.includes(normalised) || !this.passesTestFilter(normalised)) return;
      this.lintSet.add(normalised);
    }
    this.readFromDisk(normalised);
    this.invalidate(!existed);
  }

  /** The text the analysis sees for a file: the editor buffer, else the disk. */
  textOf(file: string): string | undefined {
    const normalised = path.normalize(file);
    return this.overlays.get(normalised) ?? this.diskTexts.get(normalised);
  }

  /** Per-file rules over one file and what it imports; `text` analyses a version of it not yet set (fix-all passes). */
  analyzeFile(file: string, text?: string): FileAnalysis {
    const started = performance.now();
    const filePath = path.normalize(file);
    text ??= this.textOf(filePath) ?? readOrEmpty(filePath);
    // Without a loaded folder (a file opened on its own) there is no lint set to consult: lint it.
    const linted = this.loaded ? this.isLinted(filePath) || (!this.diskTexts.has(filePath) && !this.tooLarge.has(filePath) && this.wouldLint(filePath)) : true;
    const base = { filePath, keySites: [], internalErrors: [], linted, filesRead: 1, filesParsed: 0 };
    if (Buffer.byteLength(text) > this.config.maxFileSize) {
      const findings = linted && couldReachCache(text, this.gatingSpecifiers) ? [skippedFinding(filePath, tooLargeMessage(Buffer.byteLength(text), this.config.maxFileSize))] : [];
      return { ...base, findings, durationMs: performance.now() - started };
    }
    const texts = this.closureOf(filePath, text);
    const output = analyze({
      texts,
      reportFor: new Set([filePath]),
      rules: this.fileRules,
      config: this.config,
      rootDir: this.root,
      facts: this.projectFacts(),
      skipUnusedDirectives: true,
      collectKeySites: true,
      entryFiles: new Set([filePath]),
      modules: this.resolver,
    });
    return {
      filePath,
      findings: linted ? (output.findings.get(filePath) ?? []) : [],
      keySites: output.keySites,
      internalErrors: output.internalErrors,
      linted,
      filesRead: texts.size,
      filesParsed: output.analysedFiles.length + output.supportFiles.length,
      durationMs: performance.now() - started,
    };
  }

  /** Every rule over every file of the folder. */
  analyzeWorkspace(): WorkspaceAnalysis {
    const started = performance.now();
    const texts = this.texts();
    const output = analyze({
      texts,
      reportFor: this.lintSet,
      rules: this.rules,
      config: this.config,
      rootDir: this.root,
      facts: this.projectFacts(),
      collectKeySites: true,
    });
    for (const [file, size] of this.tooLarge) {
      if (!this.lintSet.has(file) || this.overlays.has(file)) continue;
      const diskText = readOrEmpty(file);
      if (couldReachCache(diskText, this.gatingSpecifiers)) output.findings.set(file, [skippedFinding(file, tooLargeMessage(size, this.config.maxFileSize))]);
    }
    return {
      findings: output.findings,
      keySites: output.keySites,
      internalErrors: output.internalErrors,
      filesLinted: this.lintSet.size,
      filesParsed: output.analysedFiles.length + output.supportFiles.length,
      durationMs: performance.now() - started,
    };
  }

  private readFromDisk(file: string): void {
    try {
      const size = fs.statSync(file).size;
      if (size > this.config.maxFileSize) {
        this.tooLarge.set(file, size);
        this.diskTexts.delete(file);
        return;
      }
      const text = fs.readFileSync(file, 'utf8');
      this.diskTexts.set(file, text);
      this.tooLarge.delete(file);
      if (!this.overlays.has(file)) this.factsByFile.set(file, factsOfText(text));
    } catch {
      // Unreadable now (deleted between the event and the read): the next event brings it back.
      this.diskTexts.delete(file);
    }
  }

  /**
   * For a buffer with no file on disk yet (or outside the folder): what discovery would decide for
   * it by name: not a test file (unless configured), not in an ignore pattern, not under
   * node_modules or a dot-directory.
   */
  private wouldLint(file: string): boolean {
    if (!this.contains(file)) return true;
    const relative = path.relative(this.root, file).split(path.sep).join('/');
    const segments = relative.split('/').slice(0, -1);
    if (segments.some((segment) => segment === 'node_modules' || segment.startsWith('.'))) return false;
    if (this.config.ignorePatterns.length > 0 && ignore().add(this.config.ignorePatterns).ignores(relative)) return false;
    return this.passesTestFilter(file);
  }

  private passesTestFilter(file: string): boolean {
    if (this.config.lintTestFiles) return true;
    return !this.isTestFile(path.relative(this.root, file).split(path.sep).join('/'));
  }

  private invalidate(fileSetChanged: boolean): void {
    this.merged = undefined;
    this.facts = undefined;
    if (fileSetChanged) this.resolver = undefined;
  }

  private texts(): Map<string, string> {
    if (!this.merged) {
      const merged = new Map(this.diskTexts);
      for (const [file, text] of this.overlays) merged.set(file, text);
      this.merged = merged;
    }
    return this.merged;
  }

  private projectFacts(): ProjectFacts {
    if (!this.facts) {
      const facts: ProjectFacts = { nestCacheHasDefaultTtl: false, fastifyRedis: false };
      for (const own of this.factsByFile.values()) {
        facts.nestCacheHasDefaultTtl ||= own.nestCacheHasDefaultTtl;
        facts.fastifyRedis ||= own.fastifyRedis;
      }
      this.facts = facts;
    }
    return this.facts;
  }

  /**
   * The file and the project modules it reaches through imports and re-exports, a few hops deep:
   * where its clients, key helpers and database layer come from.
   */
  private closureOf(file: string, text: string): Map<string, string> {
    const all = this.texts();
    if (!all.has(file)) {
      // A buffer outside the known files (new, or outside the folder) resolves its imports like one.
      all.set(file, text);
      this.resolver = undefined;
    }
    this.resolver ??= new ModuleResolver(all);
    const closure = new Map<string, string>([[file, text]]);
    let frontier = [file];
    for (let depth = 0; depth < closureDepth && frontier.length > 0 && closure.size < closureLimit; depth++) {
      const next: string[] = [];
      for (const from of frontier) {
        for (const specifier of scanImportSpecifiers(closure.get(from) ?? '')) {
          if (this.gatingSpecifiers.has(specifier)) continue;
          const target = this.resolver.resolve(specifier, from);
          if (!target || closure.has(target)) continue;
          const targetText = all.get(target);
          if (targetText === undefined) continue;
          closure.set(target, targetText);
          next.push(target);
          if (closure.size >= closureLimit) break;
        }
      }
      frontier = next;
    }
    return closure;
  }
}

function readOrEmpty(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
