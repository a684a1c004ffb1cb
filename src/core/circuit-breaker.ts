// The circuit breaker policy: owns the states, timing, probes and events. *When* to open is asked
// of a pluggable Breaker strategy. open -> halfOpen is evaluated lazily (no timer).
import { assert, assertNever } from './assert.js';
import type { Backoff } from './backoff/backoff.js';
import { ConstantBackoff } from './backoff/constant-backoff.js';
import type { Breaker, BreakerSnapshot } from './breaker/breaker.js';
import { ConsecutiveBreaker } from './breaker/consecutive-breaker.js';
import {
  assertTransition,
  type CircuitState,
  type CircuitStateJson,
  type CircuitStateKind,
  type CircuitStateOf,
  parseCircuitStateJson,
  toCircuitStateJson,
} from './circuit-state.js';
import { type Clock, systemClock } from './clock.js';
import { CircuitOpenError, isAbortedError } from './errors.js';
import { type Disposable, EventEmitter } from './events.js';
import { type LatencySnapshot, LatencyWindow } from './latency-window.js';
import { neverAbortedSignal, type Policy, type PolicyContext } from './policy.js';

export interface CircuitBreakerOptions {
  /** Decides when a closed circuit opens. Default ConsecutiveBreaker({ failuresMax: 5 }). */
  readonly breaker?: Breaker;
  /** Fixed break duration, ms. Default 10_000. Give either this or breakBackoff. */
  readonly breakDurationMs?: number;
  /** Growing break duration: each consecutive re-open takes next(); starts over on close. */
  readonly breakBackoff?: Backoff;
  /** Probe calls let through while halfOpen, in [1, 1_000]; all must succeed to close. Default 1. */
  readonly halfOpenProbesMax?: number;
  /** A successful call slower than this counts as a failure, ms. Default Infinity: none is slow. */
  readonly slowCallDurationMs?: number;
  /** Which errors are recorded as failures; others pass through unrecorded. Default all but AbortedError. */
  readonly isFailure?: (error: unknown) => boolean;
  /** Which results count as failures (they are still returned to the caller). Default none. */
  readonly isResultFailure?: (result: unknown) => boolean;
  /** Recent call durations kept for latency percentiles. Default 1_024. */
  readonly latencySampleCountMax?: number;
  /** State to start from, as exported by toJSON(). Default closed with an empty strategy. */
  readonly initialState?: CircuitBreakerJson;
  /** Default systemClock. */
  readonly clock?: Clock;
}

export interface CircuitBreakerJson {
  readonly version: 1;
  readonly state: CircuitStateJson;
  readonly strategy: BreakerSnapshot;
}

export interface CircuitStateChange {
  readonly from: CircuitStateKind;
  readonly to: CircuitStateKind;
  readonly reason: string;
  readonly atMs: number;
}

export interface CircuitFailure {
  /** The error thrown; undefined for a failing result or a slow success. */
  readonly error: unknown;
  /** The returned value, when the call did not throw. */
  readonly result?: unknown;
  readonly durationMs: number;
  /** Slower than slowCallDurationMs. */
  readonly slow: boolean;
}

export interface CircuitBreakerMetrics {
  readonly state: CircuitStateKind;
  /** Calls let through since creation (rejections excluded). */
  readonly calls: number;
  readonly successes: number;
  /** Recorded failures, slow successes included. */
  readonly failures: number;
  readonly slowCalls: number;
  readonly rejections: number;
  /** failures / (successes + failures) since creation; 0 before any recorded call. */
  readonly failureRate: number;
  /** Over the recent latencySampleCountMax calls. */
  readonly latency: LatencySnapshot;
  readonly openedAtMs?: number;
  readonly retryAtMs?: number;
}

const defaults = {
  breakDurationMs: 10_000,
  halfOpenProbesMax: 1,
  slowCallDurationMs: Number.POSITIVE_INFINITY,
};
/** Replaying a restored reopenCount stops here: backoffs reach their ceiling long before. */
const REOPEN_REPLAY_MAX = 64;

type Outcome =
  | { readonly recorded: false }
  | { readonly recorded: true; readonly failure: Omit<CircuitFailure, 'durationMs'> | undefined };

/** A call let through: the circuit epoch it belongs to, and whether it is a halfOpen probe. */
interface Admission {
  readonly epoch: number;
  readonly probe: boolean;
}

