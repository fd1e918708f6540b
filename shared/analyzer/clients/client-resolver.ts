import {
  CallExpression,
  Expression,
  Node,
  SourceFile,
  Symbol as MorphSymbol,
  SyntaxKind,
  TypeNode,
} from 'ts-morph';
import { CacheLibrary, LibraryDescriptor, LibraryLookup } from './libraries';

/**
 * Decides which expressions evaluate to cache clients, following values the way real code passes
 * clients around: constructors and factories of the cache libraries, variables, class fields,
 * typed parameters, NestJS injection, project factories and imports across files. Resolution is by
 * symbol (the TypeScript binder), never by name, so `map.keys()` or a local `redis` that is not a
 * client is never mistaken for one.
 */

export type BatchKind = 'pipeline' | 'multi';

/** What a re-exported module provides: its client export names, or undefined when it provides none. */
export type ReexportLookup = (specifier: string) => ReadonlySet<string> | undefined;

export interface ClientInfo {
  library: CacheLibrary;
  /** Set for a pipeline or MULTI of a client; `origin` identifies the batch instance. */
  batch?: { kind: BatchKind; origin: Node };
  /** True when the client or store was created with a default TTL (cache-manager, keyv, NestJS). */
  hasDefaultTtl: boolean;
}

type Value =
  | { kind: 'client'; info: ClientInfo }
  /** A library export: a constructor, factory or type of a cache library. */
  | { kind: 'libExport'; lib: LibraryDescriptor; name: string }
  /** `import * as x from 'redis'`, `require('ioredis')`. */
  | { kind: 'libNamespace'; lib: LibraryDescriptor }
  /** A project function or class whose call/construction yields a client. */
  | { kind: 'factory'; info: ClientInfo }
  | { kind: 'constructor'; info: ClientInfo }
  /** A library service that hands out clients from some of its methods (`redisService.getOrThrow()`). */
  | { kind: 'provider'; library: CacheLibrary; clientMethods: readonly string[] };

export interface ResolverOptions {
  /** True when the project registers NestJS's CacheModule with a ttl somewhere. */
  nestCacheHasDefaultTtl: boolean;
  /** Which import specifiers are cache libraries (the known ones plus configured wrappers). */
  libraryFor: LibraryLookup;
  /** True when the project registers @fastify/redis, which decorates the Fastify instance with `.redis`. */
  fastifyRedis?: boolean;
}

/** Method names that hand out a client: getClient, client, redis, getConnection, instance... */
const clientAccessorName = /client|redis|cache|connection|conn$|instance|store|kv/i;
/** Declared return types that can name a client (`Redis`, `RedisClientType`, `Cache`, `Keyv`, an alias like `KvClient`). */
const clientTypeName = /redis|cluster|cache|keyv|client|pipeline|multi|kv|store|commander/i;

/** Where a Fastify app's decorators are reached: `fastify.redis`, `app.redis`, `request.server.redis`, `this.server.redis`. */
const fastifyInstance = /^(fastify|app|server|instance|api|f)$|\.server$/;

const sameClientMethods = new Set([
  'duplicate',
  'connect',
  'withTypeMapping',
  'withCommandOptions',
  'withAbortSignal',
  'asap',
  'legacy',
]);
const batchMethods: Record<string, BatchKind> = { pipeline: 'pipeline', multi: 'multi', batch: 'pipeline' };
/** Methods of a batch that do not return the batch itself. */
const batchTerminalMethods = new Set(['exec', 'execAsPipeline', 'discard', 'length', 'then']);

export class ClientResolver {
  private readonly memo = new Map<Node, Value | null>();
  private readonly inProgress = new Set<Node>();
  private readonly classAssignments = new Map<Node, Map<string, Node[]>>();

  constructor(private readonly options: ResolverOptions) {}

  /** The client an expression evaluates to, or undefined when it is not (known to be) a cache client. */
  clientOf(expression: Node): ClientInfo | undefined {
    const value = this.evaluate(expression);
    return value?.kind === 'client' ? value.info : undefined;
  }





