// One way to open a Redis client for shared state: commands fail fast instead of queueing while
// the server is away, so callers can fall back to local state within a bounded time.
import { Redis } from 'ioredis';
import type { Clock } from '../../core/clock.js';

export interface RedisClientOptions {
  /** redis:// URL. Never logged. */
  readonly url: string;
  /** A command not answered within this long fails, ms. Default 500. */
  readonly commandTimeoutMs?: number;
  /** Connecting gives up after this long, ms. Default 2_000. */
  readonly connectTimeoutMs?: number;
  /** Longest pause between reconnect attempts, ms. Default 2_000. */
  readonly reconnectDelayMaxMs?: number;
}

export const REDIS_CLIENT_DEFAULTS = {
  commandTimeoutMs: 500,
  connectTimeoutMs: 2_000,
  reconnectDelayMaxMs: 2_000,
} as const;

/** A client that never queues commands offline and times every command out. */
export function createRedisClient(options: RedisClientOptions): Redis {
  const commandTimeoutMs = options.commandTimeoutMs ?? REDIS_CLIENT_DEFAULTS.commandTimeoutMs;
  const connectTimeoutMs = options.connectTimeoutMs ?? REDIS_CLIENT_DEFAULTS.connectTimeoutMs;
  const delayMaxMs = options.reconnectDelayMaxMs ?? REDIS_CLIENT_DEFAULTS.reconnectDelayMaxMs;
  for (const [name, value] of [
    ['commandTimeoutMs', commandTimeoutMs],
    ['connectTimeoutMs', connectTimeoutMs],
    ['reconnectDelayMaxMs', delayMaxMs],
  ] as const)
    if (!Number.isSafeInteger(value) || value < 1)
      throw new RangeError(`${name} must be a positive integer, was ${value}`);
  const client = new Redis(options.url, {
    commandTimeout: commandTimeoutMs,
    connectTimeout: connectTimeoutMs,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: (attempt: number) => Math.min(attempt * 100, delayMaxMs),
  });
  // Unheard 'error' events would crash the process; failures surface on the commands instead.
  client.on('error', () => undefined);
  return client;
}

/**
 * Resolves true once `client` is connected and ready, or false after `timeoutMs` (Redis is away:
 * the caller starts local). A fail-fast client refuses commands until ready, so a component that
 * starts before the connection is up would otherwise go local for a whole health-check interval.
 */
export function whenReady(client: Redis, timeoutMs: number, clock: Clock): Promise<boolean> {
  if (client.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ready: boolean) => {
      clock.clearTimeout(timer);
      client.off('ready', onReady);
      resolve(ready);
    };
    const onReady = () => done(true);
    const timer = clock.setTimeout(() => done(false), timeoutMs);
    client.on('ready', onReady);
  });
}

/** Checks once that an injected client fails fast; a queueing client would hang callers. */
export function assertFailFastClient(client: Redis, component: string): void {
  const { commandTimeout, enableOfflineQueue } = client.options;
  if (commandTimeout === undefined || !Number.isFinite(commandTimeout) || commandTimeout <= 0)
    throw new RangeError(`${component}: the Redis client needs a commandTimeout, was ${commandTimeout}`);
  if (enableOfflineQueue !== false)
    throw new RangeError(
      `${component}: the Redis client needs enableOfflineQueue false, was ${enableOfflineQueue}`,
    );
}

const UNAVAILABLE_REPLY = /^(LOADING|BUSY|MASTERDOWN|READONLY|CLUSTERDOWN|TRYAGAIN)\b/;

/**
 * True for "Redis is not answering" (connection refused or closed, timeout, server loading):
 * the caller falls back. False for a reply error from our own script, which is a bug.
 */
export function isRedisUnavailableError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'ReplyError') return UNAVAILABLE_REPLY.test(error.message);
  return true;
}
