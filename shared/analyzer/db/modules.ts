/**
 * Which library a module specifier names, and how to follow an import into another file of the
 * same project (relative paths and `compilerOptions.paths` aliases) without building a program.
 */
import * as path from 'path';
import { Node, SourceFile, SyntaxKind } from 'ts-morph';
import type { DbLibrary } from './db-types';
import { findTopLevelDeclaration } from './scope';
import { moduleResolverOf } from '../project/module-resolver';

const LIBRARY_MODULES: Array<[RegExp, DbLibrary]> = [
  [/^(@prisma\/client|\.prisma\/client)(\/|$)|(^|\/)generated\/prisma(\/|$)|(^|\/)prisma\/client$/, 'prisma'],
  [/^(typeorm|@nestjs\/typeorm)(\/|$)/, 'typeorm'],
  [/^(sequelize|sequelize-typescript|@nestjs\/sequelize)(\/|$)/, 'sequelize'],
  [/^(mongoose|@nestjs\/mongoose|@typegoose\/typegoose)(\/|$)/, 'mongoose'],
  [/^(knex|nestjs-knex|nest-knexjs|@nestjsplus\/knex)(\/|$)/, 'knex'],
  [/^drizzle-orm(\/|$)/, 'drizzle'],
  [/^kysely(\/|$)/, 'kysely'],
  [
    /^(pg|pg-promise|pg-pool|mysql|mysql2|mysql2\/promise|postgres|@vercel\/postgres|slonik|better-sqlite3|sqlite3|sqlite|node:sqlite|bun:sqlite|@neondatabase\/serverless|@planetscale\/database|mssql|oracledb|@libsql\/client|tedious|@databases\/(pg|mysql|sqlite))(\/|$)/,
    'sql',
  ],
];

export function libraryOfModule(specifier: string): DbLibrary | undefined {
  for (const [pattern, library] of LIBRARY_MODULES) if (pattern.test(specifier)) return library;
  return undefined;
}

/** Modules of cache clients and of project files that wrap them: what comes from them is never a database. */
export function isCacheModule(specifier: string): boolean {
  return /redis|cache|keyv|memcache|valkey|upstash|(^|\/)kv($|\/)/i.test(specifier);
}

/** A specifier that points into the project rather than at a package. */
export function isProjectModule(specifier: string): boolean {
  return /^(\.{1,2}(\/|$)|\/|@\/|~\/|#|src\/)/.test(specifier);
}

const SOURCE_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];

function candidatesFor(base: string): string[] {
  const candidates = [base];
  const jsToTs: Record<string, string[]> = { '.js': ['.ts', '.tsx'], '.jsx': ['.tsx'], '.mjs': ['.mts'], '.cjs': ['.cts'] };
  const extension = path.posix.extname(base);
  const replacements = jsToTs[extension];
  if (replacements) for (const replacement of replacements) candidates.push(base.slice(0, -extension.length) + replacement);
  for (const extension of SOURCE_EXTENSIONS) candidates.push(base + extension);
  for (const extension of SOURCE_EXTENSIONS) candidates.push(`${base}/index${extension}`);
  return candidates;
}

function aliasBases(from: SourceFile, specifier: string): string[] {
  const options = from.getProject().getCompilerOptions();
  const paths = options.paths;
  if (!paths) return [];
  // TypeScript records where `paths` was declared when there is no baseUrl.
  const root = options.baseUrl ?? (options as { pathsBasePath?: unknown }).pathsBasePath;
  if (typeof root !== 'string') return [];
  const bases: string[] = [];
  for (const [pattern, targets] of Object.entries(paths)) {
    const star = pattern.indexOf('*');
    let captured: string | undefined;
    if (star < 0) {
      if (pattern === specifier) captured = '';
    } else {
      const prefix = pattern.slice(0, star);
      const suffix = pattern.slice(star + 1);
      if (specifier.startsWith(prefix) && specifier.endsWith(suffix) && specifier.length >= prefix.length + suffix.length) {
        captured = specifier.slice(prefix.length, specifier.length - suffix.length);
      }
    }
    if (captured === undefined) continue;
    for (const target of targets) bases.push(path.posix.join(root.replace(/\\/g, '/'), target.replace('*', captured)));
  }
  return bases;
}