  /**
   * The export names of a file that lead to a client (instance, factory, type, or a class handing
   * one out). Read from the file's own statements; re-exports (`export * from './redis'`) ask
   * `reexported` what the target module provides, so barrels never make the binder resolve whole
   * export graphs.
   */
  clientExportNames(file: SourceFile, reexported?: ReexportLookup): Set<string> {
    const names = new Set<string>();
    const leadsToClient = (declaration: Node | undefined): boolean =>
      declaration !== undefined &&
      (this.declarationValue(declaration) !== undefined || (Node.isClassDeclaration(declaration) && this.classExposesClient(declaration)));
    for (const statement of file.getStatements()) {
      if (Node.isExportDeclaration(statement)) {
        const specifier = statement.getModuleSpecifierValue();
        if (specifier !== undefined) {
          const provided = reexported?.(specifier) ?? this.libraryReexport(specifier);
          if (!provided || provided.size === 0) continue;
          if (!statement.hasNamedExports()) {
            const namespace = statement.getNamespaceExport();
            if (namespace) names.add(namespace.getName());
            else for (const name of provided) if (name !== 'default') names.add(name);
            continue;
          }
          for (const element of statement.getNamedExports()) {
            if (provided.has(element.getName())) names.add(element.getAliasNode()?.getText() ?? element.getName());
          }
          continue;
        }
        for (const element of statement.getNamedExports()) {
          const local = element.getNameNode().getSymbol();
          if (local?.getDeclarations().some((declaration) => leadsToClient(declaration))) {
            names.add(element.getAliasNode()?.getText() ?? element.getName());
          }
        }
        continue;
      }
      if (Node.isExportAssignment(statement)) {
        if (this.evaluate(statement.getExpression()) !== undefined) names.add('default');
        continue;
      }
      if (Node.isVariableStatement(statement) && statement.hasExportKeyword()) {
        for (const declaration of statement.getDeclarations()) if (leadsToClient(declaration)) names.add(declaration.getName());
        continue;
      }
      if (
        (Node.isFunctionDeclaration(statement) || Node.isClassDeclaration(statement) || Node.isTypeAliasDeclaration(statement)) &&
        statement.hasExportKeyword()
      ) {
        if (leadsToClient(statement)) names.add(statement.hasDefaultKeyword() ? 'default' : (statement.getName() ?? 'default'));
        continue;
      }
      if (Node.isExpressionStatement(statement)) {
        // CommonJS: module.exports = client; module.exports.redis = client; exports.redis = client.
        const expression = statement.getExpression();
        if (!Node.isBinaryExpression(expression) || expression.getOperatorToken().getKind() !== SyntaxKind.EqualsToken) continue;
        const target = expression.getLeft().getText();
        const match = /^(?:module\.)?exports(?:\.(\w+))?$/.exec(target);
        if (!match || (target === 'exports' && !match[1])) continue;
        const right = expression.getRight();
        if (!match[1] && Node.isObjectLiteralExpression(right)) {
          for (const property of right.getProperties()) {
            if ((Node.isPropertyAssignment(property) || Node.isShorthandPropertyAssignment(property)) && leadsToClient(property)) names.add(property.getName());
          }
        } else if (this.evaluate(right) !== undefined) {
          names.add(match[1] ?? 'default');
        }
      }
    }
    return names;
  }

  /** `export { Redis } from 'ioredis'`: a barrel re-exporting a library's client constructor or type. */
  private libraryReexport(specifier: string): Set<string> | undefined {
    const lib = this.options.libraryFor(specifier);
    return lib ? new Set(Object.keys(lib.exports)) : undefined;
  }

  /**
   * A service class that holds a client and hands it out (`getClient()`, a public `client` field),
   * as NestJS `RedisService` wrappers do: files that import it can reach the client.
   */
  private classExposesClient(declaration: import('ts-morph').ClassDeclaration): boolean {
    for (const member of declaration.getMembers()) {
      if (Node.isPropertyDeclaration(member) || Node.isGetAccessorDeclaration(member) || Node.isMethodDeclaration(member)) {
        if (member.hasModifier(SyntaxKind.PrivateKeyword) || member.hasModifier(SyntaxKind.ProtectedKeyword)) continue;
        if (member.getName().startsWith('#')) continue;
        // Only methods that read as client accessors (`getClient()`, `redis()`, or a declared return
        // type) are evaluated: every other method of a service would cost symbol lookups for nothing.
        if (Node.isMethodDeclaration(member) && !clientAccessorName.test(member.getName()) && !clientTypeName.test(member.getReturnTypeNode()?.getText() ?? '')) continue;
        const value = this.declarationValue(member);
        if (value?.kind === 'client' || value?.kind === 'factory') return true;
      }
    }
    for (const parameter of declaration.getConstructors()[0]?.getParameters() ?? []) {
      if (!parameter.isParameterProperty() || parameter.hasModifier(SyntaxKind.PrivateKeyword) || parameter.hasModifier(SyntaxKind.ProtectedKeyword)) continue;
      if (this.declarationValue(parameter)?.kind === 'client') return true;
    }
    return false;
  }

  private evaluate(node: Node): Value | undefined {
    const cached = this.memo.get(node);
    if (cached !== undefined) return cached ?? undefined;
    if (this.inProgress.has(node)) return undefined;
    this.inProgress.add(node);
    let value: Value | undefined;
    try {
      value = this.evaluateUncached(node);
    } finally {
      this.inProgress.delete(node);
    }
    this.memo.set(node, value ?? null);
    return value;
  }

