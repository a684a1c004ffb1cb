// Paper trading on live prices: the simulator's books and prices follow a live feed. Before an order
// matches, its market's live book replaces the simulated one; every tick, prices and closed flags follow
// the feed, and the books of markets with resting orders are fetched again so those orders can fill.
import type { Logger } from '../../logging/logger.js';
import type { SimContext } from './context.js';
import type { MarketState } from './market-state.js';

/** Fetches the market's live book into the simulator; false (and logged) when the feed fails. */
export async function refreshLiveBook(
  ctx: SimContext,
  state: MarketState,
  logger?: Logger,
): Promise<boolean> {
  if (ctx.marketFeed === undefined) return true;
  try {
    state.applyLiveBook(await ctx.marketFeed.orderBook(state.market), ctx.clock.nowMs());
    return true;
  } catch (error) {
    logger?.warn({ symbol: state.config.symbol, err: error }, 'live order book unavailable');
    return false;
  }
}

/** One tick's worth of following: every market's price, and the books under resting orders. */
export async function followLiveMarkets(ctx: SimContext, logger: Logger): Promise<void> {
  const feed = ctx.marketFeed;
  if (feed === undefined) return;
  try {
    const prices = await feed.prices();
    for (const [symbol, live] of prices) {
      const state = ctx.engine.markets.get(symbol);
      if (state === undefined) continue;
      if (live.lastPrice.gt(0)) state.lastPrice = live.lastPrice;
      state.closed = live.isClosed;
    }
  } catch (error) {
    logger.warn({ err: error }, 'live market prices unavailable');
  }
  const resting = new Set<MarketState>();
  for (const order of ctx.engine.orders) {
    const state = order.status === 'Active' ? ctx.engine.markets.get(order.symbol) : undefined;
    if (state !== undefined) resting.add(state);
  }
  for (const state of resting) await refreshLiveBook(ctx, state, logger);
}
