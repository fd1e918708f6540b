import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { ConnectionSettings, InspectError } from '../inspector/connection';
import { startDemoServer } from '../inspector/demo';
import { formatInspectReport } from '../inspector/format-text';
import { monitorMaxSeconds } from '../inspector/hot-keys';
import { renderHtmlReport } from '../inspector/html-report';
import { inspectRedis } from '../inspector/inspect';
import { stringifyJsonSafely } from '../inspector/key-names';
import { RedisServerUnavailableError, SpawnedRedis } from '../inspector/redis-process';
import type { InspectReport } from '../inspector/report';
import { ConfigError } from '../config/load-config';
import { formatCodeAndLive } from '../join/format-text';
import { withCodeAndLiveSection } from '../join/html-section';
import { failingFindings, prepareProjectJoin, ProjectJoin, ProjectJoinError } from '../join/project-join';

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
  project?: string;
  keyPrefix?: string;
  tls?: boolean;
  cacert?: string;
  cert?: string;
  key?: string;
  sni?: string;
  insecure?: boolean;
}

/** The shell's code for a process ended by SIGINT (128 + 2), also when the partial report was still printed. */
const exitCancelled = 130;

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
    .argument('[url]', 'redis://[user:pass@]host:port[/db], rediss://..., unix:///path/to.sock or redis-sentinel://host:port[,host:port]#master (default: $REDIS_URL, else redis://127.0.0.1:6379)')
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
    .option('--project <dir>', "also analyse this project's code and join its cache key families with the live keys")
    .option('--key-prefix <prefix>', 'with --project: the prefix the application\'s client prepends to every key (ioredis keyPrefix)')
    .option('--tls', 'connect with TLS even though the URL says redis:// (any of the TLS options below implies it)')
    .option('--cacert <file>', 'PEM file of the CA that signed the server certificate')
    .option('--cert <file>', 'PEM client certificate, for servers that verify clients (with --key)')
    .option('--key <file>', 'PEM private key of the client certificate')
    .option('--sni <name>', 'server name to send (SNI) and to check the certificate against, instead of the URL host')
    .option('--insecure', 'do not verify the server certificate (TLS still encrypts)')
    .option('--no-color', 'disable colours')
    .action(async (url: string | undefined, flags: InspectFlags) => {
      setExitCode(await runInspect(url, flags, io));
    });
}

/** TLS flags as redis-cli names them; file paths are taken relative to the working directory. */
function connectionSettings(flags: InspectFlags, cwd: string): ConnectionSettings {
  const file = (name: string | undefined) => (name === undefined ? undefined : path.resolve(cwd, name));
  const anyTls = flags.tls || flags.cacert !== undefined || flags.cert !== undefined || flags.key !== undefined || flags.sni !== undefined || flags.insecure;
  if (!anyTls) return {};
  return { tls: { caFile: file(flags.cacert), certFile: file(flags.cert), keyFile: file(flags.key), servername: flags.sni, insecure: flags.insecure } };
}

