import * as fs from 'node:fs';
import * as path from 'node:path';
import fg from 'fast-glob';
import ignore, { Ignore } from 'ignore';

/** The file kinds CacheScope lints. Declaration files hold no runtime code and are skipped. */
export const lintedExtensions = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];

export interface DiscoverOptions {
  cwd: string;
  /** Files and directories as given on the command line. */
  targets: string[];
  /** Extra ignore globs (config `ignorePatterns`), relative to cwd. */
  ignorePatterns?: string[];
  /** Whether test files found inside a target directory are linted (they are skipped by default). */
  includeTests?: boolean;
}

/**
 * Test code sets keys without TTLs and runs KEYS against throwaway servers on purpose; reporting it
 * would bury real findings. Matched relative to the target directory, so `cachescope lint test/`
 * (or naming a file) still lints tests.
 */
export const testFilePatterns = [
  '**/*.test.*',
  '**/*.spec.*',
  '**/*.e2e-spec.*',
  '**/*.e2e.*',
  '**/__tests__/**',
  '**/__mocks__/**',
  '**/test/**',
  '**/tests/**',
  '**/e2e/**',
  '**/__e2e__/**',
  // `api.servertest.ts`, `db.clienttest.ts`: suites named after the runtime they test in.
  '**/*.{servertest,clienttest,unittest,inttest,integrationtest}.*',
  '**/benchmark/**',
  '**/benchmarks/**',
];

export interface DiscoveredFiles {
  files: string[];
  /** Targets that do not exist: reported as usage errors by the CLI. */
  missing: string[];
}

function isLintable(file: string): boolean {
  return lintedExtensions.includes(path.extname(file)) && !/\.d\.[cm]?ts$/.test(file);
}

/** The directory of the enclosing git work tree, where .gitignore rules start; cwd when there is none. */
function gitRoot(from: string): string | undefined {
  let dir = from;
  for (;;) {
    if (fs.existsSync(path.join(dir, '.git'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * Collects the .gitignore rules that apply below `root`: every .gitignore from the git root down,
 * each scoped to its own directory as git scopes them.
 */
class GitignoreMatcher {
  private readonly scopes: Array<{ dir: string; rules: Ignore }> = [];

  /**
   * `nested` are the .gitignore files found below `searchRoot` by the same directory walk that
   * finds the source files. When the target itself is ignored by an ancestor .gitignore (a
   * generated corpus, a vendored checkout), the user asked for it explicitly: only the rules
   * inside the target apply.
   */
  constructor(searchRoot: string, nested: string[]) {
    const top = gitRoot(searchRoot) ?? searchRoot;
    const ancestors: string[] = [];
    for (let dir = path.dirname(searchRoot); ; dir = path.dirname(dir)) {
      if (path.relative(top, dir).startsWith('..')) break;
      ancestors.push(dir);
      if (dir === top || path.dirname(dir) === dir) break;
    }
    const outer: Array<{ dir: string; rules: Ignore }> = [];
    for (const dir of ancestors.reverse()) {
      const file = path.join(dir, '.gitignore');
      if (fs.existsSync(file)) outer.push({ dir, rules: ignore().add(fs.readFileSync(file, 'utf8')) });
    }
    const targetIgnored = outer.some((scope) => {
      const relative = path.relative(scope.dir, searchRoot).split(path.sep).join('/');
      return relative !== '' && scope.rules.ignores(`${relative}/`);
    });
    if (!targetIgnored) this.scopes.push(...outer);
    for (const file of nested) {
      this.scopes.push({ dir: path.dirname(file), rules: ignore().add(fs.readFileSync(file, 'utf8')) });
    }
  }

  ignores(file: string): boolean {
    for (const scope of this.scopes) {
      const relative = path.relative(scope.dir, file);
      if (relative.startsWith('..') || path.isAbsolute(relative) || relative === '') continue;
      if (scope.rules.ignores(relative.split(path.sep).join('/'))) return true;
    }
    return false;
  }
}

/** Dot-directories (.next, .turbo, .cache, .vscode) hold build output and tooling, not sources. */
function isInDotDirectory(root: string, file: string): boolean {
  return path.relative(root, path.dirname(file)).split(path.sep).some((segment) => segment.startsWith('.') && segment !== '.' && segment !== '..');
}

export function discoverFiles(options: DiscoverOptions): DiscoveredFiles {
  const files = new Set<string>();
  const missing: string[] = [];
  const extraIgnores = ignore().add(options.ignorePatterns ?? []);

  for (const target of options.targets) {
    const absolute = path.resolve(options.cwd, target);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(absolute);
    } catch {
      missing.push(target);
      continue;
    }
    if (stat.isFile()) {
      // A file named explicitly is linted even when ignored, as with ESLint's explicit paths.
      if (!absolute.split(path.sep).includes('node_modules')) files.add(absolute);
      continue;
    }
    const ignored = ['**/node_modules/**', '**/.git/**', ...(options.includeTests ? [] : testFilePatterns)];
    // One walk finds both the sources and the .gitignore files that filter them.
    const found = fg.sync(
      [...lintedExtensions.map((ext) => `**/*${ext}`), '**/.gitignore'],
      { cwd: absolute, absolute: true, dot: true, ignore: ignored, suppressErrors: true, followSymbolicLinks: false },
    );
    const gitignores = found.filter((file) => path.basename(file) === '.gitignore');
    const matcher = new GitignoreMatcher(absolute, gitignores);
    for (const file of found) {
      const normalised = path.normalize(file);
      if (!isLintable(normalised) || isInDotDirectory(absolute, normalised)) continue;
      if (matcher.ignores(normalised)) continue;
      const relativeToCwd = path.relative(options.cwd, normalised).split(path.sep).join('/');
      if (!relativeToCwd.startsWith('..') && relativeToCwd && extraIgnores.ignores(relativeToCwd)) continue;
      files.add(normalised);
    }
  }
  return { files: [...files].sort(), missing };
}