  private evaluateUncached(node: Node): Value | undefined {
    const inner = unwrap(node);
    if (inner !== node) return this.evaluate(inner);

    if (Node.isIdentifier(node)) return this.symbolValue(node.getSymbol(), node);
    if (Node.isThisExpression(node)) return undefined;
    if (Node.isPropertyAccessExpression(node)) return this.propertyAccessValue(node);
    if (Node.isNewExpression(node)) return this.newValue(node.getExpression(), node.getArguments());
    if (Node.isCallExpression(node)) return this.callValue(node);
    if (Node.isConditionalExpression(node)) {
      return this.evaluate(node.getWhenTrue()) ?? this.evaluate(node.getWhenFalse());
    }
    if (Node.isBinaryExpression(node)) {
      const operator = node.getOperatorToken().getKind();
      if (
        operator === SyntaxKind.QuestionQuestionToken ||
        operator === SyntaxKind.BarBarToken ||
        operator === SyntaxKind.EqualsToken ||
        operator === SyntaxKind.QuestionQuestionEqualsToken ||
        operator === SyntaxKind.BarBarEqualsToken
      ) {
        return this.evaluate(node.getRight()) ?? this.evaluate(node.getLeft());
      }
      return undefined;
    }
    if (Node.isArrowFunction(node) || Node.isFunctionExpression(node) || Node.isFunctionDeclaration(node)) {
      return this.functionValue(node);
    }
    if (Node.isClassExpression(node) || Node.isClassDeclaration(node)) return this.classValue(node);
    return undefined;
  }

  private propertyAccessValue(node: import('ts-morph').PropertyAccessExpression): Value | undefined {
    const name = node.getName();
    const base = this.evaluate(node.getExpression());
    if (base?.kind === 'libNamespace') {
      return libExportValue(base.lib, name);
    }
    if (base?.kind === 'libExport') {
      const entry = base.lib.exports[base.name];
      if (entry?.staticConstructors?.includes(name)) return { kind: 'libExport', lib: base.lib, name: 'Cluster' };
      if (entry?.staticFactories?.includes(name)) {
        return { kind: 'factory', info: { library: base.lib.library, hasDefaultTtl: false } };
      }
      return undefined;
    }
    if (base?.kind === 'client') return undefined;
    const symbol = node.getNameNode().getSymbol();
    const value = this.symbolValue(symbol, node);
    if (value) return value;
    if (Node.isThisExpression(node.getExpression())) return this.thisAssignmentValue(node);
    if (this.options.fastifyRedis && name === 'redis' && fastifyInstance.test(node.getExpression().getText())) {
      return { kind: 'client', info: { library: 'ioredis', hasDefaultTtl: false } };
    }
    return undefined;
  }

  private newValue(callee: Node, args: Node[]): Value | undefined {
    const target = this.evaluate(callee);
    if (!target) return undefined;
    if (target.kind === 'constructor') return { kind: 'client', info: target.info };
    const lib = target.kind === 'libNamespace' ? target.lib : target.kind === 'libExport' ? target.lib : undefined;
    if (!lib) return undefined;
    const exportName = target.kind === 'libNamespace' ? 'default' : (target as { name: string }).name;
    const role = lib.exports[exportName]?.role;
    if (role !== 'constructor') return undefined;
    return { kind: 'client', info: { library: lib.library, hasDefaultTtl: argsHaveTtl(args) } };
  }

  private callValue(call: CallExpression): Value | undefined {
    const callee = unwrap(call.getExpression());
    const args = call.getArguments();

    if (Node.isIdentifier(callee) && callee.getText() === 'require' && args.length === 1) {
      const specifier = stringValue(args[0]);
      const lib = specifier !== undefined ? this.options.libraryFor(specifier) : undefined;
      return lib ? { kind: 'libNamespace', lib } : undefined;
    }

    if (Node.isPropertyAccessExpression(callee)) {
      const method = callee.getName();
      const receiver = this.evaluate(callee.getExpression());
      if (receiver?.kind === 'provider') {
        return receiver.clientMethods.includes(method)
          ? { kind: 'client', info: { library: receiver.library, hasDefaultTtl: false } }
          : undefined;
      }
      if (receiver?.kind === 'client') {
        const info = receiver.info;
        if (info.batch) {
          return batchTerminalMethods.has(method) ? undefined : receiver;
        }
        if (sameClientMethods.has(method)) return receiver;
        const batch = batchMethods[method];
        if (batch) return { kind: 'client', info: { ...info, batch: { kind: batch, origin: call } } };
        return undefined;
      }
    }

    const target = this.evaluate(callee);
    if (!target) return undefined;
    if (target.kind === 'factory') return { kind: 'client', info: target.info };
    if (target.kind === 'libExport' || target.kind === 'libNamespace') {
      const exportName = target.kind === 'libNamespace' ? 'default' : target.name;
      const entry = target.lib.exports[exportName];
      if (entry?.role === 'factory') {
        return { kind: 'client', info: { library: target.lib.library, hasDefaultTtl: argsHaveTtl(args) } };
      }
    }
    return undefined;
  }

