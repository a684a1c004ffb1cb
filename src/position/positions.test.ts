// Goal: positions per market follow the average-cost method exactly: cost basis, average cost and
// realized P&L in quote currency, fees included, across partial closes and a flip through zero.
// Method: the PositionBook fed with fills in minor units; expectations computed by hand.
import { describe, expect, it } from 'vitest';
import { Decimal } from '../core/decimal.js';
import { divRoundHalfEven, type FillFacts, PositionBook } from './positions.js';
import { minorOf } from './posting.js';

const fill = (
  side: 'buy' | 'sell',
  amount: string,
  total: string,
  fee = '0',
  feeCurrency = 'rls',
): FillFacts => ({
  base: 'btc',
  quote: 'rls',
  side,
  amountMinor: minorOf(amount, 'amount'),
  totalMinor: minorOf(total, 'total'),
  feeMinor: minorOf(fee, 'fee'),
  feeCurrency,
});

function view(book: PositionBook) {
  const [position] = book.views();
  if (position === undefined) throw new Error('no position');
  return {
    position: position.position.toFixed(),
    costBasis: position.costBasis.toFixed(),
    averageCost: position.averageCost?.toFixed(),
    realizedPnl: position.realizedPnl.toFixed(),
    fillCount: position.fillCount,
  };
}

describe('PositionBook', () => {
  it('averages the cost of two buys and realizes profit on a partial sell', () => {
    const book = new PositionBook();
    book.apply(fill('buy', '1', '100'));
    book.apply(fill('buy', '1', '200'));
    expect(view(book)).toMatchObject({ position: '2', costBasis: '300', averageCost: '150' });
    book.apply(fill('sell', '0.5', '125'));
    expect(view(book)).toEqual({
      position: '1.5',
      costBasis: '225',
      averageCost: '150',
      realizedPnl: '50',
      fillCount: 3,
    });
  });

  it('counts fees: a base fee lowers the quantity, a quote fee raises cost or lowers proceeds', () => {
    const book = new PositionBook();
    book.apply(fill('buy', '1', '100', '0.01', 'btc'));
    expect(view(book)).toMatchObject({ position: '0.99', costBasis: '100' });
    book.apply(fill('sell', '0.99', '120', '1', 'rls'));
    expect(view(book)).toMatchObject({
      position: '0',
      costBasis: '0',
      averageCost: undefined,
      realizedPnl: '19',
    });
  });

  it('flips through zero: closes the long, then opens a short at the fill price', () => {
    const book = new PositionBook();
    book.apply(fill('buy', '1', '100'));
    book.apply(fill('sell', '3', '330'));
    expect(view(book)).toMatchObject({
      position: '-2',
      costBasis: '-220',
      averageCost: '110',
      realizedPnl: '10',
    });
    book.apply(fill('buy', '1', '100'));
    expect(view(book)).toMatchObject({ position: '-1', costBasis: '-110', realizedPnl: '20' });
  });

  it('keeps realized plus open cost equal to the cash flows when thirds do not divide exactly', () => {
    const book = new PositionBook();
    book.apply(fill('buy', '3', '100'));
    book.apply(fill('sell', '1', '40'));
    book.apply(fill('sell', '1', '40'));
    const result = view(book);
    // 100/3 = 33.3333333333 removed, then 66.6666666667/2 = 33.33333333335 → 33.3333333334 (half-even).
    expect(result.costBasis).toBe('33.3333333333');
    // Realized minus what is still at cost equals the cash flows so far (−100 + 80): nothing lost to rounding.
    expect(new Decimal(result.realizedPnl).minus(result.costBasis).eq(-20)).toBe(true);
    book.apply(fill('sell', '1', '40'));
    expect(view(book)).toMatchObject({ position: '0', costBasis: '0', realizedPnl: '20' });
  });

  it('rounds integer division half to even for both signs', () => {
    expect(divRoundHalfEven(5n, 2n)).toBe(2n);
    expect(divRoundHalfEven(7n, 2n)).toBe(4n);
    expect(divRoundHalfEven(-5n, 2n)).toBe(-2n);
    expect(divRoundHalfEven(-7n, 2n)).toBe(-4n);
    expect(divRoundHalfEven(10n, 3n)).toBe(3n);
    expect(divRoundHalfEven(-11n, 3n)).toBe(-4n);
  });
});
