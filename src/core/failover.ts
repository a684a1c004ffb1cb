// A set of equivalent targets (endpoints, pools): calls go to the preferred healthy one and move on
// when the caller's shouldFailover says the error is the target's fault. Unhealthy targets are
// probed on the injected clock and return after successesToHealthy probe successes.
import { type Clock, systemClock, type TimerHandle } from './clock.js';
import { AbortedError, isAbortedError, NoHealthyTargetError, TimeoutError } from './errors.js';
import { EventEmitter } from './events.js';
import { TargetHealth } from './failover-health.js';
import { neverAbortedSignal } from './policy.js';
import { type Rng, systemRng } from './random.js';

export interface FailoverOptions<T> {
  /** The targets, in order of preference; 1 to targetsMax. */
  targets: readonly T[];
  /** Health check: resolves when the target is healthy, rejects when not. */
  probe: (target: T, signal: AbortSignal) => Promise<unknown>;
  /** 'ordered': first healthy by order; 'scored': weighted random by health score; default 'ordered'. */
  mode?: 'ordered' | 'scored';
  /** Name used in stats, errors and events; default `target-<index>`. */
  nameOf?: (target: T, index: number) => string;
  /** Whether an error is the target's fault, so the next target may be tried; default: all but aborts. */
  shouldFailover?: (error: unknown) => boolean;
  /** Consecutive failures that make a target unhealthy; default 3. */
  failuresToUnhealthy?: number;
  /** Consecutive successes (probes or calls) that make an unhealthy target healthy; default 2. */
  successesToHealthy?: number;
  /** Pause between probe rounds, ms; default 5_000. */
  probeIntervalMs?: number;
  /** A probe not settled by then counts as failed, ms; default 2_000. */
  probeTimeoutMs?: number;
  /** Probe healthy targets too, so a silent failure is found without traffic; default false. */
  probeHealthy?: boolean;
  /** With no healthy target: 'reject' with NoHealthyTargetError, or try the 'leastBad' ones; default 'reject'. */
  whenNoneHealthy?: 'reject' | 'leastBad';
  /** Weight of the newest latency sample in the EWMA, in (0, 1]; default 0.2. */
  latencyAlpha?: number;
  /** Latency at which the score halves, ms; default 1_000. */
  latencyReferenceMs?: number;
  /** Recent outcomes kept per target for its error rate; default 20. */
  outcomesMax?: number;
  /** Most targets; default 64. */
  targetsMax?: number;
  /** Randomness for 'scored' mode; default systemRng(). */
  rng?: Rng;
  /** Time source for latency and probing; default systemClock. */
  clock?: Clock;
}

export interface FailoverTargetStats {
  readonly name: string;
  readonly healthy: boolean;
  /** (1 - errorRate) * latencyReferenceMs / (latencyReferenceMs + latencyEwmaMs), in (0, 1]. */
  readonly score: number;
  readonly latencyEwmaMs: number | undefined;
  readonly errorRate: number;
  readonly lastFailureAtMs: number | undefined;
  readonly consecutiveFailures: number;
}

export interface FailoverEvent<T> {
  readonly from: T;
  readonly to: T;
  readonly error: unknown;
}
export interface FailbackEvent<T> {
  readonly from: T;
  readonly to: T;
}
export interface HealthChangeEvent<T> {
  readonly target: T;
  readonly name: string;
  readonly healthy: boolean;
}

export const FAILOVER_DEFAULTS = {
  mode: 'ordered',
  failuresToUnhealthy: 3,
  successesToHealthy: 2,
  probeIntervalMs: 5_000,
  probeTimeoutMs: 2_000,
  probeHealthy: false,
  whenNoneHealthy: 'reject',
  latencyAlpha: 0.2,
  latencyReferenceMs: 1_000,
  outcomesMax: 20,
  targetsMax: 64,
} as const;

type Settings = Required<Omit<FailoverOptions<unknown>, 'targets' | 'probe' | 'nameOf' | 'rng' | 'clock'>>;

interface TargetState<T> {
  readonly target: T;
  readonly name: string;
  readonly index: number;
  readonly health: TargetHealth;
  probing: boolean;
}

