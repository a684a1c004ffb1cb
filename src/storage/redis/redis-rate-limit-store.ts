// Rate budgets shared by every instance through Redis: one Lua script reads, decides and writes
// all keys of a request atomically on Redis time. While Redis is away each instance spends only
// its share (limit / expectedInstances) from a local store, so together they stay within limits.
import type { Redis } from 'ioredis';
import { type Clock, systemClock } from '../../core/clock.js';
import { MemoryRateLimitStore } from '../../core/rate-limiter/memory-rate-limit-store.js';
import type {
  RateLimitDecision,
  RateLimitGrant,
  RateLimitKeySpec,
  RateLimitKeyState,
  RateLimitPenalty,
  RateLimitRequest,
  RateLimitStore,
} from '../../core/rate-limiter/rate-limit-store.js';
import { type Logger, silentLogger } from '../../logging/logger.js';
import { ACQUIRE_SCRIPT, PENALIZE_SCRIPT, READ_SCRIPT, REPLAY_SCRIPT } from './rate-limit-scripts.js';
import { RedisAvailability, type SharedMode } from './redis-availability.js';
import { assertFailFastClient } from './redis-client.js';
import { RedisScript } from './redis-script.js';

export interface RedisRateLimitStoreOptions {
  /** A fail-fast client (see createRedisClient): commandTimeout set, offline queue off. */
  readonly client: Redis;
  /** Prepended to every key, e.g. 'keel:prod:'. Default 'keel:'. */
  readonly keyPrefix?: string;
  /** Instances expected to share the budgets; each takes limit / this while Redis is away. Default 1. */
  readonly expectedInstances?: number;
  /** Pause between pings while local, ms. Default 5_000. */
  readonly healthCheckIntervalMs?: number;
  /** Keys the local fallback tracks. Default 1_000. */
  readonly keysMax?: number;
  /** Drives the health check. Default systemClock. */
  readonly clock?: Clock;
  readonly logger?: Logger;
}

export const REDIS_RATE_LIMIT_STORE_DEFAULTS = {
  keyPrefix: 'keel:',
  expectedInstances: 1,
  healthCheckIntervalMs: 5_000,
  keysMax: 1_000,
} as const;

export class RedisRateLimitStore implements RateLimitStore {
  readonly #client: Redis;
  readonly #prefix: string;
  readonly #expectedInstances: number;
  readonly #healthCheckIntervalMs: number;
  readonly #availability: RedisAvailability;
  readonly #keysMax: number;
  readonly #clock: Clock;
  /** Grants while Redis is away; handed over to Redis and replaced when it answers again. */
  #local: MemoryRateLimitStore;
  /** Keys spent locally since the last hand-over, at most keysMax. */
  readonly #localSpecs = new Map<string, RateLimitKeySpec>();
  readonly #acquireScript = new RedisScript(ACQUIRE_SCRIPT);
  readonly #penalizeScript = new RedisScript(PENALIZE_SCRIPT);
  readonly #readScript = new RedisScript(READ_SCRIPT);
  readonly #replayScript = new RedisScript(REPLAY_SCRIPT);

  /** Shared -> local when Redis stops answering, and back when it answers a ping. */
  readonly onModeChange: RedisAvailability['onModeChange'];

  constructor(options: RedisRateLimitStoreOptions) {
    assertFailFastClient(options.client, 'RedisRateLimitStore');
    const defaults = REDIS_RATE_LIMIT_STORE_DEFAULTS;
    this.#client = options.client;
    this.#prefix = options.keyPrefix ?? defaults.keyPrefix;
    this.#expectedInstances = options.expectedInstances ?? defaults.expectedInstances;
    if (!Number.isSafeInteger(this.#expectedInstances) || this.#expectedInstances < 1)
      throw new RangeError(`expectedInstances must be a positive integer, was ${this.#expectedInstances}`);
    this.#healthCheckIntervalMs = options.healthCheckIntervalMs ?? defaults.healthCheckIntervalMs;
    this.#keysMax = options.keysMax ?? defaults.keysMax;
    this.#local = new MemoryRateLimitStore({ keysMax: this.#keysMax });
    this.#clock = options.clock ?? systemClock;
    this.#availability = new RedisAvailability({
      client: options.client,
      clock: this.#clock,
      logger: (options.logger ?? silentLogger).child({ component: 'redis-rate-limit-store' }),
      subject: 'rate budgets',
      healthCheckIntervalMs: this.#healthCheckIntervalMs,
      resync: () => this.#handOver(),
    });
    this.onModeChange = this.#availability.onModeChange;
  }

  get mode(): SharedMode {
    return this.#availability.mode;
  }

