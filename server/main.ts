import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { CacheScopeServer } from './server';

/**
 * Entry of the CacheScope language server. The transport comes from the command line, as every LSP
 * client passes it: `--stdio`, `--node-ipc` or `--socket=<port>`.
 */
const connection = createConnection(ProposedFeatures.all);
// A stray rejection (a client that refuses a request, say) is logged; it must never end the server.
process.on('unhandledRejection', (reason) => {
  connection.console.error(`Unhandled rejection: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`);
});
new CacheScopeServer(connection).listen();
