// Raises, de-duplicates, acknowledges and resolves alerts; persists their history; hands changes to the
// notifier, which decides when each channel hears about them.
import { randomUUID } from 'node:crypto';
import { type Clock, systemClock } from '../../core/clock.js';
import type { Disposable } from '../../core/events.js';
import { EventEmitter } from '../../core/events.js';
import { redactDeep } from '../../core/redact.js';
import { type Logger, silentLogger } from '../../logging/logger.js';
import type { Database, Queryable } from '../../storage/database.js';
import { type Alert, type AlertInput, newFiringAlert, type Severity } from './alert.js';
import { type AlertSearch, AlertStore } from './alert-store.js';
import type { ChannelDispatcher } from './channel.js';
import { LiveAlerts } from './live-alerts.js';
import { Notifier, type NotifierTiming } from './notifier.js';

export interface AlertManagerOptions extends NotifierTiming {
  readonly db: Database;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Repeats of a key within this window count as the same alert, ms. */
  readonly dedupWindowMs: number;
  readonly dispatchers: readonly ChannelDispatcher[];
  readonly routes: Readonly<Record<Severity, readonly string[]>>;
  readonly escalation?: { readonly afterMs: number; readonly channel: string };
  /** Secret values to scrub from alert details, besides secret-looking keys. */
  readonly secrets?: readonly string[];
}

export class AlertNotFoundError extends RangeError {}

/** Open alerts kept in memory at most; older ones are still in storage. */
export const OPEN_ALERTS_MAX = 10_000;

export class AlertManager {
  readonly store: AlertStore;
  readonly #db: Database;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #options: AlertManagerOptions;
  readonly #live = new LiveAlerts(OPEN_ALERTS_MAX);
  readonly #notifier: Notifier;
  readonly #dispatchers: readonly ChannelDispatcher[];
  readonly #subscriptions: Disposable[] = [];
  readonly #alertEmitter = new EventEmitter<Alert>();
  readonly onAlert = this.#alertEmitter.addListener;

