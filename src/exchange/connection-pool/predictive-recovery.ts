// Predictive recovery: acts on where an endpoint's latency and errors are heading, before requests
// fail. A degrading endpoint with a healthy sibling is drained (its traffic moves to the sibling) and
// comes back only when half-open probes show a healthy trend; a degrading endpoint without one is
// throttled (the pool lowers its request rate) until its own trend is healthy again, and when its
// latency is projected past the timeout itself the circuits open early (the adapter listens; their
// half-open probes decide the return).
import { LatencyTrend, type Trend, type TrendSample } from './latency-trend.js';
import type { EndpointGroup } from './transport.js';

export interface PredictiveOptions {
  /** Window the trends are fitted over, ms. Default 60 000. */
  readonly windowMs?: number;
  /** How far ahead the latency line is projected, ms. Default 15 000. */
  readonly horizonMs?: number;
  /** Act when the projected latency reaches this share of the headers timeout, (0, 1]. Default 0.6. */
  readonly timeoutShare?: number;
  /** Act when this share of the window's calls failed, (0, 1]. Default 0.5. */
  readonly errorShare?: number;
  /** Samples in the window before a trend counts. Default 5. */
  readonly samplesMin?: number;
  /** Samples kept per endpoint. Default 500. */
  readonly samplesMax?: number;
}

export const PREDICTIVE_DEFAULTS = {
  windowMs: 60_000,
  horizonMs: 15_000,
  timeoutShare: 0.6,
  errorShare: 0.5,
  samplesMin: 5,
  samplesMax: 500,
} as const;

export type PredictiveActionKind = 'drain' | 'restore' | 'throttle' | 'unthrottle' | 'openBreaker';

export interface PredictiveAction {
  readonly action: PredictiveActionKind;
  readonly baseUrl: string;
  readonly atMs: number;
  /** What the trend showed: latency heading past the threshold, errors above their share, or health. */
  readonly reason: 'latencyTrend' | 'errorTrend' | 'healthyTrend';
  readonly trend: Trend;
  /** The projected latency that triggers an action, ms. */
  readonly thresholdMs: number;
  /** Whose trend it is: the endpoint's calls of every group, or of one group only. */
  readonly scope: 'endpoint' | EndpointGroup;
}

export interface PredictiveCall {
  readonly baseUrl: string;
  readonly group: EndpointGroup;
  readonly sample: TrendSample;
  /** Another endpoint is up and not drained, so this one's traffic can move there. */
  readonly canDrain: boolean;
}

type ResolvedPredictiveOptions = Required<PredictiveOptions> & {
  readonly timeoutMs: number;
  readonly probesToRestore: number;
};

/** Actions kept for the dashboard. */
const ACTIONS_KEPT = 20;

export class PredictiveRecovery {
  readonly #o: ResolvedPredictiveOptions;
  readonly #trends = new Map<string, LatencyTrend>();
  readonly #probeTrends = new Map<string, LatencyTrend>();
  readonly #drained = new Set<string>();
  readonly #throttled = new Set<string>();
  readonly #goodProbes = new Map<string, number>();
  readonly #actions: PredictiveAction[] = [];

  constructor(options: PredictiveOptions & { readonly timeoutMs: number; readonly probesToRestore: number }) {
    const o = { ...PREDICTIVE_DEFAULTS, ...withoutUndefined(options) } as ResolvedPredictiveOptions;
    for (const key of ['windowMs', 'horizonMs', 'timeoutMs'] as const)
      if (!(o[key] > 0 && Number.isFinite(o[key])))
        throw new RangeError(`${key} must be a positive finite number, was ${o[key]}`);
    for (const key of ['timeoutShare', 'errorShare'] as const)
      if (!(o[key] > 0 && o[key] <= 1)) throw new RangeError(`${key} must be in (0, 1], was ${o[key]}`);
    if (!Number.isInteger(o.samplesMin) || o.samplesMin < 2)
      throw new RangeError(`samplesMin must be an integer ≥ 2, was ${o.samplesMin}`);
    if (!Number.isInteger(o.samplesMax) || o.samplesMax < o.samplesMin)
      throw new RangeError(`samplesMax must be an integer ≥ samplesMin, was ${o.samplesMax}`);
    this.#o = o;
  }

  /** The projected latency at which an endpoint counts as degrading, ms. */
  get thresholdMs(): number {
    return this.#o.timeoutShare * this.#o.timeoutMs;
  }

  isDrained(baseUrl: string): boolean {
    return this.#drained.has(baseUrl);
  }

  get throttled(): boolean {
    return this.#throttled.size > 0;
  }

