import * as fs from 'node:fs';
import * as path from 'node:path';
import { knownCacheSpecifiers } from '../clients/libraries';

/**
 * Installed packages whose typings mention a cache library (a company's `@acme/redis` wrapper, a
 * framework's cache module): importing one can hand a file a client, so such files are analysed
 * and their receivers placed through the typings (see typed-receivers.ts).
 */
const cacheImport = new RegExp(
  `from\\s*['"](${knownCacheSpecifiers().map((s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|')})['"]|import\\(\\s*['"](ioredis|redis|@redis/client|@upstash/redis)['"]\\s*\\)`,
);
const relativeReference = /(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g;

export class WrapperPackages {
  private readonly verdicts = new Map<string, boolean>();
  private readonly packageDirs = new Map<string, string | null>();

  /** True when `specifier`, imported from `fromFile`, names an installed package (not a cache library itself) whose typings reference one. */
  wrapsCacheClient(specifier: string, fromFile: string): boolean {
    if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:')) return false;
    const parts = specifier.split('/');
    const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
    const dir = this.packageDir(name, path.dirname(fromFile));
    if (!dir) return false;
    const cached = this.verdicts.get(dir);
    if (cached !== undefined) return cached;
    const verdict = this.inspect(dir);
    this.verdicts.set(dir, verdict);
    return verdict;
  }

  /** Where Node would find the package from `startDir`: the nearest node_modules that has it. */
  private packageDir(name: string, startDir: string): string | undefined {
    const key = `${startDir}\0${name}`;
    const cached = this.packageDirs.get(key);
    if (cached !== undefined) return cached ?? undefined;
    let found: string | undefined;
    for (let dir = startDir; ; dir = path.dirname(dir)) {
      const candidate = path.join(dir, 'node_modules', name);
      if (fs.existsSync(path.join(candidate, 'package.json'))) {
        found = candidate;
        break;
      }
      if (path.dirname(dir) === dir) break;
    }
    this.packageDirs.set(key, found ?? null);
    return found;
  }

  private inspect(dir: string): boolean {
    const manifestPath = path.join(dir, 'package.json');
    let manifest: Record<string, unknown>;
    try {
      manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as Record<string, unknown>;
    } catch {
      return false;
    }
    const deps = { ...(manifest.dependencies as object), ...(manifest.peerDependencies as object) } as Record<string, unknown>;
    if (!knownCacheSpecifiers().some((lib) => lib in deps)) return false;
    const entry = [manifest.types, manifest.typings].find((value): value is string => typeof value === 'string') ?? 'index.d.ts';
    // The entry typings and the files they re-export, two levels deep, are enough for real wrappers.
    const queue: Array<[string, number]> = [[path.join(dir, entry), 0]];
    const seen = new Set<string>();
    while (queue.length > 0) {
      const [file, depth] = queue.shift()!;
      const candidates = [file, `${file}.d.ts`, path.join(file, 'index.d.ts'), file.replace(/\.js$/, '.d.ts')];
      const existing = candidates.find((candidate) => !seen.has(candidate) && fs.existsSync(candidate) && fs.statSync(candidate).isFile());
      if (!existing) continue;
      seen.add(existing);
      const text = fs.readFileSync(existing, 'utf8');
      if (cacheImport.test(text)) return true;
      if (depth >= 2) continue;
      for (const match of text.matchAll(relativeReference)) queue.push([path.resolve(path.dirname(existing), match[1]), depth + 1]);
    }
    return false;
  }
}
