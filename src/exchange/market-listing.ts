// Which markets the exchange trades, read from its `/v2/options` answer: a market is listed when both
// its precisions are given and its base currency is active. No coin list of Keel's own.
import { type Market, parseMarket, toSymbol } from './markets.js';
import type { ExchangeOptions } from './nobitex-client/types.js';

/** True when the options price the market and (if they say) its base currency is active. */
export function listsMarket(options: ExchangeOptions, market: Market): boolean {
  const symbol = toSymbol(market);
  if (!options.amountPrecisions.has(symbol) || !options.pricePrecisions.has(symbol)) return false;
  if (!options.minOrders.has(market.quote)) return false;
  return options.activeCurrencies === undefined || options.activeCurrencies.includes(market.base);
}

/** Every listed market, in the options' order; symbols Keel cannot parse are skipped, not fatal. */
export function listedMarkets(options: ExchangeOptions): Market[] {
  const markets: Market[] = [];
  for (const symbol of options.pricePrecisions.keys()) {
    const market = tryParseMarket(symbol);
    if (market !== undefined && listsMarket(options, market)) markets.push(market);
  }
  return markets;
}

function tryParseMarket(symbol: string): Market | undefined {
  try {
    return parseMarket(symbol);
  } catch {
    return undefined;
  }
}
