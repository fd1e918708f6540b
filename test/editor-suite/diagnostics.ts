import * as vscode from 'vscode';

/** The `source` CacheScope's language server puts on its diagnostics. */
export const diagnosticSource = 'cachescope';

export interface CacheScopeDiagnostic {
  uri: vscode.Uri;
  diagnostic: vscode.Diagnostic;
  ruleId: string;
  line: number;
}

/** Every CacheScope diagnostic the editor currently knows, in files of `folder`. */
export function cacheScopeDiagnostics(folder: vscode.WorkspaceFolder): CacheScopeDiagnostic[] {
  const folderPrefix = folder.uri.toString().replace(/\/?$/, '/');
  const found: CacheScopeDiagnostic[] = [];
  for (const [uri, diagnostics] of vscode.languages.getDiagnostics()) {
    if (!uri.toString().startsWith(folderPrefix)) continue;
    for (const diagnostic of diagnostics) {
      if (diagnostic.source !== diagnosticSource) continue;
      found.push({ uri, diagnostic, ruleId: ruleIdOf(diagnostic), line: diagnostic.range.start.line });
    }
  }
  return found;
}

function ruleIdOf(diagnostic: vscode.Diagnostic): string {
  const code = diagnostic.code;
  if (code === undefined) return '';
  return typeof code === 'object' ? String(code.value) : String(code);
}

/**
 * Resolves with `probe()`'s first defined answer, re-asking whenever diagnostics change (and every
 * second, for hosts that batch the events). Rejects with `describe()` — what is still missing — at the
 * deadline, so a failure says what never arrived.
 */
export function waitForDiagnostics<T>(probe: () => T | undefined, timeoutMs: number, describe: () => string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const cleanUp = () => {
      subscription.dispose();
      clearInterval(poll);
      clearTimeout(deadline);
    };
    const check = () => {
      const answer = probe();
      if (answer === undefined) return;
      cleanUp();
      resolve(answer);
    };
    const subscription = vscode.languages.onDidChangeDiagnostics(check);
    const poll = setInterval(check, 1000);
    const deadline = setTimeout(() => {
      cleanUp();
      reject(new Error(`timed out after ${timeoutMs} ms: ${describe()}`));
    }, timeoutMs);
    check();
  });
}

/**
 * Resolves once no diagnostics have changed for `quietMs` (the server publishes a workspace scan file by
 * file), or after `maxMs` in any case: other extensions' diagnostics (the built-in TypeScript server's)
 * may keep changing.
 */
export function diagnosticsSettled(quietMs: number, maxMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    let quiet = setTimeout(done, quietMs);
    const cap = setTimeout(done, maxMs);
    const subscription = vscode.languages.onDidChangeDiagnostics(() => {
      clearTimeout(quiet);
      quiet = setTimeout(done, quietMs);
    });
    function done(): void {
      clearTimeout(quiet);
      clearTimeout(cap);
      subscription.dispose();
      resolve();
    }
  });
}
