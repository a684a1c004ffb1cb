// Nobitex names one market four ways (see the API reference, section 3). One table, all conversions here.

import { isKeelError, KeelError } from '../core/errors.js';
import { memoBounded } from '../core/memo.js';

/**
 * A lowercase Nobitex currency code: `rls`, `usdt`, `btc`, and scaled tickers such as `1m_btt`. The list
 * of currencies and markets is the exchange's (`/v2/options`), never Keel's: any well-formed code passes.
 */
export type Currency = string;
export type QuoteCurrency = 'rls' | 'usdt';

export const QUOTE_CURRENCIES: readonly QuoteCurrency[] = ['rls', 'usdt'];

const CURRENCY_CODE = /^[a-z0-9][a-z0-9_]{0,19}$/;

export interface Market {
  readonly base: Currency;
  readonly quote: QuoteCurrency;
}

export class UnknownMarketError extends KeelError {
  readonly code = 'KEEL_ERR_UNKNOWN_MARKET';
}
export const isUnknownMarketError = (e: unknown): e is UnknownMarketError =>
  isKeelError(e) && e.code === 'KEEL_ERR_UNKNOWN_MARKET';

export const isCurrency = (value: string): value is Currency => CURRENCY_CODE.test(value);
export const isQuoteCurrency = (value: string): value is QuoteCurrency =>
  (QUOTE_CURRENCIES as readonly string[]).includes(value);

/** `BTCIRT`, `BTCUSDT`: orderbook/trades/udf paths, options precision keys. */
export const toSymbol = (market: Market): string =>
  `${market.base.toUpperCase()}${market.quote === 'rls' ? 'IRT' : 'USDT'}`;

/** `BTC-RLS`, `BTC-USDT`: the `market` field of order and trade objects. */
export const toOrderMarket = (market: Market): string =>
  `${market.base.toUpperCase()}-${market.quote.toUpperCase()}`;

/** `btc-rls`: keys of /market/stats. */
export const toStatsKey = (market: Market): string => `${market.base}-${market.quote}`;

/**
 * Parses any of the naming forms: `BTCIRT`, `BTCUSDT`, `BTC-RLS`, `btc-rls`, `btc-irt`, `BTC/IRT`,
 * and TradingView's `NOBITEX:BTCIRT`. Throws UnknownMarketError with the input otherwise. Remembered
 * by text (bounded): every exchange answer names a market, and there are few.
 */
export const parseMarket: (text: string) => Market = memoBounded(parseMarketText, 1_024);

function parseMarketText(text: string): Market {
  const cleaned = text
    .trim()
    .replace(/^[A-Za-z_]+:/, '')
    .toLowerCase();
  const separated = /^([a-z0-9_]+)[-/_](irt|irr|rls|usdt)$/.exec(cleaned);
  const [base, quoteRaw] = separated ? [separated[1] ?? '', separated[2] ?? ''] : splitJoined(cleaned);
  const quote = quoteRaw === 'irt' || quoteRaw === 'irr' ? 'rls' : quoteRaw;
  if (!isCurrency(base) || base === 'rls' || !isQuoteCurrency(quote) || base === quote)
    throw new UnknownMarketError(`unknown market ${JSON.stringify(text.slice(0, 40))}`);
  return Object.freeze({ base, quote });
}

function splitJoined(cleaned: string): [string, string] {
  for (const suffix of ['usdt', 'irt', 'rls']) {
    if (cleaned.endsWith(suffix) && cleaned.length > suffix.length)
      return [cleaned.slice(0, -suffix.length), suffix];
  }
  return [cleaned, ''];
}

export const sameMarket = (a: Market, b: Market): boolean => a.base === b.base && a.quote === b.quote;