async function runInspect(url: string | undefined, flags: InspectFlags, io: InspectIo): Promise<number> {
  if (flags.demo && url) {
    io.stderr.write('cachescope: --demo starts its own server; do not give a URL with it\n');
    return 2;
  }
  if (flags.demo && connectionSettings(flags, io.cwd).tls) {
    io.stderr.write('cachescope: --demo starts a local server without TLS; the TLS options do not apply to it\n');
    return 2;
  }
  if (flags.delimiter.length === 0) {
    io.stderr.write('cachescope: --delimiter must not be empty\n');
    return 2;
  }
  let demo: SpawnedRedis | undefined;
  let report: InspectReport;
  let join: ProjectJoin | undefined;
  if (flags.keyPrefix !== undefined && flags.project === undefined) {
    io.stderr.write('cachescope: --key-prefix applies to the code of --project; give --project <dir> with it\n');
    return 2;
  }
  try {
    if (flags.project !== undefined) join = prepareProjectJoin(flags.project, { cwd: io.cwd, keyPrefix: flags.keyPrefix, delimiter: flags.delimiter, depth: flags.depth });
  } catch (error) {
    if (!(error instanceof ConfigError || error instanceof ProjectJoinError)) throw error;
    io.stderr.write(`cachescope: ${error.message}\n`);
    return 2;
  }
  const progress = io.stderr.isTTY ? (done: number, total: number | undefined) => io.stderr.write(`\r\x1b[2Kcachescope: scanned ${done}${total !== undefined ? `/${total}` : ''} keys`) : undefined;
  // Ctrl-C stops the scan after the batch in flight and still prints what was scanned; a second one quits at once.
  const cancel = new AbortController();
  const onInterrupt = () => {
    if (cancel.signal.aborted) process.exit(exitCancelled);
    cancel.abort();
    if (io.stderr.isTTY) io.stderr.write('\r\x1b[2Kcachescope: cancelling after the batch in flight (Ctrl-C again to quit now)\n');
  };
  process.on('SIGINT', onInterrupt);
  try {
    if (flags.demo) {
      demo = await startDemoServer();
      if (io.stderr.isTTY) io.stderr.write(`cachescope: demo redis-server on port ${demo.port}\n`);
    }
    report = await inspectRedis({
      url: demo?.url ?? (url || io.env.REDIS_URL || 'redis://127.0.0.1:6379'),
      connection: connectionSettings(flags, io.cwd),
      prefix: flags.prefix !== undefined ? Buffer.from(flags.prefix) : undefined,
      sample: flags.sample,
      delimiter: flags.delimiter,
      depth: flags.depth,
      sortBy: flags.sort,
      onProgress: progress,
      signal: cancel.signal,
      onKey: join?.onKey,
      hotKeysMonitorSeconds: flags.hotkeysMonitor,
      onHotKeysMonitorStarted: io.stderr.isTTY ? () => io.stderr.write(`\r\x1b[2Kcachescope: sampling MONITOR for ${flags.hotkeysMonitor} s\n`) : undefined,
    });
  } catch (error) {
    if (progress) io.stderr.write('\r\x1b[2K');
    if (error instanceof InspectError || error instanceof RedisServerUnavailableError) {
      io.stderr.write(`cachescope: ${error.message}\n`);
      return error instanceof InspectError && error.kind === 'cancelled' ? exitCancelled : 2;
    }
    const err = error instanceof Error ? error : new Error(String(error));
    io.stderr.write(`cachescope: internal error: ${err.stack ?? err.message}\n`);
    return 2;
  } finally {
    process.removeListener('SIGINT', onInterrupt);
    await demo?.stop();
  }
  if (progress) io.stderr.write('\r\x1b[2K');

  const codeAndLive = join?.finish(report);
  const color = flags.color && !flags.outputFile && Boolean(io.stdout.isTTY) && !('NO_COLOR' in io.env);
  const text = flags.json
    ? `${stringifyJsonSafely(codeAndLive ? { ...report, codeAndLive } : report)}\n`
    : formatInspectReport(report, { color }) + (codeAndLive ? formatCodeAndLive(codeAndLive, { color, root: join!.index.root }) : '');
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
      fs.writeFileSync(htmlTarget, codeAndLive ? withCodeAndLiveSection(renderHtmlReport(report), codeAndLive, { root: join!.index.root }) : renderHtmlReport(report));
    } catch (error) {
      io.stderr.write(`cachescope: cannot write the HTML report to ${flags.html}: ${error instanceof Error ? error.message : String(error)}\n`);
      return 2;
    }
  }

  if (report.scan.cancelled) {
    io.stderr.write(`cachescope: cancelled after ${report.scan.keysScanned} keys; the report covers those keys only\n`);
    return exitCancelled;
  }
  const problems = [...report.warnings, ...report.findings];
  if (flags.failOn && failingFindings(codeAndLive, flags.failOn).length > 0) return 1;
  if (flags.failOn === 'error' && problems.some((problem) => problem.level === 'error')) return 1;
  if (flags.failOn === 'warn' && problems.length > 0) return 1;
  return 0;
}