  private constructor(options: AlertManagerOptions) {
    this.#options = options;
    this.#db = options.db;
    this.store = new AlertStore(options.db);
    this.#clock = options.clock ?? systemClock;
    this.#logger = (options.logger ?? silentLogger).child({ component: 'alerts' });
    this.#dispatchers = options.dispatchers;
    const byName = new Map(options.dispatchers.map((dispatcher) => [dispatcher.channel.name, dispatcher]));
    for (const names of Object.values(options.routes))
      for (const name of names)
        if (!byName.has(name)) throw new RangeError(`route names unknown channel ${name}`);
    if (options.escalation !== undefined && !byName.has(options.escalation.channel))
      throw new RangeError(`escalation names unknown channel ${options.escalation.channel}`);
    this.#notifier = new Notifier({
      ...options,
      clock: this.#clock,
      dispatchers: byName,
      groupAlerts: (group) => this.#live.group(group),
      groupSeverities: (group) => this.#live.severities(group),
      currentAlert: (id) => this.#live.get(id),
    });
    for (const dispatcher of options.dispatchers)
      this.#subscriptions.push(
        dispatcher.onOutcome((outcome) => {
          void this.store
            .recordDelivery({
              alertIds: outcome.notification.alerts.map((alert) => alert.id),
              channel: outcome.channel,
              reason: outcome.notification.reason,
              outcome: outcome.outcome,
              error: outcome.error,
              atMs: this.#clock.nowMs(),
            })
            .catch((error: unknown) =>
              this.#logger.error({ err: error }, 'could not record an alert delivery'),
            );
        }),
      );
  }

  static async open(options: AlertManagerOptions): Promise<AlertManager> {
    const manager = new AlertManager(options);
    for (const state of ['firing', 'acknowledged'] as const)
      for (const alert of await manager.store.search({ state, limit: 1_000 })) manager.#live.set(alert);
    return manager;
  }

  async raise(input: AlertInput): Promise<Alert> {
    const tell = await this.#db.transaction((tx) => this.raiseIn(tx, input));
    return tell();
  }

  /**
   * raise() inside the caller's transaction, which must be one on this manager's database: the alert
   * commits with the caller's writes. Call the returned function once that commit is durable (never
   * after a rollback): it tells of the alert (log, notifications, listeners).
   */
  async raiseIn(tx: Queryable, input: AlertInput): Promise<() => Alert> {
    const nowMs = this.#clock.nowMs();
    const details = redactDeep(input.details ?? {}, this.#options.secrets ?? []) as Record<string, unknown>;
    const alert = await this.#write(tx, input, details, nowMs);
    return () => {
      this.#logger[input.severity === 'critical' || input.severity === 'error' ? 'error' : 'warn'](
        { alertId: alert.id, severity: alert.severity, source: alert.source, key: alert.key },
        alert.title,
      );
      this.#track(alert);
      return alert;
    };
  }

  /** The alert's rows: a repeat of an open alert of its key, or a new one (superseding a stale one). */
  async #write(
    tx: Queryable,
    input: AlertInput,
    details: Record<string, unknown>,
    nowMs: number,
  ): Promise<Alert> {
    const open = await this.store.findOpenByKey(tx, input.key);
    if (open !== undefined && nowMs - open.lastSeenAtMs <= this.#options.dedupWindowMs) {
      const repeated: Alert = { ...open, lastSeenAtMs: nowMs, repeatCount: open.repeatCount + 1, details };
      await this.store.save(tx, repeated);
      return repeated;
    }
    if (open !== undefined)
      await this.store.save(tx, {
        ...open,
        state: 'resolved',
        resolvedBy: 'superseded',
        resolvedAtMs: nowMs,
      });
    const created = newFiringAlert(
      {
        id: `alrt-${randomUUID()}`,
        key: input.key,
        severity: input.severity,
        source: input.source,
        group: input.group ?? input.source,
        title: input.title,
        details,
      },
      nowMs,
    );
    await this.store.insert(tx, created); // a fresh id: nothing to update
    return created;
  }

  async acknowledge(id: string, by: string): Promise<Alert> {
    return this.#update(id, (alert) =>
      alert.state === 'firing'
        ? { ...alert, state: 'acknowledged', acknowledgedBy: by, acknowledgedAtMs: this.#clock.nowMs() }
        : alert,
    );
  }

  async resolve(id: string, by: string): Promise<Alert> {
    return this.#update(id, (alert) =>
      alert.state === 'resolved'
        ? alert
        : { ...alert, state: 'resolved', resolvedBy: by, resolvedAtMs: this.#clock.nowMs() },
    );
  }

  /** Resolves the open alert with this key, if any (a component saying "fixed"). */
  async resolveKey(key: string, by: string): Promise<Alert | undefined> {
    const open = this.#live.openByKey(key);
    return open === undefined ? undefined : this.resolve(open.id, by);
  }

  openAlerts(): Alert[] {
    return [...this.#live.values()].filter((alert) => alert.state !== 'resolved');
  }

  search(search: AlertSearch): Promise<Alert[]> {
    return this.store.search(search);
  }

  async stop(): Promise<void> {
    this.#notifier.stop();
    await Promise.all(this.#dispatchers.map((dispatcher) => dispatcher.flush()));
    for (const subscription of this.#subscriptions) subscription.dispose();
  }

  async #update(id: string, change: (alert: Alert) => Alert): Promise<Alert> {
    const updated = await this.#db.transaction(async (tx) => {
      const current = await this.store.get(id, tx);
      if (current === undefined) throw new AlertNotFoundError(`no alert ${id}`);
      const next = change(current);
      if (next !== current) await this.store.save(tx, next);
      return next;
    });
    this.#track(updated);
    return updated;
  }

  #track(alert: Alert): void {
    this.#live.set(alert);
    this.#notifier.changed(alert);
    this.#alertEmitter.emit(alert);
    this.#forgetResolved();
  }

  /** Resolved alerts stay in memory one repeat interval, so their resolution is notified, then leave. */
  #forgetResolved(): void {
    this.#live.forget(
      this.#clock.nowMs() - Math.max(this.#options.repeatIntervalMs, this.#options.groupIntervalMs) * 2,
    );
  }
}
