import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCorpus, manifestName } from './generate-corpus.mjs';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'corpus-test-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

function sourceFiles(dir) {
  const found = [];
  const walk = (current) => {
    for (const entry of fs.readdirSync(current, { withFileTypes: true })) {
      if (entry.name === '.git') continue;
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts')) found.push(full);
    }
  };
  walk(dir);
  return found.sort();
}

function importSpecifiers(text) {
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^;]*?\bfrom\s+'([^']+)'/g)].map((match) => match[1]);
}

describe('generateCorpus', () => {
  const dir = path.join(scratch, 'main');
  let summary;
  let files;
  let texts;

  beforeAll(() => {
    summary = generateCorpus({ files: 1500, seed: 'test-seed', out: dir });
    files = sourceFiles(dir);
    texts = new Map(files.map((file) => [file, fs.readFileSync(file, 'utf8')]));
  });

  it('writes exactly the requested number of files, 20 to 400 lines each, about 88 on average', () => {
    expect(files).toHaveLength(1500);
    const lineCounts = [...texts.values()].map((text) => text.split('\n').length - 1);
    expect(Math.min(...lineCounts)).toBeGreaterThanOrEqual(20);
    expect(Math.max(...lineCounts)).toBeLessThanOrEqual(400);
    const mean = lineCounts.reduce((a, b) => a + b, 0) / lineCounts.length;
    expect(mean).toBeGreaterThan(78);
    expect(mean).toBeLessThan(98);
    expect(summary.lines).toBe(lineCounts.reduce((a, b) => a + b, 0));
  });

  it('produces TypeScript without syntax errors', () => {
    const broken = [];
    for (const [file, text] of texts) {
      const { diagnostics } = ts.transpileModule(text, {
        fileName: file,
        reportDiagnostics: true,
        compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, experimentalDecorators: true },
      });
      if (diagnostics.length > 0) broken.push(`${path.relative(dir, file)}: ${ts.flattenDiagnosticMessageText(diagnostics[0].messageText, '\n')}`);
    }
    expect(broken).toEqual([]);
  });

  it('type-checks except where packages the corpus does not install are involved', () => {
    const repoTypes = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'node_modules', '@types');
    const { config } = ts.readConfigFile(path.join(dir, 'tsconfig.json'), ts.sys.readFile);
    const parsed = ts.parseJsonConfigFileContent(config, ts.sys, dir);
    const program = ts.createProgram(parsed.fileNames, { ...parsed.options, noEmit: true, types: ['node'], typeRoots: [repoTypes] });
    // NestJS, Prisma, express, zod and jest are not installed: their imports, globals and the
    // implicit anys they cause are expected. Anything else is a bug in the generator.
    const expected = (diagnostic) => {
      const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
      if (diagnostic.code === 2307 || diagnostic.code === 2593 || diagnostic.code === 7006) return true;
      if (diagnostic.code === 2304 && /'(expect|beforeEach|describe|it)'/.test(text)) return true;
      return diagnostic.code === 2339 && /PrismaService/.test(text);
    };
    const unexpected = ts
      .getPreEmitDiagnostics(program)
      .filter((diagnostic) => !expected(diagnostic))
      .slice(0, 10)
      .map((diagnostic) => `${diagnostic.file ? path.relative(dir, diagnostic.file.fileName) : ''} TS${diagnostic.code}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ')}`);
    expect(unexpected).toEqual([]);
  });

  it('imports only files and packages that exist in the corpus', () => {
    const packages = new Set(fs.readdirSync(path.join(dir, 'packages')));
    const unresolved = [];
    for (const [file, text] of texts) {
      for (const specifier of importSpecifiers(text)) {
        if (specifier.startsWith('.')) {
          const base = path.resolve(path.dirname(file), specifier);
          if (!fs.existsSync(`${base}.ts`) && !fs.existsSync(path.join(base, 'index.ts'))) unresolved.push(`${path.relative(dir, file)} -> ${specifier}`);
        } else if (specifier.startsWith('@acme/') && !packages.has(specifier.slice('@acme/'.length))) {
          unresolved.push(`${path.relative(dir, file)} -> ${specifier}`);
        }
      }
    }
    expect(unresolved).toEqual([]);
    const crossPackage = [...texts.values()].filter((text) => /from '@acme\/(?!platform-common)/.test(text));
    expect(crossPackage.length).toBeGreaterThan(10);
  });

  it('has about 1% of files touching a cache client, directly and through a project module', () => {
    const cacheImport = /from '(ioredis|redis|cache-manager|@nestjs\/cache-manager|(\.\.?\/)+cache(\/client)?|\.\/client)'/;
    const touching = [...texts.entries()].filter(([, text]) => cacheImport.test(text)).map(([file]) => path.relative(dir, file));
    expect(touching.sort()).toEqual([...summary.cacheFiles].sort());
    expect(touching.length).toBeGreaterThanOrEqual(12);
    expect(touching.length).toBeLessThanOrEqual(20);

    const all = [...texts.values()].join('\n');
    for (const library of ["from 'ioredis'", "from 'redis'", "from 'cache-manager'", "from '../cache'"]) expect(all).toContain(library);
    const clientFiles = files.filter((file) => file.endsWith(`${path.sep}cache${path.sep}client.ts`));
    expect(clientFiles.length).toBeGreaterThan(0);
    for (const file of clientFiles) {
      expect(texts.get(file)).toContain('new Redis(');
      expect(fs.readFileSync(path.join(path.dirname(file), 'index.ts'), 'utf8')).toContain("from './client'");
    }
  });

  it('puts each cache anti-pattern into the cache files', () => {
    const cacheTexts = summary.cacheFiles.map((file) => fs.readFileSync(path.join(dir, file), 'utf8')).join('\n');
    expect(cacheTexts).toMatch(/await (redis|this\.redis|client)\.keys\('/);
    expect(cacheTexts).toMatch(/\.set\([^;]*JSON\.stringify\(\w+\)\);|\.set\(`[^`]*`, summary\);/);
    expect(cacheTexts).toMatch(/\.setex\(|'EX', [A-Z_]+_TTL_SECONDS\)|\{ EX: [A-Z_]+_TTL_SECONDS \}|'EX', WARMUP_TTL_SECONDS/);
    expect(cacheTexts).toMatch(/const updated = await this\.repository\.update\([^\n]*\n[^\n]*\n\s*await [\w.]+\.set\(/);
  });

  it('writes a tsconfig.json with the package path aliases and makes the corpus a git work tree', () => {
    const tsconfig = JSON.parse(fs.readFileSync(path.join(dir, 'tsconfig.json'), 'utf8'));
    expect(tsconfig.compilerOptions.paths['@acme/*']).toEqual(['packages/*/src']);
    expect(fs.existsSync(path.join(dir, '.git'))).toBe(summary.gitInitialised);
  });
});

describe('determinism', () => {
  const read = (dir) => new Map(sourceFiles(dir).map((file) => [path.relative(dir, file), fs.readFileSync(file, 'utf8')]));

  it('gives identical output for the same seed and different output for another seed', () => {
    const first = path.join(scratch, 'first');
    const second = path.join(scratch, 'second');
    const other = path.join(scratch, 'other');
    generateCorpus({ files: 300, seed: 7, out: first, git: false });
    generateCorpus({ files: 300, seed: 7, out: second, git: false });
    generateCorpus({ files: 300, seed: 8, out: other, git: false });
    const a = read(first);
    expect(read(second)).toEqual(a);
    expect(read(other)).not.toEqual(a);
  });

  it('replaces an earlier corpus but refuses to wipe a directory it did not generate', () => {
    const dir = path.join(scratch, 'reuse');
    generateCorpus({ files: 200, seed: 1, out: dir, git: false });
    fs.writeFileSync(path.join(dir, 'stale.ts'), 'export const stale = 1;\n');
    generateCorpus({ files: 200, seed: 1, out: dir, git: false });
    expect(fs.existsSync(path.join(dir, 'stale.ts'))).toBe(false);
    expect(fs.existsSync(path.join(dir, manifestName))).toBe(true);

    const foreign = path.join(scratch, 'foreign');
    fs.mkdirSync(foreign);
    fs.writeFileSync(path.join(foreign, 'notes.txt'), 'keep me');
    expect(() => generateCorpus({ files: 200, out: foreign })).toThrow(/refusing/);
    expect(fs.readFileSync(path.join(foreign, 'notes.txt'), 'utf8')).toBe('keep me');
  });
});
