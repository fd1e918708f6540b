/**
 * The ESLint side of the benchmark, run as its own timed process: lints an explicit list of files
 * with a given flat config through ESLint's Node API (what `eslint <files>` does, without the limit
 * on command-line length) and prints a one-line JSON summary of what it found.
 *
 *   node bench/children/eslint-lint.mjs <config file> <file list (JSON array)> <cwd>
 */
import * as fs from 'node:fs';
import { ESLint } from 'eslint';

const [configFile, fileListPath, cwd] = process.argv.slice(2);
if (!configFile || !fileListPath || !cwd) {
  console.error('usage: eslint-lint.mjs <config file> <file list json> <cwd>');
  process.exit(2);
}

const files = JSON.parse(fs.readFileSync(fileListPath, 'utf8'));
const eslint = new ESLint({ cwd, overrideConfigFile: configFile, cache: false, errorOnUnmatchedPattern: false });
const results = await eslint.lintFiles(files);

const findingsByRule = {};
let fatal = 0;
let findings = 0;
for (const result of results) {
  for (const message of result.messages) {
    if (message.fatal) fatal++;
    else findings++;
    const rule = message.ruleId ?? '(parse error)';
    findingsByRule[rule] = (findingsByRule[rule] ?? 0) + 1;
  }
}
process.stdout.write(`${JSON.stringify({ filesLinted: results.length, findings, fatal, findingsByRule, eslintVersion: ESLint.version })}\n`);
