// Real Redis for integration tests. Each test gets a unique key prefix (parallel files never
// collide) and fail-fast clients that are closed after it; its keys are deleted afterwards.
// When Redis is unreachable the suite is one test that warns with the reason, or FAILS in CI.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterEach, describe, it } from 'vitest';
import { createRedisClient } from '../../src/storage/redis/redis-client.js';

export const TEST_REDIS_URL = process.env['KEEL_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

export interface RedisFixture {
  /** A fresh connected client (commandTimeout 2 s, no offline queue). */
  client(): Promise<Redis>;
  /** A unique prefix for this test, e.g. 'keel-test:1f2e…:'. */
  prefix(): string;
}

export function describeWithRedis(name: string, fn: (redis: RedisFixture) => void): void {
  describe(name, async () => {
    const unreachable = await redisUnreachableReason();
    if (unreachable !== undefined) {
      const reason = `Redis suite "${name}" not run: ${unreachable}`;
      it(`reports why it did not run: ${unreachable}`, () => {
        if (process.env['CI'] === 'true') throw new Error(`${reason} (CI=true requires Redis)`);
        console.warn(`SKIPPED ${reason}`);
      });
      return;
    }
    const opened: Redis[] = [];
    const prefixes: string[] = [];
    afterEach(async () => {
      const admin = await connected(createRedisClient({ url: TEST_REDIS_URL, commandTimeoutMs: 2_000 }));
      for (const prefix of prefixes.splice(0)) {
        const keys = await admin.keys(`${prefix}*`);
        if (keys.length > 0) await admin.del(...keys);
      }
      admin.disconnect();
      for (const client of opened.splice(0)) client.disconnect();
    });
    fn({
      client: async () => {
        // Generous: a loaded CI machine must not turn a slow answer into an "outage" mid-test.
        const client = createRedisClient({ url: TEST_REDIS_URL, commandTimeoutMs: 2_000 });
        opened.push(client);
        return connected(client);
      },
      prefix: () => {
        const prefix = `keel-test:${randomUUID()}:`;
        prefixes.push(prefix);
        return prefix;
      },
    });
  });
}

/** Resolves once the client can take commands (it queues none before that). */
export function connected(client: Redis): Promise<Redis> {
  if (client.status === 'ready') return Promise.resolve(client);
  return new Promise((resolve, reject) => {
    let lastError = '';
    const onError = (error: Error) => {
      lastError = `: ${error.message}`;
    };
    const timer = setTimeout(() => {
      client.off('error', onError);
      reject(new Error(`redis not ready after 3 s, status ${client.status}${lastError}`));
    }, 3_000);
    client.on('error', onError);
    client.once('ready', () => {
      clearTimeout(timer);
      client.off('error', onError);
      resolve(client);
    });
  });
}

/**
 * Cuts a client off as an outage would and waits until it is closed for good (status 'end'). The close
 * is asynchronous: on a loaded machine the status can still read 'ready' right after disconnect(), and
 * a connect() then is refused as "already connected", so the client would never come back.
 */
export async function cut(client: Redis): Promise<void> {
  client.disconnect();
  await eventually(() => client.status === 'end', 3_000);
}

/** Polls a real-time condition (pub/sub delivery, a Redis TTL) every 10 ms, up to `timeoutMs`. */
export async function eventually(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 2_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

let probe: Promise<string | undefined> | undefined;

function redisUnreachableReason(): Promise<string | undefined> {
  probe ??= (async () => {
    const client = createRedisClient({ url: TEST_REDIS_URL, connectTimeoutMs: 2_000 });
    try {
      await connected(client);
      await client.ping();
      return undefined;
    } catch (error) {
      return `${TEST_REDIS_URL} unreachable: ${error instanceof Error ? error.message : String(error)}`;
    } finally {
      client.disconnect();
    }
  })();
  return probe;
}