export class CircuitBreakerPolicy implements Policy {
  readonly #stateChangeEmitter = new EventEmitter<CircuitStateChange>();
  readonly #breakEmitter = new EventEmitter<CircuitStateChange>();
  readonly #resetEmitter = new EventEmitter<CircuitStateChange>();
  readonly #halfOpenEmitter = new EventEmitter<CircuitStateChange>();
  readonly #successEmitter = new EventEmitter<{ readonly durationMs: number }>();
  readonly #failureEmitter = new EventEmitter<CircuitFailure>();
  readonly #rejectEmitter = new EventEmitter<{ readonly state: CircuitStateKind }>();

  /** Every state change, with the reason from the transition table. */
  readonly onStateChange = this.#stateChangeEmitter.addListener;
  /** The circuit opened or was isolated. */
  readonly onBreak = this.#breakEmitter.addListener;
  /** The circuit closed. */
  readonly onReset = this.#resetEmitter.addListener;
  /** The break elapsed and probes may pass. */
  readonly onHalfOpen = this.#halfOpenEmitter.addListener;
  readonly onSuccess = this.#successEmitter.addListener;
  readonly onFailure = this.#failureEmitter.addListener;
  readonly onReject = this.#rejectEmitter.addListener;

  readonly #breaker: Breaker;
  readonly #breakBackoff: Backoff;
  readonly #halfOpenProbesMax: number;
  readonly #slowCallDurationMs: number;
  readonly #isFailure: (error: unknown) => boolean;
  readonly #isResultFailure: (result: unknown) => boolean;
  readonly #clock: Clock;
  readonly #latency: LatencyWindow;

  #state: CircuitState = { kind: 'closed' };
  /** Bumped on every state change so late outcomes from an earlier state are not applied. */
  #epoch = 0;
  /** The break backoff step of the current open period; undefined while closed. */
  #breakStep: Backoff | undefined;
  #isolationCount = 0;
  /** Bumped by reset()/restore() so stale isolation handles do nothing. */
  #isolationGeneration = 0;
  readonly #counters = { calls: 0, successes: 0, failures: 0, slowCalls: 0, rejections: 0 };

