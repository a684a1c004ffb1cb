// P&L per strategy and quote currency from its position rows: realized plus unrealized at the mark.
import { Decimal, formatDecimal } from '../core/decimal.js';
import type { PnlView, StrategyPositionRow } from '../monitoring/api/trading-source.js';

export function strategyPnl(rows: readonly StrategyPositionRow[]): PnlView['strategies'] {
  const sums = new Map<
    string,
    { strategy: string; quote: string; realized: Decimal; unrealized: Decimal | null }
  >();
  for (const row of rows) {
    const key = `${row.strategy}\u0000${row.quote}`;
    const sum = sums.get(key) ?? {
      strategy: row.strategy,
      quote: row.quote,
      realized: new Decimal(0),
      unrealized: new Decimal(0),
    };
    sum.realized = sum.realized.plus(row.realizedPnl);
    const flat = new Decimal(row.position).isZero();
    // A flat position has nothing unrealized; an open one without a price makes the sum unknown.
    if (!flat)
      sum.unrealized =
        row.unrealizedPnl === null || sum.unrealized === null ? null : sum.unrealized.plus(row.unrealizedPnl);
    sums.set(key, sum);
  }
  return [...sums.values()].map((sum) => ({
    strategy: sum.strategy,
    quote: sum.quote,
    realizedPnl: formatDecimal(sum.realized),
    unrealizedPnl: sum.unrealized === null ? null : formatDecimal(sum.unrealized),
    totalPnl: sum.unrealized === null ? null : formatDecimal(sum.realized.plus(sum.unrealized)),
  }));
}
