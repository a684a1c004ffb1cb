// The VerificationGateway over the enhanced adapter. The place outcome is classified here, once:
// rejected (business code), notSent (provably never reached Nobitex, or refused by a 429), or
// unknown (may have been placed: the verifier must ask, never resend).
import type { Clock } from '../../core/clock.js';
import { isCircuitOpenError, isRateLimitedError } from '../../core/errors.js';
import { isRequestNotSentError } from '../connection-pool/errors.js';
import {
  isBusinessRejectionError,
  isExchangeNotFoundError,
  isExchangeRateLimitedError,
  MalformedResponseError,
} from '../errors.js';
import { listsMarket } from '../market-listing.js';
import {
  type Currency,
  isCurrency,
  type Market,
  toStatsKey,
  toSymbol,
  UnknownMarketError,
} from '../markets.js';
import { endpointLabel } from '../nobitex-client/endpoints.js';
import type * as T from '../nobitex-client/types.js';
import type {
  ExchangeOrder,
  ExchangeTrade,
  MarketRules,
  PlaceOrderRequest,
  PlaceOutcome,
  TradePage,
  VerificationGateway,
  WalletBalance,
} from '../transaction-verification/gateway.js';
import type { SendPermit } from '../transaction-verification/send-guard.js';
import type { EnhancedNobitexAdapter } from './enhanced-nobitex-adapter.js';
import { isProvablyNotSent } from './error-classes.js';

const REASON_LENGTH_MAX = 200;

export class AdapterVerificationGateway implements VerificationGateway {
  readonly #adapter: EnhancedNobitexAdapter;
  readonly #clock: Clock;

  constructor(options: { readonly adapter: EnhancedNobitexAdapter; readonly clock: Clock }) {
    this.#adapter = options.adapter;
    this.#clock = options.clock;
  }