  private functionValue(fn: Node): Value | undefined {
    const info = this.returnedClient(fn);
    return info ? { kind: 'factory', info } : undefined;
  }

  /** The client a function returns: from its return type annotation or its return expressions. */
  private returnedClient(fn: Node): ClientInfo | undefined {
    if (!isFunctionLike(fn)) return undefined;
    const returnType = fn.getReturnTypeNode();
    if (returnType) {
      const typed = this.typeValue(returnType);
      if (typed) return typed;
    }
    const body = fn.getBody();
    if (!body) return undefined;
    if (!Node.isBlock(body)) return this.clientOf(body);
    for (const statement of body.getDescendantsOfKind(SyntaxKind.ReturnStatement)) {
      if (enclosingFunction(statement) !== fn) continue;
      const expression = statement.getExpression();
      const info = expression ? this.clientOf(expression) : undefined;
      if (info) return info;
    }
    return undefined;
  }

  private classValue(node: Node): Value | undefined {
    if (!Node.isClassDeclaration(node) && !Node.isClassExpression(node)) return undefined;
    const base = node.getExtends()?.getExpression();
    if (!base) return undefined;
    const value = this.evaluate(base);
    if (!value) return undefined;
    if (value.kind === 'constructor') return value;
    const lib = value.kind === 'libExport' || value.kind === 'libNamespace' ? value.lib : undefined;
    const exportName = value.kind === 'libExport' ? value.name : 'default';
    if (lib && lib.exports[exportName]?.role === 'constructor') {
      return { kind: 'constructor', info: { library: lib.library, hasDefaultTtl: false } };
    }
    return undefined;
  }

  private symbolValue(symbol: MorphSymbol | undefined, site: Node): Value | undefined {
    if (!symbol) return undefined;
    for (const declaration of symbol.getDeclarations()) {
      const value = this.declarationValue(declaration, site);
      if (value) return value;
    }
    return undefined;
  }

  private declarationValue(declaration: Node, site?: Node): Value | undefined {
    const cached = this.memo.get(declaration);
    if (cached !== undefined) return cached ?? undefined;
    if (this.inProgress.has(declaration)) return undefined;
    this.inProgress.add(declaration);
    let value: Value | undefined;
    try {
      value = this.declarationValueUncached(declaration, site);
    } finally {
      this.inProgress.delete(declaration);
    }
    this.memo.set(declaration, value ?? null);
    return value;
  }

