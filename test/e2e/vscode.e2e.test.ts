/**
 * CacheScope as a user meets it: the packaged extension (dist/cachescope.vsix) installed in a real VS Code
 * (code-server 4.100.3 = VS Code 1.100.3, driven by Chromium), on a copy of fixtures/shop-service.
 * Squiggles, the Problems panel, hovers, the light bulb and the Command Palette are read from the screen.
 * A second run hosts the shared in-editor suite (test/editor-suite) beside the extension.
 *
 * Needs the Debian packages chromium, ripgrep, libkrb5-dev and pkg-config; code-server is installed on
 * first use by scripts/setup-code-server.mjs (`npm run setup:vscode`) into .cache/. Screenshots of every
 * step, and the editor's logs after a failure, go to test-artifacts/e2e/.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import Redis from 'ioredis';
import { startRedis, type SpawnedRedis } from '../../shared/inspector/redis-process';
import {
  artifactsDir,
  ensureCodeServer,
  launchWorkbench,
  projectRoot,
  waitFor,
  type ProblemRow,
  type Workbench,
} from './workbench';

const fixtureDir = path.join(projectRoot, 'fixtures', 'shop-service');
const vsixPath = path.join(projectRoot, 'dist', 'cachescope.vsix');
const extensionId = 'cachescope.cachescope';
const rules = ['no-keys-command', 'require-ttl', 'require-ttl-jitter', 'invalidate-dont-update', 'fanout-invalidation'] as const;

/** Installing code-server from scratch takes about two minutes, packaging the extension under one. */
const preparationTimeoutMs = 8 * 60_000;
/** The first workspace scan starts the server, loads TypeScript and reads every file. */
const scanTimeoutMs = 120_000;

/** The same convention as test/fixture-flows.test.ts: a trailing `// expect: <rule>[, <rule>]` marks the line of a finding. */
const expectPattern = /\/\/\s*expect:\s*([a-z0-9-]+(?:\s*,\s*[a-z0-9-]+)*)\s*$/;
const sourceFile = /\.(ts|tsx|js|mjs|cjs)$/;

interface MarkedFinding {
  file: string;
  line: number;
  rule: string;
  text: string;
}

function markedFindings(): MarkedFinding[] {
  const found: MarkedFinding[] = [];
  const walk = (relativeDir: string): void => {
    for (const entry of fs.readdirSync(path.join(fixtureDir, relativeDir), { withFileTypes: true })) {
      const relative = relativeDir ? `${relativeDir}/${entry.name}` : entry.name;
      if (entry.isDirectory() && entry.name !== 'node_modules') walk(relative);
      else if (entry.isFile() && sourceFile.test(entry.name)) {
        fs.readFileSync(path.join(fixtureDir, relative), 'utf8')
          .split('\n')
          .forEach((text, index) => {
            const match = expectPattern.exec(text);
            for (const rule of match ? match[1].split(',') : []) found.push({ file: relative, line: index + 1, rule: rule.trim(), text });
          });
      }
    }
  };
  walk('');
  return found.sort((a, b) => key(a).localeCompare(key(b)));
}

function key(finding: { file: string; line: number; rule?: string; code?: string }): string {
  return `${finding.file}:${finding.line} ${finding.rule ?? finding.code}`;
}

/** The newest modification time of what goes into the .vsix (sources of the bundles and packaged files). */
function newestPackagedSource(): number {
  let newest = 0;
  const visit = (target: string): void => {
    if (!fs.existsSync(target)) return;
    const stat = fs.statSync(target);
    if (stat.isDirectory()) {
      for (const entry of fs.readdirSync(target)) if (entry !== 'node_modules') visit(path.join(target, entry));
    } else if (!target.endsWith('.test.ts')) {
      newest = Math.max(newest, stat.mtimeMs);
    }
  };
  for (const part of ['client', 'server', 'shared', 'schema', 'scripts/bundle.mjs', 'package.json', 'package-lock.json', '.vscodeignore', 'CHANGELOG.md', 'LICENSE']) {
    visit(path.join(projectRoot, part));
  }
  return newest;
}

/**
 * Runs `npm run package` when dist/cachescope.vsix is missing or older than its sources. A second attempt
 * follows a failed one: another build writing dist/extension at the same moment (a developer's
 * `npm run bundle`, the Electron test) makes vsce fail on files that vanish while it reads them.
 */
