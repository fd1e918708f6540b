/**
 * Loads the protocol client the language-server tests use (test/lsp/lsp-client.ts) into a plain
 * Node process, so the benchmark talks to the server exactly as the tests do. Node 20 cannot import
 * TypeScript, so the client is bundled with esbuild (a dev dependency) into a temporary CommonJS
 * file first. `__dirname` is pinned to the client's own folder: the client finds the repository
 * (and `bin/cachescope-lsp.js`) relative to it.
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const clientSource = path.join(repoRoot, 'test', 'lsp', 'lsp-client.ts');
const require = createRequire(import.meta.url);

let loaded;

/** The exports of test/lsp/lsp-client.ts: `LspClient`, `uri`, `repoRoot`, `applyTextEdits`. */
export async function loadLspClient() {
  if (loaded) return loaded;
  const esbuild = await import('esbuild');
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cachescope-lsp-client-'));
  const outfile = path.join(outDir, 'lsp-client.cjs');
  try {
    await esbuild.build({
      entryPoints: [clientSource],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      logLevel: 'silent',
      define: { __dirname: JSON.stringify(path.dirname(clientSource)) },
    });
    loaded = require(outfile);
  } finally {
    fs.rmSync(outDir, { recursive: true, force: true });
  }
  return loaded;
}
