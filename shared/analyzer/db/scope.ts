/**
 * Finds where an identifier is declared by walking the enclosing scopes of the syntax tree. It
 * never asks the type checker: a lint run on a large project must not pay for a full program just
 * to learn that `db` was declared as `drizzle(pool)` three lines above.
 */
import {
  BindingElement,
  ClassDeclaration,
  ClassExpression,
  EnumDeclaration,
  Expression,
  FunctionDeclaration,
  Identifier,
  ImportClause,
  ImportEqualsDeclaration,
  ImportSpecifier,
  NamespaceImport,
  Node,
  ParameterDeclaration,
  PropertyAccessExpression,
  PropertyDeclaration,
  SourceFile,
  Statement,
  VariableDeclaration,
} from 'ts-morph';

export type Declaration =
  | VariableDeclaration
  | ParameterDeclaration
  | BindingElement
  | ImportSpecifier
  | ImportClause
  | NamespaceImport
  | ImportEqualsDeclaration
  | FunctionDeclaration
  | ClassDeclaration
  | EnumDeclaration;

function matchBindingName(
  owner: VariableDeclaration | ParameterDeclaration | BindingElement,
  name: string,
): VariableDeclaration | ParameterDeclaration | BindingElement | undefined {
  const nameNode = owner.getNameNode();
  if (Node.isIdentifier(nameNode)) return nameNode.getText() === name ? owner : undefined;
  if (Node.isObjectBindingPattern(nameNode) || Node.isArrayBindingPattern(nameNode)) {
    for (const element of nameNode.getElements()) {
      if (!Node.isBindingElement(element)) continue;
      const found = matchBindingName(element, name);
      if (found) return found;
    }
  }
  return undefined;
}

/** Every name a list of statements declares (a block's or a file's own level), first declaration first. */
function addStatementDeclarations(statements: Statement[], into: Map<string, Declaration>): void {
  const add = (name: string, declaration: Declaration) => {
    if (!into.has(name)) into.set(name, declaration);
  };
  for (const statement of statements) {
    if (Node.isVariableStatement(statement)) {
      for (const declaration of statement.getDeclarations()) addBindingNames(declaration, add);
    } else if (Node.isFunctionDeclaration(statement) || Node.isClassDeclaration(statement) || Node.isEnumDeclaration(statement)) {
      const name = statement.getName();
      if (name) add(name, statement);
    } else if (Node.isImportDeclaration(statement)) {
      const clause = statement.getImportClause();
      const defaultImport = statement.getDefaultImport();
      if (defaultImport && clause) add(defaultImport.getText(), clause);
      const namespaceImport = statement.getNamespaceImport();
      const namespaceParent = namespaceImport?.getParent();
      if (namespaceImport && Node.isNamespaceImport(namespaceParent)) add(namespaceImport.getText(), namespaceParent);
      for (const specifier of statement.getNamedImports()) add(specifier.getAliasNode()?.getText() ?? specifier.getName(), specifier);
    } else if (Node.isImportEqualsDeclaration(statement)) {
      add(statement.getName(), statement);
    }
  }
}

function addBindingNames(owner: VariableDeclaration | ParameterDeclaration | BindingElement, add: (name: string, declaration: Declaration) => void): void {
  const nameNode = owner.getNameNode();
  if (Node.isIdentifier(nameNode)) add(nameNode.getText(), owner);
  else if (Node.isObjectBindingPattern(nameNode) || Node.isArrayBindingPattern(nameNode)) {
    for (const element of nameNode.getElements()) if (Node.isBindingElement(element)) addBindingNames(element, add);
  }
}

/**
 * The names each block or file declares, built once per container: resolving every identifier by
 * rescanning the file's top-level statements made recognition quadratic in the file's length.
 */
const declarationsByContainer = new WeakMap<Node, Map<string, Declaration>>();

function declarationsOf(container: Node & { getStatements(): Statement[] }): Map<string, Declaration> {
  let declarations = declarationsByContainer.get(container);
  if (!declarations) {
    declarations = new Map();
    addStatementDeclarations(container.getStatements(), declarations);
    declarationsByContainer.set(container, declarations);
  }
  return declarations;
}

function isFunctionWithParameters(node: Node): node is Node & { getParameters(): ParameterDeclaration[] } {
  return (
    Node.isFunctionDeclaration(node) ||
    Node.isFunctionExpression(node) ||
    Node.isArrowFunction(node) ||
    Node.isMethodDeclaration(node) ||
    Node.isConstructorDeclaration(node) ||
    Node.isGetAccessorDeclaration(node) ||
    Node.isSetAccessorDeclaration(node)
  );
}