function ensurePackagedExtension(): string {
  if (fs.existsSync(vsixPath) && fs.statSync(vsixPath).mtimeMs >= newestPackagedSource()) return vsixPath;
  let output = '';
  for (let attempt = 1; attempt <= 2; attempt++) {
    const result = spawnSync('npm', ['run', 'package:vsix'], { cwd: projectRoot, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (result.status === 0 && fs.existsSync(vsixPath)) return vsixPath;
    output += `attempt ${attempt}: npm run package exited with ${result.status}\n${result.stdout}\n${result.stderr}\n`;
  }
  throw new Error(`npm run package failed twice:\n${output}`);
}

/**
 * A test-only extension (never shipped) whose activation runs the shared in-editor suite and writes its
 * report where CACHESCOPE_SUITE_RESULTS says. Built under `dir` from test/editor-suite.
 */
function packageSuiteHost(dir: string): string {
  const hostDir = path.join(dir, 'suite-host');
  const tsc = path.join(projectRoot, 'node_modules', '.bin', 'tsc');
  const compiled = spawnSync(tsc, ['-p', path.join(projectRoot, 'test', 'editor-suite', 'tsconfig.json'), '--outDir', path.join(hostDir, 'suite')], {
    cwd: projectRoot,
    encoding: 'utf8',
  });
  if (compiled.status !== 0) throw new Error(`Compiling test/editor-suite failed:\n${compiled.stdout}\n${compiled.stderr}`);
  fs.writeFileSync(
    path.join(hostDir, 'package.json'),
    JSON.stringify(
      {
        name: 'cachescope-editor-suite-host',
        displayName: 'CacheScope editor suite host (tests only)',
        publisher: 'cachescope-tests',
        version: '0.0.0',
        license: 'MIT',
        engines: { vscode: '^1.91.0' },
        main: './extension.js',
        activationEvents: ['onStartupFinished'],
        // The suite checks the real extension: it must be installed and activated first.
        extensionDependencies: [extensionId],
      },
      null,
      2,
    ),
  );
  fs.writeFileSync(
    path.join(hostDir, 'extension.js'),
    `const fs = require('fs');
const path = require('path');

exports.activate = function activate() {
  const resultFile = process.env.CACHESCOPE_SUITE_RESULTS;
  if (!resultFile) return;
  // A suite that cannot even start (no workspace folder, a load error) still leaves a report.
  Promise.resolve()
    .then(() => require('./suite/index.js').runAndReport(resultFile))
    .catch((error) => {
      fs.mkdirSync(path.dirname(resultFile), { recursive: true });
      const message = error && error.stack ? error.stack : String(error);
      fs.writeFileSync(resultFile, JSON.stringify({ passed: [], failed: [{ name: 'suite host', message }] }));
    });
};
`,
  );
  const vsix = path.join(dir, 'cachescope-editor-suite-host.vsix');
  const vsce = path.join(projectRoot, 'node_modules', '.bin', 'vsce');
  const packaged = spawnSync(vsce, ['package', '--allow-missing-repository', '--skip-license', '--no-dependencies', '--out', vsix], {
    cwd: hostDir,
    encoding: 'utf8',
  });
  if (packaged.status !== 0 || !fs.existsSync(vsix)) throw new Error(`Packaging the suite host failed:\n${packaged.stdout}\n${packaged.stderr}`);
  return vsix;
}

/**
 * The statement a fix left at `line`: from that line down to the one that still carries the trailing
 * `// expect:` comment (a SCAN loop may take several lines), at most 15 lines.
 */
async function fixedStatement(bench: Workbench, line: number): Promise<string> {
  await bench.goTo(line);
  const rows = (await bench.visibleLines()).filter((row) => row.line >= line && row.line < line + 15);
  const end = rows.findIndex((row) => expectPattern.test(row.text));
  return rows
    .slice(0, end < 0 ? rows.length : end + 1)
    .map((row) => row.text)
    .join('\n');
}

function cacheScopeProblems(rows: ProblemRow[]): ProblemRow[] {
  return rows.filter((row) => row.source === 'cachescope');
}

const screenshotName = (name: string) => name.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').toLowerCase();

let codeServerDir = '';
let extensionVsix = '';

beforeAll(() => {
  fs.mkdirSync(artifactsDir, { recursive: true });
  codeServerDir = ensureCodeServer();
  extensionVsix = ensurePackagedExtension();
}, preparationTimeoutMs);

describe('the CacheScope extension in VS Code', { timeout: 180_000 }, () => {
  const marked = markedFindings();
  let workbench: Workbench | undefined;
  let failed = false;
  const editor = () => {
    if (!workbench) throw new Error('the workbench did not start');
    return workbench;
  };
  /** Every CacheScope problem of the workspace, once the workspace scan has put all of them in Problems. */
  let problemsAfterScan: ProblemRow[] = [];

  beforeAll(async () => {
    workbench = await launchWorkbench({
      codeServerDir,
      extensions: [extensionVsix],
      workspace: fixtureDir,
      // Port 1 refuses connections: the Redis view's error row. No test ever connects to a Redis it did not start.
      settings: { 'cachescope.inspector.connections': [{ name: 'Unreachable cache', url: 'redis://127.0.0.1:1' }] },
    });
  }, 120_000);

  afterEach(async ({ task }) => {
    if (task.result?.state !== 'fail' || !workbench) return;
    failed = true;
    await workbench.screenshot(`failed-${screenshotName(`${task.suite?.name ?? ''} ${task.name}`)}`).catch(() => undefined);
  });

  afterAll(async () => {
    if (failed) workbench?.saveLogs('extension');
    await workbench?.close();
  });

  it('the fixture marks a finding of each of the five rules', () => {
    for (const rule of rules) expect(marked.some((finding) => finding.rule === rule), rule).toBe(true);
  });

  it('Problems lists every marked finding of the workspace, from source cachescope, and nothing else', async () => {
    const bench = editor();
    // Opening one file activates the extension; the server then lints the whole workspace.
    await bench.openFile(marked[0].file);
    const expected = marked.map(key);
    const rows = await waitFor(
      'the workspace scan to fill Problems with the marked findings',
      async () => cacheScopeProblems(await bench.problems()),
      (found) => expected.every((wanted) => found.some((row) => key(row) === wanted)),
      scanTimeoutMs,
      2000,
    ).catch(async (error: unknown) => {
      await bench.screenshot('problems-incomplete');
      throw error;
    });
    await bench.screenshot('problems');
    expect(rows.map(key).sort()).toEqual(expected);
    problemsAfterScan = rows;
  });

  it('Lint Workspace from the Command Palette scans again; the status item counts the findings; Show Output shows the scan', async () => {
    const bench = editor();
    const scans = () => (bench.extensionLog(extensionId).match(/Scanned /g) ?? []).length;
    const scansBefore = scans();
    await bench.runCommand('CacheScope: Lint Workspace');
    await waitFor('another workspace scan in the CacheScope log', async () => scans(), (count) => count > scansBefore, 60_000);
    const texts = await waitFor(
      'the CacheScope status item to show a count',
      () => bench.statusBarTexts(),
      (items) => items.some((text) => /^CacheScope \d+$/.test(text)),
      60_000,
    );
    expect(texts).toContain(`CacheScope ${marked.length}`);
    await bench.runCommand('CacheScope: Show Output');
    // The Output view wraps long lines: read it as one text.
    const output = await waitFor(
      'the CacheScope output channel to show a scan',
      async () => (await bench.panelEditorText()).replace(/\n/g, ''),
      (text) => /Scanned \S*shop-service/.test(text),
      30_000,
    );
    expect(output).toMatch(/Scanned \S*shop-service: .*\d+ errors?, \d+ warnings?/);
    await bench.screenshot('lint-workspace-and-output');
  });

  it.each(rules)('%s: its marked line has a squiggle, and the squiggle is CacheScope’s', async (rule) => {
    const bench = editor();
    const finding = marked.find((candidate) => candidate.rule === rule)!;
    const problem = problemsAfterScan.find((row) => key(row) === key(finding));
    expect(problem, `Problems row for ${key(finding)}`).toBeDefined();
    await bench.openFile(finding.file);
    await bench.waitForSquiggle(finding.line, problem!.severity);
    // The hover at the finding names its source and rule: the squiggle is this finding, not another one.
    // (With a documentation link the rule is a link, shown as `cachescope` + `rule`; without, `cachescope(rule)`.)
    const hover = await bench.hover(finding.line, problem!.column, new RegExp(`cachescope\\(?${rule}\\b`));
    await bench.screenshot(`rule-${rule}`);
    expect(hover).toContain(problem!.message.replace(/\.$/, ''));
  });

  it('hovering a cache key shows its key family with reads and writes', async () => {
    const bench = editor();
    const file = 'src/services/product-admin.service.ts';
    const lines = fs.readFileSync(path.join(fixtureDir, file), 'utf8').split('\n');
    const index = lines.findIndex((text) => /redis\.set\(productKey\(productId\)/.test(text));
    expect(index).toBeGreaterThanOrEqual(0);
    await bench.openFile(file);
    const hover = await bench.hover(index + 1, lines[index].indexOf('productKey') + 2, /product:\{productId\}/);
    await bench.screenshot('hover-key-family');
    expect(hover).toContain('product:{productId}');
    expect(hover).toMatch(/\bRead\b/);
    expect(hover).toMatch(/\bWritten\b/);
  });

  it('the light bulb’s quick fix replaces KEYS with a SCAN loop and the finding goes away', async () => {
    const bench = editor();
    const finding = marked.find((candidate) => candidate.rule === 'no-keys-command' && /\.keys\(/.test(candidate.text))!;
    const problem = problemsAfterScan.find((row) => key(row) === key(finding))!;
    const inFile = (rows: ProblemRow[]) => cacheScopeProblems(rows).filter((row) => row.file === finding.file && row.code === 'no-keys-command');
    const before = inFile(problemsAfterScan).length;
    await bench.openFile(finding.file);
    const titles = await bench.codeActionTitles(finding.line, problem.column, /^Replace KEYS with a SCAN loop/, 'quick-fix-menu');
    expect(titles).toContain('Disable no-keys-command for this line');
    await bench.applyCodeAction(finding.line, problem.column, /^Replace KEYS with a SCAN loop/);
    await waitFor('the KEYS call to be rewritten', () => bench.lineText(finding.line), (text) => text !== finding.text, 30_000);
    const statement = await fixedStatement(bench, finding.line);
    expect(statement).not.toContain('.keys(');
    expect(statement.toLowerCase()).toContain('scan');
    const after = await waitFor('the finding to leave Problems', async () => inFile(await bench.problems()), (rows) => rows.length === before - 1, 30_000);
    expect(after.some((row) => row.line === finding.line)).toBe(false);
    await waitFor('the squiggle to go', () => bench.squiggles(), (marks) => !marks.some((mark) => mark.line === finding.line && mark.severity === 'error'), 30_000);
    await bench.screenshot('quick-fix-scan');
  });

  it('"Disable <rule> for this line" inserts a cachescope-disable-next-line comment', async () => {
    const bench = editor();
    const finding = marked.find((candidate) => candidate.rule === 'require-ttl')!;
    const problem = problemsAfterScan.find((row) => key(row) === key(finding))!;
    await bench.openFile(finding.file);
    await bench.applyCodeAction(finding.line, problem.column, `Disable ${finding.rule} for this line`);
    const comment = await waitFor('the disable comment', () => bench.lineText(finding.line), (text) => text.includes('cachescope-disable-next-line'), 30_000);
    expect(comment).toMatch(new RegExp(`//\\s*cachescope-disable-next-line\\s+${finding.rule}`));
    expect(await bench.lineText(finding.line + 1)).toBe(finding.text);
    await waitFor(
      'the disabled finding to leave Problems',
      async () => cacheScopeProblems(await bench.problems()),
      (rows) => !rows.some((row) => row.file === finding.file && row.code === finding.rule),
      30_000,
    );
    await bench.screenshot('disable-for-line');
  });

  it('the CacheScope view inspects the demo Redis: prefix tree, hit ratio in the status bar, report webview', async () => {
    const bench = editor();
    const page = bench.page;
    await bench.runCommand('View: Show CacheScope');
    const view = page.locator('.part.sidebar');
    const exactly = (text: string) => new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
    const row = (label: string) => view.locator('.monaco-list-row').filter({ has: page.locator('.label-name', { hasText: exactly(label) }) });
    const demo = row('Demo Redis').first();
    await demo.waitFor({ state: 'visible', timeout: 30_000 });
    if ((await demo.getAttribute('aria-expanded')) !== 'true') await demo.locator('.monaco-tl-twistie').click();
    // Expanding starts redis-server, seeds the demo keyspace and scans it, read-only.
    await view.locator('.monaco-list-row .label-name', { hasText: /^All \d+ keys scanned$/ }).first().waitFor({ state: 'visible', timeout: 90_000 });
    // Only the rows on screen exist in the DOM: fold the joined findings that sit above the prefixes.
    for (const above of ['Code and live', 'Problems']) {
      const folded = row(above).first();
      if ((await folded.count()) > 0 && (await folded.getAttribute('aria-expanded')) === 'true') await folded.locator('.monaco-tl-twistie').click();
    }
    await waitFor('the demo prefix tree', async () => (await row('session:').count()) + (await row('product:').count()), (count) => count === 2, 90_000, 500);
    expect(await row('Server').count()).toBe(1);
    expect(await row('Problems').count()).toBe(1);
    // Each prefix row describes keys, share without a TTL and memory.
    expect(await row('product:').locator('.label-description').innerText()).toMatch(/^1000 keys · 100% no TTL · \d/);
    const status = await waitFor('the hit-ratio status item', () => bench.statusBarTexts(), (texts) => texts.some((text) => /hits$|no lookups yet$/.test(text)), 30_000);
    expect(status.some((text) => /hits$|no lookups yet$/.test(text))).toBe(true);
    await bench.screenshot('inspector-tree');

    // The inline action of the connection row opens the report.
    await demo.hover();
    await demo.locator('.action-label[aria-label="Open Redis Report"]').click();
    const tab = page.locator('.tabs-container .tab:has-text("Redis Report: Demo Redis")');
    await tab.waitFor({ state: 'visible', timeout: 30_000 });
    // The webview's document sits in nested iframes; its text is the rendered report.
    const reportText = await waitFor(
      'the report page inside the webview',
      async () => {
        for (const frame of page.frames()) {
          // The webview loads into a hidden pending frame, then shows it as the active one.
          if ((await (await frame.frameElement().catch(() => undefined))?.getAttribute('id')) !== 'active-frame') continue;
          const text = await frame.evaluate(() => (globalThis as unknown as { document: { body?: { innerText: string } } }).document.body?.innerText ?? '').catch(() => '');
          if (text.includes('product:')) return text;
        }
        return '';
      },
      (text) => text !== '',
      30_000,
      500,
    );
    expect(reportText).toContain('session:');
    await bench.screenshot('inspector-report');

    // A server that cannot be reached is one error row with the classified message and a Retry action.
    const unreachable = row('Unreachable cache').first();
    await unreachable.locator('.monaco-tl-twistie').click();
    const errorRow = view.locator('.monaco-list-row').filter({ has: page.locator('.label-name', { hasText: /refused/ }) }).first();
    await errorRow.waitFor({ state: 'visible', timeout: 30_000 });
    expect(await errorRow.locator('.label-name').innerText()).toBe('connection to redis://127.0.0.1:1 refused: is Redis running there?');
    await errorRow.hover();
    expect(await errorRow.locator('.action-label[aria-label="Retry"]').count()).toBe(1);

    await bench.runCommand('CacheScope: Stop Demo Redis');
    await waitFor(
      'the notification that the demo Redis stopped',
      () => page.locator('.notifications-toasts .notification-list-item-message').allInnerTexts(),
      (texts) => texts.some((text) => text.includes('the demo Redis is stopped')),
      30_000,
    );
    // The expanded demo entry says so instead of starting another server.
    await row('The demo Redis is stopped; Retry starts it again.').first().waitFor({ state: 'visible', timeout: 10_000 });
  });
});

/**
 * A keyspace of known shape for the inspector views: 2,751 keys, some without a TTL, one list family, and
 * carts that fixtures/code-and-live always writes with a TTL but that live here without one.
 */
async function seedInspectorKeyspace(url: string): Promise<void> {
  const seed = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    const pipeline = seed.pipeline();
    for (let index = 0; index < 900; index += 1) pipeline.set(`user:${index}`, 'u'.repeat(20), 'EX', 3600 + index);
    pipeline.set('user:forever', 'never expires');
    for (let index = 0; index < 800; index += 1) pipeline.rpush(`feed:${index}`, 'a', 'b', 'c');
    for (let index = 0; index < 1000; index += 1) pipeline.set(`session:${index}`, 's', 'EX', 600);
    for (let index = 0; index < 50; index += 1) pipeline.set(`cart:${index}`, '{"items":[]}');
    await pipeline.exec();
  } finally {
    seed.disconnect();
  }
}

describe('the Redis inspector views in VS Code', { timeout: 180_000 }, () => {
  let workbench: Workbench | undefined;
  let cache: SpawnedRedis | undefined;
  let second: SpawnedRedis | undefined;
  let failed = false;
  const bench = () => {
    if (!workbench) throw new Error('the workbench did not start');
    return workbench;
  };

  beforeAll(async () => {
    cache = await startRedis();
    second = await startRedis();
    await seedInspectorKeyspace(cache.url);
    workbench = await launchWorkbench({
      codeServerDir,
      extensions: [extensionVsix],
      // A small service whose cache key families the Redis view joins with the live keys.
      workspace: path.join(projectRoot, 'fixtures', 'code-and-live'),
      settings: {
        'cachescope.inspector.connections': [{ name: 'Test cache', url: cache.url }],
        // A sample smaller than the keyspace: the view must say so, and Scan Whole Keyspace must finish the job.
        'cachescope.inspector.sampleKeys': 500,
        'cachescope.inspector.allowWrites': true,
      },
    });
  }, 120_000);

  afterEach(async ({ task }) => {
    if (task.result?.state !== 'fail' || !workbench) return;
    failed = true;
    await workbench.screenshot(`failed-${screenshotName(`${task.suite?.name ?? ''} ${task.name}`)}`).catch(() => undefined);
  });

  afterAll(async () => {
    if (failed) workbench?.saveLogs('inspector');
    await workbench?.close();
    await cache?.stop();
    await second?.stop();
  });

  const exactly = (text: string) => new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
  const view = () => bench().page.locator('.part.sidebar');
  const row = (label: string | RegExp) =>
    view()
      .locator('.monaco-list-row')
      .filter({ has: bench().page.locator('.label-name', { hasText: typeof label === 'string' ? exactly(label) : label }) });
  const expand = async (label: string | RegExp) => {
    const target = row(label).first();
    await target.waitFor({ state: 'visible', timeout: 30_000 });
    if ((await target.getAttribute('aria-expanded')) !== 'true') await target.locator('.monaco-tl-twistie').click();
  };
  const collapse = async (label: string) => {
    const target = row(label).first();
    if ((await target.count()) > 0 && (await target.getAttribute('aria-expanded')) === 'true') await target.locator('.monaco-tl-twistie').click();
  };
  /** The labels of the visible rows, top to bottom. */
  const rowLabels = async () => (await view().locator('.monaco-list-row .label-name').allInnerTexts()).map((text) => text.trim());

  it('a sampled first look says it is a sample; Scan Whole Keyspace reads every key', async () => {
    const page = bench().page;
    await bench().runCommand('View: Show CacheScope');
    await expand('Test cache');
    const sampled = row('Sampled 500 of 2751 keys').first();
    await sampled.waitFor({ state: 'visible', timeout: 60_000 });
    expect(await sampled.locator('.label-description').innerText()).toMatch(/^shares ±\d+\.\d% \(95%\)$/);
    await bench().screenshot('inspector-sampled');
    await sampled.hover();
    await sampled.locator('.action-label[aria-label="Scan Whole Keyspace"]').click();
    await row('All 2751 keys scanned').first().waitFor({ state: 'visible', timeout: 60_000 });
    await bench().screenshot('inspector-whole-keyspace-top');
    // Only the rows on screen exist in the DOM: fold what sits above the prefixes.
    await collapse('Problems');
    await collapse('Code and live');
    // After the whole scan the counts are exact, not estimates.
    await waitFor('exact prefix counts', async () => (await row('user:').first().locator('.label-description').innerText()), (text) => /^901 keys · 0\.1% no TTL · /.test(text), 30_000);
    expect(await row('feed:').first().locator('.label-description').innerText()).toMatch(/^800 keys · 100% no TTL · /);
    await page.mouse.move(5, 5);
    await bench().screenshot('inspector-whole-keyspace');
  });

  it('Code and live joins the workspace key families with the live keys and opens the code that writes them', async () => {
    const page = bench().page;
    // The carts the code always writes with EX 1800 live here without a TTL: the join says so and points at the write.
    await expand('Code and live');
    const anyFinding = view().locator('.monaco-list-row .label-name', { hasText: /cart:\{cartId\}/ }).first();
    await anyFinding.waitFor({ state: 'visible', timeout: 60_000 });
    const label = (await anyFinding.innerText()).trim();
    expect(label).toMatch(/cart:/);
    expect(label).toMatch(/TTL/);
    await bench().screenshot('inspector-code-and-live');
    await expand(label);
    const site = row('users.ts:12').first();
    await site.waitFor({ state: 'visible', timeout: 10_000 });
    expect(await site.locator('.label-description').innerText()).toBe('write · set · EX 1800');
    await site.click();
    await page.locator('.tabs-container .tab.active:has-text("users.ts")').waitFor({ state: 'visible', timeout: 20_000 });
    await waitFor('the cursor at the write', () => bench().cursorPosition(), (position) => position.line === 12, 10_000);
    await bench().screenshot('inspector-code-site');
    await view().hover();
    await view().locator('.action-label[aria-label="Collapse All"]').click();
    await expand('Test cache');
    await collapse('Problems');
    await collapse('Code and live');
  });

  it('the Live view draws the hit ratio over a sliding window, and its sparkline moves under load', async () => {
    const page = bench().page;
    /** The Live webview's document, read from whichever frame holds it. */
    const live = async () => {
      for (const frame of page.frames()) {
        const found = await frame
          .evaluate(() => {
            const document = (globalThis as unknown as { document: { querySelector(selector: string): { textContent: string | null; getAttribute(name: string): string | null } | null } }).document;
            const ratio = document.querySelector('#live-hit-ratio');
            if (!ratio) return undefined;
            const spark = document.querySelector('svg.sparkline[data-series="hit-ratio"]');
            return {
              ratio: ratio.textContent ?? '',
              samples: Number(document.querySelector('#live-samples')?.textContent ?? '0'),
              points: Number(spark?.getAttribute('data-points') ?? '0'),
              last: spark?.getAttribute('data-last') ?? '',
            };
          })
          .catch(() => undefined);
        if (found) return found;
      }
      return undefined;
    };
    // Three hits for every miss, from a client of the test's own, while the view samples every 2 s.
    const load = new Redis(cache!.url, { maxRetriesPerRequest: 1 });
    let running = true;
    const generating = (async () => {
      let round = 0;
      while (running) {
        const pipeline = load.pipeline();
        for (let index = 0; index < 30; index += 1) pipeline.get(`session:${(round * 30 + index) % 1000}`);
        for (let index = 0; index < 10; index += 1) pipeline.get(`missing:${round}:${index}`);
        await pipeline.exec();
        round += 1;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    try {
      const first = await waitFor('the Live view to draw a hit-ratio series', live, (state) => state !== undefined && state.points >= 2, 60_000, 500);
      const later = await waitFor(
        'the sparkline to gain points under load',
        live,
        (state) => state !== undefined && state.points > first!.points && state.samples > first!.samples,
        30_000,
        500,
      );
      // The inspector's own scan made thousands of lookups on this server; the window ratio is the load's 75%.
      expect(later!.ratio).toMatch(/^7[45]\.\d%$/);
      expect(Number(later!.last)).toBeGreaterThan(0.7);
      expect(Number(later!.last)).toBeLessThan(0.8);
      await bench().screenshot('inspector-live');
      const status = await bench().statusBarTexts();
      expect(status.some((text) => /7[45]\.\d% hits$/.test(text))).toBe(true);
    } finally {
      running = false;
      await generating;
      load.disconnect();
    }
  });

  it('a prefix lists its keys with type, TTL and memory, sorted by size or by TTL', async () => {
    await expand('user:');
    await expand('Keys');
    // By size (the default order), the first page of keys: each row says type, TTL and memory.
    const firstKey = async () => {
      const labels = await rowLabels();
      return labels[labels.indexOf('Keys') + 1];
    };
    await waitFor('the first page of keys', firstKey, (label) => /^user:/.test(label ?? ''), 30_000);
    const anyKey = row(/^user:\d+$/).first();
    expect(await anyKey.locator('.label-description').innerText()).toMatch(/^string · TTL \d+[hm]( \d+[ms])? · \d+ B$/);
    // The first page (1,000 keys) holds the whole prefix, so no Load more row is offered.
    expect(await row('Load more keys').count()).toBe(0);
    await view().hover();
    await view().locator('.action-label[aria-label="Sort Redis View by TTL"]').click();
    await waitFor('the key without a TTL to sort first', firstKey, (first) => first === 'user:forever', 15_000);
    expect(await row('user:forever').first().locator('.label-description').innerText()).toMatch(/^string · no TTL · \d+ B$/);
    await bench().screenshot('inspector-keys-by-ttl');
  });

  it('Delete Key asks first, then removes the key from Redis and from the list', async () => {
    const page = bench().page;
    const target = row('user:forever').first();
    await target.click({ button: 'right' });
    const menuItem = page.locator('.context-view .action-label', { hasText: 'Delete Key…' });
    await menuItem.waitFor({ state: 'visible', timeout: 10_000 });
    await menuItem.hover();
    await menuItem.click();
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 10_000 });
    expect(await dialog.innerText()).toContain('Delete the key "user:forever" from Test cache?');
    await bench().screenshot('inspector-delete-confirm');
    await dialog.locator('.monaco-button', { hasText: 'Delete Key' }).click();
    await waitFor('the deleted key to leave the list', () => row('user:forever').count(), (count) => count === 0, 30_000);
    const check = new Redis(cache!.url, { maxRetriesPerRequest: 1 });
    try {
      expect(await check.exists('user:forever')).toBe(0);
      expect(await check.exists('user:1')).toBe(1);
    } finally {
      check.disconnect();
    }
  });

  it('Add Redis Connection asks for a name, a URL and a password, and lists the new server', async () => {
    const page = bench().page;
    await view().hover();
    await view().locator('.action-label[aria-label="Collapse All"]').click();
    await bench().runCommand('CacheScope: Add Redis Connection');
    const input = page.locator('.quick-input-widget .quick-input-box input');
    const answer = async (text: string, title: RegExp) => {
      await waitFor(`the "${title.source}" input`, () => page.locator('.quick-input-widget .quick-input-title').innerText(), (shown) => title.test(shown), 10_000);
      await input.fill(text);
      // Validation runs after each change; Enter is taken only once the message is gone.
      await page.waitForTimeout(300);
      await input.press('Enter');
    };
    await answer('Second cache', /name/);
    await answer(second!.url, /URL/);
    await answer('', /password/);
    await expand('Second cache');
    await row('All 0 keys scanned').first().waitFor({ state: 'visible', timeout: 30_000 });
    await bench().screenshot('inspector-added-connection');
  });
});

describe('the shared in-editor suite, hosted in VS Code beside the extension', { timeout: 300_000 }, () => {
  let workbench: Workbench | undefined;
  let scratch = '';
  let resultFile = '';
  let failed = false;

  beforeAll(async () => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cachescope-suite-host-'));
    resultFile = path.join(scratch, 'results.json');
    const hostVsix = packageSuiteHost(scratch);
    workbench = await launchWorkbench({
      codeServerDir,
      extensions: [extensionVsix, hostVsix],
      workspace: fixtureDir,
      // The remote extension host inherits code-server's environment.
      env: { CACHESCOPE_SUITE_RESULTS: resultFile },
    });
  }, 180_000);

  afterAll(async () => {
    if (failed) workbench?.saveLogs('editor-suite');
    await workbench?.close();
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('passes every case', async () => {
    const bench = workbench!;
    try {
      // Read until the report parses: the file may be caught half-written.
      const report = await waitFor(
        'the editor suite to write its report',
        async () => JSON.parse(fs.readFileSync(resultFile, 'utf8')) as { passed: string[]; failed: Array<{ name: string; message: string }> },
        (parsed) => Array.isArray(parsed.passed) && Array.isArray(parsed.failed),
        280_000,
        1000,
      );
      await bench.screenshot('editor-suite');
      expect(report.failed).toEqual([]);
      expect(report.passed.length).toBeGreaterThan(0);
    } catch (error) {
      failed = true;
      await bench.screenshot('failed-editor-suite').catch(() => undefined);
      throw error;
    }
  });
});
