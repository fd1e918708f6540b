#!/usr/bin/env node
/**
 * Bundles the VS Code extension into dist/extension/ with esbuild:
 *   client/extension.ts   -> client.js       (the extension entry; `vscode` is provided by the editor)
 *   server/main.ts        -> server.js       (the language server, with the engine, ts-morph and TypeScript;
 *                                             its workspace-scan worker thread runs the same file)
 * The .vsix then needs no node_modules. Every entry is required: entries that exist are bundled, and the
 * script fails at the end if any is missing or any build reported an error.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.join(root, 'dist', 'extension');

const entries = [
  { source: 'client/extension.ts', output: 'client.js', external: ['vscode'] },
  { source: 'server/main.ts', output: 'server.js', external: [] },
];

/** Options shared by every entry: Node 20, CommonJS (what VS Code's extension host and `node` load). */
const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  minify: true,
  // Maps are written for debugging a local build; .vscodeignore keeps them out of the .vsix.
  sourcemap: 'linked',
  sourcesContent: false,
  logLevel: 'warning',
  metafile: true,
  absWorkingDir: root,
};

fs.rmSync(outdir, { recursive: true, force: true });
fs.mkdirSync(outdir, { recursive: true });

const missing = [];
let failed = false;
for (const entry of entries) {
  const sourcePath = path.join(root, entry.source);
  if (!fs.existsSync(sourcePath)) {
    missing.push(entry.source);
    continue;
  }
  const outfile = path.join(outdir, entry.output);
  try {
    const started = performance.now();
    const result = await esbuild.build({ ...common, entryPoints: [sourcePath], outfile, external: entry.external });
    const bytes = result.metafile.outputs[path.relative(root, outfile).split(path.sep).join('/')]?.bytes ?? fs.statSync(outfile).size;
    const took = Math.round(performance.now() - started);
    console.log(`bundled ${entry.source} -> ${path.relative(root, outfile)} (${formatBytes(bytes)}, ${took} ms)`);
  } catch (error) {
    // esbuild has already printed each error with its location (logLevel); say which entry failed.
    failed = true;
    console.error(`bundle failed: ${entry.source}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
  }
}

if (missing.length > 0) {
  console.error(`bundle failed: required entry point(s) missing: ${missing.join(', ')}`);
  failed = true;
}
if (failed) process.exit(1);

function formatBytes(bytes) {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(2)} MB` : `${(bytes / 1024).toFixed(1)} kB`;
}