export class FailoverSet<T> {
  readonly #settings: Settings;
  readonly #states: TargetState<T>[];
  readonly #probe: (target: T, signal: AbortSignal) => Promise<unknown>;
  readonly #rng: Rng;
  readonly #clock: Clock;
  #timer: TimerHandle | undefined;
  #probeController: AbortController | undefined;
  readonly #failoverEmitter = new EventEmitter<FailoverEvent<T>>();
  readonly #failbackEmitter = new EventEmitter<FailbackEvent<T>>();
  readonly #healthEmitter = new EventEmitter<HealthChangeEvent<T>>();

  /** A call moved from a failing target to the next one. */
  readonly onFailover = this.#failoverEmitter.addListener;
  /** Ordered mode: a preferred target recovered and takes the traffic back. */
  readonly onFailback = this.#failbackEmitter.addListener;
  readonly onHealthChange = this.#healthEmitter.addListener;

  constructor(options: FailoverOptions<T>) {
    this.#settings = validate(options);
    const nameOf = options.nameOf ?? ((_: T, index: number) => `target-${index}`);
    this.#states = options.targets.map((target, index) => ({
      target,
      name: nameOf(target, index),
      index,
      health: new TargetHealth(this.#settings),
      probing: false,
    }));
    this.#probe = options.probe;
    this.#rng = options.rng ?? systemRng();
    this.#clock = options.clock ?? systemClock;
  }

  /** Runs fn on the chosen target, moving on to the next healthy target while shouldFailover agrees. */
  async execute<R>(fn: (target: T) => Promise<R>, options: { signal?: AbortSignal } = {}): Promise<R> {
    const signal = options.signal ?? neverAbortedSignal;
    const tried = new Set<number>();
    let previous: { state: TargetState<T>; error: unknown } | undefined;
    for (let attempt = 0; attempt < this.#states.length; attempt++) {
      if (signal.aborted) throw new AbortedError('aborted before trying a target', { cause: signal.reason });
      const state = this.#choose(tried);
      if (state === undefined) break;
      if (previous !== undefined)
        this.#failoverEmitter.emit({ from: previous.state.target, to: state.target, error: previous.error });
      tried.add(state.index);
      const startMs = this.#clock.nowMs();
      try {
        const result = await fn(state.target);
        this.#recordSuccess(state, this.#clock.nowMs() - startMs);
        return result;
      } catch (error) {
        if (signal.aborted || !this.#settings.shouldFailover(error)) throw error;
        this.#recordFailure(state, this.#clock.nowMs() - startMs);
        previous = { state, error };
      }
    }
    if (previous !== undefined) throw previous.error;
    const states = this.#states.map(
      (state) => `${state.name} (${state.health.consecutiveFailures} consecutive failures)`,
    );
    throw new NoHealthyTargetError(`no healthy target among ${this.#states.length}: ${states.join(', ')}`);
  }

  /** Starts probe rounds; idempotent. */
  start(): void {
    if (this.#probeController !== undefined) return;
    this.#probeController = new AbortController();
    this.#schedule(this.#probeController);
  }

  /** Stops probing and aborts probes in flight; their outcome is ignored. */
  stop(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#probeController?.abort();
    this.#probeController = undefined;
  }

  stats(): FailoverTargetStats[] {
    return this.#states.map((state) => ({
      name: state.name,
      healthy: state.health.healthy,
      score: state.health.score(),
      latencyEwmaMs: state.health.latencyEwmaMs,
      errorRate: state.health.errorRate(),
      lastFailureAtMs: state.health.lastFailureAtMs,
      consecutiveFailures: state.health.consecutiveFailures,
    }));
  }

  #choose(tried: ReadonlySet<number>): TargetState<T> | undefined {
    const untried = this.#states.filter((state) => !tried.has(state.index));
    const healthy = untried.filter((state) => state.health.healthy);
    if (healthy.length === 0) {
      if (this.#settings.whenNoneHealthy === 'reject') return undefined;
      // Least bad: the best score; order breaks ties.
      return untried.reduce<TargetState<T> | undefined>(
        (best, state) => (best === undefined || state.health.score() > best.health.score() ? state : best),
        undefined,
      );
    }
    if (this.#settings.mode === 'ordered') return healthy[0];
    const weights = healthy.map((state) => state.health.score());
    let draw = this.#rng.next() * weights.reduce((sum, weight) => sum + weight, 0);
    for (const [index, state] of healthy.entries()) {
      draw -= weights[index] ?? 0;
      if (draw < 0) return state;
    }
    return healthy[healthy.length - 1];
  }

  #recordSuccess(state: TargetState<T>, latencyMs: number | undefined): void {
    if (state.health.recordSuccess(latencyMs)) this.#healthChanged(state);
  }

  #recordFailure(state: TargetState<T>, latencyMs: number | undefined): void {
    if (state.health.recordFailure(this.#clock.nowMs(), latencyMs)) this.#healthChanged(state);
  }

  #healthChanged(state: TargetState<T>): void {
    const { healthy } = state.health;
    const preferredBefore = this.#states.find((candidate) => candidate !== state && candidate.health.healthy);
    this.#healthEmitter.emit({ target: state.target, name: state.name, healthy });
    if (!healthy || this.#settings.mode !== 'ordered' || preferredBefore === undefined) return;
    if (state.index < preferredBefore.index)
      this.#failbackEmitter.emit({ from: preferredBefore.target, to: state.target });
  }

  #schedule(controller: AbortController): void {
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      void this.#probeRound(controller).then(() => {
        if (!controller.signal.aborted) this.#schedule(controller);
      });
    }, this.#settings.probeIntervalMs);
  }

  async #probeRound(controller: AbortController): Promise<void> {
    const due = this.#states.filter(
      (state) => !state.probing && (!state.health.healthy || this.#settings.probeHealthy),
    );
    await Promise.all(due.map((state) => this.#probeOne(state, controller.signal)));
  }

  async #probeOne(state: TargetState<T>, stopSignal: AbortSignal): Promise<void> {
    state.probing = true;
    const probeController = new AbortController();
    const onStop = () => probeController.abort(stopSignal.reason);
    stopSignal.addEventListener('abort', onStop, { once: true });
    let timer: TimerHandle | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = this.#clock.setTimeout(() => {
        const error = new TimeoutError(
          `probe of ${state.name} exceeded probeTimeoutMs ${this.#settings.probeTimeoutMs}`,
        );
        probeController.abort(error);
        reject(error);
      }, this.#settings.probeTimeoutMs);
    });
    try {
      await Promise.race([this.#probe(state.target, probeController.signal), timeout]);
      if (!stopSignal.aborted) this.#recordSuccess(state, undefined);
    } catch {
      if (!stopSignal.aborted) this.#recordFailure(state, undefined);
    } finally {
      if (timer !== undefined) this.#clock.clearTimeout(timer);
      stopSignal.removeEventListener('abort', onStop);
      state.probing = false;
    }
  }
}

