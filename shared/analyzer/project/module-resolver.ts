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
    const relative = isRelativeSpecifier(specifier);
    const workspace = relative ? undefined : this.workspacePackageOf(specifier);
    if (!relative && !workspace && !options.paths && !options.baseUrl) return undefined;
    const key = `${path.dirname(fromFile)}\0${specifier}`;
    const cached = this.results.get(key);
    if (cached !== undefined) return cached ?? undefined;
    const resolved = ts.resolveModuleName(specifier, fromFile, options, this.host, this.cacheFor(options)).resolvedModule;
    let file = resolved && !resolved.isExternalLibraryImport ? path.normalize(resolved.resolvedFileName) : undefined;
    if ((!file || !this.texts.has(file)) && workspace) file = this.resolveInWorkspacePackage(specifier, workspace);
    const result = file && this.texts.has(file) ? file : undefined;
    this.results.set(key, result ?? null);
    return result;
  }

  /** True when a bare specifier names a package of this project (a monorepo workspace package). */
  isWorkspaceSpecifier(specifier: string): boolean {
    return !isRelativeSpecifier(specifier) && this.workspacePackageOf(specifier) !== undefined;
  }

  /**
   * Monorepo packages imported by name (`@acme/cache`), found from the package.json files of the
   * project's own sources, so a shared `packages/redis` client is followed without node_modules.
   */
  private workspacePackageOf(specifier: string): { name: string; dir: string; manifest: Record<string, unknown> } | undefined {
    const packages = this.workspacePackages();
    const parts = specifier.split('/');
    const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
    return packages.get(name);
  }

  private workspacePackagesCache?: Map<string, { name: string; dir: string; manifest: Record<string, unknown> }>;

  private workspacePackages(): Map<string, { name: string; dir: string; manifest: Record<string, unknown> }> {
    if (this.workspacePackagesCache) return this.workspacePackagesCache;
    const packages = new Map<string, { name: string; dir: string; manifest: Record<string, unknown> }>();
    const seenDirs = new Set<string>();
    for (const file of this.texts.keys()) {
      for (let dir = path.dirname(file); !seenDirs.has(dir); dir = path.dirname(dir)) {
        seenDirs.add(dir);
        const manifestPath = path.join(dir, 'package.json');
        if (fs.existsSync(manifestPath)) {
          try {
            const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as Record<string, unknown>;
            if (typeof manifest.name === 'string' && !packages.has(manifest.name)) packages.set(manifest.name, { name: manifest.name, dir, manifest });
          } catch {
            // An unreadable package.json names no package.
          }
          break;
        }
        if (path.dirname(dir) === dir) break;
      }
    }
    this.workspacePackagesCache = packages;
    return packages;
  }

  /** `@acme/cache` → its entry source (types/main mapped back to src), `@acme/cache/keys` → that module. */
  private resolveInWorkspacePackage(specifier: string, pkg: { name: string; dir: string; manifest: Record<string, unknown> }): string | undefined {
    const subpath = specifier.slice(pkg.name.length).replace(/^\//, '');
    const anchor = path.join(pkg.dir, 'package.json');
    const options = this.optionsFor(anchor);
    const tryRelative = (relativePath: string): string | undefined => {
      const request = `./${relativePath.replace(/^\.\//, '')}`;
      const resolved = ts.resolveModuleName(request, anchor, options, this.host, this.cacheFor(options)).resolvedModule;
      const file = resolved ? path.normalize(resolved.resolvedFileName) : undefined;
      return file && this.texts.has(file) ? file : undefined;
    };
    const sourceOf = (entry: string) => entry.replace(/^\.\//, '').replace(/^(dist|build|lib|out)\//, 'src/').replace(/\.d\.ts$|\.[cm]?js$/, '');
    if (subpath) return tryRelative(subpath) ?? tryRelative(`src/${subpath}`) ?? tryRelative(sourceOf(subpath));
    const manifest = pkg.manifest;
    const exportsField = manifest.exports as unknown;
    const dotExport = typeof exportsField === 'string' ? exportsField : (exportsField as Record<string, unknown> | undefined)?.['.'];
    const exportEntry = typeof dotExport === 'string' ? dotExport : dotExport && typeof dotExport === 'object' ? Object.values(dotExport as Record<string, unknown>).find((v) => typeof v === 'string') : undefined;
    const entries = [manifest.source, manifest.types, manifest.typings, exportEntry, manifest.module, manifest.main]
      .filter((entry): entry is string => typeof entry === 'string');
    for (const entry of entries) {
      const found = tryRelative(entry.replace(/\.d\.ts$|\.[cm]?js$/, '')) ?? tryRelative(sourceOf(entry));
      if (found) return found;
    }
    return tryRelative('src/index') ?? tryRelative('index');
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
