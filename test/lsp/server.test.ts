import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiagnosticSeverity, DiagnosticTag, FileChangeType, type Diagnostic, type MarkupContent } from 'vscode-languageserver-protocol/node';
import { applyTextEdits, LspClient, repoRoot, uri } from './lsp-client';
import { keyFamiliesRequest, type KeyFamiliesResult } from '../../server/protocol';
import { codeFamiliesFromLsp } from '../../shared/join/code-families';
import { projectKeyIndex } from '../../shared/join/project-key-index';

/**
 * The language server as an editor sees it: the built server process, spoken to over stdio by a
 * real protocol client, on a copy of the shop-service fixture.
 */

const fixture = path.join(repoRoot, 'fixtures/shop-service');

function copyFixture(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cachescope-lsp-'));
  fs.cpSync(fixture, root, { recursive: true });
  return root;
}

/** 0-based lines of `// expect: <rule>` markers in a text. */
function expectedLines(text: string, ruleId: string): number[] {
  return text.split('\n').flatMap((line, index) => {
    const marked = /\/\/ expect: ([\w-]+(?:\s*,\s*[\w-]+)*)/.exec(line)?.[1]?.split(/\s*,\s*/) ?? [];
    return marked.includes(ruleId) ? [index] : [];
  });
}

/** A diagnostic message as text (LSP 3.18 allows markup). */
const text = (message: string | MarkupContent) => (typeof message === 'string' ? message : message.value);

const ofRule = (diagnostics: Diagnostic[], ruleId: string) => diagnostics.filter((diagnostic) => diagnostic.code === ruleId);

