import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { InspectError } from '../inspector/connection';
import { startDemoServer } from '../inspector/demo';
import { formatInspectReport } from '../inspector/format-text';
import { monitorMaxSeconds } from '../inspector/hot-keys';
import { renderHtmlReport } from '../inspector/html-report';
import { inspectRedis } from '../inspector/inspect';
import { stringifyJsonSafely } from '../inspector/key-names';
import { RedisServerUnavailableError, SpawnedRedis } from '../inspector/redis-process';
import type { InspectReport } from '../inspector/report';

interface InspectFlags {
  json?: boolean;
  outputFile?: string;
  html?: string;
  prefix?: string;
  sample?: number;
  delimiter: string;
  depth: number;
  sort: 'memory' | 'keys';
  failOn?: 'warn' | 'error';
  demo?: boolean;
  color: boolean;
  hotkeysMonitor?: number;
}

interface InspectIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  cwd: string;
  env: NodeJS.ProcessEnv;
}

function positiveInteger(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new InvalidArgumentError(`expected a whole number of at least 1, got "${value}"`);
  return number;
}

function monitorSeconds(value: string): number {
  const seconds = Number(value);
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > monitorMaxSeconds) {
    throw new InvalidArgumentError(`expected a whole number of seconds from 1 to ${monitorMaxSeconds}, got "${value}"`);
  }
  return seconds;
}

export function addInspectCommand(program: Command, io: InspectIo, setExitCode: (code: number) => void): void {
  program
    .command('inspect')
    .description('inspect a live Redis read-only: key families, TTLs, expiry cliffs, big keys and configuration')
    .argument('[url]', 'redis://[user:pass@]host:port[/db], rediss://... or unix:///path/to.sock (default: $REDIS_URL, else redis://127.0.0.1:6379)')
    .option('--json', 'write the report as JSON')
    .option('-o, --output-file <path>', 'write the report to a file instead of stdout')
    .option('--html <file>', 'also write the report as a self-contained HTML page to this file')
    .option('--prefix <prefix>', 'inspect only keys starting with this prefix')
    .option('--sample <n>', 'stop after n keys and scale the counts to the whole database', positiveInteger)
    .option('--delimiter <text>', 'separator of key name segments', ':')
    .option('--depth <n>', 'how many prefix levels to group by', positiveInteger, 2)
    .addOption(new Option('--sort <by>', 'order of the prefix table').choices(['memory', 'keys']).default('memory'))
    .addOption(new Option('--fail-on <level>', 'exit with code 1 when a problem at or above this level is found').choices(['warn', 'error']))
    .option('--hotkeys-monitor <seconds>', 'sample hot keys with MONITOR for this many seconds (1-30); costs the server throughput while it runs', monitorSeconds)
    .option('--demo', 'start a throwaway redis-server with a sample cache keyspace, inspect it and stop it')
    .option('--no-color', 'disable colours')
    .action(async (url: string | undefined, flags: InspectFlags) => {
      setExitCode(await runInspect(url, flags, io));
    });
}

async function runInspect(url: string | undefined, flags: InspectFlags, io: InspectIo): Promise<number> {
  if (flags.demo && url) {
    io.stderr.write('cachescope: --demo starts its own server; do not give a URL with it\n');
    return 2;
  }
  if (flags.delimiter.length === 0) {
    io.stderr.write('cachescope: --delimiter must not be empty\n');
    return 2;
  }
  let demo: SpawnedRedis | undefined;
  let report: InspectReport;
  const progress = io.stderr.isTTY ? (done: number, total: number | undefined) => io.stderr.write(`\r\x1b[2Kcachescope: scanned ${done}${total !== undefined ? `/${total}` : ''} keys`) : undefined;
  try {
    if (flags.demo) {
      demo = await startDemoServer();
      if (io.stderr.isTTY) io.stderr.write(`cachescope: demo redis-server on port ${demo.port}\n`);
    }
    report = await inspectRedis({
      url: demo?.url ?? (url || io.env.REDIS_URL || 'redis://127.0.0.1:6379'),
      prefix: flags.prefix !== undefined ? Buffer.from(flags.prefix) : undefined,
      sample: flags.sample,
      delimiter: flags.delimiter,
      depth: flags.depth,
      sortBy: flags.sort,
      onProgress: progress,
      hotKeysMonitorSeconds: flags.hotkeysMonitor,
      onHotKeysMonitorStarted: io.stderr.isTTY ? () => io.stderr.write(`\r\x1b[2Kcachescope: sampling MONITOR for ${flags.hotkeysMonitor} s\n`) : undefined,
    });
  } catch (error) {
    if (progress) io.stderr.write('\r\x1b[2K');
    if (error instanceof InspectError || error instanceof RedisServerUnavailableError) {
      io.stderr.write(`cachescope: ${error.message}\n`);
      return 2;
    }
    const err = error instanceof Error ? error : new Error(String(error));
    io.stderr.write(`cachescope: internal error: ${err.stack ?? err.message}\n`);
    return 2;
  } finally {
    await demo?.stop();
  }
  if (progress) io.stderr.write('\r\x1b[2K');

  const text = flags.json
    ? `${stringifyJsonSafely(report)}\n`
    : formatInspectReport(report, { color: flags.color && !flags.outputFile && Boolean(io.stdout.isTTY) && !('NO_COLOR' in io.env) });
  if (flags.outputFile) {
    const target = path.resolve(io.cwd, flags.outputFile);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, text);
  } else {
    io.stdout.write(text);
  }
  if (flags.html) {
    const htmlTarget = path.resolve(io.cwd, flags.html);
    try {
      fs.mkdirSync(path.dirname(htmlTarget), { recursive: true });
      fs.writeFileSync(htmlTarget, renderHtmlReport(report));
    } catch (error) {
      io.stderr.write(`cachescope: cannot write the HTML report to ${flags.html}: ${error instanceof Error ? error.message : String(error)}\n`);
      return 2;
    }
  }

  const problems = [...report.warnings, ...report.findings];
  if (flags.failOn === 'error' && problems.some((problem) => problem.level === 'error')) return 1;
  if (flags.failOn === 'warn' && problems.length > 0) return 1;
  return 0;
}
