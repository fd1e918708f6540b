import { Node, SourceFile } from 'ts-morph';
import { CacheCall, collectCacheCalls } from '../clients/cache-calls';
import { typedCacheCalls } from '../typed/typed-cache-calls';
import type { TypedReceivers } from '../typed/typed-receivers';
import { ClientResolver } from '../clients/client-resolver';
import { createDbFileContext, DbFileContext, DbOperation, findDbOperations } from '../db/recognize-db-operation';
import { KeyResolver } from '../keys/key-family';

/** One analysed file: its AST and the facts rules share, each computed once on first use. */
export class FileModel {
  private cacheCallsCache?: CacheCall[];
  private dbContextCache?: DbFileContext;
  private readonly dbOperationsCache = new Map<Node, DbOperation[]>();
  private fileDbOperations?: DbOperation[];

  constructor(
    readonly sourceFile: SourceFile,
    readonly project: ProjectModel,
  ) {}

  get filePath(): string {
    return this.sourceFile.getFilePath();
  }

  get text(): string {
    return this.sourceFile.getFullText();
  }

  get cacheCalls(): CacheCall[] {
    if (!this.cacheCallsCache) {
      const calls = [...(this.project.collectedCacheCalls?.get(this.filePath) ?? collectCacheCalls(this.sourceFile, this.project.clients))];
      const typed = this.project.typedReceivers;
      if (typed?.filesToQuery.has(this.filePath)) {
        calls.push(...typedCacheCalls(this.sourceFile, calls, typed));
        calls.sort((a, b) => a.commandNode.getStart() - b.commandNode.getStart());
      }
      this.cacheCallsCache = calls;
    }
    return this.cacheCallsCache;
  }

  get dbContext(): DbFileContext {
    this.dbContextCache ??= createDbFileContext(this.sourceFile);
    return this.dbContextCache;
  }

  /** Database reads and writes inside a function body (or the whole file), in source order. */
  dbOperations(scope: Node): DbOperation[] {
    if (Node.isSourceFile(scope)) {
      this.fileDbOperations ??= findDbOperations(this.sourceFile, this.dbContext);
      return this.fileDbOperations;
    }
    let operations = this.dbOperationsCache.get(scope);
    if (!operations) {
      const start = scope.getPos();
      const end = scope.getEnd();
      // Once the whole file is recognised, a scope's operations are those inside it; until then only
      // the scope is walked: rules ask about the few functions that touch the cache, and
      // recognising every call of a long file for them is most of an editor keystroke's cost.
      operations = this.fileDbOperations
        ? this.fileDbOperations.filter((operation) => operation.call.getStart() >= start && operation.call.getEnd() <= end)
        : findDbOperations(scope, this.dbContext);
      this.dbOperationsCache.set(scope, operations);
    }
    return operations;
  }

}

/** Everything a lint run analyses: the files rules run on, and the shared resolvers. */
export class ProjectModel {
  readonly files: FileModel[] = [];
  private readonly byPath = new Map<string, FileModel>();
  readonly keys: KeyResolver;

  constructor(
    readonly rootDir: string,
    readonly clients: ClientResolver,
    readonly nestCacheHasDefaultTtl: boolean,
    /** Declared types from installed typings, for receivers the resolver cannot place (absent without node_modules). */
    readonly typedReceivers?: TypedReceivers,
    /** Cache calls already collected with `clients` (by the gate), by file. */
    readonly collectedCacheCalls?: ReadonlyMap<string, CacheCall[]>,
  ) {
    this.keys = new KeyResolver();
  }

  addFile(sourceFile: SourceFile): FileModel {
    const model = new FileModel(sourceFile, this);
    this.files.push(model);
    this.byPath.set(sourceFile.getFilePath(), model);
    return model;
  }

  /** The model of any project file, including support files rules do not run on. */
  fileOf(node: Node): FileModel {
    const sourceFile = node.getSourceFile();
    let model = this.byPath.get(sourceFile.getFilePath());
    if (!model) {
      model = new FileModel(sourceFile, this);
      this.byPath.set(sourceFile.getFilePath(), model);
    }
    return model;
  }
}
