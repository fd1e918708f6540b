/**
 * Drives a real VS Code for end-to-end tests: code-server (VS Code's workbench and extension host, served
 * to a browser) and Debian's Chromium through playwright-core. Everything a test does goes through the
 * workbench's own UI (Quick Open, Go to Line, the Problems panel, hovers, the light bulb, the Command
 * Palette), so what passes here is what a user would see.
 *
 * code-server is installed by `scripts/setup-code-server.mjs` into `.cache/code-server/`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';

export const projectRoot = path.resolve(__dirname, '..', '..');
export const artifactsDir = path.join(projectRoot, 'test-artifacts', 'e2e');

const chromiumPath = '/usr/bin/chromium';
const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Settings that keep first-run screens and network lookups out of the way of the test. */
const quietSettings: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.tips.enabled': false,
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.ignoreRecommendations': true,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'update.mode': 'none',
  'git.enabled': false,
  'editor.minimap.enabled': false,
  // Edits stay in the editor; what the server sees comes from the open document, not a racing auto-save.
  'files.autoSave': 'off',
};

/**
 * The little of the DOM that the functions run inside the page use. The project's TypeScript
 * configuration has no DOM library (the product is Node code), so these stand in for it.
 */
interface PageElement {
  textContent: string | null;
  classList: { contains(name: string): boolean };
  getAttribute(name: string): string | null;
  getBoundingClientRect(): { top: number; bottom: number };
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): Iterable<PageElement>;
}
/** In the page, `globalThis.document`; typed through PageElement (the cast is erased at compile time). */
type PageGlobals = { document: PageElement };

/** The selector of the editor that has focus or last had it. */
const activeEditor = '.editor-group-container.active .editor-instance .monaco-editor';

export interface ProblemRow {
  /** Path of the file relative to the workspace folder, with `/` separators. */
  file: string;
  message: string;
  source: string;
  code: string;
  line: number;
  column: number;
  severity: 'error' | 'warning' | 'info';
}

export interface SquiggleMark {
  line: number;
  severity: 'error' | 'warning' | 'info' | 'hint';
}

export interface LaunchOptions {
  /** The code-server install folder (what the setup script prints). */
  codeServerDir: string;
  /** Extensions to install before the start, each a .vsix path. */
  extensions: string[];
  /** A folder to copy; the copy is the workspace, so edits never reach the original. */
  workspace: string;
  /** User settings on top of the quiet defaults. */
  settings?: Record<string, unknown>;
  /** Extra environment for code-server; its extension host inherits it. */
  env?: Record<string, string>;
  /** Window size of the browser page. */
  viewport?: { width: number; height: number };
}

/** Polls `read` until `accept` returns true for its value; throws with the last value seen otherwise. */
export async function waitFor<T>(
  description: string,
  read: () => Promise<T>,
  accept: (value: T) => boolean,
  timeoutMs = 30_000,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let lastError: unknown;
  for (;;) {
    try {
      last = await read();
      if (accept(last)) return last;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const seen = lastError ? `error: ${String(lastError)}` : `last value: ${JSON.stringify(last, null, 1)}`;
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${description} (${seen})`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Runs the idempotent setup script and returns the code-server install folder. */
export function ensureCodeServer(): string {
  const script = path.join(projectRoot, 'scripts', 'setup-code-server.mjs');
  const result = spawnSync(process.execPath, [script], { cwd: projectRoot, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) {
    throw new Error(`code-server setup failed (exit ${result.status}):\n${result.stdout}\n${result.stderr}`);
  }
  const lines = result.stdout.trim().split('\n');
  return lines[lines.length - 1];
}

/** Processes started by this module, killed on exit even when a test run is torn down abruptly. */
const liveProcessGroups = new Set<number>();
process.on('exit', () => {
  for (const pid of liveProcessGroups) killGroup(pid, 'SIGKILL');
});

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is already gone
  }
}

export async function launchWorkbench(options: LaunchOptions): Promise<Workbench> {
  const tempRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'cachescope-e2e-'));
  let server: ChildProcess;
  try {
    server = startCodeServer(options, tempRoot);
  } catch (error) {
    fs.rmSync(tempRoot, { recursive: true, force: true });
    throw error;
  }
  const workspaceDir = path.join(tempRoot, path.basename(options.workspace));
  const workbench = new Workbench(server, tempRoot, workspaceDir, path.join(tempRoot, 'user-data'));
  try {
    const port = await workbench.serverPort();
    await workbench.openBrowser(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspaceDir)}`, options.viewport);
  } catch (error) {
    await workbench.close();
    throw error;
  }
  return workbench;
}

