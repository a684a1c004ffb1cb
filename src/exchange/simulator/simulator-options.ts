// Simulator options: one interface, defaults in one place, validated once with the value in the message.
import { type Clock, systemClock } from '../../core/clock.js';
import { Decimal, parseDecimal } from '../../core/decimal.js';
import type { Logger } from '../../logging/logger.js';
import { isCurrency } from '../markets.js';
import { DEFAULT_MARKETS, validateMarkets } from './market-config.js';
import type { MarketFeed, SimAccountConfig, SimMarketConfig } from './types.js';

export const SIMULATOR_DEFAULT_TOKEN = 'f00dfeedcafebabe0123456789abcdef01234567';
export const DEFAULT_BALANCES = { rls: '100000000000000', usdt: '100000', btc: '10', eth: '100' } as const;

export interface SimulatorOptions {
  /** Seeds prices, books and chaos choices. */
  readonly seed: number;
  /** Default systemClock. Latency faults and ticks run on it. */
  readonly clock?: Clock;
  /** Default: DEFAULT_MARKETS (about forty coins, each on IRT and USDT). */
  readonly markets?: readonly SimMarketConfig[];
  /** Default: one account with SIMULATOR_DEFAULT_TOKEN and DEFAULT_BALANCES. */
  readonly accounts?: readonly SimAccountConfig[];
  /** Fee per fill as a fraction, default '0.0015'. */
  readonly feeRate?: string;
  /** Multiplier on every rate limit, default 1. */
  readonly rateLimitScale?: number;
  /** Walk period on the clock, ms, default 1000; 0 = prices move only through tick(). */
  readonly priceTickMs?: number;
  readonly logger?: Logger;
  /**
   * Paper trading on live prices: orders match against these live books, prices follow the feed every
   * priceTickMs, and the simulated walk stops. Default: none (the walk).
   */
  readonly marketFeed?: MarketFeed;
  /**
   * Keep balances, orders and ids in this JSON file across restarts (paper trading). Saved after every
   * change, before the answer that reveals it is sent. Default: nothing is kept.
   */
  readonly stateFile?: string;
  /** How long a WebSocket token from `/auth/ws/token/` is good for, ms, default 900 000. */
  readonly wsTokenTtlMs?: number;
  /** WebSocket server ping period, whole seconds, default 25 (Nobitex's). Runs in real time. */
  readonly wsPingIntervalSeconds?: number;
}

export function validateOptions(options: SimulatorOptions) {
  if (!Number.isInteger(options.seed)) throw new RangeError(`seed must be an integer, was ${options.seed}`);
  const markets = options.markets ?? DEFAULT_MARKETS;
  validateMarkets(markets);
  const accounts = options.accounts ?? [
    { token: SIMULATOR_DEFAULT_TOKEN, balances: { ...DEFAULT_BALANCES } },
  ];
  const tokens = new Set<string>();
  for (const account of accounts) {
    if (!/^[0-9a-f]{40}$/.test(account.token))
      throw new RangeError(`account token must be 40 lowercase hex, was ${account.token}`);
    if (tokens.has(account.token)) throw new RangeError(`account token listed twice, was ${account.token}`);
    tokens.add(account.token);
    for (const [currency, amount] of Object.entries(account.balances ?? {})) {
      if (!isCurrency(currency)) throw new RangeError(`unknown balance currency, was ${currency}`);
      if (parseDecimal(amount, `balances.${currency}`).lt(0))
        throw new RangeError(`balance must be >= 0, was ${amount}`);
    }
  }
  const feeRate = parseDecimal(options.feeRate ?? '0.0015', 'feeRate');
  if (feeRate.lt(0) || feeRate.gte('0.1'))
    throw new RangeError(`feeRate must be in [0, 0.1), was ${options.feeRate}`);
  const priceTickMs = options.priceTickMs ?? 1_000;
  if (!Number.isInteger(priceTickMs) || priceTickMs < 0)
    throw new RangeError(`priceTickMs must be an integer >= 0, was ${priceTickMs}`);
  return {
    seed: options.seed,
    clock: options.clock ?? systemClock,
    markets,
    accounts,
    feeRate: new Decimal(feeRate),
    rateLimitScale: options.rateLimitScale ?? 1,
    priceTickMs,
    wsTokenTtlMs: options.wsTokenTtlMs ?? 900_000,
    wsPingIntervalSeconds: options.wsPingIntervalSeconds ?? 25,
    marketFeed: options.marketFeed,
  };
}
