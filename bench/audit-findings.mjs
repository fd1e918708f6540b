#!/usr/bin/env node
// Prints every finding of the built engine over one or more checkouts, each with the flagged source
// line, for triaging precision on real code: node bench/audit-findings.mjs [--rule id] DIR [DIR...]
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as path from 'node:path';

const require = createRequire(import.meta.url);
const { lint } = require('../dist/shared/index.js');

const args = process.argv.slice(2);
let rule;
const dirs = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--rule') rule = args[++i];
  else dirs.push(args[i]);
}
if (dirs.length === 0) {
  console.error('usage: node bench/audit-findings.mjs [--rule id] DIR [DIR...]');
  process.exit(2);
}
for (const dir of dirs) {
  const started = Date.now();
  const outcome = await lint({ cwd: path.resolve(dir), targets: ['.'] });
  const { filesLinted, filesParsed } = outcome.summary;
  console.log(`\n##### ${dir}: ${filesLinted} files linted, ${filesParsed} parsed, ${Date.now() - started} ms`);
  for (const error of outcome.internalErrors) console.log(`INTERNAL ${error.ruleId} ${error.filePath ?? ''} ${error.message}`);
  for (const result of outcome.results) {
    const lines = fs.readFileSync(result.filePath, 'utf8').split('\n');
    for (const finding of result.findings) {
      if (rule && finding.ruleId !== rule) continue;
      const line = finding.location.start.line;
      console.log(`[${finding.ruleId}] ${path.relative(dir, result.filePath)}:${line} ${finding.message}`);
      for (let n = Math.max(1, line - 2); n <= Math.min(lines.length, line + 2); n++) {
        console.log(`  ${n === line ? '>' : ' '} ${String(n).padStart(5)} | ${lines[n - 1].slice(0, 180)}`);
      }
      for (const related of finding.relatedLocations ?? []) {
        console.log(`      related ${path.relative(dir, related.filePath)}:${related.location.start.line} ${related.message}`);
      }
    }
  }
}
