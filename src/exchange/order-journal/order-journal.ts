// The order journal: one row per order intent plus an append-only audit trail of every transition.
// Each transition is one transaction: check the edge, update the row, append the event.
import type { Clock } from '../../core/clock.js';
import { systemClock } from '../../core/clock.js';
import { Decimal, formatDecimal } from '../../core/decimal.js';
import { redactDeep } from '../../core/redact.js';
import type { Database, Queryable, Row, SqlValue } from '../../storage/database.js';
import type { WriteFence } from '../../storage/write-fence.js';

export type { WriteFence };

import type { Market } from '../markets.js';
import { journalMigrations } from './journal-migrations.js';
import {
  type AuditEvent,
  type AuditQuery,
  auditQuerySql,
  fromEventRow,
  fromOrderRow,
} from './journal-rows.js';
import type {
  OrderExecution,
  OrderFill,
  OrderIntent,
  OrderRole,
  OrderSide,
  Protection,
} from './order-intent.js';
import { assertTransition, ORDER_STATES, type OrderState, TERMINAL_STATES } from './order-state.js';

export interface PrepareInput {
  readonly id: string;
  readonly signalId: string;
  readonly clientOrderId: string;
  readonly market: Market;
  readonly side: OrderSide;
  readonly execution: OrderExecution;
  readonly amount: Decimal;
  readonly price: Decimal | null;
  readonly cause: string;
  /** How long a resting limit order may stay open (the alert's expiresIn), ms; absent: the default. */
  readonly lifetimeMs?: number;
  /** The market's last price at decision time, the reference for fill slippage; absent: unknown. */
  readonly decisionPrice?: Decimal;
  /** Absent: entry. Protective orders share their entry's signal id. */
  readonly role?: OrderRole;
  readonly parentOrderId?: string;
  readonly stopPrice?: Decimal;
  readonly stopLimitPrice?: Decimal;
  /** An entry's exits, placed once it fills. */
  readonly protection?: Protection;
  /** An OCO stop leg is journaled already placed (its pair's request placed it): its exchange id. */
  readonly exchangeOrderId?: string;
}

export interface TransitionPatch {
  readonly exchangeOrderId?: string;
  /** An OCO: its stop leg's exchange id (the answer's `pairId`), Keel's before the leg is journaled. */
  readonly pairExchangeOrderId?: string;
  readonly filledAmount?: Decimal;
  readonly averagePrice?: Decimal | null;
  readonly fee?: Decimal;
  readonly submitCount?: number;
  readonly rejectCode?: string | null;
  readonly lastError?: string | null;
}

export interface TransitionInput {
  readonly cause: string;
  /** The exchange's raw answer; secrets are removed before it is stored. */
  readonly raw?: unknown;
  readonly patch?: TransitionPatch;
}

export interface OrderJournalOptions {
  readonly db: Database;
  readonly clock?: Clock;
  readonly fence?: WriteFence;
}

/** Ids per lookup statement, below every backend's bound-parameter limit. */
const KNOWN_LOOKUP_CHUNK = 500;

export class OrderJournal {
  static readonly migrations = journalMigrations;
  readonly #db: Database;
  readonly #clock: Clock;
  readonly #fence: WriteFence | undefined;

  constructor(options: OrderJournalOptions) {
    this.#db = options.db;
    this.#clock = options.clock ?? systemClock;
    this.#fence = options.fence;
  }

