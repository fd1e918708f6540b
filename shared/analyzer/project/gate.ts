import * as path from 'node:path';
import { Node, Project, SourceFile } from 'ts-morph';
import { ClientResolver } from '../clients/client-resolver';
import { scanImportSpecifiers } from './import-scan';
import { CacheCall, collectCacheCalls } from '../clients/cache-calls';
import { ModuleResolver } from './module-resolver';

/**
 * Decides which files need analysis without parsing most of them. A file is analysed when it
 * imports a cache library, or imports a project module that exports a client (a shared `redis.ts`,
 * a `getRedis()` factory, a re-export); everything else is only read and regex-scanned. Files the
 * analysed ones import (key helpers, the database layer) are parsed as support files so rules can
 * follow key helpers and database reads into them, but rules do not run on them.
 */
export interface GateInput {
  texts: ReadonlyMap<string, string>;
  project: Project;
  modules: ModuleResolver;
  gatingSpecifiers: readonly string[];
  createResolver: () => ClientResolver;
  /** The project registers @fastify/redis: files using the `.redis` decorator reach a client without importing one. */
  fastifyRedis: boolean;
  /** With node_modules installed: whether a package's typings hand out cache clients (wrapper packages). */
  wrapsCacheClient?: (specifier: string, fromFile: string) => boolean;
  /**
   * Files analysed for their own sake with what they import (an editor's open file): unless
   * another of the texts imports them back, what they export cannot matter, and judging every
   * export of a large file as a possible client provider is the costliest step of the gate.
   */
  entryFiles?: ReadonlySet<string>;
}

export interface GateResult {
  analysed: string[];
  support: string[];
  /** Analysed files that import a wrapper package (only with node_modules installed). */
  wrapperImporters: string[];
  /**
   * The resolver that judged the final set, reusable by the rules: files added after it ran are
   * support files and helper callers, which export no client, so its memoised answers stay true.
   */
  resolver: ClientResolver;
  /** Cache calls the gate already collected with `resolver`, by file, so rules do not collect them again. */
  cacheCalls: Map<string, CacheCall[]>;
}