  /**
   * Records a call's outcome in its endpoint's trend and in its endpoint-and-group trend, and decides
   * on the worse of the two: drain when degrading and `canDrain` (a healthy sibling takes the
   * traffic), throttle when degrading without one, open the circuits early when the latency is
   * projected past the timeout itself, unthrottle when a throttled endpoint is healthy again.
   */
  recordCall(call: PredictiveCall): PredictiveAction | undefined {
    const { baseUrl, sample } = call;
    if (this.#drained.has(baseUrl)) return undefined; // stragglers sent before the drain
    // On every call's path: two scores and no arrays or closures.
    const overall = this.#score('endpoint', this.#trendOf(this.#trends, baseUrl), sample);
    const grouped = this.#score(call.group, this.#trendOf(this.#trends, `${baseUrl} ${call.group}`), sample);
    const worst =
      overall.reason === 'latencyTrend'
        ? overall
        : grouped.reason === 'latencyTrend'
          ? grouped
          : overall.reason !== undefined || grouped.reason === undefined
            ? overall
            : grouped;
    const { scope, fitted, reason } = worst;
    if (reason === undefined && !this.#throttled.has(baseUrl)) return undefined; // healthy, as most calls are
    const act = (action: PredictiveActionKind, why: PredictiveAction['reason']) =>
      this.#act({ action, baseUrl, atMs: sample.atMs, reason: why, trend: fitted, scope });
    if (reason !== undefined && call.canDrain) {
      this.#drained.add(baseUrl);
      this.#throttled.delete(baseUrl);
      this.#goodProbes.set(baseUrl, 0);
      return act('drain', reason);
    }
    if (reason === 'latencyTrend' && fitted.forecastMs >= this.#o.timeoutMs) {
      // Calls are about to time out: fresh trends must build up before the next action.
      this.#clearTrends(baseUrl);
      this.#throttled.add(baseUrl);
      return act('openBreaker', reason);
    }
    if (reason !== undefined && !this.#throttled.has(baseUrl)) {
      this.#throttled.add(baseUrl);
      return act('throttle', reason);
    }
    if (reason === undefined && this.#throttled.has(baseUrl)) {
      this.#throttled.delete(baseUrl);
      return act('unthrottle', 'healthyTrend');
    }
    return undefined;
  }

  /** A half-open probe of a drained endpoint; enough good ones in a row with a healthy trend restore it. */
  recordProbe(baseUrl: string, sample: TrendSample): PredictiveAction | undefined {
    if (!this.#drained.has(baseUrl)) return undefined;
    const trend = this.#trendOf(this.#probeTrends, baseUrl);
    if (!sample.ok || sample.latencyMs >= this.thresholdMs) {
      // A bad probe starts the count again: only a run of good probes may bring the endpoint back.
      trend.clear();
      this.#goodProbes.set(baseUrl, 0);
      return undefined;
    }
    trend.add(sample);
    const streak = (this.#goodProbes.get(baseUrl) ?? 0) + 1;
    this.#goodProbes.set(baseUrl, streak);
    const fitted = trend.fit(sample.atMs, this.#o.horizonMs);
    if (streak < this.#o.probesToRestore || fitted.forecastMs >= this.thresholdMs) return undefined;
    this.#drained.delete(baseUrl);
    trend.clear();
    this.#clearTrends(baseUrl); // the old, slow samples describe the endpoint before its recovery
    return this.#act({
      action: 'restore',
      baseUrl,
      atMs: sample.atMs,
      reason: 'healthyTrend',
      trend: fitted,
      scope: 'endpoint',
    });
  }

  /** The newest actions, oldest first. */
  recentActions(): readonly PredictiveAction[] {
    return [...this.#actions];
  }

  #degradation(trend: Trend): PredictiveAction['reason'] | undefined {
    if (trend.sampleCount < this.#o.samplesMin) return undefined;
    if (trend.forecastMs >= this.thresholdMs) return 'latencyTrend';
    if (trend.errorShare >= this.#o.errorShare) return 'errorTrend';
    return undefined;
  }

  #score(scope: PredictiveAction['scope'], trend: LatencyTrend, sample: TrendSample) {
    trend.add(sample);
    const fitted = trend.fit(sample.atMs, this.#o.horizonMs);
    return { scope, fitted, reason: this.#degradation(fitted) };
  }

  #clearTrends(baseUrl: string): void {
    for (const [key, trend] of this.#trends)
      if (key === baseUrl || key.startsWith(`${baseUrl} `)) trend.clear();
  }

  #act(action: Omit<PredictiveAction, 'thresholdMs'>): PredictiveAction {
    const taken: PredictiveAction = { ...action, thresholdMs: this.thresholdMs };
    this.#actions.push(taken);
    if (this.#actions.length > ACTIONS_KEPT) this.#actions.shift();
    return taken;
  }

  #trendOf(map: Map<string, LatencyTrend>, baseUrl: string): LatencyTrend {
    let trend = map.get(baseUrl);
    if (trend === undefined) {
      trend = new LatencyTrend(this.#o.windowMs, this.#o.samplesMax);
      map.set(baseUrl, trend);
    }
    return trend;
  }
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
