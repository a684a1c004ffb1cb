// What raises an alert, and what halts trading. Components only emit events; these rules decide.
import type { MessageBus } from '../bus/index.js';
import type { Clock, TimerHandle } from '../core/clock.js';
import type { Disposable } from '../core/events.js';
import type { Engine } from '../engine/engine.js';
import type { HaltedDoor } from '../engine/halted-door.js';
import { ENGINE_MODES, type KillSwitch } from '../engine/kill-switch.js';
import type { EnhancedNobitexAdapter } from '../exchange/enhanced-nobitex-adapter/enhanced-nobitex-adapter.js';
import { isTerminal } from '../exchange/order-journal/order-state.js';
import { STALE_CODE } from '../exchange/transaction-verification/send-guard.js';
import type { TransactionVerifier } from '../exchange/transaction-verification/transaction-verifier.js';
import type { Logger } from '../logging/logger.js';
import type { AlertInput } from '../monitoring/alert-system/alert.js';
import type { AlertManager } from '../monitoring/alert-system/alert-manager.js';
import type { Metrics } from '../monitoring/metrics.js';
import type { Reconciler } from '../position/reconciliation.js';
import type { Queryable } from '../storage/database.js';

export interface AlertRulesOptions {
  readonly alerts: AlertManager;
  readonly killSwitch: KillSwitch;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Halt when the orders circuit has stayed open this long, ms. */
  readonly haltAfterExchangeFailureMs: number;
  readonly haltOnBreach: boolean;
}

/** Signal ids an alert of refusals at the door lists at most (the rest: `GET /api/signals`). */
const DOOR_ALERT_IDS_MAX = 20;

export class AlertRules {
  #ordersOpenTimer: TimerHandle | undefined;

  constructor(private readonly o: AlertRulesOptions) {}

  raise(input: AlertInput): void {
    this.o.metrics.alerts.inc({ severity: input.severity });
    void this.o.alerts
      .raise(input)
      .catch((error: unknown) => this.o.logger.error({ err: error }, 'could not raise an alert'));
  }

