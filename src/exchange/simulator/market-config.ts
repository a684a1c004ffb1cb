// Default markets with plausible late-2025 prices (rial for IRT markets: 1 USDT ≈ 1,050,000 rls).
import { Decimal, parseDecimal } from '../../core/decimal.js';
import { parseMarket, toSymbol } from '../markets.js';
import { listedMarkets } from './market-listing.js';
import type { SimMarketConfig } from './types.js';

export const DEFAULT_MARKETS: readonly SimMarketConfig[] = [
  market('BTCIRT', '99750000000', '0.000001', '10', '0.0005', '0.02'),
  market('ETHIRT', '3570000000', '0.0001', '10', '0.01', '0.5'),
  market('USDTIRT', '1050000', '0.01', '10', '50', '3000'),
  market('BTCUSDT', '95000', '0.000001', '0.01', '0.0005', '0.02'),
  market('ETHUSDT', '3400', '0.0001', '0.01', '0.01', '0.5'),
  ...listedMarkets(),
];

/** Minimum order value per quote currency (amount × price). */
export const MIN_ORDER_VALUE = { rls: '3000000', usdt: '11' } as const;

function market(
  symbol: string,
  startPrice: string,
  amountStep: string,
  priceStep: string,
  levelAmountMin: string,
  levelAmountMax: string,
): SimMarketConfig {
  const { base, quote } = parseMarket(symbol);
  return { symbol, base, quote, startPrice, amountStep, priceStep, levelAmountMin, levelAmountMax };
}

/** Checks a market list once: symbols consistent, steps and prices positive. */
export function validateMarkets(markets: readonly SimMarketConfig[]): void {
  if (markets.length === 0) throw new RangeError('markets must not be empty, was []');
  const seen = new Set<string>();
  for (const m of markets) {
    if (toSymbol(m) !== m.symbol)
      throw new RangeError(`market symbol must be ${toSymbol(m)}, was ${m.symbol}`);
    if (seen.has(m.symbol)) throw new RangeError(`market listed twice, was ${m.symbol}`);
    seen.add(m.symbol);
    for (const field of [
      'startPrice',
      'amountStep',
      'priceStep',
      'levelAmountMin',
      'levelAmountMax',
    ] as const) {
      if (!parseDecimal(m[field], field).gt(0))
        throw new RangeError(`${m.symbol} ${field} must be positive, was ${m[field]}`);
    }
    if (new Decimal(m.levelAmountMin).gt(m.levelAmountMax))
      throw new RangeError(`${m.symbol} levelAmountMin must be <= levelAmountMax, was ${m.levelAmountMin}`);
  }
}