const nestCacheToken = /\bCACHE_MANAGER\b/;
/** `fastify.redis.get(...)`, `request.server.redis.set(...)`: the @fastify/redis decorator in use. */
const fastifyRedisUse = /\.redis\s*\.\s*\w+\s*\(/;

export function selectFilesToAnalyse(input: GateInput): GateResult {
  const { texts, project } = input;
  const gating = new Set(input.gatingSpecifiers);
  const specifiersOf = new Map<string, string[]>();
  const specifiers = (file: string): string[] => {
    let found = specifiersOf.get(file);
    if (!found) {
      found = scanImportSpecifiers(texts.get(file) ?? '');
      specifiersOf.set(file, found);
    }
    return found;
  };
  const resolve = (specifier: string, fromFile: string) => {
    // The resolver may be shared with a bigger set of texts (an editor's whole folder).
    const target = input.modules.resolve(specifier, fromFile);
    return target !== undefined && texts.has(target) ? target : undefined;
  };

  const analysed = new Set<string>();
  const add = (file: string) => {
    analysed.add(file);
    project.createSourceFile(file, texts.get(file) ?? '', { overwrite: true });
  };

  let frontier: string[] = [];
  const wrapperImporters: string[] = [];
  for (const [file, text] of texts) {
    const usesFastifyRedis = input.fastifyRedis && fastifyRedisUse.test(text);
    const importsWrapper = input.wrapsCacheClient !== undefined && specifiers(file).some((specifier) => !gating.has(specifier) && input.wrapsCacheClient!(specifier, file));
    if (importsWrapper) wrapperImporters.push(file);
    const importsCache = importsWrapper || specifiers(file).some((specifier) => gating.has(specifier));
    if (importsCache || nestCacheToken.test(text) || usesFastifyRedis) {
      add(file);
      frontier.push(file);
    }
  }

  const importedBack = (entry: string) =>
    [...texts.keys()].some((other) => other !== entry && specifiers(other).some((specifier) => resolve(specifier, other) === entry));
  const skipProviderCheck = new Set([...(input.entryFiles ?? [])].filter((entry) => !importedBack(entry)));

  // Every provider found so far, by file: re-exporting barrels are judged against it.
  const allProviders = new Map<string, Set<string>>();
  while (frontier.length > 0) {
    const resolver = input.createResolver();
    const providers = new Map<string, Set<string>>();
    for (const file of frontier) {
      if (skipProviderCheck.has(file)) continue;
      const sourceFile = project.getSourceFile(file);
      const reexported = (specifier: string) => {
        const target = resolve(specifier, file);
        return target ? allProviders.get(target) : undefined;
      };
      const names = sourceFile ? resolver.clientExportNames(sourceFile, reexported) : new Set<string>();
      if (names.size > 0) {
        providers.set(file, names);
        allProviders.set(file, names);
      }
    }
    if (providers.size === 0) break;
    const stems = new Set([...providers.keys()].flatMap(importStems));
    const next: string[] = [];
    for (const file of texts.keys()) {
      if (analysed.has(file)) continue;
      const importsProvider = specifiers(file).some((specifier) => {
        if (!stems.has(specifierStem(specifier)) && !input.modules.isWorkspaceSpecifier(specifier)) return false;
        const target = resolve(specifier, file);
        const clientNames = target !== undefined ? providers.get(target) : undefined;
        // A file importing only unrelated names from a big barrel cannot reach the client.
        return clientNames !== undefined && importsAnyOf(texts.get(file) ?? '', specifier, clientNames);
      });
      if (importsProvider) next.push(file);
    }
    for (const file of next) add(file);
    frontier = next;
  }

  // Files that call a project helper which itself talks to the cache (`invalidateProduct(id)`)
  // are write paths too: project-wide rules follow such helpers one call deep.
  const helperNames = new Map<string, Set<string>>();
  const helperCallers = new Set<string>();
  const finalResolver = input.createResolver();
  const cacheCalls = new Map<string, CacheCall[]>();
  for (const file of analysed) {
    const sourceFile = project.getSourceFile(file);
    if (!sourceFile) continue;
    const calls = collectCacheCalls(sourceFile, finalResolver);
    cacheCalls.set(file, calls);
    if (skipProviderCheck.has(file)) continue;
    const names = cacheHelperNames(sourceFile, calls);
    if (names.size > 0) helperNames.set(file, names);
  }
  if (helperNames.size > 0) {
    const stems = new Set([...helperNames.keys()].flatMap(importStems));
    for (const file of texts.keys()) {
      if (analysed.has(file)) continue;
      const callsHelper = specifiers(file).some((specifier) => {
        if (!stems.has(specifierStem(specifier)) && !input.modules.isWorkspaceSpecifier(specifier)) return false;
        const target = resolve(specifier, file);
        const names = target !== undefined ? helperNames.get(target) : undefined;
        return names !== undefined && importsAnyOf(texts.get(file) ?? '', specifier, names);
      });
      if (callsHelper) {
        add(file);
        helperCallers.add(file);
      }
    }
  }

  // Support files: what analysed files import (key helpers, the database layer). Through a barrel
  // (`export * from './x'`) only the modules that declare an imported name are followed, so a
  // package index does not drag the whole package in.
  const support = new Set<string>();
  const addSupport = (target: string) => {
    if (analysed.has(target) || support.has(target)) return;
    support.add(target);
    project.createSourceFile(target, texts.get(target) ?? '', { overwrite: true });
  };
  const followBarrel = (barrel: string, names: ReadonlySet<string> | 'all', depth: number) => {
    const text = texts.get(barrel) ?? '';
    for (const match of text.matchAll(reexportPattern)) {
      const target = resolve(match[3], barrel);
      if (!target || analysed.has(target) || support.has(target)) continue;
      const targetText = texts.get(target) ?? '';
      if (names !== 'all' && ![...names].some((name) => declaresName(targetText, name))) {
        if (depth < 2 && hasReexport.test(targetText)) followBarrel(target, names, depth + 1);
        continue;
      }
      addSupport(target);
      if (depth < 2) followBarrel(target, names, depth + 1);
    }
  };
  for (const file of analysed) {
    // A file that only calls a cache helper (often an app's entry, importing every module) is not
    // followed further: its own imports are not what the helper fills or invalidates.
    if (helperCallers.has(file)) continue;
    const text = texts.get(file) ?? '';
    for (const specifier of importSpecifiersOnly(text)) {
      // Workspace packages are whole libraries: their barrels are not helpers worth parsing.
      if (gating.has(specifier) || input.modules.isWorkspaceSpecifier(specifier)) continue;
      const target = resolve(specifier, file);
      if (!target) continue;
      addSupport(target);
      followBarrel(target, importedNames(text, specifier), 0);
    }
  }
  return { analysed: [...analysed], support: [...support], wrapperImporters, resolver: finalResolver, cacheCalls };
}

/** The names an import of this file could end with: `redis` for `cache/redis.ts`, `cache` for `cache/index.ts`. */
function importStems(file: string): string[] {
  const base = path.basename(file).replace(/\.(d\.)?[cm]?[jt]sx?$/, '');
  return base === 'index' ? ['index', path.basename(path.dirname(file))] : [base];
}

function specifierStem(specifier: string): string {
  const last = specifier.replace(/\/+$/, '').split('/').pop() ?? '';
  return last.replace(/\.[cm]?[jt]sx?$/, '');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** What a file's imports of one specifier bind, read from its text without parsing. */
interface ImportBindings {
  /** A namespace import, require() or dynamic import: any export may be reached. */
  everything: boolean;
  /** `export ... from` the specifier: the file is a barrel for it. */
  reexport: boolean;
  defaultImport: boolean;
  named: Set<string>;
}

function importBindings(text: string, specifier: string): ImportBindings {
  const quoted = `['"]${escapeRegExp(specifier)}['"]`;
  const bindings: ImportBindings = {
    everything: new RegExp(`\\b(require|import)\\s*\\(\\s*${quoted}`).test(text),
    reexport: new RegExp(`\\bexport\\s*(\\*|type\\s*\\{|\\{)[^;]*?from\\s*${quoted}`).test(text),
    defaultImport: false,
    named: new Set(),
  };
  for (const match of text.matchAll(new RegExp(`\\bimport\\s+([^;'"]*?)\\s*from\\s*${quoted}`, 'g'))) {
    const clause = match[1].replace(/^type\s+/, '').trim();
    if (clause.includes('*')) bindings.everything = true;
    const braceStart = clause.indexOf('{');
    if ((braceStart === -1 ? clause : clause.slice(0, braceStart)).replace(/,\s*$/, '').trim()) bindings.defaultImport = true;
    if (braceStart === -1) continue;
    for (const part of clause.slice(braceStart + 1, clause.lastIndexOf('}')).split(',')) {
      const imported = part.trim().replace(/^type\s+/, '').split(/\s+as\s+/)[0]?.trim();
      if (imported) bindings.named.add(imported);
    }
  }
  return bindings;
}

/**
 * Whether a file's imports of `specifier` can bind one of `names`: a named or default import of
 * one, a namespace import, require() or dynamic import (anything), or a re-export (the barrel is
 * then checked as a provider itself).
 */
export function importsAnyOf(text: string, specifier: string, names: ReadonlySet<string>): boolean {
  const bindings = importBindings(text, specifier);
  if (bindings.everything || bindings.reexport) return true;
  if (bindings.defaultImport && names.has('default')) return true;
  return [...bindings.named].some((name) => names.has(name));
}

/** Exported functions and function-valued consts of a file whose bodies send cache commands. */
function cacheHelperNames(file: SourceFile, calls: readonly CacheCall[]): Set<string> {
  const names = new Set<string>();
  if (calls.length === 0) return names;
  for (const statement of file.getStatements()) {
    const exportedNames: string[] = [];
    // Functions only: a service class is imported by every controller and module of an app, and
    // following all of them would parse most of it for little gain.
    if (Node.isFunctionDeclaration(statement)) {
      if (statement.hasExportKeyword()) exportedNames.push(statement.hasDefaultKeyword() ? 'default' : (statement.getName() ?? 'default'));
    } else if (Node.isVariableStatement(statement) && statement.hasExportKeyword()) {
      for (const declaration of statement.getDeclarations()) {
        const initializer = declaration.getInitializer();
        if (initializer && (Node.isArrowFunction(initializer) || Node.isFunctionExpression(initializer))) exportedNames.push(declaration.getName());
      }
    }
    if (exportedNames.length === 0) continue;
    const start = statement.getPos();
    const end = statement.getEnd();
    if (calls.some((call) => call.call.getStart() >= start && call.call.getEnd() <= end)) {
      for (const name of exportedNames) names.add(name);
    }
  }
  return names;
}

/** `export * from './x'` and `export { a, b } from './x'`. */
const reexportPattern = /\bexport\s*(\*(?:\s*as\s+\w+)?|(?:type\s*)?\{[^}]*\})\s*from\s*(['"])([^'"]+)\2/g;

const hasReexport = /\bexport\s*(\*|(type\s*)?\{[^}]*\})\s*from\s*['"]/;

/** Specifiers a file imports (not the ones it only re-exports). */
function importSpecifiersOnly(text: string): string[] {
  const found = new Set<string>();
  for (const match of text.matchAll(/\bimport\s+(?:[^;'"]*?\s+from\s*)?(['"])([^'"\n]+)\1|\b(?:require|import)\s*\(\s*(['"])([^'"\n]+)\3/g)) {
    found.add(match[2] ?? match[4]);
  }
  return [...found];
}

/** The names a file imports from a specifier, or 'all' for namespace, default-only or require imports. */
function importedNames(text: string, specifier: string): ReadonlySet<string> | 'all' {
  const bindings = importBindings(text, specifier);
  return bindings.everything || bindings.named.size === 0 ? 'all' : bindings.named;
}

function declaresName(text: string, name: string): boolean {
  const escaped = escapeRegExp(name);
  return new RegExp(`\\b(function\\*?|const|let|var|class|enum|interface|type|namespace)\\s+${escaped}\\b|\\bexport\\s*\\{[^}]*\\b${escaped}\\b`).test(text);
}
