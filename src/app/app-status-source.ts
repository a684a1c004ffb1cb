// The dashboard's and API's view of a running Keel: plain JSON, decimals as strings.

import type { MessageBus } from '../bus/index.js';
import type { Clock } from '../core/clock.js';
import { formatDecimal } from '../core/decimal.js';
import type { EngineMode, KillSwitch } from '../engine/kill-switch.js';
import { toSymbol } from '../exchange/markets.js';
import type { OrderIntent } from '../exchange/order-journal/order-intent.js';
import type { OrderJournal } from '../exchange/order-journal/order-journal.js';
import type { OrderState } from '../exchange/order-journal/order-state.js';
import type { SignalState, SignalStore } from '../market-data/signal-store.js';
import type { AlertManager } from '../monitoring/alert-system/alert-manager.js';
import type {
  AlertQuery,
  AnomalyFlagView,
  BreakerStateName,
  EngineModeView,
  FillStreamView,
  LedgerView,
  ListQuery,
  OrderPhase,
  OrderView,
  SignalView,
  StatusSnapshot,
  StatusSource,
} from '../monitoring/api/status-source.js';
import type { HealthRegistry } from '../monitoring/health-registry.js';
import type { Ledger } from '../position/ledger.js';
import type { Reconciler } from '../position/reconciliation.js';
import type { Bulkheads } from './bulkheads.js';
import type { ExchangeStack } from './exchange-stack.js';
import { ledgerViewOf } from './ledger-view.js';
import type { Telemetry } from './telemetry.js';

export interface AppStatusSourceOptions {
  readonly instance: {
    id: string;
    startedAtMs: number;
    version: string;
    mode: 'paper' | 'live';
    leader?: () => boolean;
  };
  /** The lease holder's instance id (read from the lease store), shown beside `leader`. */
  readonly leaderId?: () => Promise<string | null>;
  readonly clock: Clock;
  readonly exchange: ExchangeStack;
  readonly journal: OrderJournal;
  readonly signals: SignalStore;
  readonly ledger: Ledger;
  readonly reconciler: Reconciler;
  readonly alerts: AlertManager;
  readonly killSwitch: KillSwitch;
  readonly health: HealthRegistry;
  readonly bus: MessageBus;
  readonly telemetry: Telemetry;
  /** Every bulkhead's running and queued calls (status `bulkheads`). */
  readonly bulkheads?: Bulkheads;
  /** The WebSocket pushing fills, when enabled. */
  readonly fillStream?: { status(): FillStreamView };
  /** Flags shown beside the ledger. */
  readonly anomalies?: { recentFlags(limit: number): Promise<readonly AnomalyFlagView[]> };
}

/** Anomaly flags listed beside the ledger. */
const ANOMALY_FLAGS_SHOWN = 10;

const PHASES: Record<OrderState, OrderPhase> = {
  PREPARED: 'prepare',
  SUBMITTING: 'execute',
  UNKNOWN: 'verify',
  ACCEPTED: 'verify',
  PARTIALLY_FILLED: 'verify',
  FILLED: 'done',
  CANCELLED: 'done',
  REJECTED: 'done',
  EXPIRED: 'done',
};

export class AppStatusSource implements StatusSource {
  readonly events: StatusSource['events'];

  constructor(private readonly o: AppStatusSourceOptions) {
    this.events = o.telemetry.events;
  }