  private declarationValueUncached(declaration: Node, site?: Node): Value | undefined {
    if (Node.isImportSpecifier(declaration) || Node.isImportClause(declaration) || Node.isNamespaceImport(declaration)) {
      return this.importValue(declaration);
    }
    if (Node.isImportEqualsDeclaration(declaration)) {
      const reference = declaration.getModuleReference();
      if (Node.isExternalModuleReference(reference)) {
        const lib = this.options.libraryFor(stringValue(reference.getExpression()) ?? '');
        if (lib) return { kind: 'libNamespace', lib };
      }
      return this.aliasTargetValue(declaration);
    }
    if (Node.isExportSpecifier(declaration)) {
      const specifier = declaration.getExportDeclaration().getModuleSpecifierValue();
      const lib = specifier ? this.options.libraryFor(specifier) : undefined;
      if (lib) return libExportValue(lib, declaration.getNameNode().getText());
      return this.aliasTargetValue(declaration);
    }
    if (Node.isVariableDeclaration(declaration)) return this.variableValue(declaration);
    if (Node.isBindingElement(declaration)) return this.bindingElementValue(declaration);
    if (Node.isParameterDeclaration(declaration)) return this.parameterValue(declaration);
    if (Node.isPropertyDeclaration(declaration)) {
      const initializer = declaration.getInitializer();
      const fromInitializer = initializer ? this.evaluate(initializer) : undefined;
      if (fromInitializer) return fromInitializer;
      const decorated = this.decoratorValue(declaration);
      if (decorated) return decorated;
      const provider = this.providerOfType(declaration.getTypeNode());
      if (provider) return provider;
      const typeNode = declaration.getTypeNode();
      const typed = typeNode ? this.typeValue(typeNode) : undefined;
      if (typed) return { kind: 'client', info: typed };
      return this.classFieldAssignmentValue(declaration);
    }
    if (Node.isPropertySignature(declaration)) {
      const typeNode = declaration.getTypeNode();
      const typed = typeNode ? this.typeValue(typeNode) : undefined;
      return typed ? { kind: 'client', info: typed } : undefined;
    }
    if (Node.isPropertyAssignment(declaration)) {
      const initializer = declaration.getInitializer();
      return initializer ? this.evaluate(initializer) : undefined;
    }
    if (Node.isShorthandPropertyAssignment(declaration)) {
      const valueSymbol = declaration.getValueSymbol?.();
      return this.symbolValue(valueSymbol, declaration);
    }
    if (
      Node.isFunctionDeclaration(declaration) ||
      Node.isMethodDeclaration(declaration) ||
      Node.isGetAccessorDeclaration(declaration) ||
      Node.isMethodSignature(declaration)
    ) {
      if (Node.isGetAccessorDeclaration(declaration)) {
        const info = this.returnedClient(declaration);
        return info ? { kind: 'client', info } : undefined;
      }
      if (Node.isMethodSignature(declaration)) {
        const returnType = declaration.getReturnTypeNode();
        const info = returnType ? this.typeValue(returnType) : undefined;
        return info ? { kind: 'factory', info } : undefined;
      }
      return this.functionValue(declaration);
    }
    if (Node.isClassDeclaration(declaration)) return this.classValue(declaration);
    if (Node.isExportAssignment(declaration)) return this.evaluate(declaration.getExpression());
    if (Node.isTypeAliasDeclaration(declaration)) {
      const info = this.typeValue(declaration.getTypeNodeOrThrow());
      return info ? { kind: 'client', info } : undefined;
    }
    if (Node.isBinaryExpression(declaration)) {
      // `module.exports = x` / `exports.x = y` / `this.x = y` in JavaScript files.
      return this.evaluate(declaration.getRight());
    }
    if (Node.isPropertyAccessExpression(declaration) && site) {
      const parent = declaration.getParent();
      if (Node.isBinaryExpression(parent) && parent.getLeft() === declaration) return this.evaluate(parent.getRight());
    }
    return undefined;
  }

  private importValue(declaration: Node): Value | undefined {
    const importDeclaration = declaration.getFirstAncestorByKind(SyntaxKind.ImportDeclaration);
    const specifier = importDeclaration?.getModuleSpecifierValue();
    const lib = specifier ? this.options.libraryFor(specifier) : undefined;
    if (lib) {
      if (Node.isNamespaceImport(declaration)) return { kind: 'libNamespace', lib };
      if (Node.isImportClause(declaration)) return libExportValue(lib, 'default');
      if (Node.isImportSpecifier(declaration)) {
        return libExportValue(lib, declaration.getName());
      }
    }
    const aliased = this.aliasTargetValue(declaration);
    if (aliased || !Node.isImportSpecifier(declaration)) return aliased;
    const module = importDeclaration?.getModuleSpecifierSourceFile();
    return module ? this.starReexportedLibraryValue(module, declaration.getName(), new Set()) : undefined;
  }

  /**
   * `export * from '@upstash/redis'` in a shared package's index: a name the package does not
   * declare itself comes from the library. The library's typings are often not installed where
   * the analysis runs, so the compiler cannot follow the star export; the specifier says enough.
   */
  private starReexportedLibraryValue(file: SourceFile, name: string, visited: Set<SourceFile>): Value | undefined {
    if (visited.has(file) || visited.size > 8) return undefined;
    visited.add(file);
    if (file.getLocals().some((local) => local.getName() === name)) return undefined;
    for (const statement of file.getStatements()) {
      if (!Node.isExportDeclaration(statement) || statement.hasNamedExports() || statement.getNamespaceExport()) continue;
      const specifier = statement.getModuleSpecifierValue();
      if (specifier === undefined) continue;
      const lib = this.options.libraryFor(specifier);
      if (lib) {
        const value = libExportValue(lib, name);
        if (value) return value;
        continue;
      }
      const target = statement.getModuleSpecifierSourceFile();
      const value = target ? this.starReexportedLibraryValue(target, name, visited) : undefined;
      if (value) return value;
    }
    return undefined;
  }

  /** Follows an import/export alias into the project file that declares the value. */
  private aliasTargetValue(declaration: Node): Value | undefined {
    const nameNode =
      Node.isImportSpecifier(declaration) || Node.isExportSpecifier(declaration)
        ? (declaration.getAliasNode() ?? declaration.getNameNode())
        : Node.isImportClause(declaration)
          ? declaration.getDefaultImport()
          : Node.isNamespaceImport(declaration) || Node.isImportEqualsDeclaration(declaration)
            ? declaration.getNameNode()
            : undefined;
    const symbol = nameNode?.getSymbol();
    const target = symbol?.getAliasedSymbol();
    if (!target || target === symbol) return undefined;
    for (const targetDeclaration of target.getDeclarations()) {
      if (Node.isSourceFile(targetDeclaration)) continue;
      const value = this.declarationValue(targetDeclaration);
      if (value) return value;
    }
    return undefined;
  }