  async placeOrder(request: PlaceOrderRequest, permit?: SendPermit): Promise<PlaceOutcome> {
    try {
      const order = await this.#adapter.placeOrder(
        {
          market: request.market,
          side: request.side,
          execution: request.execution,
          amount: request.amount,
          ...(request.price === null ? {} : { price: request.price }),
          clientOrderId: request.clientOrderId,
          ...(request.pastDuplicateGuard === true ? { pro: true } : {}),
          ...(request.stopPrice === undefined || request.stopPrice === null
            ? {}
            : { stopPrice: request.stopPrice }),
          ...(request.oco === undefined ? {} : { oco: request.oco }),
        },
        permit?.signal,
        permit?.check,
      );
      return { kind: 'accepted', order: toExchangeOrder(order), raw: order };
    } catch (error) {
      return this.#classifyPlaceError(error);
    }
  }

  async getOrderById(id: string): Promise<ExchangeOrder | null> {
    return this.#nullIfNotFound(async () =>
      toExchangeOrder(await this.#adapter.getOrderStatus({ id: toOrderId(id) })),
    );
  }

  async getOpenOrderByClientOrderId(clientOrderId: string): Promise<ExchangeOrder | null> {
    // Any order the exchange returns is proof of presence, whatever its status: never hide one.
    return this.#nullIfNotFound(async () =>
      toExchangeOrder(await this.#adapter.getOrderStatus({ clientOrderId })),
    );
  }

  async listRecentOrders(market: Market): Promise<ExchangeOrder[]> {
    const { orders } = await this.#adapter.listOrders({ status: 'all', market, details: 2 });
    return orders.map(toExchangeOrder);
  }

  async listTrades(market: Market): Promise<ExchangeTrade[]> {
    const { trades } = await this.#adapter.listUserTrades({ market });
    return trades.map(toExchangeTrade);
  }

  async listTradesPage(market: Market, page: number): Promise<TradePage> {
    const { trades, hasNext } = await this.#adapter.listUserTrades({ market, page });
    return { trades: trades.map(toExchangeTrade), hasNext };
  }

  async cancelOrder(id: string): Promise<ExchangeOrder | null> {
    return this.#nullIfNotFound(async () =>
      toExchangeOrder((await this.#adapter.cancelOrder({ id: toOrderId(id) })).order),
    );
  }

  /**
   * The market's steps and minimum from `/v2/options` and its state from `/market/stats` (all markets in
   * one cached read: 20 a minute is the limit). Both are cached and fall back to the last good answer
   * when the exchange fails. A market the exchange does not list, or not as active, is UnknownMarketError.
   */
  async getMarketRules(market: Market): Promise<MarketRules> {
    const [options, stats] = await Promise.all([this.#adapter.getOptions(), this.#adapter.getMarketStats()]);
    const symbol = toSymbol(market);
    if (!listsMarket(options.value, market))
      throw new UnknownMarketError(`${symbol} is not an active market on the exchange`);
    const amountStep = options.value.amountPrecisions.get(symbol);
    const priceStep = options.value.pricePrecisions.get(symbol);
    const minOrderValue = options.value.minOrders.get(market.quote);
    const stat = stats.value.get(toStatsKey(market));
    const missing = (field: string) =>
      new MalformedResponseError(`no ${field} for ${symbol}`, { endpoint: endpointLabel('options'), field });
    if (amountStep === undefined) throw missing(`nobitex.amountPrecisions.${symbol}`);
    if (priceStep === undefined) throw missing(`nobitex.pricePrecisions.${symbol}`);
    if (minOrderValue === undefined) throw missing(`nobitex.minOrders.${market.quote}`);
    if (stat === undefined)
      throw new MalformedResponseError(`no stats for ${toStatsKey(market)}`, {
        endpoint: endpointLabel('marketStats'),
        field: `stats.${toStatsKey(market)}`,
      });
    return { isClosed: stat.isClosed, lastPrice: stat.latest, amountStep, priceStep, minOrderValue };
  }

  /** Fresh balances only: a precondition or reconciliation must not act on stale ones. */
  async getWallets(): Promise<ReadonlyMap<Currency, WalletBalance>> {
    const { value } = await this.#adapter.getWallets({ allowStale: false });
    const result = new Map<Currency, WalletBalance>();
    for (const [currency, wallet] of value)
      if (isCurrency(currency)) result.set(currency, { balance: wallet.balance, blocked: wallet.blocked });
    return result;
  }

  #classifyPlaceError(error: unknown): PlaceOutcome {
    if (isBusinessRejectionError(error))
      return {
        kind: 'rejected',
        code: error.exchangeCode,
        message: error.message,
        raw: { code: error.exchangeCode, httpStatus: error.httpStatus ?? null },
      };
    if (isCircuitOpenError(error)) {
      const breakMs = this.#adapter.options.breakers.orders.breakDurationMs;
      const retryAfterMs = error.retryAtMs === undefined ? breakMs : error.retryAtMs - this.#clock.nowMs();
      return { kind: 'notSent', reason: 'circuitOpen', retryAfterMs: Math.max(0, retryAfterMs) };
    }
    if (isRateLimitedError(error))
      return { kind: 'notSent', reason: 'localRateLimited', retryAfterMs: error.retryAfterMs };
    // Nobitex refuses a rate-limited request before any effect (see EXCHANGE_ERRORS.rateLimited).
    if (isExchangeRateLimitedError(error))
      return { kind: 'notSent', reason: 'exchangeRateLimited', retryAfterMs: error.backOffMs };
    if (isRequestNotSentError(error) || isProvablyNotSent(error))
      return { kind: 'notSent', reason: `notSent: ${describe(error)}`, retryAfterMs: 0 };
    return { kind: 'unknown', reason: describe(error) };
  }

  async #nullIfNotFound<V>(fn: () => Promise<V>): Promise<V | null> {
    try {
      return await fn();
    } catch (error) {
      if (isExchangeNotFoundError(error)) return null;
      throw error;
    }
  }
}

export function toExchangeOrder(order: T.Order): ExchangeOrder {
  return {
    id: String(order.id),
    clientOrderId: order.clientOrderId,
    status: order.status,
    market: order.market,
    side: order.side,
    amount: order.amount,
    matchedAmount: order.matchedAmount,
    averagePrice: order.averagePrice,
    fee: order.fee,
    createdAtMs: order.createdAtMs,
    pairId: order.pairId === null ? null : String(order.pairId),
  };
}

export function toExchangeTrade(trade: T.UserTrade): ExchangeTrade {
  return {
    id: String(trade.id),
    orderId: String(trade.orderId),
    market: trade.market,
    side: trade.side,
    amount: trade.amount,
    price: trade.price,
    total: trade.total,
    fee: trade.fee,
    atMs: trade.executedAtMs,
  };
}

function toOrderId(id: string): number {
  const value = Number(id);
  if (!/^\d{1,15}$/.test(id) || !Number.isSafeInteger(value) || value <= 0)
    throw new RangeError(
      `order id must be a positive integer string, was ${JSON.stringify(id.slice(0, 40))}`,
    );
  return value;
}

function describe(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.slice(0, REASON_LENGTH_MAX);
}
