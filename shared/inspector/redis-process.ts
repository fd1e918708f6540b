import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tls from 'node:tls';

/**
 * A throwaway redis-server: a free TCP port on 127.0.0.1, nothing written to disk, stopped afterwards.
 * `cachescope inspect --demo` and the tests use it, so neither ever touches a Redis it did not start.
 */
export interface SpawnedRedis {
  port: number;
  url: string;
  pid: number;
  /** The server process itself, for tests that need to kill it abruptly. */
  process: ChildProcess;
  stop(): Promise<void>;
}

export class RedisServerUnavailableError extends Error {}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Whether a `redis-server` binary can be started from PATH. */
export function redisServerAvailable(): boolean {
  const probe = spawnSync('redis-server', ['--version'], { stdio: 'ignore', timeout: 5000 });
  return probe.error === undefined && probe.status === 0;
}

/** Opens a connection to the server, for the readiness probe: plain TCP, or TLS with the given options. */
type Dial = (port: number) => net.Socket;

const dialPlain: Dial = (port) => net.connect(port, '127.0.0.1');

/** The port answered, but another process serves it: the free port was taken between the probe and the bind. */
class PortTakenError extends Error {}

/**
 * Waits until the port answers `INFO server` and checks that `process_id` is the child's own pid, so that a
 * server another process started on the same port (freePort's answer can go stale) is never mistaken for ours.
 * A server that wants a password first answers an error; then it can only be trusted while the child runs.
 */
function waitForPort(port: number, child: ChildProcess, timeoutMs: number, dial: Dial = dialPlain): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (child.exitCode !== null) {
        reject(new Error(`redis-server exited with code ${child.exitCode}`));
        return;
      }
      const socket = dial(port);
      let reply = '';
      // Set once the socket is done with: 'error' is followed by 'close', and only one of them may retry.
      let settled = false;
      const retry = () => {
        socket.destroy();
        if (settled) return;
        settled = true;
        if (Date.now() > deadline) reject(new Error(`redis-server did not listen on ${port}`));
        else setTimeout(attempt, 50);
      };
      socket.once(socket instanceof tls.TLSSocket ? 'secureConnect' : 'connect', () => socket.write('INFO server\r\n'));
      socket.on('data', (chunk: Buffer) => {
        reply += chunk.toString('latin1');
        const pid = /process_id:(\d+)\r\n/.exec(reply);
        if (!pid && !reply.startsWith('-')) return;
        settled = true;
        socket.destroy();
        if (pid && Number(pid[1]) !== child.pid) reject(new PortTakenError(`port ${port} is served by another process (pid ${pid[1]})`));
        else if (child.exitCode !== null) reject(new Error(`redis-server exited with code ${child.exitCode}`));
        else resolve();
      });
      socket.once('error', retry);
      socket.once('close', retry);
    };
    attempt();
  });
}

/** Starts a server on a free port, trying another one if the port was taken meanwhile (other processes pick ports too). */
async function launchOnFreePort(launchOn: (port: number) => Promise<SpawnedRedis>): Promise<SpawnedRedis> {
  for (let tries = 1; ; tries += 1) {
    const port = await freePort();
    try {
      return await launchOn(port);
    } catch (error) {
      const portLost = error instanceof PortTakenError || (error instanceof Error && /exited with code/.test(error.message));
      if (!portLost || tries >= 3) throw error;
    }
  }
}

/** Starts redis-server on a free port, or on `options.port` (to bring a server back on the port a test killed). */
export async function startRedis(extraArgs: string[] = [], options: { port?: number } = {}): Promise<SpawnedRedis> {
  const launchOn = (port: number) => launch(['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...extraArgs], port, `redis://127.0.0.1:${port}`);
  return options.port !== undefined ? launchOn(options.port) : launchOnFreePort(launchOn);
}

/** Certificate files of a TLS redis-server (PEM paths). */
export interface RedisTlsFiles {
  certFile: string;
  keyFile: string;
  caFile: string;
}

/**
 * A redis-server that speaks only TLS, on a free port (`--port 0 --tls-port P`). With `authClients` it asks
 * clients for a certificate signed by `caFile`. The readiness probe presents the server's own certificate,
 * which that CA signed, so it works either way.
 */
export async function startTlsRedis(files: RedisTlsFiles, options: { authClients?: boolean; extraArgs?: string[] } = {}): Promise<SpawnedRedis> {
  return launchOnFreePort((port) => launchTls(port, files, options));
}

async function launchTls(port: number, files: RedisTlsFiles, options: { authClients?: boolean; extraArgs?: string[] }): Promise<SpawnedRedis> {
  const args = ['--port', '0', '--tls-port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  args.push('--tls-cert-file', files.certFile, '--tls-key-file', files.keyFile, '--tls-ca-cert-file', files.caFile);
  args.push('--tls-auth-clients', options.authClients ? 'yes' : 'no', ...(options.extraArgs ?? []));
  const cert = fs.readFileSync(files.certFile);
  const key = fs.readFileSync(files.keyFile);
  const dialTls: Dial = (tlsPort) => tls.connect({ host: '127.0.0.1', port: tlsPort, rejectUnauthorized: false, cert, key });
  return launch(args, port, `rediss://127.0.0.1:${port}`, dialTls);
}

/**
 * A Redis Sentinel on a free port watching the master at 127.0.0.1:`masterPort` under `masterName` (quorum 1).
 * Sentinel rewrites its configuration file, so it gets one of its own in a temporary directory, removed on stop.
 */
export async function startSentinel(masterPort: number, masterName: string): Promise<SpawnedRedis> {
  return launchOnFreePort((port) => launchSentinel(port, masterPort, masterName));
}

async function launchSentinel(port: number, masterPort: number, masterName: string): Promise<SpawnedRedis> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cachescope-sentinel-'));
  const configFile = path.join(dir, 'sentinel.conf');
  fs.writeFileSync(
    configFile,
    [`port ${port}`, 'bind 127.0.0.1', `dir ${dir}`, `sentinel monitor ${masterName} 127.0.0.1 ${masterPort} 1`, `sentinel down-after-milliseconds ${masterName} 5000`, ''].join('\n'),
  );
  const sentinel = await launch([configFile, '--sentinel'], port, `redis://127.0.0.1:${port}`).catch((error: unknown) => {
    fs.rmSync(dir, { recursive: true, force: true });
    throw error;
  });
  return {
    ...sentinel,
    stop: async () => {
      await sentinel.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function launch(args: string[], port: number, url: string, dial?: Dial): Promise<SpawnedRedis> {
  // An empty working directory of its own: redis-server loads any dump.rdb it finds in its directory at start,
  // and a replica writes the RDB it receives there.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cachescope-redis-'));
  const child = spawn('redis-server', args, {
    stdio: 'ignore',
    cwd: dir,
  });
  const removeDir = () => fs.rmSync(dir, { recursive: true, force: true });
  child.once('exit', removeDir);
  child.once('error', removeDir);
  const spawnFailure = new Promise<never>((_, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'ENOENT' ? new RedisServerUnavailableError('redis-server is not on PATH') : error);
    });
  });
  try {
    await Promise.race([waitForPort(port, child, 10_000, dial), spawnFailure]);
  } catch (error) {
    if (child.exitCode === null && child.pid !== undefined) child.kill('SIGKILL');
    throw error;
  }
  return {
    port,
    url,
    pid: child.pid ?? 0,
    process: child,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
