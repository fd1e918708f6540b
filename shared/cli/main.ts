import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ConfigError } from '../config/load-config';
import type { RuleSetting } from '../config/config-types';
import { lint, LintOutcome } from '../analyzer/lint';
import { allRules } from '../analyzer/rules';
import type { LintResult } from '../analyzer/types';
import { formatResults, FormatterName, FORMATTER_NAMES } from './formatters';
import { applyBaseline, BaselineError, createBaseline, readBaseline, serializeBaseline } from './baseline';
import { ProgressLine } from './progress';
import { addInspectCommand } from './inspect-command';

/** Exit codes: 0 clean, 1 findings (or too many warnings), 2 usage or internal error. */
export const ExitCode = { ok: 0, findings: 1, error: 2 } as const;

export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

const version: string = (() => {
  for (const candidate of ['../../package.json', '../../../package.json']) {
    const file = path.resolve(__dirname, candidate);
    if (fs.existsSync(file)) return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
  }
  return '0.0.0';
})();

function parseRuleOption(value: string, previous: Record<string, RuleSetting> = {}): Record<string, RuleSetting> {
  const match = /^([a-z0-9-]+):(off|warn|error|0|1|2)$/.exec(value.trim());
  if (!match) throw new InvalidArgumentError(`expected <rule-id>:off|warn|error, got "${value}"`);
  const level = match[2];
  const normalised = level === '0' ? 'off' : level === '1' ? 'warn' : level === '2' ? 'error' : level;
  return { ...previous, [match[1]]: normalised as RuleSetting };
}

function parseCount(value: string): number {
  const count = Number(value);
  if (!Number.isInteger(count) || count < -1) throw new InvalidArgumentError(`expected a whole number, got "${value}"`);
  return count;
}