/** The innermost declaration of the identifier's name visible at the identifier. */
export function resolveIdentifier(identifier: Identifier): Declaration | undefined {
  const name = identifier.getText();
  for (let node: Node | undefined = identifier.getParent(); node !== undefined; node = node.getParent()) {
    if (isFunctionWithParameters(node)) {
      for (const parameter of node.getParameters()) {
        const found = matchBindingName(parameter, name);
        if (found) return found;
      }
    }
    if (Node.isBlock(node) || Node.isSourceFile(node) || Node.isModuleBlock(node) || Node.isCaseClause(node) || Node.isDefaultClause(node)) {
      const found = declarationsOf(node).get(name);
      if (found) return found;
    } else if (Node.isForStatement(node) || Node.isForOfStatement(node) || Node.isForInStatement(node)) {
      const initializer = node.getInitializer();
      if (initializer && Node.isVariableDeclarationList(initializer)) {
        for (const declaration of initializer.getDeclarations()) {
          const found = matchBindingName(declaration, name);
          if (found) return found;
        }
      }
    } else if (Node.isCatchClause(node)) {
      const declaration = node.getVariableDeclaration();
      if (declaration) {
        const found = matchBindingName(declaration, name);
        if (found) return found;
      }
    }
  }
  return undefined;
}

export interface ClassMemberFacts {
  cls: ClassDeclaration | ClassExpression;
  /** The property or constructor parameter property that declares the member. */
  declaration?: PropertyDeclaration | ParameterDeclaration;
  /** Values assigned to `this.<name>` in the constructor (plain JavaScript classes declare nothing). */
  assigned: Expression[];
}

export function enclosingClass(node: Node): ClassDeclaration | ClassExpression | undefined {
  for (let current: Node | undefined = node.getParent(); current !== undefined; current = current.getParent()) {
    if (Node.isClassDeclaration(current) || Node.isClassExpression(current)) return current;
  }
  return undefined;
}

/** What the enclosing class says about `this.<name>`. */
export function resolveThisMember(access: PropertyAccessExpression): ClassMemberFacts | undefined {
  const cls = enclosingClass(access);
  if (!cls) return undefined;
  const name = access.getName();
  let declaration: PropertyDeclaration | ParameterDeclaration | undefined = cls.getProperty(name);
  const facts = constructorFactsOf(cls);
  if (!declaration) declaration = facts.parameterProperties.get(name);
  return { cls, declaration, assigned: facts.assignments.get(name) ?? [] };
}

interface ConstructorFacts {
  parameterProperties: Map<string, ParameterDeclaration>;
  /** `this.<name> = <expr>` in constructors, by name. */
  assignments: Map<string, Expression[]>;
}

const constructorFactsCache = new WeakMap<Node, ConstructorFacts>();

/** Walks a class's constructors once; every `this.x` lookup in the class reuses the result. */
function constructorFactsOf(cls: NonNullable<ReturnType<typeof enclosingClass>>): ConstructorFacts {
  const cached = constructorFactsCache.get(cls);
  if (cached) return cached;
  const facts: ConstructorFacts = { parameterProperties: new Map(), assignments: new Map() };
  for (const constructor of cls.getConstructors()) {
    for (const parameter of constructor.getParameters()) {
      if (parameter.isParameterProperty() && !facts.parameterProperties.has(parameter.getName())) {
        facts.parameterProperties.set(parameter.getName(), parameter);
      }
    }
    constructor.forEachDescendant((node, traversal) => {
      if (Node.isFunctionLikeDeclaration(node) && !Node.isArrowFunction(node)) {
        traversal.skip();
        return;
      }
      if (!Node.isBinaryExpression(node) || node.getOperatorToken().getText() !== '=') return;
      const left = node.getLeft();
      if (Node.isPropertyAccessExpression(left) && Node.isThisExpression(left.getExpression())) {
        const list = facts.assignments.get(left.getName()) ?? [];
        list.push(node.getRight());
        facts.assignments.set(left.getName(), list);
      }
    });
  }
  constructorFactsCache.set(cls, facts);
  return facts;
}

/** Top-level declaration of `name` in a file (the target of `export { name }` and `export default name`). */
export function findTopLevelDeclaration(file: SourceFile, name: string): Declaration | undefined {
  return declarationsOf(file).get(name);
}
