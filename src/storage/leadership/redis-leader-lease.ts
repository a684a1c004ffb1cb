// The trading lease as a Redis key: SET NX PX to take it, compare-and-extend to renew, and a
// counter (INCR, never expiring) for the fencing token. Fencing writes in a SQL database against
// a Redis lease is a separate round trip, not part of the write's transaction: prefer
// PostgresLeaderLease where the journal lives in PostgreSQL.
import type { Redis } from 'ioredis';
import type { Queryable } from '../database.js';
import { assertFailFastClient } from '../redis/redis-client.js';
import { RedisScript } from '../redis/redis-script.js';
import type { LeaseStore } from './leader-lease.js';
import { LeaseRunner, type LeaseTimingOptions } from './lease-runner.js';

export interface RedisLeaderLeaseOptions extends LeaseTimingOptions {
  /** A fail-fast client (see createRedisClient). */
  readonly client: Redis;
  /** Prepended to the keys. Default 'keel:'. */
  readonly keyPrefix?: string;
  /** The lease; one per trading scope. Default 'trading'. */
  readonly name?: string;
}

// KEYS: lease, token counter. ARGV: holder, ttlMs. Returns the new token, or 0 when held.
const ACQUIRE = new RedisScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local token = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], ARGV[1] .. '|' .. token, 'PX', ARGV[2])
return token`);
// KEYS: lease. ARGV: holder|token, ttlMs. Returns 1 when extended.
const RENEW = new RedisScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`);
const RELEASE = new RedisScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
return redis.call('DEL', KEYS[1])`);

export class RedisLeaderLease extends LeaseRunner {
  constructor(options: RedisLeaderLeaseOptions) {
    assertFailFastClient(options.client, 'RedisLeaderLease');
    const key = `${options.keyPrefix ?? 'keel:'}lease:${options.name ?? 'trading'}`;
    super(new RedisLeaseStore(options.client, key, options.instanceId), options);
  }
}

export class RedisLeaseStore implements LeaseStore {
  readonly #client: Redis;
  readonly #key: string;
  readonly #holder: string;

  constructor(client: Redis, key: string, holder: string) {
    if (holder.includes('|')) throw new RangeError(`instanceId must not contain '|', was '${holder}'`);
    this.#client = client;
    this.#key = key;
    this.#holder = holder;
  }

  async tryAcquire(request: { ttlMs: number }): Promise<number | undefined> {
    const keys = [this.#key, `${this.#key}:token`];
    const token = Number(await ACQUIRE.run(this.#client, keys, [this.#holder, request.ttlMs]));
    return token > 0 ? token : undefined;
  }

  async renew(request: { token: number; ttlMs: number }): Promise<boolean> {
    const reply = await RENEW.run(this.#client, [this.#key], [this.#value(request.token), request.ttlMs]);
    return Number(reply) === 1;
  }

  async release(token: number): Promise<void> {
    await RELEASE.run(this.#client, [this.#key], [this.#value(token)]);
  }

  /** Ignores `tx`: the check is a Redis round trip just before the write commits. */
  async holds(_tx: Queryable, request: { token: number }): Promise<boolean> {
    return (await this.#client.get(this.#key)) === this.#value(request.token);
  }

  #value(token: number): string {
    return `${this.#holder}|${token}`;
  }
}
