// Row mapping and audit-query building for the journal tables.
import { Decimal } from '../../core/decimal.js';
import type { Row, SqlValue } from '../../storage/database.js';
import { type Currency, isCurrency, isQuoteCurrency, type QuoteCurrency } from '../markets.js';
import {
  ORDER_ROLES,
  type OrderExecution,
  type OrderIntent,
  type OrderRole,
  type OrderSide,
  type Protection,
} from './order-intent.js';
import type { OrderState } from './order-state.js';

export interface AuditEvent {
  readonly seq: number;
  readonly orderId: string;
  readonly signalId: string;
  readonly fromState: OrderState | null;
  readonly toState: OrderState;
  readonly cause: string;
  readonly raw: unknown;
  readonly fencingToken: number | null;
  readonly atMs: number;
}

export interface AuditQuery {
  readonly signalId?: string;
  readonly orderId?: string;
  readonly state?: OrderState;
  readonly fromMs?: number;
  readonly toMs?: number;
  readonly limit?: number;
}

export const AUDIT_QUERY_LIMIT_MAX = 10_000;

export function auditQuerySql(query: AuditQuery): { sql: string; params: SqlValue[] } {
  const where: string[] = [];
  const params: SqlValue[] = [];
  const add = (clause: string, value: SqlValue) => {
    where.push(clause);
    params.push(value);
  };
  if (query.signalId !== undefined) add('signal_id = ?', query.signalId);
  if (query.orderId !== undefined) add('order_id = ?', query.orderId);
  if (query.state !== undefined) add('to_state = ?', query.state);
  if (query.fromMs !== undefined) add('at_ms >= ?', query.fromMs);
  if (query.toMs !== undefined) add('at_ms <= ?', query.toMs);
  params.push(Math.min(query.limit ?? 1_000, AUDIT_QUERY_LIMIT_MAX));
  const filter = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
  return { sql: `SELECT * FROM order_events ${filter} ORDER BY seq LIMIT ?`, params };
}

export function fromOrderRow(row: Row): OrderIntent {
  const base = String(row.base);
  const quote = String(row.quote);
  if (!isCurrency(base) || !isQuoteCurrency(quote))
    throw new RangeError(`bad market in journal row ${String(row.id)}`);
  return {
    id: String(row.id),
    signalId: String(row.signal_id),
    clientOrderId: String(row.client_order_id),
    market: { base: base as Currency, quote: quote as QuoteCurrency },
    side: String(row.side) as OrderSide,
    execution: String(row.execution) as OrderExecution,
    amount: new Decimal(String(row.amount)),
    price: row.price === null ? null : new Decimal(String(row.price)),
    state: String(row.state) as OrderState,
    exchangeOrderId: row.exchange_order_id === null ? null : String(row.exchange_order_id),
    filledAmount: new Decimal(String(row.filled_amount)),
    averagePrice: row.average_price === null ? null : new Decimal(String(row.average_price)),
    fee: new Decimal(String(row.fee)),
    submitCount: Number(row.submit_count),
    rejectCode: row.reject_code === null ? null : String(row.reject_code),
    lastError: row.last_error === null ? null : String(row.last_error),
    createdAtMs: Number(row.created_at_ms),
    updatedAtMs: Number(row.updated_at_ms),
    lifetimeMs: row.lifetime_ms === null || row.lifetime_ms === undefined ? null : Number(row.lifetime_ms),
    decisionPrice:
      row.decision_price === null || row.decision_price === undefined
        ? null
        : new Decimal(String(row.decision_price)),
    role: roleOf(row.role),
    parentOrderId: textOrNull(row.parent_order_id),
    stopPrice: decimalOrNull(row.stop_price),
    stopLimitPrice: decimalOrNull(row.stop_limit_price),
    protection:
      row.protection === null || row.protection === undefined
        ? null
        : (JSON.parse(String(row.protection)) as Protection),
  };
}

const textOrNull = (value: unknown): string | null =>
  value === null || value === undefined ? null : String(value);
const decimalOrNull = (value: unknown): Decimal | null =>
  value === null || value === undefined ? null : new Decimal(String(value));

function roleOf(value: unknown): OrderRole {
  if (value === null || value === undefined) return 'entry';
  const role = String(value) as OrderRole;
  if (!ORDER_ROLES.includes(role)) throw new RangeError(`bad order role in journal row, was ${role}`);
  return role;
}

export function fromEventRow(row: Row): AuditEvent {
  return {
    seq: Number(row.seq),
    orderId: String(row.order_id),
    signalId: String(row.signal_id),
    fromState: row.from_state === null ? null : (String(row.from_state) as OrderState),
    toState: String(row.to_state) as OrderState,
    cause: String(row.cause),
    raw: row.raw === null ? null : JSON.parse(String(row.raw)),
    fencingToken: row.fencing_token === null ? null : Number(row.fencing_token),
    atMs: Number(row.at_ms),
  };
}
