import * as fs from 'node:fs';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli/main';
import { InspectError, parseRedisUrl } from './connection';
import { inspectRedis } from './inspect';
import { SpawnedRedis, startRedis, startTlsRedis } from './redis-process';
import { makeTestCertificates, opensslAvailable, TestCertificates } from './testing/tls-certificates';

/**
 * The inspector against a real TLS redis-server started here, with a CA and certificates made by openssl for
 * this run: a trusted CA, a wrong one, no CA, a host name mismatch, client certificates, and the two protocol
 * mix-ups (TLS to a plain port, plain to a TLS port), each of which must end in a clear error, never a hang.
 */
if (!opensslAvailable()) throw new Error('these tests need the openssl command line (a Debian base package)');

const connectTimeoutMs = 1500;
/** Time a failing connection may take: the connect timeout, ioredis's own grace and one protocol probe. */
const failureBoundMs = connectTimeoutMs + 1000 + 2000 + 500;

let certs: TestCertificates;
let tlsServer: SpawnedRedis;
let clientAuthServer: SpawnedRedis;
let plainServer: SpawnedRedis;
const seededKeys = 120;

async function seed(url: string, ca: Buffer, keys: number, extra: { cert?: Buffer; key?: Buffer } = {}): Promise<void> {
  const client = new Redis(url, { tls: { ca, ...extra }, maxRetriesPerRequest: 1, retryStrategy: () => null });
  try {
    const pipeline = client.pipeline();
    for (let i = 0; i < keys; i += 1) pipeline.set(`session:${i}`, 'x'.repeat(20), 'EX', 3600);
    await pipeline.exec();
  } finally {
    client.disconnect();
  }
}

