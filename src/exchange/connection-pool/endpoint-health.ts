// Health per base URL: latency EWMA, error-rate EWMA, last failure, consecutive failures, up/down.
// Selection is weighted by health; a down endpoint gets no traffic until probes bring it back.

export interface EndpointHealthOptions {
  /** Weight of the newest sample in the EWMAs, in (0, 1]. */
  readonly ewmaAlpha: number;
  /** Consecutive failures that mark an endpoint down. */
  readonly failuresToMarkDown: number;
  /** Consecutive successful probes that bring it back. */
  readonly probeSuccessesToRecover: number;
  /** Latency at which an endpoint's weight halves, ms. */
  readonly latencyReferenceMs: number;
}

export interface EndpointHealthSnapshot {
  readonly baseUrl: string;
  readonly state: 'up' | 'down';
  readonly latencyEwmaMs: number | null;
  readonly errorRateEwma: number;
  readonly consecutiveFailures: number;
  readonly lastFailureAtMs: number | null;
  readonly lastFailureReason: string | null;
  readonly probeSuccesses: number;
  /** Predictive recovery moved its traffic away until half-open probes show a healthy trend. */
  readonly drained: boolean;
  /** Share of traffic this endpoint would get now, relative (0 when down or drained). */
  readonly weight: number;
}

export class EndpointHealth {
  readonly baseUrl: string;
  readonly #options: EndpointHealthOptions;
  readonly #configuredWeight: number;
  #state: 'up' | 'down' = 'up';
  #latencyEwmaMs: number | null = null;
  #errorRateEwma = 0;
  #consecutiveFailures = 0;
  #lastFailureAtMs: number | null = null;
  #lastFailureReason: string | null = null;
  #probeSuccesses = 0;
  #drained = false;

  constructor(baseUrl: string, configuredWeight: number, options: EndpointHealthOptions) {
    this.baseUrl = baseUrl;
    this.#configuredWeight = configuredWeight;
    this.#options = options;
  }

  get isUp(): boolean {
    return this.#state === 'up';
  }

  /** A request got an HTTP answer (any status: the connection works). */
  recordSuccess(durationMs: number): void {
    const alpha = this.#options.ewmaAlpha;
    this.#latencyEwmaMs =
      this.#latencyEwmaMs === null ? durationMs : alpha * durationMs + (1 - alpha) * this.#latencyEwmaMs;
    this.#errorRateEwma = (1 - alpha) * this.#errorRateEwma;
    this.#consecutiveFailures = 0;
  }

  /** A request failed at the connection level. Returns true when this failure marked it down. */
  recordFailure(nowMs: number, reason: string): boolean {
    this.#errorRateEwma = this.#options.ewmaAlpha + (1 - this.#options.ewmaAlpha) * this.#errorRateEwma;
    this.#consecutiveFailures++;
    this.#lastFailureAtMs = nowMs;
    this.#lastFailureReason = reason;
    if (this.#state === 'up' && this.#consecutiveFailures >= this.#options.failuresToMarkDown) {
      this.#state = 'down';
      this.#probeSuccesses = 0;
      return true;
    }
    return false;
  }

  /** Records a recovery probe. Returns true when this probe brought the endpoint back up. */
  recordProbe(ok: boolean, nowMs: number): boolean {
    if (!ok) {
      this.#probeSuccesses = 0;
      this.#lastFailureAtMs = nowMs;
      this.#lastFailureReason = 'probe failed';
      return false;
    }
    this.#probeSuccesses++;
    if (this.#state === 'down' && this.#probeSuccesses >= this.#options.probeSuccessesToRecover) {
      this.#state = 'up';
      this.#consecutiveFailures = 0;
      this.#errorRateEwma = 0;
      this.#latencyEwmaMs = null;
      return true;
    }
    return false;
  }

  /** Predictive recovery drains a degrading endpoint (no traffic) and restores it. */
  setDrained(drained: boolean): void {
    this.#drained = drained;
  }

  weight(): number {
    if (this.#state === 'down' || this.#drained) return 0;
    const latencyFactor =
      this.#latencyEwmaMs === null ? 1 : 1 / (1 + this.#latencyEwmaMs / this.#options.latencyReferenceMs);
    // A floor keeps a slow or flaky endpoint sampled, so its health can improve.
    return this.#configuredWeight * Math.max(0.01, latencyFactor * (1 - this.#errorRateEwma));
  }

  snapshot(): EndpointHealthSnapshot {
    return {
      baseUrl: this.baseUrl,
      state: this.#state,
      latencyEwmaMs: this.#latencyEwmaMs,
      errorRateEwma: this.#errorRateEwma,
      consecutiveFailures: this.#consecutiveFailures,
      lastFailureAtMs: this.#lastFailureAtMs,
      lastFailureReason: this.#lastFailureReason,
      probeSuccesses: this.#probeSuccesses,
      drained: this.#drained,
      weight: this.weight(),
    };
  }
}

/** Picks an endpoint with probability proportional to its weight; `random` is in [0, 1). */
export function pickWeighted(
  endpoints: readonly EndpointHealth[],
  random: number,
): EndpointHealth | undefined {
  const weights = endpoints.map((endpoint) => endpoint.weight());
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  if (total <= 0) return undefined;
  let point = random * total;
  for (let index = 0; index < endpoints.length; index++) {
    point -= weights[index] ?? 0;
    if (point < 0 && (weights[index] ?? 0) > 0) return endpoints[index];
  }
  return endpoints.findLast((_, index) => (weights[index] ?? 0) > 0);
}
