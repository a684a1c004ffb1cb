// The exchange behind Keel: in paper mode the built-in simulator on a loopback port, in live mode the
// configured Nobitex base URLs with the configured credentials. Either way the same enhanced adapter.

import { join } from 'node:path';
import type { KeelConfig } from '../config/index.js';
import type { Clock } from '../core/clock.js';
import type { Event } from '../core/events.js';
import type { Rng } from '../core/random.js';
import type { RateLimitStore } from '../core/rate-limiter/rate-limit-store.js';
import type { ConnectionPoolStats } from '../exchange/connection-pool/connection-pool.js';
import type { PredictiveAction } from '../exchange/connection-pool/predictive-recovery.js';
import { AdapterVerificationGateway } from '../exchange/enhanced-nobitex-adapter/adapter-verification-gateway.js';
import type { BreakerFactory } from '../exchange/enhanced-nobitex-adapter/call-pipeline.js';
import { createEnhancedAdapter } from '../exchange/enhanced-nobitex-adapter/create-enhanced-adapter.js';
import type { EnhancedNobitexAdapter } from '../exchange/enhanced-nobitex-adapter/enhanced-nobitex-adapter.js';
import type { OpenPushLink } from '../exchange/fill-stream/push-link.js';
import type { NobitexAuth } from '../exchange/nobitex-client/auth.js';
import { createSimulator, SIMULATOR_DEFAULT_TOKEN, type Simulator } from '../exchange/simulator/index.js';
import type { Logger } from '../logging/logger.js';
import { exchangeSettings } from './exchange-settings.js';
import { createPaperLiveFeed, PAPER_LIVE_TICK_MS, type PaperLiveFeed } from './paper-live-feed.js';

/** The paper exchange's balances, orders and ids, beside the database. */
export const PAPER_EXCHANGE_FILE = 'paper-exchange.json';

export interface ExchangeStack {
  readonly adapter: EnhancedNobitexAdapter;
  /** The transport's view: connections per host and endpoint health; predictive recovery's actions. */
  readonly pool: { stats(): ConnectionPoolStats; readonly onPredictiveAction?: Event<PredictiveAction> };
  readonly gateway: AdapterVerificationGateway;
  /** Present in paper mode: the in-process exchange. */
  readonly simulator: Simulator | undefined;
  readonly baseUrls: readonly string[];
  /** The link under the fill stream when not the network's (the chaos world's, on its fake clock). */
  readonly pushLink?: OpenPushLink;
  close(): Promise<void>;
}

export class MissingCredentialsError extends Error {}

export async function createExchangeStack(options: {
  config: KeelConfig;
  clock: Clock;
  rng: Rng;
  logger: Logger;
  rateLimitStore?: RateLimitStore;
  /** Wraps each endpoint group's breaker, e.g. in a Redis-shared one. */
  breakerFactory?: BreakerFactory;
}): Promise<ExchangeStack> {
  const { config, clock, rng, logger } = options;
  let simulator: Simulator | undefined;
  let baseUrls: readonly string[];
  let auth: NobitexAuth;
  let live: PaperLiveFeed | undefined;
  if (config.mode === 'paper') {
    if (config.simulator.liveMarketData) live = await createPaperLiveFeed({ config, clock, rng, logger });
    simulator = createSimulator({
      ...(live === undefined
        ? {}
        : { marketFeed: live.feed, markets: live.markets, priceTickMs: PAPER_LIVE_TICK_MS }),
      seed: config.simulator.seed,
      clock,
      rateLimitScale: config.simulator.rateLimitScale,
      // The paper exchange lives as long as the data folder: restarts continue the same account.
      stateFile: join(config.dataDir, PAPER_EXCHANGE_FILE),
      accounts: [{ token: SIMULATOR_DEFAULT_TOKEN, balances: config.simulator.paperBalances }],
      logger, // the simulator binds its own component
    });
    baseUrls = [await simulator.listen({ host: '127.0.0.1', port: 0 })];
    auth = { kind: 'token', token: SIMULATOR_DEFAULT_TOKEN };
  } else {
    baseUrls = config.nobitex.baseUrls;
    auth = liveAuth(config);
  }
  const stack = createEnhancedAdapter({
    baseUrls,
    auth,
    clock,
    rng,
    logger,
    ...(options.rateLimitStore === undefined ? {} : { rateLimitStore: options.rateLimitStore }),
    ...(options.breakerFactory === undefined ? {} : { breakerFactory: options.breakerFactory }),
    ...exchangeSettings(config),
  });
  const gateway = new AdapterVerificationGateway({ adapter: stack.adapter, clock });
  return {
    ...stack,
    gateway,
    simulator,
    baseUrls,
    async close() {
      await stack.adapter.close();
      await simulator?.close();
      await live?.close();
    },
  };
}

export function liveAuth(config: KeelConfig): NobitexAuth {
  const { token, apiKey } = config.nobitex;
  if (apiKey !== undefined)
    return { kind: 'apiKey', publicKey: apiKey.publicKey.reveal(), privateKey: apiKey.privateKey.reveal() };
  if (token !== undefined) return { kind: 'token', token: token.reveal() };
  throw new MissingCredentialsError(
    'live trading needs KEEL_NOBITEX_TOKEN or an API key (KEEL_NOBITEX_API_KEY and KEEL_NOBITEX_API_SECRET)',
  );
}
