'use strict';
/**
 * Preloaded with `node --require` into every timed process: on exit it writes the process's peak
 * resident set size (kilobytes, from getrusage) to the file named by LINT_BENCH_RSS_FILE. This works
 * the same on every platform, unlike `/usr/bin/time -f`, and measures only the tool's own process.
 */
const fs = require('node:fs');

const target = process.env.LINT_BENCH_RSS_FILE;
if (target) {
  process.on('exit', () => {
    fs.writeFileSync(target, String(process.resourceUsage().maxRSS));
  });
}
