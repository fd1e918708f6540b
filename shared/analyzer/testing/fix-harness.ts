import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';
import { applyFixes } from '../engine/apply-fixes';
import { lintCase } from './rule-tester';
import type { AnyRule } from '../rules/create-rule';
import type { Finding, Fix } from '../types';

/**
 * Test support for the rules' fix tests: applies suggestions through the real engine, writes
 * the results where the repository's installed client libraries resolve, type-checks them with the
 * TypeScript compiler and runs them against a private redis-server.
 */

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const scratchRoot = path.join(repoRoot, 'node_modules', '.cache', 'cachescope-tests');

export function makeWorkDir(prefix: string): string {
  fs.mkdirSync(scratchRoot, { recursive: true });
  return fs.mkdtempSync(path.join(scratchRoot, `${prefix}-`));
}

export function removeWorkDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

export interface SuggestedOutputs {
  /** The text after each single suggestion, in finding order. */
  each: string[];
  /** The text after applying every finding's first suggestion together. */
  all: string;
  findings: number;
}

/** Lints `code` with one rule and applies its suggestions, one at a time and all together. */
export async function applySuggestions(rule: AnyRule, code: string, options?: Record<string, unknown>, filename?: string): Promise<SuggestedOutputs> {
  const { findings } = await lintCase(rule, { code, options, filename });
  const each = findings.flatMap((finding) => (finding.suggestions ?? []).map((suggestion) => applyFixes(code, [suggestion.fix]).output));
  let all = code;
  let pending = firstSuggestions(findings);
  // Suggestions that touch the same text are applied over several passes, as `--fix-suggestions` does.
  for (let pass = 0; pass < 10 && pending.length > 0; pass++) {
    const { output, applied } = applyFixes(all, pending);
    all = output;
    if (applied === pending.length) break;
    pending = firstSuggestions((await lintCase(rule, { code: all, options, filename })).findings);
  }
  return { each, all, findings: findings.length };
}

function firstSuggestions(findings: readonly Finding[]): Fix[] {
  return findings.flatMap((finding) => (finding.suggestions?.[0] ? [finding.suggestions[0].fix] : []));
}

/** Type-checks files with `strict` against the repository's installed packages; returns readable diagnostics. */
export function typeCheck(files: string[]): string[] {
  const program = ts.createProgram(files, {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.Node16,
    moduleResolution: ts.ModuleResolutionKind.Node16,
    esModuleInterop: true,
    experimentalDecorators: true,
    types: ['node'],
    typeRoots: [path.join(repoRoot, 'node_modules', '@types')],
  });
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    if (!diagnostic.file || diagnostic.start === undefined) return message;
    const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
    return `${path.basename(diagnostic.file.fileName)}:${line + 1}:${character + 1} ${message}`;
  });
}

/** Writes files (by path relative to `dir`) and type-checks them together. */
export function typeCheckFiles(files: Record<string, string>, dir: string): string[] {
  const paths = Object.entries(files).map(([name, text]) => {
    const file = path.join(dir, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    return file;
  });
  return typeCheck(paths);
}

/** Compiles a TypeScript module to CommonJS JavaScript next to where it will run. */
export function writeJavaScript(file: string, source: string): void {
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, experimentalDecorators: true },
  });
  fs.writeFileSync(file, outputText);
}

/** Runs a Node script to completion; rejects with its stderr when it fails. */
export function runNode(script: string, env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script], { cwd: path.dirname(script), env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout);
      else reject(new Error(`${path.basename(script)} exited with ${code}:\n${stderr}`));
    });
  });
}

export { startRedis } from './redis-server';
export type { SpawnedRedis as RedisServer } from './redis-server';
