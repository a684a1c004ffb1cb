// Circuit breakers coordinated across instances. Each instance keeps its own breaker; an open is
// published (a key that expires with the break, plus a pub/sub notice) and applied elsewhere with
// restore(). Half-open probing goes through a lease so one instance probes at a time.
import type { Redis } from 'ioredis';
import type { CircuitBreakerPolicy } from '../../core/circuit-breaker.js';
import { type Clock, systemClock } from '../../core/clock.js';
import { type Logger, silentLogger } from '../../logging/logger.js';
import { type BreakerDecision, type OpenDecision, parseBreakerDecision } from './breaker-decision.js';
import { RedisAvailability, type SharedMode } from './redis-availability.js';
import { assertFailFastClient } from './redis-client.js';
import { RedisScript } from './redis-script.js';
import { SharedBreaker } from './shared-breaker.js';

export interface SharedBreakerStateOptions {
  /** A fail-fast client (see createRedisClient) for commands. */
  readonly client: Redis;
  /** A second connection used only for SUBSCRIBE, e.g. client.duplicate(). */
  readonly subscriber: Redis;
  /** Unique per process; names the publisher and the probe lease holder. */
  readonly instanceId: string;
  /** Prepended to every key and the channel. Default 'keel:'. */
  readonly keyPrefix?: string;
  /** A shared open older than this is ignored, so no instance holds others open forever, ms. Default 300_000. */
  readonly maxOpenMs?: number;
  /** How long one instance may hold the half-open probe, ms. Default 10_000. */
  readonly probeLeaseMs?: number;
  /** Pause between pings while local, ms. Default 5_000. */
  readonly healthCheckIntervalMs?: number;
  /** Most breakers attached. Default 100. */
  readonly breakersMax?: number;
  /** The breakers' clock too. Default systemClock. */
  readonly clock?: Clock;
  readonly logger?: Logger;
}

export const SHARED_BREAKER_STATE_DEFAULTS = {
  keyPrefix: 'keel:',
  maxOpenMs: 300_000,
  probeLeaseMs: 10_000,
  healthCheckIntervalMs: 5_000,
  breakersMax: 100,
} as const;

export type ProbeLease = 'acquired' | 'held elsewhere' | 'local';

const RELEASE_SCRIPT = new RedisScript(
  "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0",
);

export class SharedBreakerState {
  readonly #options: Required<Omit<SharedBreakerStateOptions, 'logger'>>;
  readonly #logger: Logger;
  readonly #availability: RedisAvailability;
  readonly #breakers = new Map<string, SharedBreaker>();
  readonly #channel: string;
  readonly onModeChange: RedisAvailability['onModeChange'];