  /**
   * Creates the PREPARED row, or returns the existing one with this id (one entry per signal; each
   * protective order's id is derived from what it protects, so preparing it again is harmless).
   */
  async prepare(input: PrepareInput): Promise<{ intent: OrderIntent; created: boolean }> {
    return this.#db.transaction(async (tx) => {
      await this.#fence?.check(tx);
      const nowMs = this.#clock.nowMs();
      const { changes } = await tx.execute(
        `INSERT INTO orders (id, signal_id, client_order_id, exchange_order_id, base, quote, side, execution, amount,
           price, state, filled_amount, average_price, fee, submit_count, reject_code, last_error, created_at_ms, updated_at_ms,
           lifetime_ms, decision_price, role, parent_order_id, stop_price, stop_limit_price, protection)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'PREPARED', '0', NULL, '0', 0, NULL, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT DO NOTHING`,
        [
          input.id,
          input.signalId,
          input.clientOrderId,
          input.exchangeOrderId ?? null,
          input.market.base,
          input.market.quote,
          input.side,
          input.execution,
          formatDecimal(input.amount),
          input.price === null ? null : formatDecimal(input.price),
          nowMs,
          nowMs,
          input.lifetimeMs ?? null,
          input.decisionPrice === undefined ? null : formatDecimal(input.decisionPrice),
          input.role ?? 'entry',
          input.parentOrderId ?? null,
          input.stopPrice === undefined ? null : formatDecimal(input.stopPrice),
          input.stopLimitPrice === undefined ? null : formatDecimal(input.stopLimitPrice),
          input.protection === undefined ? null : JSON.stringify(input.protection),
        ],
      );
      // An entry already prepared for this signal wins, whatever id the repeat carries.
      const rows = await tx.query(
        "SELECT * FROM orders WHERE id = ? OR (signal_id = ? AND role = 'entry' AND ? = 'entry') LIMIT 1",
        [input.id, input.signalId, input.role ?? 'entry'],
      );
      if (rows[0] === undefined) throw new RangeError(`order ${input.id} conflicts with another order's ids`);
      const intent = fromOrderRow(rows[0] as Row);
      if (changes === 1) {
        await this.#appendEvent(tx, intent, null, 'PREPARED', input.cause, undefined, nowMs);
        await countState(tx, 'PREPARED', 1);
      }
      return { intent, created: changes === 1 };
    });
  }

  /** Moves an order along one edge of the state table; throws IllegalTransitionError otherwise. */
  async transition(orderId: string, to: OrderState, input: TransitionInput): Promise<OrderIntent> {
    return this.#db.transaction(async (tx) => {
      await this.#fence?.check(tx);
      const current = await this.#load(tx, orderId);
      assertTransition(current.state, to);
      const nowMs = this.#clock.nowMs();
      const next = applyPatch(current, to, input.patch ?? {}, nowMs);
      const { changes } = await tx.execute(
        `UPDATE orders SET state = ?, exchange_order_id = ?,
           pair_exchange_order_id = COALESCE(?, pair_exchange_order_id), filled_amount = ?, average_price = ?,
           fee = ?, submit_count = ?, reject_code = ?, last_error = ?, updated_at_ms = ? WHERE id = ? AND state = ?`,
        [
          next.state,
          next.exchangeOrderId,
          input.patch?.pairExchangeOrderId ?? null,
          formatDecimal(next.filledAmount),
          next.averagePrice === null ? null : formatDecimal(next.averagePrice),
          formatDecimal(next.fee),
          next.submitCount,
          next.rejectCode,
          next.lastError,
          nowMs,
          orderId,
          current.state,
        ],
      );
      await this.#appendEvent(tx, next, current.state, to, input.cause, input.raw, nowMs);
      if (changes === 1 && current.state !== to) {
        await countState(tx, current.state, -1);
        await countState(tx, to, 1);
      }
      return next;
    });
  }

  /** Updates fields without a state change (progress within PARTIALLY_FILLED is a self-edge instead). */
  async annotate(orderId: string, input: TransitionInput): Promise<OrderIntent> {
    return this.#db.transaction(async (tx) => {
      await this.#fence?.check(tx);
      const current = await this.#load(tx, orderId);
      const nowMs = this.#clock.nowMs();
      const next = applyPatch(current, current.state, input.patch ?? {}, nowMs);
      await tx.execute(
        `UPDATE orders SET exchange_order_id = ?, pair_exchange_order_id = COALESCE(?, pair_exchange_order_id),
           submit_count = ?, last_error = ?, updated_at_ms = ? WHERE id = ?`,
        [
          next.exchangeOrderId,
          input.patch?.pairExchangeOrderId ?? null,
          next.submitCount,
          next.lastError,
          nowMs,
          orderId,
        ],
      );
      await this.#appendEvent(tx, next, current.state, current.state, input.cause, input.raw, nowMs);
      return next;
    });
  }

  /** An entry's exits are withdrawn (its position is being closed on purpose): no protection any more. */
  async withdrawProtection(orderId: string, cause: string): Promise<OrderIntent> {
    return this.#db.transaction(async (tx) => {
      await this.#fence?.check(tx);
      const current = await this.#load(tx, orderId);
      const nowMs = this.#clock.nowMs();
      await tx.execute('UPDATE orders SET protection = NULL, updated_at_ms = ? WHERE id = ?', [
        nowMs,
        orderId,
      ]);
      const next: OrderIntent = { ...current, protection: null, updatedAtMs: nowMs };
      await this.#appendEvent(tx, next, current.state, current.state, cause, undefined, nowMs);
      return next;
    });
  }

  /** Records a fill once by its exchange trade id; returns false when it was already recorded. */
  async recordFill(fill: OrderFill): Promise<boolean> {
    return this.#db.transaction(async (tx) => {
      await this.#fence?.check(tx);
      const { changes } = await tx.execute(
        `INSERT INTO order_fills (trade_id, order_id, amount, price, total, fee, fee_currency, at_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
        [
          fill.tradeId,
          fill.orderId,
          formatDecimal(fill.amount),
          formatDecimal(fill.price),
          formatDecimal(fill.total),
          formatDecimal(fill.fee),
          fill.feeCurrency,
          fill.atMs,
        ],
      );
      return changes === 1;
    });
  }

  async fills(orderId: string): Promise<OrderFill[]> {
    const rows = await this.#db.query(
      'SELECT * FROM order_fills WHERE order_id = ? ORDER BY at_ms, trade_id',
      [orderId],
    );
    return rows.map((row) => ({
      tradeId: String(row.trade_id),
      orderId: String(row.order_id),
      amount: new Decimal(String(row.amount)),
      price: new Decimal(String(row.price)),
      total: new Decimal(String(row.total)),
      fee: new Decimal(String(row.fee)),
      feeCurrency: String(row.fee_currency),
      atMs: Number(row.at_ms),
    }));
  }

  async get(orderId: string): Promise<OrderIntent | undefined> {
    const rows = await this.#db.query('SELECT * FROM orders WHERE id = ?', [orderId]);
    return rows[0] === undefined ? undefined : fromOrderRow(rows[0]);
  }

  /** The signal's entry order (its protective orders share the signal id: see protectiveOrders). */
  async getBySignal(signalId: string): Promise<OrderIntent | undefined> {
    const rows = await this.#db.query("SELECT * FROM orders WHERE signal_id = ? AND role = 'entry'", [
      signalId,
    ]);
    return rows[0] === undefined ? undefined : fromOrderRow(rows[0]);
  }

  /** The protective orders placed for an entry, oldest first. */
  async protectiveOrders(entryOrderId: string): Promise<OrderIntent[]> {
    const rows = await this.#db.query(
      'SELECT * FROM orders WHERE parent_order_id = ? ORDER BY created_at_ms, id',
      [entryOrderId],
    );
    return rows.map(fromOrderRow);
  }

  /** Entries asking for protection that filled something, newest first: checked at start-up. */
  async protectedEntries(sinceMs: number, limit = 10_000): Promise<OrderIntent[]> {
    const rows = await this.#db.query(
      `SELECT * FROM orders WHERE role = 'entry' AND protection IS NOT NULL AND filled_amount <> '0'
         AND created_at_ms >= ? ORDER BY created_at_ms DESC, id DESC LIMIT ?`,
      [sinceMs, limit],
    );
    return rows.map(fromOrderRow);
  }

  async getByClientOrderId(clientOrderId: string): Promise<OrderIntent | undefined> {
    const rows = await this.#db.query('SELECT * FROM orders WHERE client_order_id = ?', [clientOrderId]);
    return rows[0] === undefined ? undefined : fromOrderRow(rows[0]);
  }

  /** The order the exchange knows by this id (pushed events name orders so). */
  async getByExchangeOrderId(exchangeOrderId: string): Promise<OrderIntent | undefined> {
    const rows = await this.#db.query('SELECT * FROM orders WHERE exchange_order_id = ?', [exchangeOrderId]);
    return rows[0] === undefined ? undefined : fromOrderRow(rows[0]);
  }

  /** Every order not yet in a terminal state, oldest first: resumed at start-up. */
  async listNonTerminal(limit = 10_000): Promise<OrderIntent[]> {
    // IN over the open states, not NOT IN over the terminal ones: the state index finds the few open
    // orders instead of scanning a year of finished ones.
    const open = ORDER_STATES.filter((state) => !TERMINAL_STATES.has(state));
    const rows = await this.#db.query(
      `SELECT * FROM orders WHERE state IN (${open.map(() => '?').join(', ')}) ORDER BY created_at_ms, id LIMIT ?`,
      [...open, limit],
    );
    return rows.map(fromOrderRow);
  }

  async list(
    query: { state?: OrderState; limit?: number; beforeCreatedAtMs?: number } = {},
  ): Promise<OrderIntent[]> {
    const where: string[] = [];
    const params: SqlValue[] = [];
    if (query.state !== undefined) {
      where.push('state = ?');
      params.push(query.state);
    }
    if (query.beforeCreatedAtMs !== undefined) {
      where.push('created_at_ms < ?');
      params.push(query.beforeCreatedAtMs);
    }
    const sql = `SELECT * FROM orders ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY created_at_ms DESC, id DESC LIMIT ?`;
    const rows = await this.#db.query(sql, [...params, Math.min(query.limit ?? 100, 10_000)]);
    return rows.map(fromOrderRow);
  }

  /** Which of these exchange order ids the journal has a row for. */
  knownExchangeOrderIds(among: readonly string[]): Promise<Set<string>> {
    return this.#knownAmong('exchange_order_id', among);
  }

  /**
   * Which of these exchange order ids are Keel's (to spot orders that are not): those it has a row for,
   * and the stop legs its OCOs' answers named (`pairId`), which are journaled only later.
   */
  async keelExchangeOrderIds(among: readonly string[]): Promise<Set<string>> {
    const known = await this.#knownAmong('exchange_order_id', among);
    for (const id of await this.#knownAmong('pair_exchange_order_id', among)) known.add(id);
    return known;
  }

  /** Which of these clientOrderIds the journal knows. */
  knownClientOrderIds(among: readonly string[]): Promise<Set<string>> {
    return this.#knownAmong('client_order_id', among);
  }

  /** Looks up only the candidates (indexed), never every order of a year. */
  async #knownAmong(
    column: 'exchange_order_id' | 'pair_exchange_order_id' | 'client_order_id',
    among: readonly string[],
  ): Promise<Set<string>> {
    const known = new Set<string>();
    const unique = [...new Set(among)];
    for (let start = 0; start < unique.length; start += KNOWN_LOOKUP_CHUNK) {
      const chunk = unique.slice(start, start + KNOWN_LOOKUP_CHUNK);
      const rows = await this.#db.query(
        `SELECT ${column} AS id FROM orders WHERE ${column} IN (${chunk.map(() => '?').join(', ')})`,
        chunk,
      );
      for (const row of rows) known.add(String(row.id));
    }
    return known;
  }

  /** How many orders are in each state (states with none are absent). */
  async countByState(): Promise<Partial<Record<OrderState, number>>> {
    const rows = await this.#db.query(
      'SELECT state, order_count FROM order_state_counts WHERE order_count > 0',
    );
    return Object.fromEntries(rows.map((row) => [String(row.state), Number(row.order_count)]));
  }

  /** When the latest request for this order left, from the audit trail; undefined if never sent. */
  async lastSentAtMs(orderId: string): Promise<number | undefined> {
    const rows = await this.#db.query(
      "SELECT MAX(at_ms) AS at_ms FROM order_events WHERE order_id = ? AND to_state = 'SUBMITTING'",
      [orderId],
    );
    const value = rows[0]?.at_ms;
    return value === null || value === undefined ? undefined : Number(value);
  }

  /** The audit trail, queryable by signal, order, state and time. */
  async audit(query: AuditQuery = {}): Promise<AuditEvent[]> {
    const { sql, params } = auditQuerySql(query);
    const rows = await this.#db.query(sql, params);
    return rows.map(fromEventRow);
  }

  async #load(tx: Queryable, orderId: string): Promise<OrderIntent> {
    const rows = await tx.query('SELECT * FROM orders WHERE id = ?', [orderId]);
    if (rows[0] === undefined) throw new RangeError(`unknown order ${orderId}`);
    return fromOrderRow(rows[0]);
  }

  async #appendEvent(
    tx: Queryable,
    intent: OrderIntent,
    from: OrderState | null,
    to: OrderState,
    cause: string,
    raw: unknown,
    atMs: number,
  ): Promise<void> {
    await tx.execute(
      `INSERT INTO order_events (order_id, signal_id, from_state, to_state, cause, raw, fencing_token, at_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        intent.id,
        intent.signalId,
        from,
        to,
        cause,
        raw === undefined ? null : JSON.stringify(redactDeep(raw)),
        this.#fence?.token ?? null,
        atMs,
      ],
    );
  }
}

/** Adds `delta` to the state's order count, inside the transition's transaction. */
async function countState(tx: Queryable, state: OrderState, delta: 1 | -1): Promise<void> {
  await tx.execute(
    `INSERT INTO order_state_counts (state, order_count) VALUES (?, ?)
     ON CONFLICT (state) DO UPDATE SET order_count = order_state_counts.order_count + excluded.order_count`,
    [state, delta],
  );
}

function applyPatch(
  current: OrderIntent,
  state: OrderState,
  patch: TransitionPatch,
  nowMs: number,
): OrderIntent {
  return {
    ...current,
    state,
    exchangeOrderId: patch.exchangeOrderId ?? current.exchangeOrderId,
    filledAmount: patch.filledAmount ?? current.filledAmount,
    averagePrice: patch.averagePrice === undefined ? current.averagePrice : patch.averagePrice,
    fee: patch.fee ?? current.fee,
    submitCount: patch.submitCount ?? current.submitCount,
    rejectCode: patch.rejectCode === undefined ? current.rejectCode : patch.rejectCode,
    lastError: patch.lastError === undefined ? current.lastError : patch.lastError,
    updatedAtMs: nowMs,
  };
}
