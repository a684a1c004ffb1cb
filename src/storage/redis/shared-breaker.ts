// One endpoint group's breaker, shared: a Policy around the local CircuitBreakerPolicy that
// publishes local opens and closes, applies those of other instances, and takes the probe lease
// before letting a half-open probe through.
import type { CircuitBreakerJson, CircuitBreakerPolicy } from '../../core/circuit-breaker.js';
import type { Clock } from '../../core/clock.js';
import { CircuitOpenError } from '../../core/errors.js';
import type { Disposable } from '../../core/events.js';
import type { Policy, PolicyContext } from '../../core/policy.js';
import type { BreakerDecision } from './breaker-decision.js';
import type { SharedBreakerState } from './shared-breaker-state.js';

export interface SharedBreakerOptions {
  readonly name: string;
  readonly breaker: CircuitBreakerPolicy;
  readonly state: SharedBreakerState;
  readonly clock: Clock;
}

export class SharedBreaker implements Policy, Disposable {
  readonly name: string;
  readonly breaker: CircuitBreakerPolicy;
  readonly #state: SharedBreakerState;
  readonly #clock: Clock;
  readonly #listeners: Disposable[];
  /** True while a decision from elsewhere is being applied, so it is not published back. */
  #applying = false;

  constructor(options: SharedBreakerOptions) {
    this.name = options.name;
    this.breaker = options.breaker;
    this.#state = options.state;
    this.#clock = options.clock;
    this.#listeners = [
      this.breaker.onBreak((change) => {
        if (change.to === 'open' && !this.#applying) void this.#publishOpen();
      }),
      this.breaker.onReset(() => {
        if (!this.#applying) void this.#state.publishClose(this.name);
      }),
    ];
  }

  async execute<T>(fn: (context: PolicyContext) => Promise<T> | T, signal?: AbortSignal): Promise<T> {
    if (this.breaker.state !== 'halfOpen') return this.breaker.execute(fn, signal);
    const lease = await this.#state.tryProbeLease(this.name);
    if (lease === 'held elsewhere')
      throw new CircuitOpenError(
        `circuit '${this.name}' half-open: another instance is probing`,
        this.#clock.nowMs() + this.#state.probeLeaseMs,
      );
    try {
      return await this.breaker.execute(fn, signal);
    } finally {
      // A close or re-open was published by the breaker's own events; the lease is done either way.
      if (lease === 'acquired') await this.#state.releaseProbeLease(this.name);
    }
  }

  /** Applies another instance's decision; a hand isolation here wins over both. */
  apply(decision: BreakerDecision): void {
    const current = this.breaker.toJSON();
    const kind = current.state.kind;
    if (kind === 'isolated') return;
    let next: CircuitBreakerJson | undefined;
    if (decision.kind === 'close') {
      if (kind !== 'closed') next = { version: 1, state: { kind: 'closed' }, strategy: current.strategy };
    } else {
      const nowMs = this.#clock.nowMs();
      const laterThanLocal = current.state.kind !== 'open' || current.state.retryAtMs < decision.retryAtMs;
      if (decision.retryAtMs > nowMs && laterThanLocal) {
        const openedAtMs = Math.min(decision.openedAtMs, nowMs);
        const state = {
          kind: 'open' as const,
          openedAtMs,
          retryAtMs: decision.retryAtMs,
          reopenCount: decision.reopenCount,
        };
        next = { version: 1, state, strategy: current.strategy };
      }
    }
    if (next === undefined) return;
    this.#applying = true;
    try {
      this.breaker.restore(next);
    } finally {
      this.#applying = false;
    }
  }

  dispose(): void {
    for (const listener of this.#listeners.splice(0)) listener.dispose();
  }

  async #publishOpen(): Promise<void> {
    const json = this.breaker.toJSON();
    if (json.state.kind !== 'open') return;
    const { openedAtMs, retryAtMs, reopenCount } = json.state;
    const instanceId = this.#state.instanceId;
    await this.#state.publishOpen({
      kind: 'open',
      name: this.name,
      instanceId,
      openedAtMs,
      retryAtMs,
      reopenCount,
    });
  }
}
