import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';

/**
 * The languages CacheScope lints, in files: analysis follows a file's imports and its folder's
 * configuration, which an untitled buffer does not have.
 */
const languageIds = ['typescript', 'javascript', 'typescriptreact', 'javascriptreact'];
const schemes = ['file'];

/** The port the server's inspector listens on when the extension runs under the debugger. */
const serverInspectPort = 6011;

/**
 * The client for the language server bundled in the extension (`dist/extension/server.js`), spoken to
 * over Node IPC. The id `cachescope` makes languageclient read `cachescope.trace.server`.
 */
export function createLanguageClient(context: vscode.ExtensionContext, output: vscode.LogOutputChannel): LanguageClient {
  const serverModule = context.asAbsolutePath(path.join('dist', 'extension', 'server.js'));
  if (!fs.existsSync(serverModule)) {
    throw new Error(`the bundled language server is missing (${serverModule}); build it with "npm run bundle"`);
  }
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: {
      module: serverModule,
      transport: TransportKind.ipc,
      options: { execArgv: ['--nolazy', `--inspect=${serverInspectPort}`] },
    },
  };

  const clientOptions: LanguageClientOptions = {
    documentSelector: languageIds.flatMap((language) => schemes.map((scheme) => ({ scheme, language }))),
    // No `synchronize` block: the server registers its own file watchers and configuration
    // notifications (dynamic registration), the same way in every LSP client; both would double them.
    outputChannel: output,
  };
  return new LanguageClient('cachescope', 'CacheScope', serverOptions, clientOptions);
}
