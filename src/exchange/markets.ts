// Nobitex names one market four ways (see the API reference, section 3). One table, all conversions here.
import { isKeelError, KeelError } from '../core/errors.js';

export type Currency = 'rls' | 'usdt' | 'btc' | 'eth' | 'ltc' | 'xrp' | 'doge' | 'ada' | 'trx' | 'sol';
export type QuoteCurrency = 'rls' | 'usdt';

export const CURRENCIES: readonly Currency[] = [
  'rls',
  'usdt',
  'btc',
  'eth',
  'ltc',
  'xrp',
  'doge',
  'ada',
  'trx',
  'sol',
];
export const QUOTE_CURRENCIES: readonly QuoteCurrency[] = ['rls', 'usdt'];

/** Display names Nobitex puts in order and trade objects instead of codes. */
export const CURRENCY_DISPLAY_NAMES: Readonly<Record<Currency, string>> = {
  rls: '﷼',
  usdt: 'Tether',
  btc: 'Bitcoin',
  eth: 'Ethereum',
  ltc: 'Litecoin',
  xrp: 'Ripple',
  doge: 'Dogecoin',
  ada: 'Cardano',
  trx: 'Tron',
  sol: 'Solana',
};

export interface Market {
  readonly base: Currency;
  readonly quote: QuoteCurrency;
}

export class UnknownMarketError extends KeelError {
  readonly code = 'KEEL_ERR_UNKNOWN_MARKET';
}
export const isUnknownMarketError = (e: unknown): e is UnknownMarketError =>
  isKeelError(e) && e.code === 'KEEL_ERR_UNKNOWN_MARKET';

export const isCurrency = (value: string): value is Currency =>
  (CURRENCIES as readonly string[]).includes(value);
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
 * and TradingView's `NOBITEX:BTCIRT`. Throws UnknownMarketError with the input otherwise.
 */
export function parseMarket(text: string): Market {
  const cleaned = text
    .trim()
    .replace(/^[A-Za-z_]+:/, '')
    .toLowerCase();
  const separated = /^([a-z0-9_]+)[-/_]([a-z]+)$/.exec(cleaned);
  const [base, quoteRaw] = separated ? [separated[1] ?? '', separated[2] ?? ''] : splitJoined(cleaned);
  const quote = quoteRaw === 'irt' || quoteRaw === 'irr' ? 'rls' : quoteRaw;
  if (!isCurrency(base) || base === 'rls' || !isQuoteCurrency(quote) || base === quote)
    throw new UnknownMarketError(`unknown market ${JSON.stringify(text.slice(0, 40))}`);
  return { base, quote };
}

function splitJoined(cleaned: string): [string, string] {
  for (const suffix of ['usdt', 'irt', 'rls']) {
    if (cleaned.endsWith(suffix) && cleaned.length > suffix.length)
      return [cleaned.slice(0, -suffix.length), suffix];
  }
  return [cleaned, ''];
}

export const sameMarket = (a: Market, b: Market): boolean => a.base === b.base && a.quote === b.quote;