  private variableValue(declaration: import('ts-morph').VariableDeclaration): Value | undefined {
    const initializer = declaration.getInitializer();
    const fromInitializer = initializer ? this.evaluate(initializer) : undefined;
    if (fromInitializer) return fromInitializer;
    const typeNode = declaration.getTypeNode();
    const typed = typeNode ? this.typeValue(typeNode) : undefined;
    if (typed) return { kind: 'client', info: typed };
    // `let client; ... client = createClient()`: the value comes from a later assignment.
    const nameNode = declaration.getNameNode();
    if (!Node.isIdentifier(nameNode)) return undefined;
    // Assignments can only appear inside the variable's scope; checking the symbol rules out shadowing.
    const scope = declaration.getVariableStatement()?.getParent() ?? declaration.getSourceFile();
    const name = nameNode.getText();
    const symbol = nameNode.getSymbol();
    for (const assignment of scope.getDescendantsOfKind(SyntaxKind.BinaryExpression)) {
      const left = assignment.getLeft();
      const operator = assignment.getOperatorToken().getKind();
      if (operator !== SyntaxKind.EqualsToken && operator !== SyntaxKind.QuestionQuestionEqualsToken && operator !== SyntaxKind.BarBarEqualsToken) continue;
      if (!Node.isIdentifier(left) || left.getText() !== name || left.getSymbol() !== symbol) continue;
      const assigned = this.evaluate(assignment.getRight());
      if (assigned) return assigned;
    }
    return undefined;
  }

  private bindingElementValue(element: import('ts-morph').BindingElement): Value | undefined {
    const pattern = element.getParent();
    const holder = pattern?.getParent();
    if (!Node.isObjectBindingPattern(pattern)) return undefined;
    const propertyName = (element.getPropertyNameNode() ?? element.getNameNode()).getText();
    if (Node.isVariableDeclaration(holder)) {
      const initializer = holder.getInitializer();
      const source = initializer ? this.evaluate(initializer) : undefined;
      if (source?.kind === 'libNamespace') return libExportValue(source.lib, propertyName);
    }
    // `const { redis } = ctx` / `({ redis }: Deps) =>`: the property's declared type in the project.
    if (!Node.isVariableDeclaration(holder) && !Node.isParameterDeclaration(holder)) return undefined;
    const property = pattern.getType().getProperty(propertyName);
    for (const declaration of property?.getDeclarations() ?? []) {
      if (declaration === element) continue;
      const value = this.declarationValue(declaration);
      if (value) return value;
    }
    return undefined;
  }

  private parameterValue(parameter: import('ts-morph').ParameterDeclaration): Value | undefined {
    const decorated = this.decoratorValue(parameter);
    if (decorated) return decorated;
    const provider = this.providerOfType(parameter.getTypeNode());
    if (provider) return provider;
    const typeNode = parameter.getTypeNode();
    const typed = typeNode ? this.typeValue(typeNode) : undefined;
    if (typed) return { kind: 'client', info: typed };
    const initializer = parameter.getInitializer();
    return initializer ? this.evaluate(initializer) : undefined;
  }

  /** NestJS injection: `@Inject(CACHE_MANAGER) cache`, `@InjectRedis() redis`. */
  private decoratorValue(node: import('ts-morph').ParameterDeclaration | import('ts-morph').PropertyDeclaration): Value | undefined {
    for (const decorator of node.getDecorators()) {
      const call = decorator.getCallExpression();
      if (!call) continue;
      const callee = this.evaluate(call.getExpression());
      if (callee?.kind === 'libExport' && callee.lib.exports[callee.name]?.role === 'cacheToken') {
        return { kind: 'client', info: { library: callee.lib.library, hasDefaultTtl: false } };
      }
      const [token] = call.getArguments();
      if (token && Node.isIdentifier(call.getExpression()) && call.getExpression().getText() === 'Inject') {
        const tokenValue = this.evaluate(token);
        if (tokenValue?.kind === 'libExport' && tokenValue.lib.exports[tokenValue.name]?.role === 'cacheToken') {
          return {
            kind: 'client',
            info: { library: tokenValue.lib.library, hasDefaultTtl: this.options.nestCacheHasDefaultTtl },
          };
        }
        if (tokenValue?.kind === 'libExport' || tokenValue?.kind === 'libNamespace') {
          const name = tokenValue.kind === 'libExport' ? tokenValue.name : 'default';
          const role = tokenValue.lib.exports[name]?.role;
          if (role === 'constructor' || role === 'type') {
            return { kind: 'client', info: { library: tokenValue.lib.library, hasDefaultTtl: false } };
          }
        }
      }
    }
    return undefined;
  }