  async status(): Promise<StatusSnapshot> {
    const [adapterStats, health, busStats, counts, leaderId] = await Promise.all([
      this.o.exchange.adapter.stats(),
      this.o.health.report(),
      this.o.bus.stats(),
      this.o.journal.countByState(),
      this.o.leaderId?.().catch(() => null),
    ]);
    const pool = this.o.exchange.pool.stats();
    const verification = this.o.telemetry.verification();
    const signalsTopic = busStats.topics.signals;
    const { leader, ...instance } = this.o.instance;
    return {
      atMs: this.o.clock.nowMs(),
      instance: {
        ...instance,
        ...(leader === undefined ? {} : { leader: leader() }),
        // Not yet in InstanceView: an extra field the dashboard and API pass through as JSON.
        ...(leaderId === undefined ? {} : { leaderId }),
      },
      engineMode: this.#modeView(),
      ...(this.o.bulkheads === undefined ? {} : { bulkheads: this.o.bulkheads.views() }),
      health: {
        status: health.status,
        checks: health.checks.map((check) => ({
          name: check.name,
          component: check.component,
          status: check.status,
          reason: check.reason ?? null,
        })),
      },
      breakers: Object.entries(adapterStats.breakers).map(([name, metrics]) => ({
        name,
        state: metrics.state as BreakerStateName,
        recentTransitions: this.o.telemetry.breakerTransitions(name),
        failureRate: metrics.failureRate,
        rejections: metrics.rejections,
      })),
      pool: {
        hosts: pool.hosts.map((host) => ({
          origin: `${host.baseUrl} (${host.group})`,
          connected: host.connected,
          free: host.free,
          pending: host.pending,
          queued: host.queued,
          running: host.running,
          size: host.connected + host.pending,
        })),
        endpoints: pool.endpoints.map((endpoint) => ({
          baseUrl: endpoint.baseUrl,
          healthy: endpoint.state === 'up',
          latencyEwmaMs: endpoint.latencyEwmaMs ?? 0,
          errorRate: endpoint.errorRateEwma,
          drained: endpoint.drained,
        })),
        predictiveActions: (pool.predictiveActions ?? []).map(({ trend, ...action }) => ({
          ...action,
          latencyNowMs: Math.round(trend.latencyNowMs),
          slopeMsPerS: Math.round(trend.slopeMsPerS),
          forecastMs: Math.round(trend.forecastMs),
          horizonMs: trend.horizonMs,
          errorShare: trend.errorShare,
        })),
      },
      rateLimits: adapterStats.rateLimits.map((snapshot) => ({
        budget: snapshot.key,
        windows: snapshot.windows.map((window) => ({
          limit: window.limit,
          windowMs: window.windowMs,
          used: window.used,
          remaining: window.remaining,
        })),
        penaltyUntilMs: snapshot.penaltyUntilMs > this.o.clock.nowMs() ? snapshot.penaltyUntilMs : null,
      })),
      verification: {
        successRate: verification.successRate,
        byState: counts,
        durations: { p50Ms: verification.p50Ms, p99Ms: verification.p99Ms },
      },
      ...(this.o.fillStream === undefined ? {} : { fillStream: this.o.fillStream.status() }),
      bus: {
        depth: (signalsTopic?.depth.pending ?? 0) + (signalsTopic?.depth.processing ?? 0),
        lagMs: signalsTopic?.lagMs ?? 0,
      },
    };
  }

  async orders(query: ListQuery): Promise<readonly OrderView[]> {
    const orders = await this.o.journal.list({
      limit: query.limit,
      ...(query.state === undefined ? {} : { state: query.state as OrderState }),
    });
    return orders.map(orderView);
  }

  async signals(query: ListQuery): Promise<readonly SignalView[]> {
    const signals = await this.o.signals.list({
      limit: query.limit,
      ...(query.state === undefined ? {} : { state: query.state as SignalState }),
    });
    return signals.map((stored) => ({
      id: stored.id,
      market: stored.signal.symbol,
      side: stored.signal.side ?? 'buy',
      state: stored.state,
      receivedAtMs: stored.receivedAtMs,
      reason: stored.lastError ?? null,
    }));
  }

  async ledger(): Promise<LedgerView> {
    return {
      ...ledgerViewOf(this.o.ledger, await this.o.reconciler.lastCompared()),
      ...(this.o.anomalies === undefined
        ? {}
        : { anomalies: await this.o.anomalies.recentFlags(ANOMALY_FLAGS_SHOWN) }),
    };
  }

  alerts(query: AlertQuery) {
    return this.o.alerts.search(query);
  }

  async acknowledgeAlert(id: string, by: string) {
    return (await this.o.alerts.store.get(id)) === undefined ? undefined : this.o.alerts.acknowledge(id, by);
  }

  async resolveAlert(id: string, by: string) {
    return (await this.o.alerts.store.get(id)) === undefined ? undefined : this.o.alerts.resolve(id, by);
  }

  async setEngineMode(mode: EngineMode, by: string, reason: string): Promise<EngineModeView> {
    await this.o.killSwitch.set(mode, { source: 'operator', by, reason });
    if (this.o.killSwitch.mode !== 'HALTED' && (await this.o.reconciler.hasUnacknowledgedBreach())) {
      const breach = await this.o.reconciler.unacknowledgedBreach();
      if (breach !== undefined) await this.o.reconciler.acknowledgeBreach({ runId: breach.runId, by });
    }
    return this.#modeView();
  }

  async timeseries() {
    return this.o.telemetry.timeseries();
  }

  #modeView(): EngineModeView {
    const last = this.o.killSwitch.lastChange;
    return {
      mode: this.o.killSwitch.mode,
      changedBy: last?.by ?? null,
      reason: last?.reason ?? null,
      changedAtMs: last?.atMs ?? null,
    };
  }
}

export function orderView(order: OrderIntent): OrderView {
  return {
    id: order.id,
    signalId: order.signalId,
    clientOrderId: order.clientOrderId,
    exchangeOrderId: order.exchangeOrderId,
    market: toSymbol(order.market),
    side: order.side,
    execution: order.execution,
    state: order.state,
    amount: formatDecimal(order.amount),
    filledAmount: formatDecimal(order.filledAmount),
    averagePrice: order.averagePrice === null ? null : formatDecimal(order.averagePrice),
    createdAtMs: order.createdAtMs,
    updatedAtMs: order.updatedAtMs,
    phase: PHASES[order.state],
  };
}
