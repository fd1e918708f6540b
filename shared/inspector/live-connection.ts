import { EventEmitter } from 'node:events';
import Redis from 'ioredis';
import { classifyError, ConnectionTarget, defaultTimeouts, InspectError } from './connection';

export interface LiveConnectionSettings {
  /** First reconnect delay; each further attempt doubles it, up to `maxDelayMs`. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  connectTimeoutMs?: number;
  commandTimeoutMs?: number;
}

const defaults = { initialDelayMs: 250, maxDelayMs: 10_000 };

/** The delay before reconnect attempt `attempt` (1-based): capped exponential backoff. */
export function backoffDelay(attempt: number, initialDelayMs: number, maxDelayMs: number): number {
  return Math.min(maxDelayMs, initialDelayMs * 2 ** Math.min(attempt - 1, 30));
}

export interface LiveConnectionEvents {
  /** The connection is up (first time, or again after reconnecting). */
  connected: [];
  /** The connection was lost (or never made); the next attempt, numbered from 1, starts after `delayMs`. */
  reconnecting: [delayMs: number, attempt: number];
  error: [error: InspectError];
}

/**
 * A connection for long-lived readers such as a live stats poller: unlike the one-shot inspection it keeps
 * reconnecting with capped exponential backoff, but commands still fail at once while it is down (no offline
 * queue, no retries), so a poller shows the outage instead of piling up requests.
 */
export class LiveConnection {
  readonly client: Redis;
  private readonly events = new EventEmitter();
  private closed = false;
  private attempt = 0;

  constructor(
    readonly target: ConnectionTarget,
    settings: LiveConnectionSettings = {},
  ) {
    const initialDelayMs = settings.initialDelayMs ?? defaults.initialDelayMs;
    const maxDelayMs = settings.maxDelayMs ?? defaults.maxDelayMs;
    const nextDelay = (times: number) => {
      this.attempt = times;
      return backoffDelay(times, initialDelayMs, maxDelayMs);
    };
    this.client = new Redis({
      ...target.options,
      connectTimeout: settings.connectTimeoutMs ?? defaultTimeouts.connectTimeoutMs,
      commandTimeout: settings.commandTimeoutMs ?? defaultTimeouts.commandTimeoutMs,
      retryStrategy: nextDelay,
      sentinelRetryStrategy: nextDelay,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      reconnectOnError: () => false,
      // The ready check sends INFO, which an ACL may forbid.
      enableReadyCheck: false,
      autoResubscribe: false,
    });
    this.client.on('ready', () => {
      this.attempt = 0;
      this.emit('connected');
    });
    this.client.on('reconnecting', (delayMs: number) => this.emit('reconnecting', delayMs, this.attempt));
    this.client.on('error', (error: unknown) => {
      // Without a listener an 'error' event would throw; a caller that does not listen still sees failing commands.
      if (this.events.listenerCount('error') > 0) this.emit('error', classifyError(error, target.display, false));
    });
  }

  on<E extends keyof LiveConnectionEvents>(event: E, listener: (...args: LiveConnectionEvents[E]) => void): this {
    this.events.on(event, listener as (...args: unknown[]) => void);
    return this;
  }

  off<E extends keyof LiveConnectionEvents>(event: E, listener: (...args: LiveConnectionEvents[E]) => void): this {
    this.events.off(event, listener as (...args: unknown[]) => void);
    return this;
  }

  /** Stops reconnecting and closes the socket; no events follow. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.client.disconnect();
    this.events.removeAllListeners();
  }

  private emit<E extends keyof LiveConnectionEvents>(event: E, ...args: LiveConnectionEvents[E]): void {
    if (!this.closed) this.events.emit(event, ...args);
  }
}

/** Opens a connection that reconnects by itself; subscribe to its events right away (they start on the next tick). */
export function openLiveConnection(target: ConnectionTarget, settings: LiveConnectionSettings = {}): LiveConnection {
  return new LiveConnection(target, settings);
}