  /**
   * raise() inside `tx`, told (counted, logged, notified) by the returned function once the caller's
   * commit is durable; without `tx`, raised at once in a transaction of its own and counted when told.
   */
  async #raiseIn(tx: Queryable | undefined, input: AlertInput): Promise<() => void> {
    const count = () => this.o.metrics.alerts.inc({ severity: input.severity });
    if (tx === undefined) {
      await this.o.alerts.raise(input);
      return count;
    }
    const tell = await this.o.alerts.raiseIn(tx, input);
    return () => {
      count();
      tell();
    };
  }

  resolve(key: string): void {
    void this.o.alerts
      .resolveKey(key, 'keel')
      .catch((error: unknown) => this.o.logger.error({ err: error }, 'could not resolve an alert'));
  }

  watchAdapter(
    adapter: Pick<EnhancedNobitexAdapter, 'onBreakerStateChange' | 'onRateLimitPenalty' | 'onCall'>,
  ): void {
    adapter.onBreakerStateChange((change) => {
      const key = `breaker.${change.group}`;
      if (change.to === 'open')
        this.raise({
          severity: change.group === 'orders' ? 'critical' : 'error',
          source: 'exchange',
          key,
          title: `${change.group} circuit open: exchange failing`,
          details: { group: change.group, reason: change.reason },
        });
      if (change.to === 'closed') this.resolve(key);
      if (change.group === 'orders') this.#watchSustainedFailure(change.to);
    });
    adapter.onCall((call) => {
      if (call.outcome === 'auth') this.#haltOnRefusedCredentials(call.endpoint);
    });
    adapter.onRateLimitPenalty((penalty) =>
      this.raise({
        severity: 'warning',
        source: 'exchange',
        key: `rate-limit.${penalty.key}`,
        title: `exchange asked to back off ${Math.round(penalty.backOffMs / 1_000)} s on ${penalty.key}`,
        details: { budget: penalty.key, backOffMs: penalty.backOffMs },
      }),
    );
  }

  watchVerifier(verifier: TransactionVerifier): void {
    verifier.onTransition(({ intent, to }) => {
      const key = `order.unknown.${intent.id}`;
      if (to === 'UNKNOWN')
        this.raise({
          severity: 'warning',
          source: 'verification',
          key,
          title: `order ${intent.clientOrderId} outcome unknown: asking the exchange`,
          details: { orderId: intent.id, signalId: intent.signalId },
        });
      if (isTerminal(to) || to === 'ACCEPTED') this.resolve(key);
    });
    // Fills the ledger cannot book: stays until a person acknowledges it (never resolved here).
    verifier.onFillsIncomplete(({ intent, exchangeOrderId, missing, waitedMs }) =>
      this.raise({
        severity: 'error',
        source: 'verification',
        key: `order.fillsIncomplete.${intent.id}`,
        title: `order ${intent.clientOrderId} (exchange ${exchangeOrderId}) filled ${missing.toFixed()} ${intent.market.base} that no trade accounts for`,
        details: {
          orderId: intent.id,
          signalId: intent.signalId,
          exchangeOrderId,
          missing: missing.toFixed(),
          waitedMs,
        },
      }),
    );
    // Not resolved when the order later ends: a person should see that it was stuck.
    verifier.onOverdue(({ intent, unresolvedForMs }) =>
      this.raise({
        severity: 'critical',
        source: 'verification',
        key: `order.overdue.${intent.id}`,
        title: `order ${intent.clientOrderId} unresolved for ${Math.round(unresolvedForMs / 1_000)} s (${intent.state}): check the exchange; if it is not there, \`keel orders end ${intent.id}\``,
        details: { orderId: intent.id, signalId: intent.signalId, state: intent.state, unresolvedForMs },
      }),
    );
  }

  /**
   * One engine per trading term: the returned disposable ends the watch when the term ends. Every
   * signal that ends without a trade (refused, rejected, expired, stale, quarantined) raises an error
   * alert that nothing resolves automatically: it stays until a person acknowledges it. The alert
   * commits with the signal's end where that end is a transaction of the engine's (a refusal).
   */
  watchEngine(engine: Pick<Engine, 'recordOutcomes'> & Partial<Pick<Engine, 'protection'>>): Disposable {
    const protection = engine.protection?.onUnprotected(({ entry, reason }) =>
      this.raise({
        severity: 'critical',
        source: 'engine',
        key: `protection.unprotected.${entry.id}`,
        title: `position of signal ${entry.signalId} (${entry.market.base}) is UNPROTECTED on the exchange: ${reason}`,
        details: { orderId: entry.id, signalId: entry.signalId, reason },
      }),
    );
    const outcomes = engine.recordOutcomes(async (outcome, tx) => {
      if (outcome.state === 'executed') return () => undefined;
      const quarantined = outcome.state === 'quarantined';
      const stale = outcome.state === 'rejected' && outcome.code === STALE_CODE;
      return this.#raiseIn(tx, {
        severity: 'error',
        source: 'engine',
        key: `signal.${outcome.state}.${outcome.signalId}`,
        title: quarantined
          ? `signal ${outcome.signalId} quarantined after repeated failures`
          : stale
            ? `signal ${outcome.signalId} not traded: older than its maximum age`
            : `signal ${outcome.signalId} ended without a trade: ${outcome.code ?? outcome.message ?? 'rejected'}`,
        details: {
          signalId: outcome.signalId,
          code: outcome.code ?? null,
          orderId: outcome.orderId ?? null,
          error: outcome.message ?? null,
        },
      });
    });
    return {
      dispose: () => {
        protection?.dispose();
        outcomes.dispose();
      },
    };
  }

  /**
   * Signals refused at the door while HALTED (they never reach the engine): one alert for each commit's
   * refusals, all under one key, so a burst of alerts during a halt is one alert that repeats (with
   * the latest commit's signal ids), not one alert per signal. Like every signal that ends without a
   * trade, nothing resolves it automatically. It commits with the refusals.
   */
  watchDoor(door: Pick<HaltedDoor, 'recordRefusals'>): Disposable {
    return door.recordRefusals((refusal, tx) =>
      this.#raiseIn(tx, {
        severity: 'error',
        source: 'engine',
        key: `signal.rejected.${refusal.code}`,
        title: `signals refused as they arrived: ${refusal.message}`,
        details: {
          code: refusal.code,
          signals: refusal.signalIds.length,
          signalIds: refusal.signalIds.slice(0, DOOR_ALERT_IDS_MAX),
          signalIdsNotListed: Math.max(0, refusal.signalIds.length - DOOR_ALERT_IDS_MAX),
        },
      }),
    );
  }

  watchBus(bus: MessageBus): void {
    bus.onQuarantine(({ message }) =>
      this.raise({
        severity: 'error',
        source: 'bus',
        key: `bus.quarantined.${message.id}`,
        title: `message ${message.id} quarantined on ${message.topic}`,
        details: { messageId: message.id, topic: message.topic },
      }),
    );
    this.o.killSwitch.onChange((change) => {
      // The mode left behind is over: its alert resolves, so the next HALT is a new alert with its own title.
      for (const mode of ENGINE_MODES) if (mode !== change.to) this.resolve(`engine.mode.${mode}`);
      if (change.to === 'RUNNING') return;
      this.raise({
        severity: change.to === 'HALTED' ? 'critical' : 'warning',
        source: 'engine',
        key: `engine.mode.${change.to}`,
        title: `engine ${change.to} (${change.source}: ${change.reason})`,
        details: { from: change.from, to: change.to, by: change.by, source: change.source },
      });
    });
  }

  watchReconciler(reconciler: Reconciler): void {
    reconciler.onCorrected(({ runId, row }) =>
      this.raise({
        severity: 'info',
        source: 'reconciliation',
        key: `reconciliation.corrected.${row.asset}`,
        title: `ledger corrected for ${row.asset} within tolerance`,
        details: { runId, asset: row.asset },
      }),
    );
    reconciler.onBreach(({ runId, rows }) => {
      this.raise({
        severity: 'critical',
        source: 'reconciliation',
        key: 'reconciliation.breach',
        title: `ledger differs from the exchange beyond tolerance: ${rows.map((row) => row.asset).join(', ')}`,
        details: { runId, assets: rows.map((row) => row.asset) },
      });
      if (this.o.haltOnBreach)
        void this.o.killSwitch
          .set('HALTED', { source: 'reconciliation', by: 'reconciler', reason: `breach in run ${runId}` })
          .catch((error: unknown) => this.o.logger.error({ err: error }, 'could not halt'));
    });
    reconciler.onUnknownOrders(({ orders }) =>
      this.raise({
        severity: 'warning',
        source: 'reconciliation',
        key: 'reconciliation.unknown-orders',
        title: `${orders.length} open order(s) on the exchange unknown to the journal (not adopted)`,
        details: { count: orders.length },
      }),
    );
    reconciler.onError(({ error }) =>
      this.raise({
        severity: 'warning',
        source: 'reconciliation',
        key: 'reconciliation.error',
        title: 'reconciliation could not run',
        details: { error: error instanceof Error ? error.message : String(error) },
      }),
    );
  }

  /**
   * The exchange refused Keel's credentials (401, or 403 without rate-limit signs). Every further
   * private call counts toward Nobitex's IP block, so trading halts at once and a person is told;
   * the breaker (which counts auth failures) keeps the remaining lookups to a trickle of probes.
   */
  #haltOnRefusedCredentials(endpoint: string): void {
    this.raise({
      severity: 'critical',
      source: 'exchange',
      key: 'exchange.credentials-refused',
      title: 'the exchange refused the API credentials: trading halted (renew the token or key, then resume)',
      details: { endpoint },
    });
    if (this.o.killSwitch.mode === 'HALTED') return;
    void this.o.killSwitch
      .set('HALTED', {
        source: 'exchange-failure',
        by: 'keel',
        reason: `the exchange refused the credentials on ${endpoint}`,
      })
      .catch((error: unknown) => this.o.logger.error({ err: error }, 'could not halt'));
  }

  stop(): void {
    if (this.#ordersOpenTimer !== undefined) this.o.clock.clearTimeout(this.#ordersOpenTimer);
  }

  /** The orders circuit open for haltAfterExchangeFailureMs without closing: halt. */
  #watchSustainedFailure(state: string): void {
    if (state === 'closed' && this.#ordersOpenTimer !== undefined) {
      this.o.clock.clearTimeout(this.#ordersOpenTimer);
      this.#ordersOpenTimer = undefined;
    }
    if (state !== 'open' || this.#ordersOpenTimer !== undefined) return;
    this.#ordersOpenTimer = this.o.clock.setTimeout(() => {
      this.#ordersOpenTimer = undefined;
      void this.o.killSwitch
        .set('HALTED', { source: 'exchange-failure', by: 'keel', reason: 'the exchange kept failing orders' })
        .catch((error: unknown) => this.o.logger.error({ err: error }, 'could not halt'));
    }, this.o.haltAfterExchangeFailureMs);
  }
}