  /** `redisService: RedisService` where RedisService is a library provider of clients. */
  private providerOfType(typeNode: TypeNode | undefined): Value | undefined {
    if (!typeNode || !Node.isTypeReference(typeNode)) return undefined;
    const typeName = typeNode.getTypeName();
    if (!Node.isIdentifier(typeName)) return undefined;
    for (const declaration of typeName.getSymbol()?.getDeclarations() ?? []) {
      const value = this.declarationValue(declaration);
      if (value?.kind === 'libExport') {
        const entry = value.lib.exports[value.name];
        if (entry?.role === 'provider') return { kind: 'provider', library: value.lib.library, clientMethods: entry.clientMethods ?? [] };
      }
    }
    return undefined;
  }

  private typeValue(typeNode: TypeNode): ClientInfo | undefined {
    if (this.inProgress.has(typeNode)) return undefined;
    this.inProgress.add(typeNode);
    try {
      return this.typeValueUncached(typeNode);
    } finally {
      this.inProgress.delete(typeNode);
    }
  }

  private typeValueUncached(typeNode: TypeNode): ClientInfo | undefined {
    if (Node.isUnionTypeNode(typeNode) || Node.isIntersectionTypeNode(typeNode)) {
      for (const member of typeNode.getTypeNodes()) {
        const info = this.typeValue(member);
        if (info) return info;
      }
      return undefined;
    }
    if (Node.isParenthesizedTypeNode(typeNode)) return this.typeValue(typeNode.getTypeNode());
    if (Node.isTypeQuery(typeNode)) {
      const value = this.evaluate(typeNode.getExprName());
      return value?.kind === 'client' ? value.info : undefined;
    }
    if (Node.isImportTypeNode(typeNode)) {
      const argument = typeNode.getArgument();
      const specifier = Node.isLiteralTypeNode(argument) ? stringValue(argument.getLiteral()) : undefined;
      const lib = specifier ? this.options.libraryFor(specifier) : undefined;
      const qualifier = typeNode.getQualifier()?.getText().split('.').pop() ?? 'default';
      return lib ? typeRoleInfo(lib, qualifier, typeNode) : undefined;
    }
    if (!Node.isTypeReference(typeNode)) return undefined;

    const typeName = typeNode.getTypeName();
    const simpleName = Node.isIdentifier(typeName) ? typeName.getText() : typeName.getRight().getText();
    const typeArguments = typeNode.getTypeArguments();
    if ((simpleName === 'Promise' || simpleName === 'Awaited' || simpleName === 'NonNullable') && typeArguments[0]) {
      return this.typeValue(typeArguments[0]);
    }
    if (simpleName === 'ReturnType' && typeArguments[0] && Node.isTypeQuery(typeArguments[0])) {
      const target = this.evaluate(typeArguments[0].getExprName());
      if (target?.kind === 'factory') return target.info;
      if (target?.kind === 'libExport' && target.lib.exports[target.name]?.role === 'factory') {
        return { library: target.lib.library, hasDefaultTtl: false };
      }
      return undefined;
    }
    if (Node.isQualifiedName(typeName)) {
      // `IORedis.Redis`, `Redis.Cluster`: the left side names the library.
      const left = this.evaluate(typeName.getLeft());
      if (left?.kind === 'libNamespace') return typeRoleInfo(left.lib, simpleName, typeNode);
      if (left?.kind === 'libExport') return typeRoleInfo(left.lib, simpleName === 'Cluster' ? 'Cluster' : left.name, typeNode);
      return undefined;
    }
    const symbol = typeName.getSymbol();
    for (const declaration of symbol?.getDeclarations() ?? []) {
      const value = this.declarationValue(declaration);
      if (!value) continue;
      if (value.kind === 'client') return value.info;
      if (value.kind === 'constructor') return value.info;
      if (value.kind === 'libExport') return typeRoleInfo(value.lib, value.name, typeNode);
      if (value.kind === 'libNamespace') return typeRoleInfo(value.lib, 'default', typeNode);
    }
    return undefined;
  }

  /** `this.redis = new Redis()` in a class without a typed field declaration (common in JavaScript). */
  private thisAssignmentValue(access: import('ts-morph').PropertyAccessExpression): Value | undefined {
    const classNode = access.getFirstAncestor((n) => Node.isClassDeclaration(n) || Node.isClassExpression(n));
    if (!classNode) return undefined;
    return this.assignmentsInClass(classNode, access.getName());
  }

  private classFieldAssignmentValue(field: import('ts-morph').PropertyDeclaration): Value | undefined {
    const classNode = field.getParent();
    return this.assignmentsInClass(classNode, field.getName());
  }

