import * as fs from 'node:fs';
import * as path from 'node:path';
import { ts } from 'ts-morph';
import { isRelativeSpecifier } from './import-scan';

/**
 * Resolves project-relative module specifiers the way each file's own tsconfig.json does. In a
 * monorepo every package has its own `paths` (`@/lib/redis` in apps/web means apps/web/lib/redis),
 * so one set of compiler options for the whole run would miss most aliased imports. In-memory
 * texts (editor buffers, tests) resolve like files on disk.
 */
export class ModuleResolver {
  private readonly optionsByDir = new Map<string, ts.CompilerOptions>();
  private readonly caches = new Map<ts.CompilerOptions, ts.ModuleResolutionCache>();
  private readonly results = new Map<string, string | null>();
  private textDirectories?: Set<string>;
  private readonly host: ts.ModuleResolutionHost;

  constructor(
    private readonly texts: ReadonlyMap<string, string>,
    /** Options from an explicit `--project`; otherwise each file's nearest tsconfig.json. */
    private readonly explicitOptions?: ts.CompilerOptions,
  ) {
    // Packages are never project files: not probing node_modules keeps resolution cheap.
    const inNodeModules = (file: string) => file.includes(`${path.sep}node_modules${path.sep}`) || file.endsWith(`${path.sep}node_modules`);
    this.host = {
      fileExists: (file) => this.texts.has(path.normalize(file)) || (!inNodeModules(file) && ts.sys.fileExists(file)),
      readFile: (file) => this.texts.get(path.normalize(file)) ?? ts.sys.readFile(file),
      directoryExists: (dir) => this.isTextDirectory(dir) || (!inNodeModules(dir) && ts.sys.directoryExists(dir)),
      realpath: ts.sys.realpath,
      getCurrentDirectory: () => process.cwd(),
    };
  }

  /** The project file a specifier names, or undefined for packages and unresolvable specifiers. */
  resolve(specifier: string, fromFile: string): string | undefined {
    const options = this.optionsFor(fromFile);
    if (!isRelativeSpecifier(specifier) && !options.paths && !options.baseUrl) return undefined;
    const key = `${path.dirname(fromFile)}\0${specifier}`;
    const cached = this.results.get(key);
    if (cached !== undefined) return cached ?? undefined;
    const resolved = ts.resolveModuleName(specifier, fromFile, options, this.host, this.cacheFor(options)).resolvedModule;
    const file = resolved && !resolved.isExternalLibraryImport ? path.normalize(resolved.resolvedFileName) : undefined;
    const result = file && this.texts.has(file) ? file : undefined;
    this.results.set(key, result ?? null);
    return result;
  }

  /** A ts-morph resolution host, so the binder follows the same per-package aliases. */
  resolveModuleNames(moduleNames: string[], containingFile: string): Array<ts.ResolvedModuleFull | undefined> {
    return moduleNames.map((name) => {
      const file = this.resolve(name, containingFile);
      if (!file) return undefined;
      return { resolvedFileName: file, extension: extensionOf(file), isExternalLibraryImport: false };
    });
  }

  optionsFor(file: string): ts.CompilerOptions {
    if (this.explicitOptions) return this.explicitOptions;
    const dir = path.dirname(file);
    const cached = this.optionsByDir.get(dir);
    if (cached) return cached;
    const configPath = nearestTsconfig(dir);
    let options: ts.CompilerOptions = configPath ? (this.optionsByDir.get(`config:${configPath}`) ?? readOptions(configPath)) : {};
    if (configPath) this.optionsByDir.set(`config:${configPath}`, options);
    if (!options.moduleResolution) options = { ...options, moduleResolution: ts.ModuleResolutionKind.Bundler, module: ts.ModuleKind.ESNext };
    this.optionsByDir.set(dir, options);
    return options;
  }

  private cacheFor(options: ts.CompilerOptions): ts.ModuleResolutionCache {
    let cache = this.caches.get(options);
    if (!cache) {
      cache = ts.createModuleResolutionCache(process.cwd(), (name) => name, options);
      this.caches.set(options, cache);
    }
    return cache;
  }

  private isTextDirectory(dir: string): boolean {
    if (!this.textDirectories) {
      const dirs = new Set<string>();
      for (const file of this.texts.keys()) {
        for (let current = path.dirname(file); !dirs.has(current); current = path.dirname(current)) {
          dirs.add(current);
          if (path.dirname(current) === current) break;
        }
      }
      this.textDirectories = dirs;
    }
    return this.textDirectories.has(path.normalize(dir));
  }
}

function nearestTsconfig(startDir: string): string | undefined {
  for (let dir = startDir; ; dir = path.dirname(dir)) {
    for (const name of ['tsconfig.json', 'jsconfig.json']) {
      const candidate = path.join(dir, name);
      if (fs.existsSync(candidate)) return candidate;
    }
    if (path.dirname(dir) === dir || fs.existsSync(path.join(dir, '.git'))) return undefined;
  }
}

function readOptions(configPath: string): ts.CompilerOptions {
  const read = ts.readConfigFile(configPath, ts.sys.readFile);
  if (read.error) return {};
  try {
    return ts.parseJsonConfigFileContent(read.config, ts.sys, path.dirname(configPath), undefined, configPath).options;
  } catch {
    // A tsconfig whose `extends` cannot be found (uninstalled shared config) still has its own paths.
    return ts.convertCompilerOptionsFromJson(read.config.compilerOptions ?? {}, path.dirname(configPath)).options;
  }
}

function extensionOf(file: string): ts.Extension {
  if (file.endsWith('.d.ts')) return ts.Extension.Dts;
  const ext = path.extname(file);
  switch (ext) {
    case '.tsx':
      return ts.Extension.Tsx;
    case '.js':
      return ts.Extension.Js;
    case '.jsx':
      return ts.Extension.Jsx;
    case '.mjs':
      return ts.Extension.Mjs;
    case '.cjs':
      return ts.Extension.Cjs;
    case '.mts':
      return ts.Extension.Mts;
    case '.cts':
      return ts.Extension.Cts;
    default:
      return ts.Extension.Ts;
  }
}

const resolvers = new WeakMap<object, ModuleResolver>();

/** Lets code that only holds a ts-morph Project (e.g. database recognition) resolve like the engine. */
export function attachModuleResolver(project: object, resolver: ModuleResolver): void {
  resolvers.set(project, resolver);
}

export function moduleResolverOf(project: object): ModuleResolver | undefined {
  return resolvers.get(project);
}