async function readStdin(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

interface LintFlags {
  format: FormatterName;
  outputFile?: string;
  rule?: Record<string, RuleSetting>;
  config?: string;
  project?: string;
  maxWarnings: number;
  color: boolean;
  fix?: boolean;
  fixSuggestions?: boolean;
  baseline?: string;
  stdin?: boolean;
  stdinFilename?: string;
  quiet?: boolean;
  ignorePattern?: string[];
}

function addLintOptions(command: Command): Command {
  return command
    .addOption(new Option('-f, --format <name>', 'output format').choices([...FORMATTER_NAMES]).default('stylish'))
    .option('-o, --output-file <path>', 'write the report to a file instead of stdout')
    .option('--rule <id:level>', 'set a rule level, e.g. --rule require-ttl:error (repeatable)', parseRuleOption)
    .option('-c, --config <path>', 'use this configuration file instead of the nearest .cachescoperc.json')
    .option('-p, --project <tsconfig>', "tsconfig.json whose path aliases apply to every file (default: each file's nearest tsconfig.json)")
    .option('--max-warnings <n>', 'exit with code 1 when there are more warnings than this (-1: no limit)', parseCount, -1)
    .option('--no-color', 'disable colours in the stylish format')
    .option('--fix', 'apply fixes that cannot change behaviour, and write the files')
    .option('--fix-suggestions', 'also apply suggested fixes that change cache behaviour (TTL, SCAN, DEL)')
    .option('--baseline <path>', 'report only findings that are not in this baseline file')
    .option('--quiet', 'report errors only, not warnings')
    .option('--ignore-pattern <pattern>', 'gitignore-style pattern of files not to lint (repeatable)', (value: string, previous: string[] = []) => [...previous, value])
    .option('--stdin', 'lint source text read from standard input')
    .option('--stdin-filename <path>', 'the file name to give the text read with --stdin');
}

/** Runs the CLI with explicit I/O (tests call this directly); resolves to the exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const program = new Command();
  let exitCode: number = ExitCode.ok;
  program
    .name('cachescope')
    .description('Finds cache bugs before production does.')
    .version(version, '-v, --version')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    });

  addLintOptions(
    program
      .command('lint')
      .description('lint files and directories for cache anti-patterns')
      .argument('[paths...]', 'files and directories to lint', []),
  ).action(async (paths: string[], flags: LintFlags) => {
    exitCode = await runLint(paths, flags, io);
  });

  program
    .command('baseline')
    .description('write a baseline of the current findings, so CI fails only on new ones')
    .argument('[paths...]', 'files and directories to lint', [])
    .option('-o, --output-file <path>', 'where to write the baseline', '.cachescope-baseline.json')
    .option('--rule <id:level>', 'set a rule level (repeatable)', parseRuleOption)
    .option('-c, --config <path>', 'configuration file')
    .option('-p, --project <tsconfig>', "tsconfig.json whose path aliases apply to every file (default: each file's nearest tsconfig.json)")
    .action(async (paths: string[], flags: { outputFile: string; rule?: Record<string, RuleSetting>; config?: string; project?: string }) => {
      exitCode = await runBaseline(paths, flags, io);
    });

  addInspectCommand(program, io, (code) => {
    exitCode = code;
  });

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.error;
    }
    throw error;
  }
  return exitCode;
}

async function runLint(paths: string[], flags: LintFlags, io: CliIo): Promise<number> {
  const progress = new ProgressLine(io.stderr);
  let outcome: LintOutcome;
  try {
    let texts: Record<string, string> | undefined;
    if (flags.stdin) {
      const name = flags.stdinFilename ?? '<stdin>.ts';
      texts = { [path.resolve(io.cwd, name)]: await readStdin(io.stdin) };
    } else if (flags.stdinFilename) {
      io.stderr.write('cachescope: --stdin-filename needs --stdin\n');
      return ExitCode.error;
    }
    if (flags.stdin && flags.fix) {
      io.stderr.write('cachescope: --fix with --stdin is not supported; the fixed text is in the json format\'s "output"\n');
      return ExitCode.error;
    }
    outcome = await lint({
      cwd: io.cwd,
      targets: flags.stdin ? paths : paths.length > 0 ? paths : ['.'],
      texts,
      onlyTexts: Boolean(flags.stdin),
      configPath: flags.config,
      ruleOverrides: flags.rule,
      tsconfigPath: flags.project,
      ignorePatterns: flags.ignorePattern,
      fix: flags.fix,
      fixSuggestions: flags.fixSuggestions,
      onProgress: (phase, done, total) => progress.update(phase, done, total),
    });
  } catch (error) {
    progress.clear();
    return reportFailure(error, io);
  }
  progress.clear();

  if (outcome.missingTargets.length > 0) {
    io.stderr.write(`cachescope: no such file or directory: ${outcome.missingTargets.join(', ')}\n`);
    return ExitCode.error;
  }

  if (flags.fix || flags.fixSuggestions) {
    for (const result of outcome.results) {
      if (result.fixed && result.output !== undefined && !flags.stdin) fs.writeFileSync(result.filePath, result.output);
    }
  }

  let result: LintResult = flags.quiet ? errorsOnly(outcome) : outcome;
  if (flags.baseline) {
    try {
      const baseline = readBaseline(path.resolve(io.cwd, flags.baseline));
      result = applyBaseline(result, baseline, io.cwd).result;
    } catch (error) {
      return reportFailure(error, io);
    }
  }

  const report = formatResults(flags.format, result, {
    cwd: io.cwd,
    color: flags.color && Boolean(io.stdout.isTTY) && !('NO_COLOR' in io.env),
    rules: allRules.map((rule) => ({ id: rule.name, meta: rule.meta })),
    toolVersion: version,
  });
  if (flags.outputFile) {
    fs.mkdirSync(path.dirname(path.resolve(io.cwd, flags.outputFile)), { recursive: true });
    fs.writeFileSync(path.resolve(io.cwd, flags.outputFile), report);
  } else if (report.length > 0) {
    io.stdout.write(report.endsWith('\n') ? report : `${report}\n`);
  }

  for (const failure of outcome.internalErrors) {
    io.stderr.write(`cachescope: internal error in ${failure.ruleId}${failure.filePath ? ` while linting ${path.relative(io.cwd, failure.filePath)}` : ''}: ${failure.message}\n`);
  }
  if (outcome.internalErrors.length > 0) return ExitCode.error;
  if (result.summary.errorCount > 0) return ExitCode.findings;
  if (flags.maxWarnings >= 0 && result.summary.warningCount > flags.maxWarnings) {
    if (flags.format === 'stylish') {
      io.stderr.write(`cachescope found too many warnings (maximum: ${flags.maxWarnings}).\n`);
    }
    return ExitCode.findings;
  }
  return ExitCode.ok;
}

/** `--quiet`: the result with warnings removed, counts recomputed. */
function errorsOnly(result: LintResult): LintResult {
  const results = result.results
    .map((file) => ({ ...file, findings: file.findings.filter((finding) => finding.severity === 'error') }))
    .filter((file) => file.findings.length > 0 || file.fixed);
  const fixableCount = results.reduce((sum, file) => sum + file.findings.filter((finding) => finding.fix).length, 0);
  return { results, summary: { ...result.summary, warningCount: 0, fixableCount } };
}

async function runBaseline(
  paths: string[],
  flags: { outputFile: string; rule?: Record<string, RuleSetting>; config?: string; project?: string },
  io: CliIo,
): Promise<number> {
  try {
    const outcome = await lint({
      cwd: io.cwd,
      targets: paths.length > 0 ? paths : ['.'],
      configPath: flags.config,
      ruleOverrides: flags.rule,
      tsconfigPath: flags.project,
    });
    if (outcome.missingTargets.length > 0) {
      io.stderr.write(`cachescope: no such file or directory: ${outcome.missingTargets.join(', ')}\n`);
      return ExitCode.error;
    }
    const baseline = createBaseline(outcome, io.cwd);
    const target = path.resolve(io.cwd, flags.outputFile);
    fs.writeFileSync(target, serializeBaseline(baseline));
    const count = outcome.summary.errorCount + outcome.summary.warningCount;
    io.stdout.write(`Wrote ${path.relative(io.cwd, target)} with ${count} finding${count === 1 ? '' : 's'}.\n`);
    return ExitCode.ok;
  } catch (error) {
    return reportFailure(error, io);
  }
}

function reportFailure(error: unknown, io: CliIo): number {
  if (error instanceof ConfigError || error instanceof BaselineError) {
    io.stderr.write(`cachescope: ${error.message}\n`);
  } else {
    const err = error instanceof Error ? error : new Error(String(error));
    io.stderr.write(`cachescope: internal error: ${err.stack ?? err.message}\n`);
  }
  return ExitCode.error;
}

export async function main(): Promise<void> {
  const code = await runCli(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    cwd: process.cwd(),
    env: process.env,
  });
  process.exitCode = code;
}
