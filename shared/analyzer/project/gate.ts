import * as path from 'node:path';
import { Project, ts } from 'ts-morph';
import { ClientResolver } from '../clients/client-resolver';
import { isRelativeSpecifier, scanImportSpecifiers } from './import-scan';

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
  compilerOptions: ts.CompilerOptions;
  gatingSpecifiers: readonly string[];
  createResolver: () => ClientResolver;
}

export interface GateResult {
  analysed: string[];
  support: string[];
}

const nestCacheToken = /\bCACHE_MANAGER\b/;

export function selectFilesToAnalyse(input: GateInput): GateResult {
  const { texts, project, compilerOptions } = input;
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
  const hasAliases = Boolean(compilerOptions.paths || compilerOptions.baseUrl);
  const resolutionCache = ts.createModuleResolutionCache(process.cwd(), (name) => name, compilerOptions);
  // In-memory texts (editor buffers, tests) resolve like files on disk.
  let textDirectories: Set<string> | undefined;
  const isTextDirectory = (dir: string): boolean => {
    if (!textDirectories) {
      textDirectories = new Set();
      for (const file of texts.keys()) {
        for (let current = path.dirname(file); !textDirectories.has(current); current = path.dirname(current)) {
          textDirectories.add(current);
          if (path.dirname(current) === current) break;
        }
      }
    }
    return textDirectories.has(path.normalize(dir));
  };
  const host: ts.ModuleResolutionHost = {
    fileExists: (file) => texts.has(path.normalize(file)) || ts.sys.fileExists(file),
    readFile: (file) => texts.get(path.normalize(file)) ?? ts.sys.readFile(file),
    directoryExists: (dir) => isTextDirectory(dir) || ts.sys.directoryExists(dir),
    realpath: ts.sys.realpath,
    getCurrentDirectory: () => process.cwd(),
  };
  const resolve = (specifier: string, fromFile: string): string | undefined => {
    if (!isRelativeSpecifier(specifier) && !hasAliases) return undefined;
    const resolved = ts.resolveModuleName(specifier, fromFile, compilerOptions, host, resolutionCache).resolvedModule;
    if (!resolved || resolved.isExternalLibraryImport) return undefined;
    const file = path.normalize(resolved.resolvedFileName);
    return texts.has(file) ? file : undefined;
  };

  const analysed = new Set<string>();
  const add = (file: string) => {
    analysed.add(file);
    project.createSourceFile(file, texts.get(file) ?? '', { overwrite: true });
  };

  let frontier: string[] = [];
  for (const [file, text] of texts) {
    if (specifiers(file).some((specifier) => gating.has(specifier)) || nestCacheToken.test(text)) {
      add(file);
      frontier.push(file);
    }
  }

  while (frontier.length > 0) {
    const resolver = input.createResolver();
    const providers = frontier.filter((file) => {
      const sourceFile = project.getSourceFile(file);
      return sourceFile ? resolver.exportsClient(sourceFile) : false;
    });
    if (providers.length === 0) break;
    const providerSet = new Set(providers);
    const stems = new Set(providers.flatMap(importStems));
    const next: string[] = [];
    for (const file of texts.keys()) {
      if (analysed.has(file)) continue;
      const importsProvider = specifiers(file).some((specifier) => {
        if (!stems.has(specifierStem(specifier))) return false;
        const target = resolve(specifier, file);
        return target !== undefined && providerSet.has(target);
      });
      if (importsProvider) next.push(file);
    }
    for (const file of next) add(file);
    frontier = next;
  }

  const support = new Set<string>();
  for (const file of analysed) {
    for (const specifier of specifiers(file)) {
      if (gating.has(specifier)) continue;
      const target = resolve(specifier, file);
      if (target && !analysed.has(target) && !support.has(target)) {
        support.add(target);
        project.createSourceFile(target, texts.get(target) ?? '', { overwrite: true });
      }
    }
  }
  return { analysed: [...analysed], support: [...support] };
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
