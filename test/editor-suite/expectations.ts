import * as vscode from 'vscode';

/**
 * The findings a fixture workspace expects, read from its `// expect: <rule-id>[, <rule-id>]` comments.
 * Same convention as test/fixture-flows.test.ts: the comment trails the line the finding starts on.
 */
const expectPattern = /\/\/\s*expect:\s*([a-z0-9-]+(?:\s*,\s*[a-z0-9-]+)*)\s*$/;
const sourceGlob = '**/*.{ts,tsx,js,mjs,cjs}';

export interface ExpectedFinding {
  uri: vscode.Uri;
  /** Zero-based, as in vscode.Range. */
  line: number;
  ruleId: string;
  /** The text of the marked line, for messages and for picking a finding of a certain shape. */
  lineText: string;
}

export function workspaceFolder(): vscode.WorkspaceFolder {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the editor has no workspace folder open; open a copy of fixtures/shop-service');
  return folder;
}

export async function readExpectedFindings(folder: vscode.WorkspaceFolder): Promise<ExpectedFinding[]> {
  const files = await vscode.workspace.findFiles(new vscode.RelativePattern(folder, sourceGlob), '**/node_modules/**');
  const decoder = new TextDecoder('utf-8');
  const expected: ExpectedFinding[] = [];
  for (const uri of files) {
    const lines = decoder.decode(await vscode.workspace.fs.readFile(uri)).split('\n');
    lines.forEach((lineText, line) => {
      const match = expectPattern.exec(lineText);
      if (!match) return;
      for (const ruleId of match[1].split(',')) expected.push({ uri, line, ruleId: ruleId.trim(), lineText });
    });
  }
  return expected.sort((a, b) => findingKey(a).localeCompare(findingKey(b)));
}

/** `src/a.ts:12 rule-id`, with a one-based line number as editors and the CLI print it. */
export function findingKey(finding: { uri: vscode.Uri; line: number; ruleId: string }): string {
  return `${vscode.workspace.asRelativePath(finding.uri, false)}:${finding.line + 1} ${finding.ruleId}`;
}