function validate<T>(options: FailoverOptions<T>): Settings {
  const settings = {
    ...FAILOVER_DEFAULTS,
    shouldFailover: (error: unknown) => !isAbortedError(error),
    ...Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)),
  } as Settings;
  const count = options.targets.length;
  if (!Number.isSafeInteger(settings.targetsMax) || settings.targetsMax < 1)
    throw new RangeError(`targetsMax must be a positive integer, was ${settings.targetsMax}`);
  if (count < 1 || count > settings.targetsMax)
    throw new RangeError(`targets must hold 1 to targetsMax ${settings.targetsMax} targets, was ${count}`);
  if (settings.mode !== 'ordered' && settings.mode !== 'scored')
    throw new RangeError(`mode must be 'ordered' or 'scored', was ${String(settings.mode)}`);
  if (settings.whenNoneHealthy !== 'reject' && settings.whenNoneHealthy !== 'leastBad')
    throw new RangeError(
      `whenNoneHealthy must be 'reject' or 'leastBad', was ${String(settings.whenNoneHealthy)}`,
    );
  for (const name of ['failuresToUnhealthy', 'successesToHealthy', 'outcomesMax'] as const)
    if (!Number.isSafeInteger(settings[name]) || settings[name] < 1)
      throw new RangeError(`${name} must be a positive integer, was ${settings[name]}`);
  for (const name of ['probeIntervalMs', 'probeTimeoutMs', 'latencyReferenceMs'] as const)
    if (!Number.isFinite(settings[name]) || settings[name] <= 0)
      throw new RangeError(`${name} must be finite and > 0, was ${settings[name]}`);
  if (!(settings.latencyAlpha > 0 && settings.latencyAlpha <= 1))
    throw new RangeError(`latencyAlpha must be in (0, 1], was ${settings.latencyAlpha}`);
  return settings;
}