  private assignmentsInClass(classNode: Node, name: string): Value | undefined {
    for (const right of this.thisAssignments(classNode).get(name) ?? []) {
      const value = this.evaluate(right);
      if (value) return value;
    }
    return undefined;
  }

  /** `this.<name> = <expr>` assignments of a class by name, collected once per class. */
  private thisAssignments(classNode: Node): Map<string, Node[]> {
    let byName = this.classAssignments.get(classNode);
    if (byName) return byName;
    byName = new Map();
    for (const assignment of classNode.getDescendantsOfKind(SyntaxKind.BinaryExpression)) {
      if (assignment.getOperatorToken().getKind() !== SyntaxKind.EqualsToken) continue;
      const left = assignment.getLeft();
      if (!Node.isPropertyAccessExpression(left) || !Node.isThisExpression(left.getExpression())) continue;
      const list = byName.get(left.getName()) ?? [];
      list.push(assignment.getRight());
      byName.set(left.getName(), list);
    }
    this.classAssignments.set(classNode, byName);
    return byName;
  }

}

function libExportValue(lib: LibraryDescriptor, name: string): Value | undefined {
  const entry = lib.exports[name];
  if (!entry) return undefined;
  if (entry.role === 'instance') return { kind: 'client', info: { library: lib.library, hasDefaultTtl: false } };
  return { kind: 'libExport', lib, name };
}

/** A type annotation naming a library export: a client type, or a batch type (the annotated value is its own batch). */
function typeRoleInfo(lib: LibraryDescriptor, name: string, annotation: Node): ClientInfo | undefined {
  const role = lib.exports[name]?.role;
  if (role === 'type' || role === 'constructor' || role === 'instance') {
    return { library: lib.library, hasDefaultTtl: false };
  }
  if (role === 'batchType') {
    return { library: lib.library, hasDefaultTtl: false, batch: { kind: 'pipeline', origin: annotation } };
  }
  return undefined;
}

/**
 * True when constructor/factory arguments carry a default TTL: `{ ttl }` in cache-manager and keyv,
 * also on a store nested in the options (`createCache({ stores: [new Keyv({ ttl })] })`).
 */
function argsHaveTtl(args: Node[]): boolean {
  return args.some((arg) => {
    const top = unwrap(arg);
    const objects = [
      ...(Node.isObjectLiteralExpression(top) ? [top] : []),
      ...top.getDescendantsOfKind(SyntaxKind.ObjectLiteralExpression),
    ];
    return objects.some((object) =>
      object.getProperties().some((property) => {
        const name = Node.isPropertyAssignment(property) || Node.isShorthandPropertyAssignment(property)
          ? property.getName()
          : undefined;
        return name === 'ttl' || name === 'defaultTtl';
      }),
    );
  });
}

export function unwrap(node: Node): Node {
  let current = node;
  for (;;) {
    if (
      Node.isParenthesizedExpression(current) ||
      Node.isAsExpression(current) ||
      Node.isNonNullExpression(current) ||
      Node.isAwaitExpression(current) ||
      Node.isTypeAssertion(current) ||
      Node.isSatisfiesExpression(current)
    ) {
      current = (current as Node & { getExpression(): Expression }).getExpression();
      continue;
    }
    return current;
  }
}

export function stringValue(node: Node | undefined): string | undefined {
  if (!node) return undefined;
  if (Node.isStringLiteral(node) || Node.isNoSubstitutionTemplateLiteral(node)) return node.getLiteralValue();
  return undefined;
}

type FunctionLikeNode =
  | import('ts-morph').FunctionDeclaration
  | import('ts-morph').FunctionExpression
  | import('ts-morph').ArrowFunction
  | import('ts-morph').MethodDeclaration
  | import('ts-morph').GetAccessorDeclaration;

function isFunctionLike(node: Node): node is FunctionLikeNode {
  return (
    Node.isFunctionDeclaration(node) ||
    Node.isFunctionExpression(node) ||
    Node.isArrowFunction(node) ||
    Node.isMethodDeclaration(node) ||
    Node.isGetAccessorDeclaration(node)
  );
}

/** The nearest function-like node that contains `node` (its own scope for returns, awaits, etc.). */
export function enclosingFunction(node: Node): Node | undefined {
  return node.getFirstAncestor(
    (ancestor) =>
      Node.isFunctionDeclaration(ancestor) ||
      Node.isFunctionExpression(ancestor) ||
      Node.isArrowFunction(ancestor) ||
      Node.isMethodDeclaration(ancestor) ||
      Node.isGetAccessorDeclaration(ancestor) ||
      Node.isSetAccessorDeclaration(ancestor) ||
      Node.isConstructorDeclaration(ancestor),
  );
}
