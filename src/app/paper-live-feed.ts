// `--paper-live`: the paper exchange's market data from Nobitex's public endpoints (nobitex.baseUrls),
// read through its own enhanced adapter so the public endpoints' rate limits and breakers apply. No
// credentials: the adapter needs an auth value, but only public endpoints are ever called through it.
import type { KeelConfig } from '../config/index.js';
import type { Clock } from '../core/clock.js';
import type { Rng } from '../core/random.js';
import { createEnhancedAdapter } from '../exchange/enhanced-nobitex-adapter/create-enhanced-adapter.js';
import { PublicMarketFeed } from '../exchange/paper-live/public-market-feed.js';
import type { SimMarketConfig } from '../exchange/simulator/types.js';
import type { Logger } from '../logging/logger.js';
import { exchangeSettings } from './exchange-settings.js';

/** Never sent: no endpoint this adapter calls needs authentication. */
const PUBLIC_ONLY_TOKEN = '0'.repeat(40);
/** Prices follow the live stats this often: /market/stats allows 20 reads a minute. */
export const PAPER_LIVE_TICK_MS = 5_000;

export interface PaperLiveFeed {
  readonly feed: PublicMarketFeed;
  readonly markets: readonly SimMarketConfig[];
  close(): Promise<void>;
}

export async function createPaperLiveFeed(options: {
  config: KeelConfig;
  clock: Clock;
  rng: Rng;
  logger: Logger;
}): Promise<PaperLiveFeed> {
  const { config, clock, rng, logger } = options;
  const stack = createEnhancedAdapter({
    baseUrls: config.nobitex.baseUrls,
    auth: { kind: 'token', token: PUBLIC_ONLY_TOKEN },
    clock,
    rng,
    logger: logger.child({ component: 'paper-live-feed' }),
    ...exchangeSettings(config),
  });
  const feed = new PublicMarketFeed(stack.adapter);
  try {
    const markets = await feed.markets();
    if (markets.length === 0) throw new Error('the exchange listed no active market with a price');
    logger.info({ marketCount: markets.length }, 'paper trading on live prices');
    return { feed, markets, close: () => stack.adapter.close() };
  } catch (error) {
    await stack.adapter.close();
    throw error;
  }
}
