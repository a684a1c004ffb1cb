// Goal: fills are attributed to the strategy of their signal; two strategies on one market keep
// separate positions; fills without a signal and non-fill postings are "external"; the holdings of
// all strategies sum to the ledger's wallet totals; a fresh reader (a restart) derives the same.
// Method: a real ledger on in-memory SQLite, fills posted by hand, strategies looked up from a map.
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../core/clock.js';
import { Decimal } from '../core/decimal.js';
import { EXTERNAL_STRATEGY } from '../market-data/signal.js';
import { SqliteDatabase } from '../storage/sqlite-database.js';
import { Ledger } from './ledger.js';
import type { FillInput } from './posting-builders.js';
import { DEFAULT_STRATEGY, StrategyPositions, unrealizedPnl } from './strategy-positions.js';

const STRATEGIES: Record<string, string> = { s1: 'trend', s2: 'revert', s3: 'trend' };
const strategyOf = async (signalId: string) => STRATEGIES[signalId];

let tradeSeq = 0;
const fill = (side: 'buy' | 'sell', amount: string, price: string, signalId?: string): FillInput => ({
  tradeId: String(++tradeSeq),
  orderId: `ord-${signalId ?? 'outside'}`,
  ...(signalId === undefined ? {} : { signalId }),
  market: { base: 'btc', quote: 'rls' },
  side,
  amount,
  price,
  total: new Decimal(amount).times(price).toFixed(),
  fee: side === 'buy' ? new Decimal(amount).times('0.001').toFixed() : '10',
  feeCurrency: side === 'buy' ? 'btc' : 'rls',
  atMs: 1,
});

describe('StrategyPositions', () => {
  let db: SqliteDatabase | undefined;
  afterEach(() => db?.close());

  async function ledgerWithFills(): Promise<Ledger> {
    db = new SqliteDatabase({ path: ':memory:' });
    const ledger = await Ledger.open({ database: db, clock: new FakeClock() });
    await ledger.postOpening({ asset: 'rls', available: '1000000', blocked: '0' });
    await ledger.postOpening({ asset: 'btc', available: '1', blocked: '0' });
    await ledger.postFill(fill('buy', '1', '1000', 's1'));
    await ledger.postFill(fill('buy', '2', '1100', 's2'));
    await ledger.postFill(fill('sell', '0.5', '1200', 's3'));
    await ledger.postFill(fill('sell', '0.25', '1300')); // placed outside Keel
    await ledger.postFill(fill('buy', '0.1', '1000', 'unnamed'));
    return ledger;
  }

  it('carries unrealized P&L at the last fill price in each equity point', async () => {
    const positions = new StrategyPositions({ ledger: await ledgerWithFills(), strategyOf });
    await positions.refresh();
    const trend = positions.equity().filter((point) => point.strategy === 'trend');
    // After the buy of 1 BTC at 1000 (fee 0.001 BTC): 0.999 BTC worth 999 at 1000, cost 1000.
    expect(trend[0]?.unrealizedPnl.toFixed()).toBe('-1');
    // After selling 0.5 at 1200: 0.499 BTC left at cost 0.499 × 1000/0.999, marked at 1200 = 598.8.
    expect(trend[1]?.unrealizedPnl.toDecimalPlaces(4).toFixed()).toBe('99.3005');
    expect(trend[1]?.realizedPnl.gt(0)).toBe(true);
  });

  it('keeps a position per strategy and market, with realized P&L fees included', async () => {
    const positions = new StrategyPositions({ ledger: await ledgerWithFills(), strategyOf });
    await positions.refresh();
    const byStrategy = Object.fromEntries(positions.positions().map((view) => [view.strategy, view]));
    expect(Object.keys(byStrategy).sort()).toEqual([DEFAULT_STRATEGY, EXTERNAL_STRATEGY, 'revert', 'trend']);
    const trend = byStrategy.trend!;
    // Bought 1 BTC (0.001 fee in BTC) for 1000: holds 0.999 at cost 1000; sold 0.5 for 600 − 10 fee.
    expect(trend.position.toFixed()).toBe('0.499');
    expect(trend.realizedPnl.toFixed()).toBe(
      new Decimal('590').minus(new Decimal('1000').times('0.5').div('0.999').toDecimalPlaces(10)).toFixed(),
    );
    expect(byStrategy.revert!.position.toFixed()).toBe('1.998');
    expect(byStrategy.revert!.realizedPnl.toFixed()).toBe('0');
    expect(byStrategy[EXTERNAL_STRATEGY]!.position.toFixed()).toBe('-0.25');
    expect(unrealizedPnl(byStrategy.revert!, new Decimal('1200')).toFixed()).toBe(
      new Decimal('1.998').times('1200').minus('2200').toFixed(),
    );
  });

  it('sums the holdings of all strategies to the ledger balances', async () => {
    const ledger = await ledgerWithFills();
    const positions = new StrategyPositions({ ledger, strategyOf });
    await positions.refresh();
    for (const asset of ledger.assets()) {
      const sum = positions
        .holdings()
        .filter((row) => row.asset === asset)
        .reduce((total, row) => total.plus(row.total), new Decimal(0));
      expect(sum.toFixed(), asset).toBe(ledger.balances(asset).total.toFixed());
    }
    expect(
      positions
        .holdings()
        .find((row) => row.strategy === 'trend' && row.asset === 'btc')
        ?.total.toFixed(),
    ).toBe('0.499');
  });

  it('derives the same views again from the stored journal (a restart)', async () => {
    const ledger = await ledgerWithFills();
    const first = new StrategyPositions({ ledger, strategyOf });
    await first.refresh();
    const reopened = await Ledger.open({ database: db!, clock: new FakeClock() });
    const second = new StrategyPositions({ ledger: reopened, strategyOf });
    await second.refresh();
    expect(second.positions()).toEqual(first.positions());
    expect(second.holdings()).toEqual(first.holdings());
    await reopened.postFill(fill('sell', '0.499', '1000', 's1'));
    await second.refresh();
    expect(
      second
        .positions()
        .find((view) => view.strategy === 'trend')
        ?.position.toFixed(),
    ).toBe('0');
    expect(second.equity().at(-1)?.strategy).toBe('trend');
  });
});
