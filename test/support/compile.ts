import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

/**
 * Type-checks and loads fixed code against the real client typings: files are written under the
 * repository's node_modules/.cache so `ioredis`, `redis` & co. resolve as they do for users.
 */
const root = path.resolve(__dirname, '..', '..');

export function scratchDir(name: string): string {
  const base = path.join(root, 'node_modules', '.cache', 'cachescope-tests');
  fs.mkdirSync(base, { recursive: true });
  return fs.mkdtempSync(path.join(base, `${name}-`));
}

export function typeCheck(files: Record<string, string>, dir: string): string[] {
  const paths = Object.entries(files).map(([name, text]) => {
    const file = path.join(dir, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    return file;
  });
  const program = ts.createProgram(paths, {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.Node16,
    moduleResolution: ts.ModuleResolutionKind.Node16,
    types: ['node'],
    typeRoots: [path.join(root, 'node_modules', '@types')],
  });
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file && d.start !== undefined ? `${path.basename(d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1} ` : '';
    return where + ts.flattenDiagnosticMessageText(d.messageText, '\n');
  });
}

/** Transpiles a checked TypeScript file to CommonJS beside it and loads it. */
export function load<T>(file: string): T {
  const source = fs.readFileSync(file, 'utf8');
  const output = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true } });
  const jsFile = file.replace(/\.ts$/, '.cjs');
  fs.writeFileSync(jsFile, output.outputText);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(jsFile) as T;
}
