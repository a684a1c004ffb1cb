// The health of one failover target, kept apart from the policy: the set asks it whether a
// success or failure changed the verdict, and what the target's score is.

export interface TargetHealthSettings {
  /** Consecutive failures that make a healthy target unhealthy. */
  readonly failuresToUnhealthy: number;
  /** Consecutive successes that make an unhealthy target healthy. */
  readonly successesToHealthy: number;
  /** Weight of the newest latency sample in the EWMA, in (0, 1]. */
  readonly latencyAlpha: number;
  /** Latency at which the score halves, ms. */
  readonly latencyReferenceMs: number;
  /** Recent outcomes kept for the error rate. */
  readonly outcomesMax: number;
}

/** Lowest score, so a target with only errors can still be drawn and recover. */
export const SCORE_MIN = 0.001;

export class TargetHealth {
  healthy = true;
  consecutiveFailures = 0;
  consecutiveSuccesses = 0;
  latencyEwmaMs: number | undefined;
  lastFailureAtMs: number | undefined;
  /** Recent outcomes, oldest first, at most outcomesMax; true = success. */
  readonly #outcomes: boolean[] = [];

  constructor(readonly settings: TargetHealthSettings) {}

  /** Records a success; true when it made the target healthy again. */
  recordSuccess(latencyMs: number | undefined): boolean {
    this.consecutiveFailures = 0;
    this.consecutiveSuccesses++;
    this.#recordOutcome(true, latencyMs);
    if (this.healthy || this.consecutiveSuccesses < this.settings.successesToHealthy) return false;
    this.healthy = true;
    return true;
  }

  /** Records a failure; true when it made the target unhealthy. */
  recordFailure(atMs: number, latencyMs: number | undefined): boolean {
    this.consecutiveSuccesses = 0;
    this.consecutiveFailures++;
    this.lastFailureAtMs = atMs;
    this.#recordOutcome(false, latencyMs);
    if (!this.healthy || this.consecutiveFailures < this.settings.failuresToUnhealthy) return false;
    this.healthy = false;
    return true;
  }

  errorRate(): number {
    if (this.#outcomes.length === 0) return 0;
    return this.#outcomes.filter((success) => !success).length / this.#outcomes.length;
  }

  /** (1 - errorRate) * latencyReferenceMs / (latencyReferenceMs + latencyEwmaMs), at least SCORE_MIN. */
  score(): number {
    const { latencyReferenceMs } = this.settings;
    const latencyFactor = latencyReferenceMs / (latencyReferenceMs + (this.latencyEwmaMs ?? 0));
    return Math.max(SCORE_MIN, (1 - this.errorRate()) * latencyFactor);
  }

  #recordOutcome(success: boolean, latencyMs: number | undefined): void {
    this.#outcomes.push(success);
    if (this.#outcomes.length > this.settings.outcomesMax) this.#outcomes.shift();
    if (latencyMs === undefined) return;
    const alpha = this.settings.latencyAlpha;
    this.latencyEwmaMs =
      this.latencyEwmaMs === undefined ? latencyMs : alpha * latencyMs + (1 - alpha) * this.latencyEwmaMs;
  }
}
