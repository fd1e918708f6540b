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