async function failure(promise: Promise<unknown>): Promise<{ error: InspectError; ms: number }> {
  const started = Date.now();
  const error = await promise.then(
    () => {
      throw new Error('expected the connection to fail');
    },
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(InspectError);
  return { error: error as InspectError, ms: Date.now() - started };
}

beforeAll(async () => {
  certs = makeTestCertificates();
  const files = { certFile: certs.serverCertFile, keyFile: certs.serverKeyFile, caFile: certs.caFile };
  [tlsServer, clientAuthServer, plainServer] = await Promise.all([startTlsRedis(files), startTlsRedis(files, { authClients: true }), startRedis()]);
  const ca = fs.readFileSync(certs.caFile);
  await seed(tlsServer.url, ca, seededKeys);
  await seed(clientAuthServer.url, ca, 7, { cert: fs.readFileSync(certs.clientCertFile), key: fs.readFileSync(certs.clientKeyFile) });
}, 60_000);

afterAll(async () => {
  await Promise.all([tlsServer, clientAuthServer, plainServer].filter(Boolean).map((server) => server.stop()));
  certs?.remove();
});

describe('inspecting over TLS', () => {
  it('scans every key with the CA given (--cacert)', async () => {
    const report = await inspectRedis({ url: tlsServer.url, connection: { tls: { caFile: certs.caFile } }, connectTimeoutMs });
    expect(report.scan.keysScanned).toBe(seededKeys);
    expect(report.scan.complete).toBe(true);
    expect(report.target).toBe(`rediss://127.0.0.1:${tlsServer.port}`);
  });

  it('refuses a certificate signed by an unknown CA and says how to fix it', async () => {
    for (const tls of [{}, { caFile: certs.otherCaFile }]) {
      const { error, ms } = await failure(inspectRedis({ url: tlsServer.url, connection: { tls }, connectTimeoutMs }));
      expect(error.kind).toBe('tls');
      expect(error.message).toContain('not signed by a trusted CA');
      expect(error.message).toContain('--cacert');
      expect(error.message).toContain('--insecure');
      expect(ms).toBeLessThan(failureBoundMs);
    }
  });

  it('accepts any certificate with --insecure', async () => {
    const report = await inspectRedis({ url: tlsServer.url, connection: { tls: { insecure: true } }, connectTimeoutMs });
    expect(report.scan.keysScanned).toBe(seededKeys);
  });

  it('checks the host name: a name the certificate does not list fails, one it lists passes (--sni)', async () => {
    const { error } = await failure(inspectRedis({ url: tlsServer.url, connection: { tls: { caFile: certs.caFile, servername: 'cache.example.com' } }, connectTimeoutMs }));
    expect(error.kind).toBe('tls');
    expect(error.message).toContain('does not match the host name');
    expect(error.message).toContain('cache.example.com');
    const report = await inspectRedis({ url: tlsServer.url, connection: { tls: { caFile: certs.caFile, servername: 'localhost' } }, connectTimeoutMs });
    expect(report.scan.keysScanned).toBe(seededKeys);
  });

  it('turns TLS on for a redis:// URL when TLS settings are given (--tls)', async () => {
    const plainUrl = `redis://127.0.0.1:${tlsServer.port}`;
    const report = await inspectRedis({ url: plainUrl, connection: { tls: { caFile: certs.caFile } }, connectTimeoutMs });
    expect(report.scan.keysScanned).toBe(seededKeys);
    expect(report.target).toBe(`rediss://127.0.0.1:${tlsServer.port}`);
  });

  it('says the server expects TLS when redis:// reaches a TLS port, within the connect timeout', async () => {
    const { error, ms } = await failure(inspectRedis({ url: `redis://127.0.0.1:${tlsServer.port}`, connectTimeoutMs }));
    expect(error.kind).toBe('tls');
    expect(error.message).toContain('the server expects TLS: use rediss://');
    expect(ms).toBeLessThan(failureBoundMs);
  });

  it('says the server does not speak TLS when rediss:// reaches a plain port, within the connect timeout', async () => {
    const { error, ms } = await failure(inspectRedis({ url: `rediss://127.0.0.1:${plainServer.port}`, connectTimeoutMs }));
    expect(error.kind).toBe('tls');
    expect(error.message).toContain('does not speak TLS on this port');
    expect(ms).toBeLessThan(failureBoundMs);
  });

  it('names a certificate file that cannot be read, before connecting', async () => {
    const missing = path.join(certs.dir, 'missing-ca.pem');
    const { error } = await failure(inspectRedis({ url: tlsServer.url, connection: { tls: { caFile: missing } }, connectTimeoutMs }));
    expect(error.kind).toBe('bad-config');
    expect(error.message).toContain(missing);
    expect(() => parseRedisUrl(tlsServer.url, { tls: { certFile: certs.clientCertFile } })).toThrow(/--cert and --key/);
  });

  it('presents a client certificate to a server that verifies clients (--cert, --key)', async () => {
    const withCert = { caFile: certs.caFile, certFile: certs.clientCertFile, keyFile: certs.clientKeyFile };
    const report = await inspectRedis({ url: clientAuthServer.url, connection: { tls: withCert }, connectTimeoutMs });
    expect(report.scan.keysScanned).toBe(7);
    const { error, ms } = await failure(inspectRedis({ url: clientAuthServer.url, connection: { tls: { caFile: certs.caFile } }, connectTimeoutMs }));
    expect(error.kind).toBe('tls');
    expect(error.message).toMatch(/client certificate/);
    expect(ms).toBeLessThan(failureBoundMs);
  });
});

describe('cachescope inspect TLS flags', () => {
  async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    let err = '';
    stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const code = await runCli(['inspect', ...args], { stdout, stderr, stdin: new PassThrough(), cwd: certs.dir, env: { NO_COLOR: '1' } });
    return { code, stdout: out, stderr: err };
  }

  it('connects with --tls --cacert (relative to the working directory) and --sni', async () => {
    const result = await cli([`redis://127.0.0.1:${tlsServer.port}`, '--tls', '--cacert', path.basename(certs.caFile), '--sni', 'localhost', '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).scan.keysScanned).toBe(seededKeys);
  });

  it('exits 2 with the hint when the CA is missing, and names a missing --cacert file', async () => {
    const untrusted = await cli([tlsServer.url, '--json']);
    expect(untrusted.code).toBe(2);
    expect(untrusted.stderr).toMatch(/^cachescope: TLS to rediss:\/\/127\.0\.0\.1:\d+: the server's certificate is not signed by a trusted CA .*pass --cacert FILE/);
    const missing = await cli([tlsServer.url, '--cacert', 'nope.pem']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`cannot read the CA certificate file "${path.join(certs.dir, 'nope.pem')}": no such file`);
    const demo = await cli(['--demo', '--insecure']);
    expect(demo.code).toBe(2);
    expect(demo.stderr).toContain('the TLS options do not apply');
  });
});
