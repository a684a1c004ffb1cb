// Components register health checks; the registry answers liveness, readiness and a full report.
// A check that hangs is itself unhealthy: every check runs under a deadline.
import { assert } from '../core/assert.js';
import { type Clock, systemClock } from '../core/clock.js';
import type { Disposable } from '../core/events.js';

export type HealthStatus = 'healthy' | 'degraded' | 'unhealthy';

export interface HealthResult {
  readonly status: HealthStatus;
  readonly reason?: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

export interface HealthCheck {
  /** Unique, e.g. `exchange.orders`, `breaker.marketData`, `storage`. */
  readonly name: string;
  readonly component: string;
  check(): Promise<HealthResult> | HealthResult;
}

export interface HealthEntry extends HealthResult {
  readonly name: string;
  readonly component: string;
  readonly durationMs: number;
}

export interface HealthReport {
  readonly status: HealthStatus;
  readonly atMs: number;
  readonly checks: readonly HealthEntry[];
}

export const CHECKS_MAX = 500;
const RANK: Record<HealthStatus, number> = { healthy: 0, degraded: 1, unhealthy: 2 };

export class HealthRegistry {
  readonly #checks = new Map<string, HealthCheck>();
  readonly #readiness = new Map<string, { ready: boolean; reason: string }>();
  readonly #clock: Clock;
  readonly #checkTimeoutMs: number;

  constructor(options: { clock?: Clock; checkTimeoutMs?: number } = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#checkTimeoutMs = options.checkTimeoutMs ?? 2_000;
    if (!(this.#checkTimeoutMs > 0))
      throw new RangeError(`checkTimeoutMs must be positive, was ${this.#checkTimeoutMs}`);
  }

  register(check: HealthCheck): Disposable {
    assert(!this.#checks.has(check.name), `health check ${check.name} registered twice`);
    assert(this.#checks.size < CHECKS_MAX, `more than ${CHECKS_MAX} health checks`);
    this.#checks.set(check.name, check);
    return { dispose: () => void this.#checks.delete(check.name) };
  }

  /** A readiness gate, e.g. `startup-recovery` stays false until every open order is resolved. */
  setReady(gate: string, ready: boolean, reason = ''): void {
    this.#readiness.set(gate, { ready, reason });
  }

  async report(): Promise<HealthReport> {
    const checks = await Promise.all([...this.#checks.values()].map((check) => this.#run(check)));
    const status = checks.reduce<HealthStatus>(
      (worst, entry) => (RANK[entry.status] > RANK[worst] ? entry.status : worst),
      'healthy',
    );
    return { status, atMs: this.#clock.nowMs(), checks };
  }

  /** Ready when every gate is open and no check named in `required` is unhealthy. */
  async readiness(required: readonly string[] = ['storage']): Promise<{ ready: boolean; reasons: string[] }> {
    const reasons = [...this.#readiness.entries()]
      .filter(([, gate]) => !gate.ready)
      .map(([name, gate]) => `${name}: ${gate.reason || 'not ready'}`);
    for (const name of required) {
      const check = this.#checks.get(name);
      if (check === undefined) continue;
      const entry = await this.#run(check);
      if (entry.status === 'unhealthy') reasons.push(`${name}: ${entry.reason ?? 'unhealthy'}`);
    }
    return { ready: reasons.length === 0, reasons };
  }

  async #run(check: HealthCheck): Promise<HealthEntry> {
    const startMs = this.#clock.nowMs();
    let timer: { id: number } | undefined;
    const deadline = new Promise<HealthResult>((resolve) => {
      timer = this.#clock.setTimeout(
        () => resolve({ status: 'unhealthy', reason: `check timed out after ${this.#checkTimeoutMs} ms` }),
        this.#checkTimeoutMs,
      );
    });
    try {
      const result = await Promise.race([Promise.resolve().then(() => check.check()), deadline]);
      return {
        name: check.name,
        component: check.component,
        ...result,
        durationMs: this.#clock.nowMs() - startMs,
      };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return {
        name: check.name,
        component: check.component,
        status: 'unhealthy',
        reason,
        durationMs: this.#clock.nowMs() - startMs,
      };
    } finally {
      if (timer !== undefined) this.#clock.clearTimeout(timer);
    }
  }
}
