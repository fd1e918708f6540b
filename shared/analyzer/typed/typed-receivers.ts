import * as fs from 'node:fs';
import * as path from 'node:path';
import { ts } from 'ts-morph';
import type { CacheLibrary } from '../clients/libraries';

/**
 * Type information for receivers the syntactic resolver cannot place. When the project has its
 * cache libraries installed, a call like `this.redisService.getOrThrow('main').set(...)` on a
 * wrapper package the engine has never heard of still has a declared type: `Redis` from ioredis.
 * A TypeScript program over the analysed files (with the real `node_modules` typings) answers
 * "which library declares this receiver's type?". Without node_modules nothing is built and
 * recognition stays syntactic.
 */
export interface TypedClient {
  library: CacheLibrary;
  batch?: 'pipeline' | 'multi';
}

const libraryPackages: Array<[RegExp, CacheLibrary]> = [
  [/[\\/]node_modules[\\/]ioredis[\\/]/, 'ioredis'],
  [/[\\/]node_modules[\\/](@redis[\\/]client|redis)[\\/]/, 'node-redis'],
  [/[\\/]node_modules[\\/](@upstash[\\/]redis|@vercel[\\/]kv)[\\/]/, 'upstash'],
  [/[\\/]node_modules[\\/]cache-manager[\\/]/, 'cache-manager'],
  [/[\\/]node_modules[\\/](keyv|@keyv[\\/][^\\/]+)[\\/]/, 'keyv'],
];
const installedMarkers = ['ioredis', 'redis', '@redis/client', '@upstash/redis', '@vercel/kv', 'cache-manager', 'keyv'];

/** The node_modules directory (from `rootDir` upwards) that has a cache library installed, if any. */
export function findInstalledCacheLibraries(rootDir: string): string | undefined {
  for (let dir = path.resolve(rootDir); ; dir = path.dirname(dir)) {
    const modules = path.join(dir, 'node_modules');
    if (installedMarkers.some((name) => fs.existsSync(path.join(modules, name, 'package.json')))) return modules;
    if (path.dirname(dir) === dir) return undefined;
  }
}

export class TypedReceivers {
  private program?: ts.Program;
  private checker?: ts.TypeChecker;

  /**
   * @param files the analysed and support files; other project files are seen as empty modules so
   *   the program stays the size of what the analysis already parsed, plus the libraries' typings.
   */
  constructor(
    private readonly files: readonly string[],
    private readonly texts: ReadonlyMap<string, string>,
    private readonly compilerOptions: ts.CompilerOptions,
    /** The files whose unresolved receivers are worth asking about (those importing a wrapper package). */
    readonly filesToQuery: ReadonlySet<string>,
  ) {}

  /** The cache library that declares the type of the expression at [start, end) of `file`. */
  clientAt(file: string, start: number, end: number): TypedClient | undefined {
    const program = this.ensureProgram();
    const sourceFile = program.getSourceFile(file);
    if (!sourceFile) return undefined;
    const node = findNode(sourceFile, start, end);
    if (!node) return undefined;
    const type = this.checker!.getTypeAtLocation(node);
    return clientOfType(type);
  }

  private ensureProgram(): ts.Program {
    if (this.program) return this.program;
    const known = new Set(this.files);
    const options: ts.CompilerOptions = {
      ...this.compilerOptions,
      allowJs: true,
      checkJs: false,
      noEmit: true,
      skipLibCheck: true,
      skipDefaultLibCheck: true,
      types: [],
      // Which declaration a receiver's type comes from does not need the standard library.
      noLib: true,
      maxNodeModuleJsDepth: 0,
      declaration: false,
      composite: false,
      incremental: false,
    };
    const host = ts.createCompilerHost(options, true);
    const readProjectFile = (fileName: string): string | undefined => {
      const normalised = path.normalize(fileName);
      if (known.has(normalised)) return this.texts.get(normalised);
      // Other project sources: empty modules. Only types that come from libraries matter here.
      if (!/[\\/]node_modules[\\/]/.test(normalised) && this.texts.has(normalised)) return 'export {};';
      return undefined;
    };
    const originalGetSourceFile = host.getSourceFile.bind(host);
    host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
      const text = readProjectFile(fileName);
      if (text !== undefined) return ts.createSourceFile(fileName, text, languageVersion, true);
      return originalGetSourceFile(fileName, languageVersion, onError, shouldCreate);
    };
    const originalReadFile = host.readFile.bind(host);
    host.readFile = (fileName) => readProjectFile(fileName) ?? originalReadFile(fileName);
    const originalFileExists = host.fileExists.bind(host);
    host.fileExists = (fileName) => this.texts.has(path.normalize(fileName)) || originalFileExists(fileName);
    this.program = ts.createProgram({ rootNames: [...this.files], options, host });
    this.checker = this.program.getTypeChecker();
    return this.program;
  }
}

function findNode(sourceFile: ts.SourceFile, start: number, end: number): ts.Node | undefined {
  let found: ts.Node | undefined;
  const visit = (node: ts.Node): void => {
    if (found) return;
    const nodeStart = node.getStart(sourceFile);
    if (nodeStart > start || node.getEnd() < end) return;
    if (nodeStart === start && node.getEnd() === end && ts.isExpression(node)) {
      found = node;
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return found;
}

function clientOfType(type: ts.Type): TypedClient | undefined {
  const candidates: ts.Type[] = type.isUnionOrIntersection() ? type.types : [type];
  for (const candidate of candidates) {
    for (const symbol of [candidate.getSymbol(), candidate.aliasSymbol]) {
      for (const declaration of symbol?.getDeclarations() ?? []) {
        const fileName = declaration.getSourceFile().fileName;
        const match = libraryPackages.find(([pattern]) => pattern.test(fileName));
        if (!match) continue;
        const name = symbol!.getName();
        if (/^(Pipeline|ChainableCommander)$/.test(name)) return { library: match[1], batch: 'pipeline' };
        if (/Multi/.test(name)) return { library: match[1], batch: 'multi' };
        if (/Command|Reply|Options|Error|Result/.test(name)) continue;
        return { library: match[1] };
      }
    }
  }
  return undefined;
}