describe('language server over stdio', () => {
  let root: string;
  let client: LspClient;
  const fileOf = (relative: string) => path.join(root, relative);
  const textOf = (relative: string) => fs.readFileSync(fileOf(relative), 'utf8');

  beforeAll(async () => {
    root = copyFixture();
    client = new LspClient({ rootPath: root });
    await client.initialize();
  });

  afterAll(async () => {
    await client.shutdown();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('publishes diagnostics for an opened file at the marked lines, with rule, docs link and severity', async () => {
    const relative = 'src/services/fx-rates.service.ts';
    const text = textOf(relative);
    const documentUri = client.open(fileOf(relative), text);
    const diagnostics = await client.waitForDiagnostics(documentUri, (list) => ofRule(list, 'no-keys-command').length > 0);
    for (const ruleId of ['require-ttl', 'require-ttl-jitter', 'no-keys-command']) {
      expect(ofRule(diagnostics, ruleId).map((diagnostic) => diagnostic.range.start.line).sort(), ruleId).toEqual(expectedLines(text, ruleId));
    }
    const keys = ofRule(diagnostics, 'no-keys-command')[0]!;
    expect(keys.source).toBe('cachescope');
    expect(keys.severity).toBe(DiagnosticSeverity.Error);
    expect(keys.codeDescription?.href).toMatch(/docs\/rules\/no-keys-command\.md$/);
    const line = text.split('\n')[keys.range.start.line]!;
    expect(line.slice(keys.range.start.character, keys.range.end.character)).toContain('keys');
    expect(ofRule(diagnostics, 'require-ttl')[0]!.severity).toBe(DiagnosticSeverity.Warning);
  });

  it('reports cross-file findings for files that are not open, with where each missed family is filled', async () => {
    const target = uri(fileOf('src/services/product-admin.service.ts'));
    const diagnostics = await client.waitForDiagnostics(target, (list) => ofRule(list, 'fanout-invalidation').length > 0);
    const fanout = ofRule(diagnostics, 'fanout-invalidation')[0]!;
    expect(fanout.range.start.line).toBe(expectedLines(textOf('src/services/product-admin.service.ts'), 'fanout-invalidation')[0]);
    const related = fanout.relatedInformation ?? [];
    expect(related.map((info) => path.basename(new URL(info.location.uri).pathname))).toContain('catalog.service.ts');
    expect(related.some((info) => info.message.includes('home:rail'))).toBe(true);
  });

  it('raises or clears a finding in one file when another file changes', async () => {
    const target = uri(fileOf('src/services/product-admin.service.ts'));
    await client.waitForDiagnostics(target, (list) => ofRule(list, 'fanout-invalidation').some((d) => text(d.message).includes('home:rail')));
    const relative = 'src/services/catalog.service.ts';
    const original = textOf(relative);
    const catalogUri = client.open(fileOf(relative), original);
    const lines = original.split('\n');
    const fillLine = lines.findIndex((line) => line.includes('redis.set(HOME_RAIL_KEY'));
    expect(fillLine).toBeGreaterThan(0);
    // Incremental change: delete the line that fills home:rail from products.
    client.change(catalogUri, { range: { start: { line: fillLine, character: 0 }, end: { line: fillLine + 1, character: 0 } }, text: '' });
    await client.waitForDiagnostics(target, (list) => !ofRule(list, 'fanout-invalidation').some((d) => text(d.message).includes('home:rail')), 'home:rail to leave the fan-out finding');
    client.change(catalogUri, { text: original });
    await client.waitForDiagnostics(target, (list) => ofRule(list, 'fanout-invalidation').some((d) => text(d.message).includes('home:rail')), 'home:rail to come back');
    client.close(catalogUri);
  });

  it('offers the rule suggestion and disable comments as quick fixes; applying them clears the finding', async () => {
    const relative = 'src/services/fx-rates.service.ts';
    const documentUri = uri(fileOf(relative));
    const text = textOf(relative);
    const diagnostics = await client.waitForDiagnostics(documentUri, (list) => ofRule(list, 'no-keys-command').length > 0);
    const keys = ofRule(diagnostics, 'no-keys-command')[0]!;
    const actions = await client.codeActions(documentUri, keys.range, [keys]);
    const titles = actions.map((action) => action.title);
    expect(titles).toContain('Disable no-keys-command for this line');
    expect(titles).toContain('Disable no-keys-command for the entire file');
    const scan = actions.find((action) => /SCAN/.test(action.title))!;
    expect(scan, titles.join('\n')).toBeDefined();
    expect(scan.kind).toBe('quickfix');
    const fixed = applyTextEdits(text, scan.edit!.changes![documentUri]!);
    expect(fixed).not.toBe(text);
    expect(fixed).toMatch(/scan/i);
    const version = client.change(documentUri, { text: fixed });
    const after = await client.waitForDiagnostics(documentUri, (_list, params) => params.version === version);
    expect(ofRule(after, 'no-keys-command')).toEqual([]);
    expect(ofRule(after, 'require-ttl').length).toBeGreaterThan(0);

    const ttl = ofRule(after, 'require-ttl')[0]!;
    const ttlActions = await client.codeActions(documentUri, ttl.range, [ttl]);
    const disable = ttlActions.find((action) => action.title === 'Disable require-ttl for this line')!;
    const disabled = applyTextEdits(fixed, disable.edit!.changes![documentUri]!);
    expect(disabled.split('\n')[ttl.range.start.line]).toMatch(/^\s*\/\/ cachescope-disable-next-line require-ttl$/);
    const disabledVersion = client.change(documentUri, { text: disabled });
    const afterDisable = await client.waitForDiagnostics(documentUri, (_list, params) => params.version === disabledVersion);
    expect(ofRule(afterDisable, 'require-ttl')).toEqual([]);
    client.change(documentUri, { text });
  });

  it('fixes all safe problems of a file through source.fixAll.cachescope', async () => {
    const file = fileOf('src/services/warmup.ts');
    const text = [
      "import { redis } from '../cache/redis';",
      '',
      'export async function warm(id: string, json: string): Promise<void> {',
      '  await redis.set(`warm:${id}`, json);',
      '  await redis.expire(`warm:${id}`, 300 + Math.floor(Math.random() * 30));',
      '}',
      '',
    ].join('\n');
    fs.writeFileSync(file, text);
    client.fileChanged(file, FileChangeType.Created);
    const documentUri = client.open(file, text);
    const diagnostics = await client.waitForDiagnostics(documentUri, (list) => ofRule(list, 'prefer-set-with-expiry').length > 0);
    const actions = await client.codeActions(documentUri, diagnostics[0]!.range, [], ['source.fixAll.cachescope']);
    expect(actions.map((action) => action.kind)).toEqual(['source.fixAll.cachescope']);
    const fixed = applyTextEdits(text, actions[0]!.edit!.changes![documentUri]!);
    expect(fixed).toContain("await redis.set(`warm:${id}`, json, 'EX', 300 + Math.floor(Math.random() * 30));");
    expect(fixed).not.toContain('redis.expire');
    const version = client.change(documentUri, { text: fixed });
    const after = await client.waitForDiagnostics(documentUri, (_list, params) => params.version === version);
    expect(after).toEqual([]);
    client.close(documentUri);
  });

  it('explains a cache key on hover: its family, who reads, writes and invalidates it, and its TTL', async () => {
    const relative = 'src/services/catalog.service.ts';
    const text = textOf(relative);
    const documentUri = client.open(fileOf(relative), text);
    await client.waitForDiagnostics(documentUri, () => true);
    const lines = text.split('\n');
    const line = lines.findIndex((candidate) => candidate.includes('redis.set(HOME_RAIL_KEY'));
    const character = lines[line]!.indexOf('HOME_RAIL_KEY') + 2;
    const hover = await client.hover(documentUri, { line, character });
    const markdown = (hover?.contents as MarkupContent).value;
    expect(markdown).toContain('`home:rail`');
    expect(markdown).toMatch(/\*\*Read\*\* \(\d+\)/);
    expect(markdown).toMatch(/\*\*Written\*\* \(\d+\)/);
    expect(markdown).toContain('EX 5 \\* 60');
    expect(hover?.range?.start.line).toBe(line);
    const nothing = await client.hover(documentUri, { line: 0, character: 0 });
    expect(nothing).toBeNull();
    client.close(documentUri);
  });

  it('applies settings and .cachescoperc.json changes without a restart', async () => {
    const relative = 'src/services/fx-rates.service.ts';
    const documentUri = uri(fileOf(relative));
    client.changeSettings({ rules: { 'require-ttl-jitter': 'off', 'require-ttl': 'error' } });
    let diagnostics = await client.waitForDiagnostics(documentUri, (list) => ofRule(list, 'require-ttl-jitter').length === 0 && ofRule(list, 'require-ttl').every((d) => d.severity === DiagnosticSeverity.Error));
    expect(ofRule(diagnostics, 'require-ttl').length).toBeGreaterThan(0);

    client.changeSettings({});
    await client.waitForDiagnostics(documentUri, (list) => ofRule(list, 'require-ttl-jitter').length > 0);
    const configPath = fileOf('.cachescoperc.json');
    const original = fs.readFileSync(configPath, 'utf8');
    fs.writeFileSync(configPath, JSON.stringify({ rules: { 'no-keys-command': 'off' } }));
    client.fileChanged(configPath);
    diagnostics = await client.waitForDiagnostics(documentUri, (list) => ofRule(list, 'no-keys-command').length === 0 && ofRule(list, 'require-ttl').length > 0);
    fs.writeFileSync(configPath, original);
    client.fileChanged(configPath);
    await client.waitForDiagnostics(documentUri, (list) => ofRule(list, 'no-keys-command').length > 0);
  });

  it('reports an invalid configuration and keeps linting with the defaults', async () => {
    const documentUri = uri(fileOf('src/services/fx-rates.service.ts'));
    const configPath = fileOf('.cachescoperc.json');
    const original = fs.readFileSync(configPath, 'utf8');
    fs.writeFileSync(configPath, '{ "rules": { "require-ttl": "sometimes" } }');
    client.fileChanged(configPath);
    await client.waitFor(() => client.messages.find((message) => message.includes('require-ttl')), 'an error message about the configuration');
    await client.waitForDiagnostics(documentUri, (list) => ofRule(list, 'no-keys-command').length > 0);
    fs.writeFileSync(configPath, original);
    client.fileChanged(configPath);
  });

  it('shows a parse error for a file that does not parse and keeps serving the others', async () => {
    const file = fileOf('src/services/broken.ts');
    const text = "import Redis from 'ioredis';\nconst redis = new Redis();\nexport async function f() {\n  await redis.keys('*');\n  const x = {;\n}\n";
    const documentUri = client.open(file, text);
    const diagnostics = await client.waitForDiagnostics(documentUri, (list) => list.length > 0);
    expect(diagnostics.map((d) => d.code)).toEqual(['parse-error']);
    expect(diagnostics[0]!.message).toMatch(/^Parsing error:/);
    expect(diagnostics[0]!.range.start.line).toBe(4);
    client.close(documentUri);
    const other = uri(fileOf('src/services/fx-rates.service.ts'));
    const version = client.change(other, { text: textOf('src/services/fx-rates.service.ts') });
    await client.waitForDiagnostics(other, (list, params) => params.version === version && ofRule(list, 'no-keys-command').length > 0);
    expect(client.exited).toBe(false);
  });

  it('keeps what was saved when a buffer closes: the workspace scan reads the file again', async () => {
    await client.waitFor(() => client.statuses.find((status) => status.state === 'ready'), 'the first workspace scan');
    const file = fileOf('src/services/saved.ts');
    const original = "import { redis } from '../cache/redis';\n\nexport const ping = () => redis.ping();\n";
    fs.writeFileSync(file, original);
    client.fileChanged(file, FileChangeType.Created);
    const documentUri = client.open(file, original);
    const edited = `${original}export const all = () => redis.keys('*');\n`;
    client.change(documentUri, { text: edited });
    await client.waitForDiagnostics(documentUri, (list) => ofRule(list, 'no-keys-command').length === 1);
    // Saved: the editor writes the file, its watcher reports the change while the buffer is open.
    fs.writeFileSync(file, edited);
    client.fileChanged(file, FileChangeType.Changed);
    const scanned = client.waitForScan();
    client.close(documentUri);
    await scanned;
    // That scan may have started before the close; a change during a scan is followed by one more.
    await client.waitForScan(3000).catch(() => undefined);
    const after = client.diagnostics.get(documentUri)?.diagnostics ?? [];
    expect(ofRule(after, 'no-keys-command')).toHaveLength(1);
  });

  it('marks unused disable directives as unnecessary code', async () => {
    const file = fileOf('src/services/quiet.ts');
    const text = "import { redis } from '../cache/redis';\n\n// cachescope-disable-next-line no-keys-command\nexport const ping = () => redis.ping();\n";
    fs.writeFileSync(file, text);
    client.fileChanged(file, FileChangeType.Created);
    const documentUri = client.open(file, text);
    const diagnostics = await client.waitForDiagnostics(documentUri, (list) => ofRule(list, 'no-unused-disable').length > 0);
    expect(ofRule(diagnostics, 'no-unused-disable')[0]!.tags).toEqual([DiagnosticTag.Unnecessary]);
    client.close(documentUri);
  });
});

describe('language server settings', () => {
  it('lints only open files when lintWorkspace is off, and nothing when disabled', async () => {
    const root = copyFixture();
    const client = new LspClient({ rootPath: root, settings: { lintWorkspace: false, codeActions: { disableComments: false } } });
    try {
      await client.initialize();
      const relative = 'src/services/fx-rates.service.ts';
      const documentUri = client.open(path.join(root, relative), fs.readFileSync(path.join(root, relative), 'utf8'));
      const diagnostics = await client.waitForDiagnostics(documentUri, (list) => list.length > 0);
      const actions = await client.codeActions(documentUri, diagnostics[0]!.range, [diagnostics[0]!]);
      expect(actions.some((action) => action.title.startsWith('Disable'))).toBe(false);
      // Give a workspace scan time to happen if it wrongly would.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect([...client.diagnostics.keys()]).toEqual([documentUri]);
      client.changeSettings({ enable: false });
      await client.waitForDiagnostics(documentUri, (list) => list.length === 0, 'diagnostics to clear when disabled');
    } finally {
      await client.shutdown();
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('cachescope/keyFamilies', () => {
  it('returns the workspace key index by family, with sites, TTLs as written and the rules that flag them', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cachescope-lsp-families-'));
    fs.cpSync(path.join(repoRoot, 'fixtures/code-and-live'), root, { recursive: true });
    const client = new LspClient({ rootPath: root });
    try {
      await client.initialize();
      const rates = path.join(root, 'src/rates.ts');
      client.open(rates, fs.readFileSync(rates, 'utf8'));
      const result = (await client.connection.sendRequest(keyFamiliesRequest, {})) as KeyFamiliesResult;
      expect(result.complete).toBe(true);
      expect(result.families.map((family) => [family.pattern, family.display, family.sites.length])).toEqual([
        ['cart:*', 'cart:{cartId}', 2],
        ['catalog:page:*', 'catalog:page:{page}', 2],
        ['feature:*', 'feature:{name}', 1],
        ['product:*', 'product:{id}', 2],
        ['rate:*', 'rate:{currency}', 2],
        ['session:*', 'session:{token}', 2],
        ['user:*:profile', 'user:{userId}:profile', 2],
      ]);
      expect(result.families.find((family) => family.pattern === 'rate:*')!.sites).toEqual([
        { uri: uri(rates), range: { start: { line: 4, character: 18 }, end: { line: 4, character: 36 } }, access: 'write', command: 'set', library: 'ioredis', ttl: 'EX 600', rules: ['require-ttl-jitter'] },
        { uri: uri(rates), range: { start: { line: 8, character: 19 }, end: { line: 8, character: 37 } }, access: 'read', command: 'get', library: 'ioredis', rules: [] },
      ]);
      // What an editor hands to the join is what the CLI builds from the same project.
      const fromCli = projectKeyIndex(root).families.map((family) => ({ ...family, sites: family.sites.map((site) => ({ ...site, file: uri(site.file) })) }));
      expect(codeFamiliesFromLsp(result.families)).toEqual(fromCli);
    } finally {
      await client.shutdown();
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