  constructor(options: CircuitBreakerOptions = {}) {
    this.#breaker = options.breaker ?? new ConsecutiveBreaker({ failuresMax: 5 });
    this.#breakBackoff = breakBackoffOf(options);
    this.#halfOpenProbesMax = options.halfOpenProbesMax ?? defaults.halfOpenProbesMax;
    if (
      !Number.isInteger(this.#halfOpenProbesMax) ||
      this.#halfOpenProbesMax < 1 ||
      this.#halfOpenProbesMax > 1_000
    )
      throw new RangeError(
        `halfOpenProbesMax must be an integer in [1, 1000], was ${this.#halfOpenProbesMax}`,
      );
    this.#slowCallDurationMs = options.slowCallDurationMs ?? defaults.slowCallDurationMs;
    if (!(this.#slowCallDurationMs >= 0))
      throw new RangeError(
        `slowCallDurationMs must be >= 0 (Infinity for none), was ${this.#slowCallDurationMs}`,
      );
    this.#isFailure = options.isFailure ?? ((error) => !isAbortedError(error));
    this.#isResultFailure = options.isResultFailure ?? (() => false);
    this.#clock = options.clock ?? systemClock;
    this.#latency = new LatencyWindow(options.latencySampleCountMax);
    if (options.initialState !== undefined) this.#apply(options.initialState, false);
  }

  /** The current state; reports halfOpen (and fires onHalfOpen) once the break has elapsed. */
  get state(): CircuitStateKind {
    this.#refresh();
    return this.#state.kind;
  }

  async execute<T>(fn: (context: PolicyContext) => Promise<T> | T, signal?: AbortSignal): Promise<T> {
    const admission = this.#admit();
    this.#counters.calls++;
    const startedAtMs = this.#clock.nowMs();
    let result: T;
    try {
      result = await fn({ signal: signal ?? neverAbortedSignal });
    } catch (error) {
      const outcome: Outcome = this.#isFailure(error)
        ? { recorded: true, failure: { error, slow: false } }
        : { recorded: false };
      this.#settle(admission, outcome, startedAtMs);
      throw error;
    }
    const failure = this.#isResultFailure(result) ? { error: undefined, result, slow: false } : undefined;
    this.#settle(admission, { recorded: true, failure }, startedAtMs);
    return result;
  }

  /** Holds the circuit isolated (every call rejected) until every returned handle is disposed. */
  isolate(): Disposable {
    this.#refresh();
    this.#isolationCount++;
    if (this.#state.kind !== 'isolated') this.#transition({ kind: 'isolated' }, 'isolate()');
    const generation = this.#isolationGeneration;
    let disposed = false;
    return {
      dispose: () => {
        if (disposed || generation !== this.#isolationGeneration) return;
        disposed = true;
        this.#isolationCount--;
        if (this.#isolationCount === 0 && this.#state.kind === 'isolated') this.#close('isolation released');
      },
    };
  }

  /**
   * Opens a closed circuit now, before its strategy counts failures (predictive recovery saw them
   * coming); the break and the half-open probes then decide the return as after any break.
   * Returns false when the circuit was not closed.
   */
  breakEarly(reason: string): boolean {
    this.#refresh();
    if (this.#state.kind !== 'closed') return false;
    this.#open(`opened early: ${reason}`);
    return true;
  }

  /** Closes the circuit from any state, lifts every isolation and forgets the strategy's calls. */
  reset(): void {
    this.#isolationGeneration++;
    this.#isolationCount = 0;
    if (this.#state.kind === 'closed') this.#breaker.reset();
    else this.#close('reset()');
  }

  toJSON(): CircuitBreakerJson {
    this.#refresh();
    return { version: 1, state: toCircuitStateJson(this.#state), strategy: this.#breaker.toJSON() };
  }

  /** Applies a state decided elsewhere (another instance via a shared store); authoritative. */
  restore(json: CircuitBreakerJson): void {
    this.#refresh();
    this.#apply(json, true);
  }

  metrics(): CircuitBreakerMetrics {
    this.#refresh();
    const { successes, failures } = this.#counters;
    const recorded = successes + failures;
    const open = this.#state.kind === 'open' ? this.#state : undefined;
    return {
      state: this.#state.kind,
      ...this.#counters,
      failureRate: recorded === 0 ? 0 : failures / recorded,
      latency: this.#latency.snapshot(),
      ...(open === undefined ? {} : { openedAtMs: open.openedAtMs, retryAtMs: open.retryAtMs }),
    };
  }

  #admit(): Admission {
    this.#refresh();
    const state = this.#state;
    if (state.kind === 'closed') return { epoch: this.#epoch, probe: false };
    if (state.kind === 'halfOpen' && state.probesStarted < this.#halfOpenProbesMax) {
      this.#state = { ...state, probesStarted: state.probesStarted + 1 };
      return { epoch: this.#epoch, probe: true };
    }
    this.#counters.rejections++;
    this.#rejectEmitter.emit({ state: state.kind });
    throw rejection(state, this.#clock.nowMs());
  }

  #settle(admission: Admission, outcome: Outcome, startedAtMs: number): void {
    const durationMs = Math.max(0, this.#clock.nowMs() - startedAtMs);
    this.#latency.record(durationMs);
    const current = admission.epoch === this.#epoch;
    if (!outcome.recorded) {
      // Not evidence either way: give the probe slot back.
      if (current && admission.probe) this.#releaseProbe();
      return;
    }
    const slow = durationMs > this.#slowCallDurationMs;
    if (slow) this.#counters.slowCalls++;
    const failure = outcome.failure ?? (slow ? { error: undefined, slow: true } : undefined);
    if (failure === undefined) {
      this.#counters.successes++;
      this.#successEmitter.emit({ durationMs });
    } else {
      this.#counters.failures++;
      this.#failureEmitter.emit({ ...failure, durationMs, slow });
    }
    if (!current) return; // the circuit moved on while this call ran
    if (admission.probe) this.#settleProbe(failure === undefined);
    else if (failure === undefined) this.#breaker.success(durationMs);
    else if (this.#breaker.failure(durationMs)) this.#open('the breaker strategy says open');
  }

  #settleProbe(succeeded: boolean): void {
    const state = this.#state;
    assert(state.kind === 'halfOpen', `probe settled while ${state.kind}`);
    const probesSucceeded = state.probesSucceeded + 1;
    assert(probesSucceeded <= state.probesStarted, 'more probe successes than probes started');
    if (!succeeded) this.#open('a probe failed');
    else if (probesSucceeded >= this.#halfOpenProbesMax) this.#close('every probe succeeded');
    else this.#state = { ...state, probesSucceeded };
  }

  #releaseProbe(): void {
    const state = this.#state;
    assert(state.kind === 'halfOpen', `probe released while ${state.kind}`);
    assert(state.probesStarted > state.probesSucceeded, 'released a probe that was not started');
    this.#state = { ...state, probesStarted: state.probesStarted - 1 };
  }

  #refresh(): void {
    const state = this.#state;
    if (state.kind !== 'open' || this.#clock.nowMs() < state.retryAtMs) return;
    const halfOpen: CircuitStateOf<'halfOpen'> = {
      kind: 'halfOpen',
      probesStarted: 0,
      probesSucceeded: 0,
      reopenCount: state.reopenCount,
    };
    this.#transition(halfOpen, 'the break elapsed');
  }

  #open(reason: string): void {
    const from = this.#state;
    const reopenCount = from.kind === 'halfOpen' ? from.reopenCount + 1 : 0;
    this.#breakStep = reopenCount === 0 ? this.#breakBackoff.next() : this.#stepAfter(reopenCount - 1).next();
    const openedAtMs = this.#clock.nowMs();
    this.#transition(
      { kind: 'open', openedAtMs, retryAtMs: openedAtMs + this.#breakStep.duration, reopenCount },
      reason,
    );
  }

  #close(reason: string): void {
    this.#breaker.reset();
    this.#breakStep = undefined;
    this.#transition({ kind: 'closed' }, reason);
  }

  /** The break step of re-open number `reopenCount`, replayed when it was not kept (after a restore). */
  #stepAfter(reopenCount: number): Backoff {
    if (this.#breakStep !== undefined) return this.#breakStep;
    let step = this.#breakBackoff.next();
    for (let i = 0; i < Math.min(reopenCount, REOPEN_REPLAY_MAX); i++) step = step.next();
    return step;
  }

  #transition(to: CircuitState, reason: string): void {
    const from = this.#state.kind;
    assertTransition(from, to.kind);
    this.#state = to;
    this.#epoch++;
    const change: CircuitStateChange = { from, to: to.kind, reason, atMs: this.#clock.nowMs() };
    this.#stateChangeEmitter.emit(change);
    this.#emitterFor(to).emit(change);
  }

  #emitterFor(to: CircuitState): EventEmitter<CircuitStateChange> {
    switch (to.kind) {
      case 'open':
      case 'isolated':
        return this.#breakEmitter;
      case 'closed':
        return this.#resetEmitter;
      case 'halfOpen':
        return this.#halfOpenEmitter;
      default:
        return assertNever(to);
    }
  }

  /** Sets state from JSON: silently at construction, through the transition table at runtime. */
  #apply(json: CircuitBreakerJson, live: boolean): void {
    if (json.version !== 1)
      throw new TypeError(`circuit breaker JSON version must be 1, was ${json.version}`);
    const target = stateFromJson(parseCircuitStateJson(json.state), this.#state, this.#clock.nowMs());
    this.#breaker.restore(json.strategy);
    if (target.kind !== 'isolated' || this.#state.kind !== 'isolated') {
      this.#isolationGeneration++;
      this.#isolationCount = target.kind === 'isolated' ? 1 : 0; // held until reset() or restore()
    }
    this.#breakStep = undefined;
    if (target.kind === 'open') this.#breakStep = this.#stepAfter(target.reopenCount);
    if (!live || target.kind === this.#state.kind) {
      if (target.kind !== this.#state.kind || target.kind === 'open') this.#epoch++;
      this.#state = target;
    } else this.#transition(target, 'restore');
    this.#refresh();
  }
}

function breakBackoffOf(options: CircuitBreakerOptions): Backoff {
  if (options.breakBackoff !== undefined && options.breakDurationMs !== undefined)
    throw new RangeError(
      `give breakDurationMs or breakBackoff, not both; breakDurationMs was ${options.breakDurationMs}`,
    );
  if (options.breakBackoff !== undefined) return options.breakBackoff;
  const delayMs = options.breakDurationMs ?? defaults.breakDurationMs;
  if (!Number.isFinite(delayMs) || delayMs < 0)
    throw new RangeError(`breakDurationMs must be a finite number >= 0, was ${delayMs}`);
  return new ConstantBackoff({ delayMs });
}

/** A halfOpen from elsewhere has no local probes: it becomes an open whose break has elapsed. */
function stateFromJson(json: CircuitStateJson, current: CircuitState, nowMs: number): CircuitState {
  if (json.kind !== 'halfOpen') return json;
  if (current.kind === 'halfOpen') return current;
  return { kind: 'open', openedAtMs: nowMs, retryAtMs: nowMs, reopenCount: json.reopenCount };
}

function rejection(state: Exclude<CircuitState, { kind: 'closed' }>, nowMs: number): CircuitOpenError {
  switch (state.kind) {
    case 'open':
      return new CircuitOpenError(`circuit open until ${state.retryAtMs}`, state.retryAtMs);
    case 'halfOpen':
      return new CircuitOpenError('circuit half-open: probes in flight', nowMs);
    case 'isolated':
      return new CircuitOpenError('circuit isolated by hand');
    default:
      return assertNever(state);
  }
}

export type { CircuitState, CircuitStateJson, CircuitStateKind, CircuitStateOf };