/** Prepares fresh folders and the workspace copy under `tempRoot`, installs the extensions, starts code-server. */
function startCodeServer(options: LaunchOptions, tempRoot: string): ChildProcess {
  const dirs = {
    userData: path.join(tempRoot, 'user-data'),
    extensions: path.join(tempRoot, 'extensions'),
    xdgConfig: path.join(tempRoot, 'xdg-config'),
    xdgData: path.join(tempRoot, 'xdg-data'),
    workspace: path.join(tempRoot, path.basename(options.workspace)),
  };
  for (const dir of [dirs.userData, dirs.extensions, dirs.xdgConfig, dirs.xdgData]) fs.mkdirSync(dir, { recursive: true });
  fs.cpSync(options.workspace, dirs.workspace, { recursive: true });
  fs.mkdirSync(path.join(dirs.userData, 'User'), { recursive: true });
  fs.writeFileSync(
    path.join(dirs.userData, 'User', 'settings.json'),
    JSON.stringify({ ...quietSettings, ...options.settings }, null, 2),
  );

  const entry = path.join(options.codeServerDir, 'out', 'node', 'entry.js');
  // code-server writes its own config under XDG folders whatever --user-data-dir says.
  const env: NodeJS.ProcessEnv = { ...process.env, XDG_CONFIG_HOME: dirs.xdgConfig, XDG_DATA_HOME: dirs.xdgData, ...options.env };
  const common = ['--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions];

  for (const vsix of options.extensions) {
    const installed = spawnSync(process.execPath, [entry, ...common, '--install-extension', vsix], { env, encoding: 'utf8' });
    if (installed.status !== 0 || !/successfully installed/.test(installed.stdout)) {
      throw new Error(`Installing ${vsix} failed (exit ${installed.status}):\n${installed.stdout}\n${installed.stderr}`);
    }
  }

  const server = spawn(
    process.execPath,
    [
      entry,
      ...common,
      '--auth', 'none',
      // Port 0: the system picks a free port and code-server logs which one.
      '--bind-addr', '127.0.0.1:0',
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      dirs.workspace,
    ],
    // Its own process group, so the extension host and the language servers it starts die with it.
    { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  if (server.pid === undefined) throw new Error('code-server did not start');
  liveProcessGroups.add(server.pid);
  return server;
}

export class Workbench {
  private browser: Browser | undefined;
  private currentPage: Page | undefined;
  private serverOutput = '';
  private closed = false;

  constructor(
    private readonly server: ChildProcess,
    private readonly tempRoot: string,
    /** The temporary copy of the workspace that the workbench has open. */
    readonly workspaceDir: string,
    private readonly userDataDir: string,
  ) {
    server.stdout?.on('data', (chunk: Buffer) => (this.serverOutput += chunk.toString()));
    server.stderr?.on('data', (chunk: Buffer) => (this.serverOutput += chunk.toString()));
  }

  get page(): Page {
    if (!this.currentPage) throw new Error('The workbench page is not open');
    return this.currentPage;
  }

  async serverPort(): Promise<number> {
    const match = await waitFor(
      'code-server to listen',
      async () => {
        if (this.server.exitCode !== null) throw new Error(`code-server exited with ${this.server.exitCode}:\n${this.serverOutput}`);
        return /HTTP server listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(this.serverOutput);
      },
      (found) => found !== null,
      30_000,
      100,
    );
    return Number(match![1]);
  }

  async openBrowser(url: string, viewport = { width: 1400, height: 900 }): Promise<void> {
    this.browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
    this.currentPage = await this.browser.newPage({ viewport });
    // A step that cannot act within seconds is retried by its caller rather than waited on.
    this.currentPage.setDefaultTimeout(10_000);
    await this.page.goto(url);
    await this.page.waitForSelector('.monaco-workbench .part.editor', { timeout: 60_000 });
    // The explorer shows the folder once the remote file system answers.
    await this.page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 60_000 });
  }

  /** Opens a workspace file through Quick Open (Ctrl+P) and waits until its editor is active. */
  async openFile(relativePath: string): Promise<void> {
    const page = this.page;
    const fileName = path.posix.basename(relativePath);
    const folder = path.posix.dirname(relativePath);
    await waitFor(
      `Quick Open to offer ${relativePath}`,
      async () => {
        await this.dismissWidgets();
        const input = await this.openQuickInput('Control+P', relativePath);
        // The file search runs on the server and the list fills in as results arrive: accept only once
        // the top row names this very file.
        const label = folder === '.' ? fileName : `${fileName} ${folder}`;
        await this.acceptTopRow(input, (ariaLabel) => ariaLabel === label || ariaLabel.startsWith(`${label},`));
        await page.waitForSelector(`.editor-group-container.active .tab.active[data-resource-name="${fileName}"]`, { timeout: 10_000 });
        return true;
      },
      (opened) => opened,
      60_000,
    );
    await page.waitForSelector(`${activeEditor} .view-line`, { timeout: 30_000 });
  }

  /** Puts the cursor at a 1-based line and column of the active editor (Go to Line, Ctrl+G). */
  async goTo(line: number, column = 1): Promise<void> {
    const reached = (position: { line: number; column: number }) => position.line === line && position.column === column;
    await waitFor(
      `the cursor to reach ${line}:${column}`,
      async () => {
        await this.dismissWidgets();
        await this.focusEditor();
        const input = await this.openQuickInput('Control+G', `:${line}:${column}`);
        await input.press('Enter');
        // The status bar follows the cursor a moment later.
        return waitFor('the status bar to show the cursor', () => this.cursorPosition(), reached, 2000, 100).catch(() => this.cursorPosition());
      },
      reached,
      30_000,
    );
  }

  /** The cursor position the status bar shows ("Ln 12, Col 5"). */
  async cursorPosition(): Promise<{ line: number; column: number }> {
    const text = (await this.page.locator('[id="status.editor.selection"]').innerText({ timeout: 5000 })).trim();
    const match = /Ln (\d+), Col (\d+)/.exec(text);
    if (!match) throw new Error(`Unexpected cursor status "${text}"`);
    return { line: Number(match[1]), column: Number(match[2]) };
  }

  /** The visible lines of the active editor with their numbers, in order (the DOM order is not line order). */
  async visibleLines(): Promise<Array<{ line: number; text: string }>> {
    return this.page.evaluate((editorSelector) => {
      const editor = (globalThis as unknown as PageGlobals).document.querySelector(editorSelector);
      if (!editor) return [];
      const numbers = [...editor.querySelectorAll('.margin-view-overlays .line-numbers')].map((element) => ({
        line: Number(element.textContent?.trim()),
        top: element.getBoundingClientRect().top,
      }));
      return [...editor.querySelectorAll('.view-lines .view-line')]
        .map((element) => ({ top: element.getBoundingClientRect().top, text: (element.textContent ?? '').replace(/\u00a0/g, ' ') }))
        .sort((a, b) => a.top - b.top)
        .map((row) => ({ line: numbers.find((number) => Math.abs(number.top - row.top) < 2)?.line ?? -1, text: row.text }));
    }, activeEditor);
  }

  /** The visible text of the active editor, top to bottom. */
  async editorText(): Promise<string> {
    return (await this.visibleLines()).map((row) => row.text).join('\n');
  }

  /** The text of one line of the active editor (scrolled into view first). */
  async lineText(line: number): Promise<string> {
    let rows = await this.visibleLines();
    if (!rows.some((row) => row.line === line)) {
      await this.goTo(line);
      rows = await this.visibleLines();
    }
    const row = rows.find((candidate) => candidate.line === line);
    if (!row) throw new Error(`Line ${line} is not visible`);
    return row.text;
  }

  /** Squiggles (diagnostic underlines) on the visible lines of the active editor. */
  async squiggles(): Promise<SquiggleMark[]> {
    return this.page.evaluate((editorSelector) => {
      const editor = (globalThis as unknown as PageGlobals).document.querySelector(editorSelector);
      if (!editor) return [];
      const lines = [...editor.querySelectorAll('.margin-view-overlays .line-numbers')].map((element) => {
        const box = element.getBoundingClientRect();
        return { line: Number(element.textContent?.trim()), top: box.top, bottom: box.bottom };
      });
      const severities = ['error', 'warning', 'info', 'hint'] as const;
      const marks: Array<{ line: number; severity: (typeof severities)[number] }> = [];
      for (const severity of severities) {
        for (const element of editor.querySelectorAll(`.view-overlays .squiggly-${severity}`)) {
          const box = element.getBoundingClientRect();
          const middle = (box.top + box.bottom) / 2;
          const line = lines.find((candidate) => middle >= candidate.top && middle < candidate.bottom);
          if (line) marks.push({ line: line.line, severity });
        }
      }
      return marks;
    }, activeEditor);
  }

  /** Waits for a squiggle on a line (scrolling it into view), optionally of one severity. */
  async waitForSquiggle(line: number, severity?: SquiggleMark['severity'], timeoutMs = 60_000): Promise<SquiggleMark[]> {
    await this.goTo(line);
    return waitFor(
      `a ${severity ?? ''} squiggle on line ${line}`,
      () => this.squiggles(),
      (marks) => marks.some((mark) => mark.line === line && (!severity || mark.severity === severity)),
      timeoutMs,
    );
  }

  /** Opens the Problems panel (Ctrl+Shift+M) if it is not showing. */
  async openProblems(): Promise<void> {
    const panel = this.page.locator('.markers-panel');
    if (await panel.isVisible()) return;
    await this.dismissWidgets();
    await this.page.keyboard.press('Control+Shift+M');
    await panel.waitFor({ state: 'visible', timeout: 10_000 });
  }

  /**
   * Every row of the Problems panel. The tree renders only the rows in view, so this scrolls it from top
   * to bottom and collects the rows by their index; file rows give the file of the problem rows below them.
   */
  async problems(): Promise<ProblemRow[]> {
    await this.openProblems();
    const page = this.page;
    const list = page.locator('.markers-panel .monaco-list').first();
    const rows = new Map<number, RawProblemRow>();
    // A filter typed by an earlier step would hide rows: clear it.
    const filter = page.locator('.part.panel .viewpane-filter input').filter({ visible: true }).first();
    if ((await filter.count()) > 0 && (await filter.inputValue()) !== '') {
      await filter.fill('');
      await page.waitForTimeout(300);
    }
    // The tree is hidden while there is nothing to show.
    if (!(await list.isVisible())) return [];
    await list.hover();
    // Start at the top whatever the last scroll position was (the tree keeps it while the panel shows
    // another view); wheel events land asynchronously, so check that the first row is rendered.
    await waitFor(
      'the Problems tree to scroll to the top',
      async () => {
        await page.mouse.wheel(0, -100_000);
        await page.waitForTimeout(100);
        return page.evaluate(readRenderedProblemRows);
      },
      (batch) => batch.some((row) => row.index === 0),
      10_000,
      0,
    );
    let lastIndex = -1;
    for (let step = 0; step < 500; step++) {
      const batch = await page.evaluate(readRenderedProblemRows);
      for (const row of batch) {
        rows.set(row.index, row);
        if (row.last) lastIndex = row.index;
      }
      // Done once every row from the first to the last one has been seen.
      if (lastIndex >= 0 && rows.size === lastIndex + 1) break;
      // A few rows at a time: the list may amplify wheel deltas, and a jump must not skip rows.
      await page.mouse.wheel(0, 60);
      await page.waitForTimeout(50);
    }
    if (lastIndex < 0 || rows.size !== lastIndex + 1) {
      throw new Error(`Read ${rows.size} Problems rows but the tree has ${lastIndex + 1}: it changed while being read`);
    }
    const problems: ProblemRow[] = [];
    let file = '';
    for (const row of [...rows.values()].sort((a, b) => a.index - b.index)) {
      if (row.kind === 'file') {
        file = path.relative(this.workspaceDir, row.path).split(path.sep).join('/');
      } else if (row.kind === 'marker') {
        const position = /Ln (\d+), Col (\d+)/.exec(row.position);
        problems.push({
          file,
          message: row.message,
          source: row.source,
          code: row.code,
          line: position ? Number(position[1]) : -1,
          column: position ? Number(position[2]) : -1,
          severity: row.severity,
        });
      }
    }
    return problems;
  }

  /** Shows the hover at a position (keyboard: Ctrl+K Ctrl+I) and returns its text once it has any. */
  async hover(line: number, column: number, expected?: RegExp): Promise<string> {
    const page = this.page;
    return waitFor(
      `the hover at ${line}:${column}${expected ? ` to match ${expected}` : ''}`,
      async () => {
        await this.goTo(line, column);
        await page.keyboard.press('Control+K');
        await page.keyboard.press('Control+I');
        const hover = page.locator(`${activeEditor} .monaco-hover:not(.hidden)`).first();
        await hover.waitFor({ state: 'visible', timeout: 5000 });
        // Providers answer one by one; give the slower ones a moment before reading.
        await page.waitForTimeout(500);
        return hover.innerText();
      },
      (text) => text.trim().length > 0 && (!expected || expected.test(text)),
      60_000,
      500,
    );
  }

  /**
   * The titles in the code action menu at a position (light bulb, Ctrl+.), waiting for `expected` to
   * appear; with `screenshotName`, a screenshot of the open menu is saved too.
   */
  async codeActionTitles(line: number, column: number, expected?: string | RegExp, screenshotName?: string): Promise<string[]> {
    const titles = await this.withCodeActionMenu(line, column, expected, async (rows) => {
      // The menu closes before this returns: a picture of it is taken here or not at all.
      if (screenshotName) await this.screenshot(screenshotName);
      return rows.allInnerTexts();
    });
    await this.dismissWidgets();
    return titles.map((title) => title.trim());
  }

  /**
   * Applies the code action with this title at a position. Waits for the light bulb first: the menu waits
   * for every provider, and asked too early (the TypeScript server still analysing) it offers nothing.
   */
  async applyCodeAction(line: number, column: number, title: string | RegExp): Promise<void> {
    await this.withCodeActionMenu(line, column, title, async (_rows, wanted) => {
      // The context view lays a pointer-blocking overlay over the menu, so a plain click does not reach the
      // row: moving the mouse onto it focuses it, and Enter applies the focused row.
      const box = await wanted.boundingBox();
      if (!box) throw new Error('the code action row has no box');
      await this.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await waitFor('the code action row to take focus', () => wanted.getAttribute('class'), (classes) => /\bfocused\b/.test(classes ?? ''), 5000, 100);
      await this.page.keyboard.press('Enter');
      await this.page.locator('.action-widget').waitFor({ state: 'hidden', timeout: 10_000 });
    });
  }

  private async withCodeActionMenu<T>(
    line: number,
    column: number,
    title: string | RegExp | undefined,
    use: (rows: Locator, wanted: Locator) => Promise<T>,
  ): Promise<T> {
    const page = this.page;
    const matches = (text: string) => !title || (typeof title === 'string' ? text.trim() === title : title.test(text.trim()));
    let result: T | undefined;
    await waitFor(
      `a code action ${title ?? ''} at ${line}:${column}`,
      async () => {
        await this.goTo(line, column);
        // The light bulb is a content widget beside the code, or a glyph in the gutter when the code reaches it.
        // Once it shows, every provider has answered; if it does not show in time, ask anyway (and retry).
        await page
          .locator(`${activeEditor} .lightBulbWidget[class*="codicon-"], ${activeEditor} [class*="codicon-gutter-lightbulb"]`)
          .filter({ visible: true })
          .first()
          .waitFor({ timeout: 10_000 })
          .catch(() => undefined);
        await page.keyboard.press('Control+.');
        const rows = page.locator('.action-widget .monaco-list-row.action');
        await rows.first().waitFor({ state: 'visible', timeout: 10_000 });
        const texts = await rows.allInnerTexts();
        const index = texts.findIndex(matches);
        if (index < 0) throw new Error(`menu offers ${JSON.stringify(texts)}`);
        result = await use(rows, rows.nth(index));
        return true;
      },
      (done) => done,
      60_000,
      1000,
    );
    return result as T;
  }

  /** Runs a command by its title from the Command Palette (Ctrl+Shift+P). */
  async runCommand(title: string): Promise<void> {
    const page = this.page;
    await waitFor(
      `the command "${title}" in the Command Palette`,
      async () => {
        await this.dismissWidgets();
        const input = await this.openQuickInput('Control+Shift+P', `>${title}`);
        await this.acceptTopRow(input, (ariaLabel) => ariaLabel === title || ariaLabel.startsWith(`${title},`));
        await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 5000 });
        return true;
      },
      (done) => done,
      30_000,
    );
  }

  /** The texts of the status bar items. */
  async statusBarTexts(): Promise<string[]> {
    return (await this.page.locator('.statusbar-item').allInnerTexts()).map((text) => text.trim()).filter(Boolean);
  }

  /** The visible lines of the editor inside the panel (the Output view), top to bottom. */
  async panelEditorText(): Promise<string> {
    return this.page.evaluate(() => {
      const editor = (globalThis as unknown as PageGlobals).document.querySelector('.part.panel .monaco-editor');
      if (!editor) return '';
      return [...editor.querySelectorAll('.view-lines .view-line')]
        .map((element) => ({ top: element.getBoundingClientRect().top, text: (element.textContent ?? '').replace(/\u00a0/g, ' ') }))
        .sort((a, b) => a.top - b.top)
        .map((row) => row.text)
        .join('\n');
    });
  }

  /** What an extension wrote to its output channels so far, from the log files the editor keeps of them. */
  extensionLog(extensionId: string): string {
    const logsDir = path.join(this.userDataDir, 'logs');
    if (!fs.existsSync(logsDir)) return '';
    let text = '';
    for (const run of fs.readdirSync(logsDir).sort()) {
      const runDir = path.join(logsDir, run);
      if (!fs.statSync(runDir).isDirectory()) continue;
      for (const host of fs.readdirSync(runDir).filter((name) => name.startsWith('exthost')).sort()) {
        const extensionDir = path.join(runDir, host, extensionId);
        if (!fs.existsSync(extensionDir)) continue;
        for (const file of fs.readdirSync(extensionDir).filter((name) => name.endsWith('.log')).sort()) {
          text += fs.readFileSync(path.join(extensionDir, file), 'utf8');
        }
      }
    }
    return text;
  }

  /** Saves a screenshot of the whole window as test-artifacts/e2e/<name>.png. */
  async screenshot(name: string): Promise<string> {
    fs.mkdirSync(artifactsDir, { recursive: true });
    const file = path.join(artifactsDir, `${name}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }

  /** Copies code-server's output and the workbench logs (extension host, language servers) next to the screenshots. */
  saveLogs(name: string): string {
    const target = path.join(artifactsDir, `${name}-logs`);
    fs.rmSync(target, { recursive: true, force: true });
    fs.mkdirSync(target, { recursive: true });
    fs.writeFileSync(path.join(target, 'code-server.log'), this.serverOutput);
    const logs = path.join(this.userDataDir, 'logs');
    if (fs.existsSync(logs)) fs.cpSync(logs, path.join(target, 'workbench'), { recursive: true });
    return target;
  }

  /** Closes the browser and code-server's whole process group, then removes the temporary folders. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const browser = this.browser;
    if (browser) {
      await Promise.race([browser.close().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 10_000))]);
    }
    const pid = this.server.pid;
    if (pid !== undefined) {
      if (this.server.exitCode === null && this.server.signalCode === null) {
        const exited = new Promise((resolve) => this.server.once('exit', resolve));
        killGroup(pid, 'SIGTERM');
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
      }
      // Children that ignored SIGTERM, or outlived their parent, still belong to the group.
      killGroup(pid, 'SIGKILL');
      liveProcessGroups.delete(pid);
    }
    fs.rmSync(this.tempRoot, { recursive: true, force: true, maxRetries: 3 });
  }

  /**
   * Opens a quick input (Quick Open, Go to Line, Command Palette) with its shortcut and sets its text,
   * prefix included (`:` Go to Line, `>` commands). The text is set on the input element itself: typed
   * keys would land wherever focus happens to be while the widget opens (the Problems tree, for one,
   * forwards typing to its filter box).
   */
  private async openQuickInput(shortcut: string, text: string): Promise<Locator> {
    await this.page.keyboard.press(shortcut);
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: 5000 });
    await input.fill(text);
    return input;
  }

  /** Waits until the focused (top) row of the open quick input matches, then accepts it with Enter. */
  private async acceptTopRow(input: Locator, matches: (ariaLabel: string) => boolean): Promise<void> {
    const focusedRow = this.page.locator('.quick-input-list .monaco-list-row.focused').first();
    await waitFor(
      'the quick input to offer the wanted row first',
      async () => (await focusedRow.getAttribute('aria-label', { timeout: 1000 })) ?? '',
      matches,
      10_000,
      100,
    );
    await input.press('Enter');
  }

  /** Closes menus, hovers and inputs left open by an earlier step. */
  private async dismissWidgets(): Promise<void> {
    for (let i = 0; i < 3; i++) {
      const open = await this.page
        .locator('.quick-input-widget:visible, .action-widget:visible, .monaco-hover:not(.hidden):visible, .context-view:visible')
        .count();
      if (open === 0) return;
      await this.page.keyboard.press('Escape');
    }
  }

  /** Gives the active editor keyboard focus (clicking its tab does, without moving the cursor). */
  private async focusEditor(): Promise<void> {
    const focused = await this.page.evaluate(
      (selector) => (globalThis as unknown as PageGlobals).document.querySelector(selector)?.classList.contains('focused') ?? false,
      activeEditor,
    );
    if (!focused) {
      await this.page.locator('.editor-group-container.active .tab.active').click();
      // Leave no tooltip behind: park the pointer on the empty title bar.
      await this.page.mouse.move(200, 12);
    }
  }
}

interface RawProblemRow {
  index: number;
  last: boolean;
  kind: 'file' | 'marker' | 'other';
  path: string;
  message: string;
  source: string;
  code: string;
  position: string;
  severity: 'error' | 'warning' | 'info';
}

/** Runs in the page: the Problems rows rendered right now. */
function readRenderedProblemRows(): RawProblemRow[] {
  const text = (root: PageElement, selector: string) => root.querySelector(selector)?.textContent?.trim() ?? '';
  // Sticky scroll repeats the file row of the rows in view above them: read the rows of the list itself.
  return [...(globalThis as unknown as PageGlobals).document.querySelectorAll('.markers-panel .monaco-list-rows > .monaco-list-row')].map((row) => {
    const index = Number(row.getAttribute('data-index'));
    const last = row.getAttribute('data-last-element') === 'true';
    const fileLabel = row.querySelector('.resource-label-container .monaco-icon-label');
    const base = { index, last, path: '', message: '', source: '', code: '', position: '', severity: 'info' as const };
    if (fileLabel) return { ...base, kind: 'file' as const, path: fileLabel.getAttribute('aria-label') ?? '' };
    if (!row.querySelector('.marker-message')) return { ...base, kind: 'other' as const };
    const icon = row.querySelector('.marker-icon');
    const severity = icon?.classList.contains('error') ? 'error' : icon?.classList.contains('warning') ? 'warning' : 'info';
    return {
      ...base,
      kind: 'marker' as const,
      message: text(row, '.marker-message'),
      source: text(row, '.marker-source'),
      code: text(row, '.marker-code'),
      position: text(row, '.marker-line'),
      severity,
    };
  });
}
