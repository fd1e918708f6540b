import { isMainThread } from 'node:worker_threads';
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { runScanWorker } from './scan-worker';
import { CacheScopeServer } from './server';
import { setScanWorkerEntry } from './workspace-scanner';

/**
 * Entry of the CacheScope language server. The transport comes from the command line, as every LSP
 * client passes it: `--stdio`, `--node-ipc` or `--socket=<port>`. The workspace scan's worker thread
 * runs this same file, so a bundle of the server is one file that carries the engine once.
 */
if (isMainThread) {
  setScanWorkerEntry(__filename);
  const connection = createConnection(ProposedFeatures.all);
  // A stray rejection (a client that refuses a request, say) is logged; it must never end the server.
  process.on('unhandledRejection', (reason) => {
    connection.console.error(`Unhandled rejection: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`);
  });
  new CacheScopeServer(connection).listen();
} else {
  runScanWorker();
}