  acquire(request: RateLimitRequest): Promise<RateLimitDecision> {
    return this.#availability.run(
      () => this.#acquireShared(request),
      () => this.#acquireLocal(request),
    );
  }

  penalize(penalty: RateLimitPenalty): Promise<void> {
    const durationMs = Math.max(0, Math.ceil(penalty.untilMs - penalty.nowMs));
    return this.#availability.run(
      async () => {
        await this.#penalizeScript.run(this.#client, [this.#penaltyKey(penalty.key)], [durationMs]);
        await this.#local.penalize(penalty); // kept too, so a later outage still honours it
      },
      () => {
        if (!this.#localSpecs.has(penalty.key)) this.#remember({ key: penalty.key, windows: [] });
        return this.#local.penalize(penalty);
      },
    );
  }

  read(keys: readonly RateLimitKeySpec[], nowMs: number): Promise<ReadonlyMap<string, RateLimitKeyState>> {
    return this.#availability.run(
      () => this.#readShared(keys, nowMs),
      () =>
        this.#local.read(
          keys.map((spec) => this.#share(spec)),
          nowMs,
        ),
    );
  }

  /** Stops the health check timer; the client belongs to the caller. */
  close(): void {
    this.#availability.close();
  }

  async #acquireShared(request: RateLimitRequest): Promise<RateLimitDecision> {
    const keys = [`${this.#prefix}rl:seq`];
    const args: (string | number)[] = [request.weight, request.keys.length];
    for (const spec of request.keys) {
      keys.push(this.#logKey(spec.key), this.#penaltyKey(spec.key), this.#sumsKey(spec.key));
      args.push(spec.windows.length);
      for (const window of spec.windows) args.push(window.limit, window.windowMs);
    }
    const reply = (await this.#acquireScript.run(this.#client, keys, args)) as [
      number,
      number,
      number,
      string,
      number,
    ];
    const [granted, retryAfterMs, blockingIndex, reason] = reply;
    if (granted === 1) return { granted: true };
    const blockingKey = request.keys[blockingIndex - 1]?.key ?? '';
    return { granted: false, retryAfterMs, blockingKey, reason: reason === 'penalty' ? 'penalty' : 'budget' };
  }

  /** This instance's share; a weight above the share can never be granted locally. */
  async #acquireLocal(request: RateLimitRequest): Promise<RateLimitDecision> {
    const keys = request.keys.map((spec) => this.#share(spec));
    const tooHeavy = keys.find((spec) => spec.windows.some((window) => window.limit < request.weight));
    if (tooHeavy !== undefined)
      return {
        granted: false,
        retryAfterMs: this.#healthCheckIntervalMs,
        blockingKey: tooHeavy.key,
        reason: 'budget',
      };
    const decision = await this.#local.acquire({ ...request, keys });
    if (decision.granted) for (const spec of request.keys) this.#remember(spec);
    return decision;
  }

  #remember(spec: RateLimitKeySpec): void {
    // Beyond keysMax the local store refuses new keys too, so nothing unremembered was granted.
    if (!this.#localSpecs.has(spec.key) && this.#localSpecs.size >= this.#keysMax) return;
    this.#localSpecs.set(spec.key, spec);
  }

  /**
   * Before sharing again: grants and penalties made locally go into the shared logs, so the
   * budgets spent during the outage still count. Times move from this clock to Redis time.
   */
  async #handOver(): Promise<void> {
    const specs = [...this.#localSpecs.values()];
    if (specs.length === 0) return;
    const [seconds, micros] = await this.#client.time();
    const nowMs = this.#clock.nowMs();
    const shiftMs = Number(seconds) * 1_000 + Math.floor(Number(micros) / 1_000) - nowMs;
    const states = await this.#local.read(
      specs.map((spec) => this.#share(spec)),
      nowMs,
    );
    const keys = [`${this.#prefix}rl:seq`];
    const args: number[] = [];
    for (const spec of specs) {
      const state = states.get(spec.key);
      const log = state?.log ?? [];
      const penaltyUntilMs =
        state === undefined || state.penaltyUntilMs <= nowMs ? 0 : state.penaltyUntilMs + shiftMs;
      keys.push(this.#logKey(spec.key), this.#penaltyKey(spec.key), this.#sumsKey(spec.key));
      args.push(Math.max(0, ...spec.windows.map((window) => window.windowMs)), penaltyUntilMs, log.length);
      for (const grant of log) args.push(grant.atMs + shiftMs, grant.weight);
    }
    await this.#replayScript.run(this.#client, keys, args);
    this.#local = new MemoryRateLimitStore({ keysMax: this.#keysMax });
    this.#localSpecs.clear();
  }

  async #readShared(
    keys: readonly RateLimitKeySpec[],
    nowMs: number,
  ): Promise<ReadonlyMap<string, RateLimitKeyState>> {
    const redisKeys = keys.flatMap((spec) => [this.#logKey(spec.key), this.#penaltyKey(spec.key)]);
    const horizons = keys.map((spec) => Math.max(...spec.windows.map((window) => window.windowMs)));
    const reply = (await this.#readScript.run(this.#client, redisKeys, horizons)) as unknown[];
    // Redis time -> the caller's time, so windows measured against nowMs line up.
    const shiftMs = nowMs - Number(reply[0]);
    const states = new Map<string, RateLimitKeyState>();
    keys.forEach((spec, index) => {
      const penaltyUntilMs = Number(reply[1 + 2 * index]);
      const flat = reply[2 + 2 * index] as string[];
      const log: RateLimitGrant[] = [];
      for (let j = 0; j + 1 < flat.length; j += 2)
        log.push({ atMs: Number(flat[j + 1]) + shiftMs, weight: weightOf(flat[j] as string) });
      states.set(spec.key, { log, penaltyUntilMs: penaltyUntilMs === 0 ? 0 : penaltyUntilMs + shiftMs });
    });
    return states;
  }

  #share(spec: RateLimitKeySpec): RateLimitKeySpec {
    const windows = spec.windows.map((window) => ({
      windowMs: window.windowMs,
      limit: Math.max(1, Math.floor(window.limit / this.#expectedInstances)),
    }));
    return { key: spec.key, windows };
  }

  #logKey(key: string): string {
    return `${this.#prefix}rl:${key}:log`;
  }

  #sumsKey(key: string): string {
    return `${this.#prefix}rl:${key}:sums`;
  }

  #penaltyKey(key: string): string {
    return `${this.#prefix}rl:${key}:penalty`;
  }
}

function weightOf(member: string): number {
  return Number(member.slice(member.lastIndexOf(':') + 1));
}
