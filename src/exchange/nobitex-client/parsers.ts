// Parsers for answers whose shape is keyed by data (order books by symbol, stats by market) or
// needs cross-field checks (OHLC column lengths, orders in unknown markets).

import { BusinessRejectionError, MalformedResponseError } from '../errors.js';
import { isUnknownMarketError, type Market, parseMarket } from '../markets.js';
import { readOrder } from './read-order.js';
import { parseBody } from './response.js';
import * as schemas from './schemas.js';
import type { Candle, MarketStats, Order, OrderBook } from './types.js';

/** One book (`{lastUpdate, asks, bids}` at the top) or `all` (`{BTCIRT: {...}, ...}`). */
export function parseOrderBooks(
  body: unknown,
  symbol: string,
  endpoint: string,
): ReadonlyMap<string, OrderBook> {
  const toBook = (key: string, value: unknown, fieldPrefix?: string): OrderBook => {
    const parsed = parseBody(schemas.orderBookBodySchema, value, {
      endpoint,
      ...(fieldPrefix ? { fieldPrefix } : {}),
    });
    return {
      symbol: key,
      lastUpdateAtMs: parsed.lastUpdate,
      lastTradePrice: parsed.lastTradePrice,
      asks: parsed.asks,
      bids: parsed.bids,
    };
  };
  if (symbol !== 'all') return new Map([[symbol, toBook(symbol, body)]]);
  const books = new Map<string, OrderBook>();
  for (const [key, value] of Object.entries(asRecord(body, endpoint))) {
    if (key === 'status' || typeof value !== 'object' || value === null) continue;
    books.set(key, toBook(key, value, key));
  }
  return books;
}

export function parseStats(body: unknown, endpoint: string): ReadonlyMap<string, MarketStats> {
  const parsed = parseBody(schemas.marketStatsSchema, body, { endpoint });
  const result = new Map<string, MarketStats>();
  for (const [key, raw] of Object.entries(parsed.stats)) {
    if (key === 'global') continue; // deprecated Binance prices, not a market
    const entry = parseBody(schemas.marketStatsEntrySchema, raw, { endpoint, fieldPrefix: `stats.${key}` });
    const { dayChange, ...rest } = entry;
    result.set(key, { key, market: marketOrNull(key), ...rest, dayChangePercent: dayChange });
  }
  return result;
}

export function parseCandles(body: unknown, endpoint: string): readonly Candle[] {
  const parsed = parseBody(schemas.ohlcSchema, body, { endpoint });
  if (parsed.s === 'no_data') return [];
  if (parsed.s === 'error')
    throw new BusinessRejectionError(`UDF error: ${(parsed.errmsg ?? '').slice(0, 120)}`, {
      endpoint,
      httpStatus: 200,
      exchangeCode: 'UdfError',
    });
  const count = parsed.t.length;
  for (const column of ['o', 'h', 'l', 'c', 'v'] as const)
    if (parsed[column].length !== count)
      throw new MalformedResponseError(`has ${parsed[column].length} values, t has ${count}`, {
        endpoint,
        httpStatus: 200,
        field: column,
      });
  return parsed.t.map((timeS, index) => ({
    timeMs: timeS * 1000,
    open: parsed.o[index]!,
    high: parsed.h[index]!,
    low: parsed.l[index]!,
    close: parsed.c[index]!,
    volume: parsed.v[index]!,
  }));
}

export function parseOrderList(
  body: unknown,
  endpoint: string,
): { orders: readonly Order[]; hasNext: boolean; skippedUnknownMarketCount: number } {
  const parsed = parseBody(schemas.listOrdersSchema, body, { endpoint });
  const orders: Order[] = [];
  let skippedUnknownMarketCount = 0;
  parsed.orders.forEach((raw, index) => {
    if (isInUnknownMarket(raw)) {
      skippedUnknownMarketCount++;
      return;
    }
    orders.push(
      readOrder(raw) ?? parseBody(schemas.orderSchema, raw, { endpoint, fieldPrefix: `orders.${index}` }),
    );
  });
  return { orders, hasNext: parsed.hasNext ?? false, skippedUnknownMarketCount };
}

function isInUnknownMarket(raw: unknown): boolean {
  const market = (raw as { market?: unknown } | null)?.market;
  if (typeof market !== 'string') return false;
  try {
    parseMarket(market);
    return false;
  } catch (error) {
    return isUnknownMarketError(error);
  }
}

function marketOrNull(key: string): Market | null {
  try {
    return parseMarket(key);
  } catch {
    return null;
  }
}

function asRecord(body: unknown, endpoint: string): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new MalformedResponseError('expected an object', { endpoint, httpStatus: 200, field: '(root)' });
  return body as Record<string, unknown>;
}
