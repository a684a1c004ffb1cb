// What verification takes from a pushed source of order events (Nobitex's private WebSocket
// channels): trades, order states, and whether the link is up. A push is a hint that arrives early;
// REST stays the authority after every gap.
import type { Decimal } from '../../core/decimal.js';
import type { Event } from '../../core/events.js';
import type { Market } from '../markets.js';
import type { OrderSide } from '../order-journal/order-intent.js';
import type { ExchangeOrderStatus, ExchangeTrade } from './gateway.js';

/** An order's state as pushed on `private:orders#…`. */
export interface PushedOrder {
  readonly id: string;
  readonly clientOrderId: string | null;
  readonly status: ExchangeOrderStatus;
  readonly market: Market;
  readonly side: OrderSide;
  readonly amount: Decimal;
  readonly matchedAmount: Decimal;
  readonly averagePrice: Decimal;
  readonly fee: Decimal;
  readonly eventAtMs: number;
}

export interface PushFeed {
  /** A trade pushed on `private:trades#…` (may repeat, may come out of order). */
  readonly onTrade: Event<ExchangeTrade>;
  /** An order state pushed on `private:orders#…` (may repeat, may come out of order). */
  readonly onOrder: Event<PushedOrder>;
  /** The link went up (subscribed to both channels) or down; after every `up`, what was missed is unknown. */
  readonly onLink: Event<{ readonly up: boolean }>;
  isUp(): boolean;
}
