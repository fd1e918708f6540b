import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The language server in a second real editor: Neovim's built-in LSP client, headless, configured
 * by the snippet users copy (docs/editors/neovim.lua), on a copy of the shop-service fixture. A
 * generated init.lua loads the snippet, waits for the server's diagnostics on the opened file and
 * for its workspace scan, asks for code actions at the KEYS finding, writes what it saw as JSON and
 * quits.
 */

const repoRoot = path.resolve(__dirname, '../..');
const snippet = path.join(repoRoot, 'docs/editors/neovim.lua');
const fixture = path.join(repoRoot, 'fixtures/shop-service');
const fixtureFile = 'src/services/fx-rates.service.ts';
/** What init.lua allows itself before it writes what it has; the test's own limit is above it. */
const editorWaitMs = 40_000;
const hardTimeoutMs = 60_000;

interface SeenDiagnostic {
  code: string;
  lnum: number;
  col: number;
  source: string;
  severity: number;
  message: string;
}

interface Results {
  diagnostics: SeenDiagnostic[];
  actionTitles: string[];
  actionError?: string;
  scanReady: boolean;
  timedOut: boolean;
  clients: string[];
}

/** 0-based lines of `// expect: <rule>` markers in a text (as test/lsp/server.test.ts reads them). */
function expectedLines(text: string, ruleId: string): number[] {
  return text.split('\n').flatMap((line, index) => {
    const marked = /\/\/ expect: ([\w-]+(?:\s*,\s*[\w-]+)*)/.exec(line)?.[1]?.split(/\s*,\s*/) ?? [];
    return marked.includes(ruleId) ? [index] : [];
  });
}

const luaString = (value: string) => JSON.stringify(value);

/** The test's init.lua: the committed snippet, then a timer that records what Neovim shows. */
function initLua(resultsFile: string, file: string): string {
  const command = [process.execPath, path.join(repoRoot, 'bin/cachescope-lsp.js'), '--stdio'];
  return `
vim.g.cachescope_lsp_cmd = vim.fn.json_decode(${luaString(JSON.stringify(command))})
dofile(${luaString(snippet)})

local results_file = ${luaString(resultsFile)}
local target = ${luaString(file)}
local scan_ready = false
vim.lsp.handlers['cachescope/status'] = function(_, params)
  if params and params.state == 'ready' then
    scan_ready = true
  end
end

local function finish(results)
  local handle = assert(io.open(results_file, 'w'))
  handle:write(vim.fn.json_encode(results))
  handle:close()
  vim.cmd('qa!')
end

-- The LSP form of a diagnostic Neovim shows, for the code action request's context.
local function to_lsp(diagnostic)
  local original = diagnostic.user_data and diagnostic.user_data.lsp or {}
  return vim.tbl_extend('keep', {
    range = {
      start = { line = diagnostic.lnum, character = diagnostic.col },
      ['end'] = { line = diagnostic.end_lnum, character = diagnostic.end_col },
    },
    severity = diagnostic.severity,
    message = diagnostic.message,
    source = diagnostic.source,
    code = diagnostic.code,
  }, original)
end

local function snapshot(bufnr, timed_out)
  local seen = {}
  local keys_finding
  for _, diagnostic in ipairs(vim.diagnostic.get(bufnr)) do
    table.insert(seen, {
      code = diagnostic.code or vim.NIL,
      lnum = diagnostic.lnum,
      col = diagnostic.col,
      source = diagnostic.source or vim.NIL,
      severity = diagnostic.severity,
      message = diagnostic.message,
    })
    if diagnostic.code == 'no-keys-command' then
      keys_finding = diagnostic
    end
  end
  local titles = {}
  local action_error = vim.NIL
  if keys_finding then
    local lsp_diagnostic = to_lsp(keys_finding)
    local responses, err = vim.lsp.buf_request_sync(bufnr, 'textDocument/codeAction', {
      textDocument = { uri = vim.uri_from_bufnr(bufnr) },
      range = lsp_diagnostic.range,
      context = { diagnostics = { lsp_diagnostic } },
    }, 10000)
    if err then
      action_error = tostring(err)
    end
    for _, response in pairs(responses or {}) do
      if response.error then
        action_error = vim.inspect(response.error)
      end
      for _, action in ipairs(response.result or {}) do
        table.insert(titles, action.title)
      end
    end
  end
  local clients = {}
  for _, client in pairs(vim.lsp.buf_get_clients(bufnr)) do
    table.insert(clients, client.name)
  end
  return {
    diagnostics = seen,
    actionTitles = titles,
    actionError = action_error,
    scanReady = scan_ready,
    timedOut = timed_out,
    clients = clients,
  }
end

local started = vim.loop.now()
local timer = vim.loop.new_timer()
timer:start(100, 100, vim.schedule_wrap(function()
  local bufnr = vim.fn.bufnr(target)
  local has_keys = false
  if bufnr > 0 then
    for _, diagnostic in ipairs(vim.diagnostic.get(bufnr)) do
      if diagnostic.code == 'no-keys-command' then
        has_keys = true
      end
    end
  end
  local timed_out = vim.loop.now() - started > ${editorWaitMs}
  if (has_keys and scan_ready) or timed_out then
    timer:stop()
    finish(snapshot(bufnr, timed_out))
  end
end))
`;
}

