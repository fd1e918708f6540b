import { afterAll, describe, expect, it } from 'vitest';
import { InspectError, parseRedisUrl } from './connection';
import { backoffDelay, LiveConnection, openLiveConnection } from './live-connection';
import { SpawnedRedis, startRedis } from './redis-process';

/**
 * The long-lived connection against a real redis-server that is killed and started again on the same port:
 * it reconnects with growing delays, fails commands at once while down, and works again afterwards.
 */
function nextEvent<T extends unknown[]>(subscribe: (listener: (...args: T) => void) => void, timeoutMs: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${what} within ${timeoutMs} ms`)), timeoutMs);
    subscribe((...args) => {
      clearTimeout(timer);
      resolve(args);
    });
  });
}

describe('backoffDelay', () => {
  it('doubles from the initial delay and stops at the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((attempt) => backoffDelay(attempt, 250, 10_000))).toEqual([250, 500, 1000, 2000, 4000, 8000, 10_000, 10_000]);
    expect(backoffDelay(10_000, 250, 10_000)).toBe(10_000);
  });
});

describe('openLiveConnection', () => {
  const servers: SpawnedRedis[] = [];
  let live: LiveConnection | undefined;
  afterAll(async () => {
    live?.close();
    await Promise.all(servers.map((server) => server.stop()));
  });

  it('reconnects with capped exponential backoff after the server dies, failing commands fast meanwhile', async () => {
    const first = await startRedis();
    servers.push(first);
    live = openLiveConnection(parseRedisUrl(first.url), { initialDelayMs: 100, maxDelayMs: 400, connectTimeoutMs: 1000, commandTimeoutMs: 1000 });
    const reconnects: { delayMs: number; attempt: number }[] = [];
    const errors: InspectError[] = [];
    let connections = 0;
    live.on('reconnecting', (delayMs, attempt) => reconnects.push({ delayMs, attempt }));
    live.on('error', (error) => errors.push(error));
    live.on('connected', () => (connections += 1));
    const connection = live;

    await nextEvent<[]>((listener) => connection.on('connected', listener), 5000, 'first connection');
    expect(await live.client.ping()).toBe('PONG');
    await live.client.set('survives', 'no');

    first.process.kill('SIGKILL');
    // 100, 200, 400 and then the cap: wait for the fifth attempt to be scheduled.
    const deadline = Date.now() + 5000;
    while (reconnects.length < 5 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(reconnects.slice(0, 5)).toEqual([
      { delayMs: 100, attempt: 1 },
      { delayMs: 200, attempt: 2 },
      { delayMs: 400, attempt: 3 },
      { delayMs: 400, attempt: 4 },
      { delayMs: 400, attempt: 5 },
    ]);
    expect(errors.some((error) => error instanceof InspectError && error.kind === 'connection-refused')).toBe(true);

    const started = Date.now();
    await expect(live.client.get('survives')).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(100);

    const second = await startRedis([], { port: first.port });
    servers.push(second);
    await nextEvent<[]>((listener) => connection.on('connected', listener), 5000, 'reconnection');
    expect(connections).toBe(2);
    expect(await live.client.ping()).toBe('PONG');
    // A new server: the key written before the outage is gone, proving the command reached the new process.
    expect(await live.client.get('survives')).toBeNull();

    // After a successful reconnect the backoff starts over.
    const before = reconnects.length;
    second.process.kill('SIGKILL');
    const [delayMs, attempt] = await nextEvent<[number, number]>((listener) => connection.on('reconnecting', listener), 3000, 'reconnecting after the second outage');
    expect({ delayMs, attempt }).toEqual({ delayMs: 100, attempt: 1 });
    expect(reconnects.length).toBeGreaterThan(before);
  }, 30_000);

  it('stops reconnecting once closed, even when the server comes back', async () => {
    const port = await startRedis().then(async (server) => {
      await server.stop();
      return server.port;
    });
    const closed = openLiveConnection(parseRedisUrl(`redis://127.0.0.1:${port}`), { initialDelayMs: 50, maxDelayMs: 50 });
    let attempts = 0;
    let connects = 0;
    // Counted on the ioredis client itself: close() removes the wrapper's own listeners.
    closed.client.on('reconnecting', () => (attempts += 1));
    closed.client.on('connect', () => (connects += 1));
    await nextEvent<[number, number]>((listener) => closed.on('reconnecting', listener), 3000, 'first reconnect');
    closed.close();
    const seen = attempts;
    const back = await startRedis([], { port });
    servers.push(back);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(attempts).toBe(seen);
    expect(connects).toBe(0);
    await expect(closed.client.ping()).rejects.toThrow();
  });
});
