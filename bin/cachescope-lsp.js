#!/usr/bin/env node
'use strict';
// The CacheScope language server: `cachescope-lsp --stdio` for any LSP client.
if (!process.argv.some((arg) => arg === '--stdio' || arg === '--node-ipc' || arg.startsWith('--socket') || arg.startsWith('--pipe'))) {
  process.argv.push('--stdio');
}
require('../dist/server/main.js');
