// Paper trading on live prices: the exchange's public endpoints (order book, market stats, options) read
// through an enhanced adapter, so rate limits, breakers, timeouts and stale-on-error caching apply as to
// any exchange call. No credentials: only public endpoints are called.
import { type Decimal, formatDecimal } from '../../core/decimal.js';
import type { EnhancedNobitexAdapter } from '../enhanced-nobitex-adapter/enhanced-nobitex-adapter.js';
import { listedMarkets } from '../market-listing.js';
import { type Market, toStatsKey, toSymbol } from '../markets.js';
import type { MarketFeed, SimMarketConfig } from '../simulator/types.js';

export class PublicMarketFeed implements MarketFeed {
  readonly #adapter: EnhancedNobitexAdapter;

  constructor(adapter: EnhancedNobitexAdapter) {
    this.#adapter = adapter;
  }

  async orderBook(market: Market) {
    const { value } = await this.#adapter.getOrderBook(market);
    return { asks: value.asks, bids: value.bids, lastPrice: value.lastTradePrice };
  }

  async prices() {
    const { value } = await this.#adapter.getMarketStats();
    const prices = new Map<string, { lastPrice: Decimal; isClosed: boolean }>();
    for (const stat of value.values())
      if (stat.market !== null)
        prices.set(toSymbol(stat.market), { lastPrice: stat.latest, isClosed: stat.isClosed });
    return prices;
  }

  /**
   * The simulator's market list from the live exchange: every active market with a price, its steps
   * and its quote's minimum order value. Books come live, so the level sizes only satisfy validation.
   */
  async markets(): Promise<SimMarketConfig[]> {
    const [options, stats] = await Promise.all([this.#adapter.getOptions(), this.#adapter.getMarketStats()]);
    const configs: SimMarketConfig[] = [];
    for (const market of listedMarkets(options.value)) {
      const symbol = toSymbol(market);
      const latest = stats.value.get(toStatsKey(market))?.latest;
      const amountStep = options.value.amountPrecisions.get(symbol);
      const priceStep = options.value.pricePrecisions.get(symbol);
      const minOrderValue = options.value.minOrders.get(market.quote);
      if (latest === undefined || !latest.gt(0) || amountStep === undefined || priceStep === undefined)
        continue;
      configs.push({
        symbol,
        ...market,
        startPrice: formatDecimal(latest),
        amountStep: formatDecimal(amountStep),
        priceStep: formatDecimal(priceStep),
        levelAmountMin: formatDecimal(amountStep),
        levelAmountMax: formatDecimal(amountStep),
        historyMinutes: 0,
        ...(minOrderValue === undefined ? {} : { minOrderValue: formatDecimal(minOrderValue) }),
      });
    }
    return configs;
  }
}
