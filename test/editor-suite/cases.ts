import * as vscode from 'vscode';
import { cacheScopeDiagnostics, diagnosticsSettled, waitForDiagnostics, type CacheScopeDiagnostic } from './diagnostics';
import { findingKey, readExpectedFindings, workspaceFolder, type ExpectedFinding } from './expectations';
import type { EditorCase } from './runner';

/**
 * The in-editor checks of the CacheScope extension against a copy of fixtures/shop-service, written
 * against the `vscode` API only so VS Code desktop (test-electron) and code-server can both run them.
 */
const extensionId = 'cachescope.cachescope';
const contributedCommands = ['cachescope.lintWorkspace', 'cachescope.showOutput', 'cachescope.restartServer'];
const headlineRules = ['no-keys-command', 'require-ttl', 'require-ttl-jitter', 'invalidate-dont-update', 'fanout-invalidation'];

/** A read-through key of the fixture and the family the engine gives it. */
const hoverFile = 'src/services/product-admin.service.ts';
const hoverLinePattern = /redis\.set\(productKey\(productId\)/;
const hoverFamily = 'product:{productId}';

/** The files the server lints: every JavaScript and TypeScript extension it knows. */
const sourceGlob = '**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs}';

/** The first workspace scan starts the server, loads the engine and reads every file. */
const firstScanTimeoutMs = 120_000;

/** The lintWorkspace command's result (server/protocol.ts), restated: this suite imports only `vscode`. */
interface LintWorkspaceResult {
  files: number;
  errors: number;
  warnings: number;
  durationMs: number;
}

export function editorCases(): EditorCase[] {
  const folder = workspaceFolder();
  let expected: ExpectedFinding[] = [];

  return [
    {
      name: 'the extension activates and contributes its commands',
      timeoutMs: 60_000,
      async run() {
        const extension = vscode.extensions.getExtension(extensionId);
        if (!extension) throw new Error(`extension ${extensionId} is not installed in this editor`);
        await extension.activate();
        const commands = await vscode.commands.getCommands(true);
        const missing = contributedCommands.filter((command) => !commands.includes(command));
        if (missing.length > 0) throw new Error(`commands not registered: ${missing.join(', ')}`);
      },
    },
    {
      name: 'every finding marked `// expect:` in the fixture is reported on its line',
      timeoutMs: firstScanTimeoutMs + 10_000,
      async run() {
        expected = await readExpectedFindings(folder);
        const absentRules = headlineRules.filter((rule) => !expected.some((finding) => finding.ruleId === rule));
        if (absentRules.length > 0) {
          throw new Error(`the workspace marks no finding of ${absentRules.join(', ')}: is it a copy of fixtures/shop-service?`);
        }
        let missing: string[] = [];
        await waitForDiagnostics(
          () => {
            const reported = new Set(cacheScopeDiagnostics(folder).map(findingKey));
            missing = expected.map(findingKey).filter((key) => !reported.has(key));
            return missing.length === 0 ? true : undefined;
          },
          firstScanTimeoutMs,
          () => `${missing.length} of ${expected.length} expected findings never appeared:\n${missing.join('\n')}`,
        );
      },
    },
    {
      name: 'no finding is reported without an `// expect:` comment',
      timeoutMs: 40_000,
      async run() {
        if (expected.length === 0) expected = await readExpectedFindings(folder);
        await diagnosticsSettled(3_000, 30_000);
        const unexpected = subtract(cacheScopeDiagnostics(folder).map(findingKey), expected.map(findingKey));
        if (unexpected.length > 0) throw new Error(`findings without an expect comment:\n${unexpected.join('\n')}`);
      },
    },
    {
      name: 'Lint Workspace returns the counts the Problems view shows',
      timeoutMs: 90_000,
      async run() {
        const result = await vscode.commands.executeCommand<LintWorkspaceResult | undefined>('cachescope.lintWorkspace');
        if (!result) throw new Error('cachescope.lintWorkspace returned nothing: is the language server running?');
        await expectCountsMatchEditor(folder, result);
      },
    },
    {
      name: `hovering a cache key shows its key family ${hoverFamily}`,
      timeoutMs: 60_000,
      async run() {
        const uri = vscode.Uri.joinPath(folder.uri, hoverFile);
        const document = await vscode.workspace.openTextDocument(uri);
        const line = findLine(document, hoverLinePattern);
        const text = document.lineAt(line).text;
        // On the key expression and on the command name: the family belongs to the key either way.
        const positions = [text.indexOf('productKey') + 1, text.indexOf('.set(') + 2].map((character) => new vscode.Position(line, character));
        let seen: string[] = [];
        await poll(async () => {
          seen = [];
          for (const position of positions) {
            const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, position);
            seen.push(...hovers.flatMap((hover) => hover.contents.map(hoverText)));
          }
          return seen.some((content) => content.includes(hoverFamily));
        }, 45_000);
        if (!seen.some((content) => content.includes(hoverFamily))) {
          throw new Error(`no hover at ${hoverFile}:${line + 1} mentions ${hoverFamily}; hovers seen:\n${seen.join('\n---\n') || '(none)'}`);
        }
      },
    },
    {
      name: 'a no-keys-command quick fix replaces the KEYS call',
      timeoutMs: 60_000,
      async run() {
        if (expected.length === 0) expected = await readExpectedFindings(folder);
        const target = expected.find((finding) => finding.ruleId === 'no-keys-command' && /\.keys\(/.test(finding.lineText));
        if (!target) throw new Error('the fixture marks no direct `.keys(` call with `// expect: no-keys-command`');
        const document = await vscode.workspace.openTextDocument(target.uri);
        await vscode.window.showTextDocument(document);
        const finding = await waitForDiagnostics(
          () => cacheScopeDiagnostics(folder).find((d) => d.uri.toString() === target.uri.toString() && d.line === target.line && d.ruleId === target.ruleId),
          30_000,
          () => `no ${findingKey(target)} diagnostic`,
        );
        await expectFixRemovingKeys(document, target, finding);
      },
    },
    {
      name: 'Restart Server brings the language server back with every finding',
      timeoutMs: firstScanTimeoutMs + 30_000,
      async run() {
        if (expected.length === 0) expected = await readExpectedFindings(folder);
        await vscode.commands.executeCommand('cachescope.restartServer');
        // A restarted client answers requests again only if the new server initialized.
        const result = await vscode.commands.executeCommand<LintWorkspaceResult | undefined>('cachescope.lintWorkspace');
        if (!result) throw new Error('after the restart, cachescope.lintWorkspace returned nothing: the server is not running');
        await expectCountsMatchEditor(folder, result);
        let missing: string[] = [];
        await waitForDiagnostics(
          () => {
            const reported = new Set(cacheScopeDiagnostics(folder).map(findingKey));
            missing = expected.map(findingKey).filter((key) => !reported.has(key));
            return missing.length === 0 ? true : undefined;
          },
          firstScanTimeoutMs,
          () => `after the restart, ${missing.length} of ${expected.length} expected findings never came back:\n${missing.join('\n')}`,
        );
      },
    },
  ];
}

/**
 * Applies each quick fix offered at the finding and passes when one of them removes the KEYS call from
 * the marked line (a SCAN loop does; a disable comment does not). The document is restored afterwards.
 */
async function expectFixRemovingKeys(document: vscode.TextDocument, target: ExpectedFinding, finding: CacheScopeDiagnostic): Promise<void> {
  const actions = await vscode.commands.executeCommand<(vscode.CodeAction | vscode.Command)[]>(
    'vscode.executeCodeActionProvider',
    document.uri,
    finding.diagnostic.range,
    vscode.CodeActionKind.QuickFix.value,
    // Resolve up to this many actions, for servers that fill in edits lazily (codeAction/resolve).
    50,
  );
  const fixes = actions.filter((action): action is vscode.CodeAction => 'edit' in action && action.edit !== undefined);
  if (fixes.length === 0) {
    throw new Error(`no quick fix with an edit at ${findingKey(target)}; offered: ${actions.map((action) => action.title).join(' | ') || '(nothing)'}`);
  }
  const original = document.getText();
  const keysCall = target.lineText.trim();
  const outcomes: string[] = [];
  try {
    for (const fix of fixes) {
      if (!(await vscode.workspace.applyEdit(fix.edit!))) {
        outcomes.push(`"${fix.title}": applyEdit refused the edit`);
        continue;
      }
      const changed = document.getText() !== original;
      const keysGone = !document.getText().includes(keysCall);
      if (changed && keysGone) return;
      outcomes.push(`"${fix.title}": ${changed ? 'kept the KEYS call' : 'left the text unchanged'}`);
      await restore(document, original);
    }
  } finally {
    await restore(document, original);
  }
  throw new Error(`no quick fix at ${findingKey(target)} replaced the KEYS call:\n${outcomes.join('\n')}`);
}

/**
 * The command's counts must be the editor's: as many files as the workspace has sources, as many errors
 * and warnings as CacheScope diagnostics of each severity.
 */
async function expectCountsMatchEditor(folder: vscode.WorkspaceFolder, result: LintWorkspaceResult): Promise<void> {
  const sources = await vscode.workspace.findFiles(new vscode.RelativePattern(folder, sourceGlob), '**/node_modules/**');
  await diagnosticsSettled(2_000, 20_000);
  const diagnostics = cacheScopeDiagnostics(folder);
  const errors = countSeverity(diagnostics, vscode.DiagnosticSeverity.Error);
  const warnings = countSeverity(diagnostics, vscode.DiagnosticSeverity.Warning);
  if (result.files !== sources.length || result.errors !== errors || result.warnings !== warnings) {
    throw new Error(
      `the command reported ${result.files} files, ${result.errors} errors, ${result.warnings} warnings; ` +
        `the workspace has ${sources.length} source files and the editor shows ${errors} errors, ${warnings} warnings`,
    );
  }
}

async function restore(document: vscode.TextDocument, text: string): Promise<void> {
  if (document.getText() === text) return;
  const edit = new vscode.WorkspaceEdit();
  edit.replace(document.uri, new vscode.Range(document.positionAt(0), document.positionAt(document.getText().length)), text);
  await vscode.workspace.applyEdit(edit);
  // Saved so the workspace is left as it was found, also where the editor auto-saves.
  await document.save();
}

function findLine(document: vscode.TextDocument, pattern: RegExp): number {
  for (let line = 0; line < document.lineCount; line++) if (pattern.test(document.lineAt(line).text)) return line;
  throw new Error(`${vscode.workspace.asRelativePath(document.uri, false)} has no line matching ${pattern}`);
}

function hoverText(content: vscode.MarkdownString | vscode.MarkedString): string {
  if (typeof content === 'string') return content;
  return content.value;
}

function countSeverity(diagnostics: CacheScopeDiagnostic[], severity: vscode.DiagnosticSeverity): number {
  return diagnostics.filter((entry) => entry.diagnostic.severity === severity).length;
}

/** The items of `values` left after removing one occurrence of each item of `remove`. */
function subtract(values: string[], remove: string[]): string[] {
  const left = new Map<string, number>();
  for (const value of remove) left.set(value, (left.get(value) ?? 0) + 1);
  const result: string[] = [];
  for (const value of values) {
    const count = left.get(value) ?? 0;
    if (count > 0) left.set(value, count - 1);
    else result.push(value);
  }
  return result.sort();
}

/** Re-runs `attempt` every 500 ms until it returns true or `timeoutMs` passes. */
async function poll(attempt: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await attempt()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 500));
}