/** The project file an import specifier names, when the project holds it. */
export function resolveModuleFile(from: SourceFile, specifier: string): SourceFile | undefined {
  const project = from.getProject();
  const engineResolver = moduleResolverOf(project);
  if (engineResolver) {
    const resolved = engineResolver.resolve(specifier, from.getFilePath());
    const file = resolved ? project.getSourceFile(resolved) : undefined;
    return file && file !== from ? file : undefined;
  }
  const bases = specifier.startsWith('.') || specifier.startsWith('/')
    ? [specifier.startsWith('/') ? specifier : path.posix.join(from.getDirectoryPath(), specifier)]
    : aliasBases(from, specifier);
  for (const base of bases) {
    for (const candidate of candidatesFor(base)) {
      const file = project.getSourceFile(candidate);
      if (file && file !== from) return file;
    }
  }
  return undefined;
}

function commonJsExport(file: SourceFile, exportName: string): Node | undefined {
  for (const statement of file.getStatements()) {
    if (!Node.isExpressionStatement(statement)) continue;
    const expression = statement.getExpression();
    if (!Node.isBinaryExpression(expression) || expression.getOperatorToken().getText() !== '=') continue;
    const left = expression.getLeft().getText();
    const right = expression.getRight();
    if (left === 'module.exports') {
      if (exportName === 'default') return right;
      if (Node.isObjectLiteralExpression(right)) {
        const property = right.getProperty(exportName);
        if (property && Node.isPropertyAssignment(property)) return property.getInitializer();
        if (property && Node.isShorthandPropertyAssignment(property)) return findTopLevelDeclaration(file, exportName);
      }
    } else if (left === `module.exports.${exportName}` || left === `exports.${exportName}`) {
      return right;
    }
  }
  return undefined;
}

/**
 * The declaration (or default-exported expression) that `exportName` of `file` stands for,
 * following `export { a as b }`, `export { x } from`, `export * from` and CommonJS exports.
 */
export function findExportedDeclaration(file: SourceFile, exportName: string, seen = new Set<string>()): Node | undefined {
  const key = `${file.getFilePath()}#${exportName}`;
  if (seen.has(key)) return undefined;
  seen.add(key);
  const starSources: string[] = [];
  for (const statement of file.getStatements()) {
    // Modifiers rather than isExported()/isDefaultExport(): those ask the type checker, which would
    // build a whole program on first use.
    if (Node.isVariableStatement(statement) && statement.hasModifier(SyntaxKind.ExportKeyword) && exportName !== 'default') {
      for (const declaration of statement.getDeclarations()) if (declaration.getName() === exportName) return declaration;
    } else if (Node.isFunctionDeclaration(statement) || Node.isClassDeclaration(statement) || Node.isEnumDeclaration(statement)) {
      if (!statement.hasModifier(SyntaxKind.ExportKeyword)) continue;
      const isDefault = statement.hasModifier(SyntaxKind.DefaultKeyword);
      if (exportName === 'default' ? isDefault : statement.getName() === exportName && !isDefault) {
        return statement;
      }
    } else if (Node.isExportAssignment(statement)) {
      if (exportName === 'default' || statement.isExportEquals()) return statement.getExpression();
    } else if (Node.isExportDeclaration(statement)) {
      const moduleSpecifier = statement.getModuleSpecifierValue();
      const named = statement.getNamedExports();
      if (named.length === 0 && moduleSpecifier !== undefined && !statement.getNamespaceExport()) {
        starSources.push(moduleSpecifier);
        continue;
      }
      for (const specifier of named) {
        const exported = specifier.getAliasNode()?.getText() ?? specifier.getName();
        if (exported !== exportName) continue;
        if (moduleSpecifier === undefined) return findTopLevelDeclaration(file, specifier.getName());
        const target = resolveModuleFile(file, moduleSpecifier);
        return target ? findExportedDeclaration(target, specifier.getName(), seen) : undefined;
      }
    }
  }
  const commonJs = commonJsExport(file, exportName);
  if (commonJs) return commonJs;
  if (exportName === 'default') return undefined;
  for (const source of starSources) {
    const target = resolveModuleFile(file, source);
    const found = target ? findExportedDeclaration(target, exportName, seen) : undefined;
    if (found) return found;
  }
  return undefined;
}