function runNeovim(cwd: string, initFile: string, file: string): Promise<{ code: number | null; stderr: string; killed: boolean }> {
  return new Promise((resolve, reject) => {
    const scratchHome = path.join(cwd, '..', 'nvim-home');
    const child = spawn('nvim', ['--headless', '--clean', '-u', initFile, file], {
      cwd,
      // Neovim's log, state and cache go to a temporary home, never the user's.
      env: { ...process.env, HOME: scratchHome, XDG_CONFIG_HOME: path.join(scratchHome, 'config'), XDG_STATE_HOME: path.join(scratchHome, 'state'), XDG_CACHE_HOME: path.join(scratchHome, 'cache'), XDG_DATA_HOME: path.join(scratchHome, 'data') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let killed = false;
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, hardTimeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, killed });
    });
  });
}

describe('Neovim built-in LSP client (docs/editors/neovim.lua)', () => {
  let scratch: string;
  let results: Results;
  let text: string;

  beforeAll(async () => {
    const version = spawnSync('nvim', ['--version'], { encoding: 'utf8' });
    if (version.status !== 0) throw new Error(`Neovim is needed for this test (Debian: apt-get install neovim): ${version.error?.message ?? version.stderr}`);
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cachescope-nvim-'));
    const workspace = path.join(scratch, 'shop-service');
    fs.cpSync(fixture, workspace, { recursive: true });
    const file = path.join(workspace, fixtureFile);
    text = fs.readFileSync(file, 'utf8');
    const resultsFile = path.join(scratch, 'results.json');
    const initFile = path.join(scratch, 'init.lua');
    fs.writeFileSync(initFile, initLua(resultsFile, file));

    const run = await runNeovim(workspace, initFile, file);
    const written = fs.existsSync(resultsFile) ? fs.readFileSync(resultsFile, 'utf8') : '(no results file)';
    const explain = `nvim exited with ${run.killed ? `SIGKILL after ${hardTimeoutMs} ms` : `code ${run.code}`}\nstderr:\n${run.stderr}\nresults:\n${written}`;
    if (run.killed || run.code !== 0 || !fs.existsSync(resultsFile)) throw new Error(explain);
    results = JSON.parse(written) as Results;
    if (results.timedOut) throw new Error(`init.lua gave up waiting for diagnostics and the scan after ${editorWaitMs} ms\n${explain}`);
  }, hardTimeoutMs + 10_000);

  afterAll(() => {
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('attaches the cachescope client to the TypeScript buffer and hears the workspace scan finish', () => {
    expect(results.clients).toEqual(['cachescope']);
    expect(results.scanReady).toBe(true);
  });

  it('shows the findings of the fixture file at its marked lines, from source cachescope', () => {
    for (const ruleId of ['require-ttl', 'require-ttl-jitter', 'no-keys-command']) {
      const lines = results.diagnostics.filter((diagnostic) => diagnostic.code === ruleId).map((diagnostic) => diagnostic.lnum);
      expect(lines.sort((a, b) => a - b), ruleId).toEqual(expectedLines(text, ruleId));
    }
    expect(results.diagnostics.length).toBeGreaterThanOrEqual(3);
    for (const diagnostic of results.diagnostics) expect(diagnostic.source).toBe('cachescope');
    const keys = results.diagnostics.find((diagnostic) => diagnostic.code === 'no-keys-command')!;
    // vim.diagnostic.severity.ERROR is 1; the rule's default level is error.
    expect(keys.severity).toBe(1);
    expect(text.split('\n')[keys.lnum]!.slice(keys.col)).toMatch(/^keys\(/);
  });

  it('offers the SCAN suggestion and the disable comment as code actions at the KEYS finding', () => {
    expect(results.actionError ?? null).toBeNull();
    expect(results.actionTitles).toContain('Disable no-keys-command for this line');
    expect(results.actionTitles.some((title) => /\bSCAN\b/.test(title))).toBe(true);
  });
});
