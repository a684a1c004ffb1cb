// An in-memory StatusSource for dashboard and API tests: plain data that tests change by hand, records
// of every acknowledgement, resolution and mode change, and events pushed with emit().
import type { Clock } from '../../src/core/clock.js';
import { EventEmitter } from '../../src/core/events.js';
import { ModeChangeRefusedError } from '../../src/engine/kill-switch.js';
import type { AlertInput } from '../../src/monitoring/alert-system/alert.js';
import type {
  AlertQuery,
  AlertView,
  BreakerStateName,
  BreakerView,
  BulkheadView,
  EngineModeView,
  LedgerView,
  ListQuery,
  OrderView,
  SignalView,
  StatusEvent,
  StatusSnapshot,
  StatusSource,
  TimeseriesView,
} from '../../src/monitoring/api/status-source.js';

type Mode = EngineModeView['mode'];

export interface RecordedAction {
  readonly action: 'ack' | 'resolve';
  readonly id: string;
  readonly by: string;
  readonly atMs: number;
}

export class FakeStatusSource implements StatusSource {
  readonly #clock: Clock;
  readonly #emitter = new EventEmitter<StatusEvent>();
  readonly events = this.#emitter.addListener;
  readonly alertActions: RecordedAction[] = [];
  readonly modeChanges: { mode: Mode; by: string; reason: string }[] = [];
  alertQueries: AlertQuery[] = [];
  engineMode: EngineModeView = { mode: 'RUNNING', changedBy: null, reason: null, changedAtMs: null };
  breakers: BreakerView[] = [];
  bulkheads: BulkheadView[] = [];
  alertList: AlertView[] = [];
  orderList: OrderView[] = [];
  signalList: SignalView[] = [];
  ledgerView: LedgerView = {
    currencies: [],
    balanced: true,
    doubleEntryBalanced: true,
    reconciliation: null,
  };
  timeseriesView: TimeseriesView = { latency: [], orders: [], breakerStates: [] };
  /** When set, setEngineMode refuses with this message, as the kill switch would. */
  refuseModeChange: string | undefined;
  #nextAlertId = 1;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  get listenerCount(): number {
    return this.#emitter.size;
  }

  emit(event: StatusEvent): void {
    this.#emitter.emit(event);
  }

  async status(): Promise<StatusSnapshot> {
    const unhealthy = this.breakers.some((breaker) => breaker.state !== 'closed');
    return {
      atMs: this.#clock.nowMs(),
      instance: {
        id: 'keel-test-1',
        leader: true,
        startedAtMs: 1_767_225_600_000,
        version: '0.1.0',
        mode: 'paper',
      },
      engineMode: this.engineMode,
      health: {
        status: unhealthy ? 'degraded' : 'healthy',
        checks: [
          { name: 'storage', component: 'storage', status: 'healthy', reason: null },
          ...this.breakers.map((breaker) => ({
            name: `breaker.${breaker.name}`,
            component: 'exchange',
            status: breaker.state === 'closed' ? ('healthy' as const) : ('degraded' as const),
            reason: breaker.state === 'closed' ? null : `breaker ${breaker.state}`,
          })),
        ],
      },
      breakers: this.breakers,
      pool: {
        hosts: [
          { origin: 'http://127.0.0.1:9', connected: 2, free: 1, pending: 0, queued: 0, running: 1, size: 4 },
        ],
        endpoints: [{ baseUrl: 'http://127.0.0.1:9', healthy: true, latencyEwmaMs: 42.5, errorRate: 0.02 }],
      },
      bulkheads: this.bulkheads,
      rateLimits: [
        {
          budget: 'orders',
          windows: [{ limit: 100, windowMs: 600_000, used: 37, remaining: 63 }],
          penaltyUntilMs: null,
        },
      ],
      verification: {
        successRate: 0.98,
        byState: { DONE: 49, UNKNOWN: 1 },
        durations: { p50Ms: 180, p99Ms: 950 },
      },
      bus: { depth: 0, lagMs: 3 },
    };
  }

  async orders(query: ListQuery): Promise<readonly OrderView[]> {
    return filterList(this.orderList, query);
  }

  async signals(query: ListQuery): Promise<readonly SignalView[]> {
    return filterList(this.signalList, query);
  }

  async ledger(): Promise<LedgerView> {
    return this.ledgerView;
  }

  async alerts(query: AlertQuery): Promise<readonly AlertView[]> {
    this.alertQueries.push(query);
    return this.alertList
      .filter((alert) => query.severity === undefined || alert.severity === query.severity)
      .filter((alert) => query.source === undefined || alert.source === query.source)
      .filter((alert) => query.state === undefined || alert.state === query.state)
      .filter(
        (alert) => query.text === undefined || alert.title.toLowerCase().includes(query.text.toLowerCase()),
      )
      .slice(0, query.limit);
  }

  async acknowledgeAlert(id: string, by: string): Promise<AlertView | undefined> {
    return this.#update(id, 'ack', by, (alert, atMs) =>
      alert.state === 'firing'
        ? { ...alert, state: 'acknowledged', acknowledgedBy: by, acknowledgedAtMs: atMs }
        : alert,
    );
  }

  async resolveAlert(id: string, by: string): Promise<AlertView | undefined> {
    return this.#update(id, 'resolve', by, (alert, atMs) =>
      alert.state === 'resolved'
        ? alert
        : { ...alert, state: 'resolved', resolvedBy: by, resolvedAtMs: atMs },
    );
  }

  async setEngineMode(mode: Mode, by: string, reason: string): Promise<EngineModeView> {
    if (this.refuseModeChange !== undefined) throw new ModeChangeRefusedError(this.refuseModeChange);
    this.modeChanges.push({ mode, by, reason });
    this.engineMode = { mode, changedBy: by, reason, changedAtMs: this.#clock.nowMs() };
    this.emit({ type: 'engineMode', data: this.engineMode });
    return this.engineMode;
  }

  async timeseries(): Promise<TimeseriesView> {
    return this.timeseriesView;
  }

  /** Adds a firing alert and returns it. */
  raiseAlert(input: AlertInput): AlertView {
    const atMs = this.#clock.nowMs();
    const alert: AlertView = {
      id: `alert-${this.#nextAlertId++}`,
      key: input.key,
      severity: input.severity,
      source: input.source,
      group: input.group ?? input.source,
      title: input.title,
      details: input.details ?? {},
      state: 'firing',
      firstSeenAtMs: atMs,
      lastSeenAtMs: atMs,
      repeatCount: 1,
      acknowledgedBy: null,
      acknowledgedAtMs: null,
      resolvedBy: null,
      resolvedAtMs: null,
    };
    this.alertList.unshift(alert);
    return alert;
  }

  /** Sets a breaker's state, recording the transition. */
  setBreaker(name: string, state: BreakerStateName, failureRate = 0): BreakerView {
    const atMs = this.#clock.nowMs();
    const previous = this.breakers.find((breaker) => breaker.name === name);
    const transitions =
      previous === undefined
        ? []
        : [...previous.recentTransitions, { from: previous.state, to: state, atMs }];
    const breaker: BreakerView = {
      name,
      state,
      recentTransitions: transitions.slice(-10),
      failureRate,
      rejections: state === 'open' ? 12 : 0,
    };
    this.breakers = [...this.breakers.filter((other) => other.name !== name), breaker];
    return breaker;
  }

  #update(
    id: string,
    action: RecordedAction['action'],
    by: string,
    change: (alert: AlertView, atMs: number) => AlertView,
  ): AlertView | undefined {
    const index = this.alertList.findIndex((alert) => alert.id === id);
    const current = this.alertList[index];
    if (current === undefined) return undefined;
    const atMs = this.#clock.nowMs();
    this.alertActions.push({ action, id, by, atMs });
    const next = change(current, atMs);
    this.alertList[index] = next;
    this.emit({ type: 'alert', data: next });
    return next;
  }
}

function filterList<T extends { readonly state: string }>(list: readonly T[], query: ListQuery): T[] {
  return list.filter((item) => query.state === undefined || item.state === query.state).slice(0, query.limit);
}
