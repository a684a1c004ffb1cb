// What verification keeps of pushed events between its steps: the latest state pushed per exchange
// order (merged so that a late or repeated event never moves an order backwards), trades pushed
// before their order was known, and a way to wake the step that waits on an order. Pure, bounded.
import type { Decimal } from '../../core/decimal.js';
import { sameMarket } from '../markets.js';
import type { OrderIntent } from '../order-journal/order-intent.js';
import type { ExchangeOrder, ExchangeTrade } from './gateway.js';
import type { PushedOrder } from './push-feed.js';

/** Pushed order states kept at once; the oldest are forgotten beyond this (a poll asks REST then). */
export const PUSHED_KEPT_MAX = 10_000;
/** Orders with trades pushed before their order was known, and such trades kept per order. */
export const EARLY_ORDERS_MAX = 1_000;
export const EARLY_TRADES_PER_ORDER_MAX = 100;
/** A pushed order's creation time is unknown: trade pages are read back this far before the order's. */
const CREATED_SLACK_MS = 60_000;

export class PushIntake {
  readonly #orders = new Map<string, PushedOrder>();
  readonly #earlyTrades = new Map<string, ExchangeTrade[]>();
  readonly #wakers = new Map<string, () => void>();
  /** Orders woken while no wait was on: their next wait ends at once. */
  readonly #missedWakes = new Map<string, true>();

  /** Keeps the furthest state seen of the order: more filled wins; at equal fill, a final status wins. */
  noteOrder(order: PushedOrder): void {
    const known = this.#orders.get(order.id);
    if (known !== undefined && !isFurther(order, known)) return;
    this.#orders.delete(order.id);
    bound(this.#orders);
    this.#orders.set(order.id, order);
  }

  /**
   * The pushed state of this intent's order as an exchange order, once; undefined when there is none
   * or it does not plainly belong to this intent (another market or clientOrderId: ask by REST).
   */
  takeOrder(intent: OrderIntent): ExchangeOrder | undefined {
    if (intent.exchangeOrderId === null) return undefined;
    const pushed = this.#orders.get(intent.exchangeOrderId);
    if (pushed === undefined) return undefined;
    this.#orders.delete(intent.exchangeOrderId);
    if (!sameMarket(pushed.market, intent.market) || pushed.side !== intent.side) return undefined;
    if (pushed.clientOrderId !== null && pushed.clientOrderId !== intent.clientOrderId) return undefined;
    const { eventAtMs: _eventAtMs, ...order } = pushed;
    return { ...order, createdAtMs: intent.createdAtMs - CREATED_SLACK_MS };
  }

  /** A trade of an order not (yet) in the journal: kept until the order is adopted. */
  holdTrade(trade: ExchangeTrade): void {
    const held = this.#earlyTrades.get(trade.orderId) ?? [];
    this.#earlyTrades.delete(trade.orderId);
    bound(this.#earlyTrades, EARLY_ORDERS_MAX);
    // Beyond the cap a trade is left to REST: the order's trades then do not add up, so it asks.
    this.#earlyTrades.set(trade.orderId, [...held, trade].slice(0, EARLY_TRADES_PER_ORDER_MAX));
  }

  takeTrades(exchangeOrderId: string): ExchangeTrade[] {
    const held = this.#earlyTrades.get(exchangeOrderId) ?? [];
    this.#earlyTrades.delete(exchangeOrderId);
    return held;
  }

  /** Forgets pushed states after a gap: until REST has been asked, they may be stale. */
  forgetOrders(): void {
    this.#orders.clear();
  }

  /** Registers the wake-up of the wait on an order (called at once if a wake was missed); returns its disposer. */
  onWake(orderId: string, wake: () => void): () => void {
    if (this.#missedWakes.delete(orderId)) wake();
    this.#wakers.set(orderId, wake);
    return () => {
      if (this.#wakers.get(orderId) === wake) this.#wakers.delete(orderId);
    };
  }

  wake(orderId: string): void {
    const wake = this.#wakers.get(orderId);
    if (wake !== undefined) {
      wake();
      return;
    }
    bound(this.#missedWakes);
    this.#missedWakes.set(orderId, true);
  }

  wakeAll(): void {
    for (const wake of [...this.#wakers.values()]) wake();
  }
}

function isFurther(next: PushedOrder, known: PushedOrder): boolean {
  const compared = compare(next.matchedAmount, known.matchedAmount);
  if (compared !== 0) return compared > 0;
  return isFinal(next) && !isFinal(known);
}

const compare = (a: Decimal, b: Decimal): number => a.comparedTo(b);
const isFinal = (order: PushedOrder): boolean => order.status === 'Done' || order.status === 'Canceled';

function bound<V>(map: Map<string, V>, sizeMax = PUSHED_KEPT_MAX): void {
  if (map.size < sizeMax) return;
  const oldest = map.keys().next().value;
  if (oldest !== undefined) map.delete(oldest);
}
