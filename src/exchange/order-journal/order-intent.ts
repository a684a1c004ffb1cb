// What the journal knows about one order: the intent, its state, and what the exchange said.
import { createHash } from 'node:crypto';
import { assert } from '../../core/assert.js';
import type { Decimal } from '../../core/decimal.js';
import type { Market } from '../markets.js';
import type { OrderState } from './order-state.js';

export type OrderSide = 'buy' | 'sell';
export type OrderExecution = 'limit' | 'market' | 'stop_limit' | 'stop_market';

/**
 * What an order is for. entry: the signal's own order. stop_loss, take_profit: a protective exit for
 * the entry's fills. oco: both at once (the take-profit limit leg, which places the pair); oco_stop:
 * the OCO's stop leg, placed by its pair's request and never sent on its own.
 */
export type OrderRole = 'entry' | 'stop_loss' | 'take_profit' | 'oco' | 'oco_stop';
export const ORDER_ROLES: readonly OrderRole[] = ['entry', 'stop_loss', 'take_profit', 'oco', 'oco_stop'];

/** A protective level: an absolute price, or a percentage away from the entry's average fill price. */
export type ProtectLevel = { readonly price: string } | { readonly percent: string };

/** The exits an entry asks for once it fills. */
export interface Protection {
  readonly stopLoss?: ProtectLevel;
  readonly takeProfit?: ProtectLevel;
  /** An OCO's stop-leg sell price, or `percent` below the stop; default engine.ocoStopLimitPercent. */
  readonly stopLimitPrice?: ProtectLevel;
}

export interface OrderIntent {
  readonly id: string;
  readonly signalId: string;
  /** Deterministic from the signal id, so a resend after a crash carries the same one. */
  readonly clientOrderId: string;
  readonly market: Market;
  readonly side: OrderSide;
  readonly execution: OrderExecution;
  /** Base currency amount. */
  readonly amount: Decimal;
  /** Limit price, or the slippage bound of a market order; null for an unbounded market order. */
  readonly price: Decimal | null;
  readonly state: OrderState;
  readonly exchangeOrderId: string | null;
  readonly filledAmount: Decimal;
  readonly averagePrice: Decimal | null;
  readonly fee: Decimal;
  /** How many times a request to place this order left the process (at most attemptsMax). */
  readonly submitCount: number;
  readonly rejectCode: string | null;
  readonly lastError: string | null;
  readonly createdAtMs: number;
  readonly updatedAtMs: number;
  /** Lifetime of a resting limit order from its alert's expiresIn, ms; null: the configured default;
   * GOOD_TILL_CANCELLED (0): no lifetime. */
  readonly lifetimeMs: number | null;
  /** The market's last price when the order was decided (the quote slippage is measured against);
   * null for orders journaled before it was recorded. */
  readonly decisionPrice: Decimal | null;
  readonly role: OrderRole;
  /** Protective orders: the entry order they protect. */
  readonly parentOrderId: string | null;
  /** Stop orders and OCO: the trigger price. */
  readonly stopPrice: Decimal | null;
  /** OCO: the limit price of the stop leg. */
  readonly stopLimitPrice: Decimal | null;
  /** Entries: the exits to place once it fills; null when none. */
  readonly protection: Protection | null;
}

export interface OrderFill {
  readonly tradeId: string;
  readonly orderId: string;
  readonly amount: Decimal;
  readonly price: Decimal;
  /** Quote currency amount. */
  readonly total: Decimal;
  readonly fee: Decimal;
  readonly feeCurrency: string;
  readonly atMs: number;
}

/** `lifetimeMs` of an entry that rests until it fills or is cancelled (the alert's `expiresIn: gtc`). */
export const GOOD_TILL_CANCELLED = 0;

/** Nobitex allows at most 32 characters. */
export const CLIENT_ORDER_ID_LENGTH_MAX = 32;

/** `k` + 31 hex chars of sha256(signal id): stable across restarts and instances, unique per signal. */
export function clientOrderIdFor(signalId: string): string {
  assert(signalId.length > 0, 'signal id must not be empty');
  const id = `k${createHash('sha256')
    .update(signalId)
    .digest('hex')
    .slice(0, CLIENT_ORDER_ID_LENGTH_MAX - 1)}`;
  assert(id.length <= CLIENT_ORDER_ID_LENGTH_MAX, `clientOrderId too long: ${id.length}`);
  return id;
}
