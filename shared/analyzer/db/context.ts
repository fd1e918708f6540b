import { Identifier, Node, SourceFile, SyntaxKind } from 'ts-morph';
import type { DbLibrary } from './db-types';
import { libraryOfModule } from './modules';
import type { Receiver } from './receivers';
import { Declaration, resolveIdentifier } from './scope';

/**
 * Per-file facts for database recognition. The import facts are read when the context is created;
 * what each identifier is bound to is worked out on first use and remembered, so a context should
 * live as long as the file's syntax tree does and no longer.
 */
export class DbFileContext {
  readonly file: SourceFile;
  /** ORM and driver libraries the file imports or requires directly. */
  readonly libraries: ReadonlySet<DbLibrary>;
  /** Contexts of other project files reached by following imports, shared by all contexts of one run. */
  private readonly registry: Map<SourceFile, DbFileContext>;
  private readonly declarations = new Map<Node, Declaration | null>();
  private readonly receivers = new Map<Node, Receiver | null>();
  private readonly receiversInProgress = new Set<Node>();
  private methodsByIdentifier: Map<string, Set<string>> | undefined;

  constructor(file: SourceFile, registry: Map<SourceFile, DbFileContext>) {
    this.file = file;
    this.registry = registry;
    registry.set(file, this);
    this.libraries = collectLibraries(file);
  }

  has(library: DbLibrary): boolean {
    return this.libraries.has(library);
  }

  /** The context of another project file, created once. */
  contextFor(file: SourceFile): DbFileContext {
    return this.registry.get(file) ?? new DbFileContext(file, this.registry);
  }

  resolve(identifier: Identifier): Declaration | undefined {
    const cached = this.declarations.get(identifier);
    if (cached !== undefined) return cached ?? undefined;
    const declaration = resolveIdentifier(identifier);
    this.declarations.set(identifier, declaration ?? null);
    return declaration;
  }

  /**
   * Memoises `compute` for a declaration node. A declaration whose classification needs itself
   * (`let db = db ?? connect()`) counts as unknown instead of recursing forever.
   */
  memoReceiver(node: Node, compute: () => Receiver | undefined): Receiver | undefined {
    const cached = this.receivers.get(node);
    if (cached !== undefined) return cached ?? undefined;
    if (this.receiversInProgress.has(node)) return undefined;
    this.receiversInProgress.add(node);
    try {
      const receiver = compute();
      this.receivers.set(node, receiver ?? null);
      return receiver;
    } finally {
      this.receiversInProgress.delete(node);
    }
  }

  /** Names of the methods called directly on an identifier anywhere in the file (`Product.find(...)` -> find). */
  methodsCalledOn(identifierName: string): ReadonlySet<string> {
    if (!this.methodsByIdentifier) {
      const methods = new Map<string, Set<string>>();
      for (const access of this.file.getDescendantsOfKind(SyntaxKind.PropertyAccessExpression)) {
        const object = access.getExpression();
        const parent = access.getParent();
        if (!Node.isIdentifier(object) || !Node.isCallExpression(parent) || parent.getExpression() !== access) continue;
        const name = object.getText();
        let set = methods.get(name);
        if (!set) methods.set(name, (set = new Set()));
        set.add(access.getName());
      }
      this.methodsByIdentifier = methods;
    }
    return this.methodsByIdentifier.get(identifierName) ?? new Set();
  }
}

function collectLibraries(file: SourceFile): Set<DbLibrary> {
  const libraries = new Set<DbLibrary>();
  const add = (specifier: string): void => {
    const library = libraryOfModule(specifier);
    if (library) libraries.add(library);
  };
  for (const declaration of file.getImportDeclarations()) add(declaration.getModuleSpecifierValue());
  for (const statement of file.getStatements()) {
    if (Node.isImportEqualsDeclaration(statement)) {
      const reference = statement.getModuleReference();
      if (Node.isExternalModuleReference(reference)) {
        const expression = reference.getExpression();
        if (expression && Node.isStringLiteral(expression)) add(expression.getLiteralText());
      }
    }
  }
  // CommonJS files name their modules in require() calls; the text check spares ES module files the walk.
  if (file.getFullText().includes('require(')) {
    for (const call of file.getDescendantsOfKind(SyntaxKind.CallExpression)) {
      const callee = call.getExpression();
      const [argument] = call.getArguments();
      if (Node.isIdentifier(callee) && callee.getText() === 'require' && argument && Node.isStringLiteral(argument)) {
        add(argument.getLiteralText());
      }
    }
  }
  return libraries;
}

export function createDbFileContext(file: SourceFile): DbFileContext {
  return new DbFileContext(file, new Map());
}