  constructor(options: SharedBreakerStateOptions) {
    assertFailFastClient(options.client, 'SharedBreakerState');
    const merged = { ...SHARED_BREAKER_STATE_DEFAULTS, clock: systemClock, ...withoutUndefined(options) };
    for (const name of ['maxOpenMs', 'probeLeaseMs', 'breakersMax'] as const)
      if (!Number.isSafeInteger(merged[name]) || merged[name] < 1)
        throw new RangeError(`${name} must be a positive integer, was ${merged[name]}`);
    if (options.instanceId.length === 0) throw new RangeError("instanceId must not be empty, was ''");
    this.#options = merged;
    this.#logger = (options.logger ?? silentLogger).child({ component: 'shared-breaker-state' });
    this.#channel = `${merged.keyPrefix}breaker`;
    this.#availability = new RedisAvailability({
      client: options.client,
      clock: merged.clock,
      logger: this.#logger,
      subject: 'breaker states',
      healthCheckIntervalMs: merged.healthCheckIntervalMs,
      resync: () => this.#resync(),
    });
    this.onModeChange = this.#availability.onModeChange;
    const { subscriber } = options;
    subscriber.on('message', (channel: string, text: string) => {
      if (channel === this.#channel) this.#receive(text);
    });
    subscriber.on('close', () =>
      this.#availability.markUnavailable(new Error('subscriber connection closed')),
    );
    subscriber.on('error', () => undefined);
  }

  get mode(): SharedMode {
    return this.#availability.mode;
  }

  get instanceId(): string {
    return this.#options.instanceId;
  }

  get probeLeaseMs(): number {
    return this.#options.probeLeaseMs;
  }

  /** Subscribes to the decisions of other instances; local mode (and a warning) when Redis is away. */
  async start(): Promise<void> {
    await this.#availability.run(
      async () => {
        await this.#options.subscriber.subscribe(this.#channel);
      },
      () => undefined,
    );
  }

  /** Shares `breaker` under `name`; the returned policy wraps the breaker's execute. */
  attach(name: string, breaker: CircuitBreakerPolicy): SharedBreaker {
    if (this.#breakers.has(name)) throw new RangeError(`breaker already attached, was '${name}'`);
    if (this.#breakers.size >= this.#options.breakersMax)
      throw new RangeError(`breakersMax ${this.#options.breakersMax} reached, refused '${name}'`);
    const shared = new SharedBreaker({ name, breaker, state: this, clock: this.#options.clock });
    this.#breakers.set(name, shared);
    void this.#readOpen(name);
    return shared;
  }

  /** Publishes a local open: the key expires when the break does. */
  async publishOpen(decision: OpenDecision): Promise<void> {
    const breakMs = Math.max(1, decision.retryAtMs - decision.openedAtMs);
    const text = JSON.stringify(decision);
    await this.#shared(async (client) => {
      await client.set(this.#openKey(decision.name), text, 'PX', breakMs);
      await client.publish(this.#channel, text);
    });
  }

  /** Publishes a close: the open decision and any probe lease are gone. */
  async publishClose(name: string): Promise<void> {
    const text = JSON.stringify({ kind: 'close', name, instanceId: this.#options.instanceId });
    await this.#shared(async (client) => {
      await client.del(this.#openKey(name), this.#probeKey(name));
      await client.publish(this.#channel, text);
    });
  }

  /** One prober at a time across instances; 'local' when Redis is away (probe alone). */
  tryProbeLease(name: string): Promise<ProbeLease> {
    const { client, instanceId, probeLeaseMs } = this.#options;
    return this.#availability.run<ProbeLease>(
      async () => {
        const reply = await client.set(this.#probeKey(name), instanceId, 'PX', probeLeaseMs, 'NX');
        return reply === 'OK' ? 'acquired' : 'held elsewhere';
      },
      () => 'local',
    );
  }

  async releaseProbeLease(name: string): Promise<void> {
    await this.#shared((client) =>
      RELEASE_SCRIPT.run(client, [this.#probeKey(name)], [this.#options.instanceId]),
    );
  }

  /** Applies a decision of another instance; an open older than maxOpenMs is ignored. */
  apply(decision: BreakerDecision): void {
    if (decision.instanceId === this.#options.instanceId) return;
    const shared = this.#breakers.get(decision.name);
    if (shared === undefined) return;
    if (decision.kind === 'open') {
      const ageMs = this.#options.clock.nowMs() - decision.openedAtMs;
      if (ageMs > this.#options.maxOpenMs) {
        this.#logger.warn({ breaker: decision.name, ageMs }, 'ignored a shared open older than maxOpenMs');
        return;
      }
    }
    shared.apply(decision);
  }

  /** Stops the health check and unsubscribes; the clients belong to the caller. */
  async close(): Promise<void> {
    this.#availability.close();
    await this.#options.subscriber.unsubscribe(this.#channel).catch(() => undefined);
  }

  /** Never throws: an outage goes local; anything else (a reply error) is logged, not thrown at a breaker event. */
  async #shared(fn: (client: Redis) => Promise<unknown>): Promise<void> {
    try {
      await this.#availability.run(
        async () => void (await fn(this.#options.client)),
        () => undefined,
      );
    } catch (error) {
      this.#logger.error({ err: error }, 'shared breaker command failed');
    }
  }

  #receive(text: string): void {
    const decision = parseBreakerDecision(text);
    if (decision === undefined) this.#logger.warn('ignored a malformed breaker decision');
    else this.apply(decision);
  }

  /** After an outage: missed notices are replaced by the keys that are still live. */
  async #resync(): Promise<void> {
    const { client } = this.#options;
    for (const name of this.#breakers.keys()) {
      const text = await client.get(this.#openKey(name));
      const decision = text === null ? undefined : parseBreakerDecision(text);
      if (decision !== undefined) this.apply(decision);
    }
  }

  async #readOpen(name: string): Promise<void> {
    await this.#shared(async (client) => {
      const text = await client.get(this.#openKey(name));
      const decision = text === null ? undefined : parseBreakerDecision(text);
      if (decision !== undefined) this.apply(decision);
    });
  }

  #openKey(name: string): string {
    return `${this.#options.keyPrefix}breaker:${name}:open`;
  }

  #probeKey(name: string): string {
    return `${this.#options.keyPrefix}breaker:${name}:probe`;
  }
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}
