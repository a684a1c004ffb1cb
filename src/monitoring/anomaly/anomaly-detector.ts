// Online anomaly detection per currency and series: each observation is scored against the series'
// robust baseline (robust-baseline.ts), the updated state is stored before anyone hears of a flag, and
// a flag carries its evidence: the series, the baseline, the score and the recent values.
import type { Clock } from '../../core/clock.js';
import { type Event, EventEmitter } from '../../core/events.js';
import { type Logger, silentLogger } from '../../logging/logger.js';
import type { Database } from '../../storage/database.js';
import { Mutex } from '../../storage/mutex.js';
import {
  type AnomalyDetectorOptions,
  type ResolvedAnomalyOptions,
  resolveAnomalyOptions,
  type SeriesKind,
} from './anomaly-options.js';
import {
  ANOMALY_MIGRATIONS,
  insertFlag,
  loadSeries,
  recentFlagRows,
  type SeriesRecord,
  saveSeries,
} from './anomaly-store.js';
import { EMPTY_BASELINE, type FlagKind, scoreSample } from './robust-baseline.js';

export interface Observation {
  readonly kind: SeriesKind;
  /** Lower-case currency code the series belongs to. */
  readonly currency: string;
  /** The sample in the series' unit (see SeriesKind). Finite. */
  readonly value: number;
  /** Default: the clock's now. */
  readonly atMs?: number;
  /** What produced the sample, for the evidence: ids and exact decimal strings. */
  readonly context?: Readonly<Record<string, string | number>>;
}

export interface AnomalyFlag {
  readonly id: number;
  readonly seriesKey: string;
  readonly kind: SeriesKind;
  readonly currency: string;
  readonly flag: FlagKind;
  readonly atMs: number;
  readonly value: number;
  readonly baseline: number;
  readonly scale: number;
  readonly score: number;
  readonly cusum: number;
  /** Values of the series up to and including this one, oldest first. */
  readonly series: readonly number[];
  readonly context: Readonly<Record<string, string | number>>;
}

export interface SeriesView {
  readonly seriesKey: string;
  readonly count: number;
  readonly baseline: number;
  readonly mad: number;
  readonly cusum: number;
}

export const seriesKeyOf = (kind: SeriesKind, currency: string): string => `${kind}:${currency}`;

export class AnomalyDetector {
  readonly #options: ResolvedAnomalyOptions;
  readonly #db: Database;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #series: Map<string, SeriesRecord>;
  // One observation at a time: each one reads the state the previous one stored.
  readonly #mutex = new Mutex(10_000);
  readonly #flagEmitter = new EventEmitter<AnomalyFlag>();

  /** A series flagged; fires after the flag and the state are stored. */
  readonly onFlag: Event<AnomalyFlag> = this.#flagEmitter.addListener;

  private constructor(options: AnomalyDetectorOptions, series: Map<string, SeriesRecord>) {
    this.#options = resolveAnomalyOptions(options);
    this.#db = options.database;
    this.#clock = options.clock;
    this.#logger = (options.logger ?? silentLogger).child({ component: 'anomaly' });
    this.#series = series;
  }

  /** Validates the options, migrates the tables and loads every series' state. */
  static async create(options: AnomalyDetectorOptions): Promise<AnomalyDetector> {
    resolveAnomalyOptions(options);
    await options.database.migrate(ANOMALY_MIGRATIONS);
    return new AnomalyDetector(options, await loadSeries(options.database));
  }

  get feeTierRate(): number | undefined {
    return this.#options.feeTierRate;
  }

  /** Scores and learns one sample; resolves with the flag it raised, if any. */
  observe(observation: Observation): Promise<AnomalyFlag | undefined> {
    if (!Number.isFinite(observation.value))
      return Promise.reject(new RangeError(`value must be finite, was ${observation.value}`));
    return this.#mutex.run(() => this.#observe(observation));
  }

  async #observe(observation: Observation): Promise<AnomalyFlag | undefined> {
    const { kind, currency, value } = observation;
    const atMs = observation.atMs ?? this.#clock.nowMs();
    const seriesKey = seriesKeyOf(kind, currency);
    const before = this.#series.get(seriesKey) ?? { baseline: EMPTY_BASELINE, recent: [] };
    const scored = scoreSample(before.baseline, this.#options.specs[kind], this.#options.thresholds, {
      value,
      atMs,
    });
    const recent = [...before.recent, value].slice(-this.#options.recentCountMax);
    const record: SeriesRecord = { baseline: scored.state, recent };
    await saveSeries(this.#db, seriesKey, record, atMs);
    this.#series.set(seriesKey, record);
    if (scored.flag === undefined) return undefined;
    const evidence = {
      seriesKey,
      kind,
      currency,
      flag: scored.flag,
      atMs,
      value,
      baseline: scored.baseline,
      scale: scored.scale,
      score: scored.score,
      cusum: Math.max(scored.cusumHigh, scored.cusumLow),
      series: recent,
      context: observation.context ?? {},
    };
    const id = await insertFlag(this.#db, { seriesKey, flag: scored.flag, atMs, evidence });
    const flag: AnomalyFlag = { id, ...evidence };
    this.#logger.warn({ seriesKey, flag: flag.flag, score: flag.score, cusum: flag.cusum }, 'anomaly');
    this.#flagEmitter.emit(flag);
    return flag;
  }

  /** The newest flags first, from storage (they survive restarts). */
  async recentFlags(limit = 20): Promise<AnomalyFlag[]> {
    if (!Number.isInteger(limit) || limit < 1 || limit > 1_000)
      throw new RangeError(`limit must be an integer in [1, 1000], was ${limit}`);
    const rows = await recentFlagRows(this.#db, limit);
    return rows.map((row) => ({ id: row.id, ...(JSON.parse(row.evidence) as Omit<AnomalyFlag, 'id'>) }));
  }

  /** Every series' baseline now, sorted by key. */
  series(): SeriesView[] {
    return [...this.#series.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([seriesKey, { baseline }]) => ({
        seriesKey,
        count: baseline.count,
        baseline: baseline.mean,
        mad: baseline.mad,
        cusum: Math.max(baseline.cusumHigh, baseline.cusumLow),
      }));
  }
}
