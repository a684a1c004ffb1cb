// Goal: the synthetic book is ordered, on the grids, within the configured level sizes, and
// deterministic; helpers skip levels that user fills emptied.
// Method: build books from fixed seeds and inspect them.
import { describe, expect, it } from 'vitest';
import { Decimal } from '../../core/decimal.js';
import { createRng } from '../../core/random.js';
import { BOOK_LEVELS_PER_SIDE, bestAsk, bookSideJson, buildBook } from './order-book.js';

const spec = {
  amountStep: new Decimal('0.000001'),
  priceStep: new Decimal('10'),
  levelAmountMin: new Decimal('0.0005'),
  levelAmountMax: new Decimal('0.02'),
};

describe('buildBook', () => {
  it('builds ordered levels around the mid price with amounts on the step inside the range', () => {
    const mid = new Decimal('99750000000');
    const book = buildBook(createRng(5), mid, spec, 1_000);
    expect(book.asks).toHaveLength(BOOK_LEVELS_PER_SIDE);
    expect(book.bids).toHaveLength(BOOK_LEVELS_PER_SIDE);
    expect(book.updatedAtMs).toBe(1_000);
    for (let i = 1; i < book.asks.length; i++)
      expect(book.asks[i]!.price.gt(book.asks[i - 1]!.price)).toBe(true);
    for (let i = 1; i < book.bids.length; i++)
      expect(book.bids[i]!.price.lt(book.bids[i - 1]!.price)).toBe(true);
    expect(book.asks[0]!.price.gt(mid)).toBe(true);
    expect(book.bids[0]!.price.lt(mid)).toBe(true);
    for (const level of [...book.asks, ...book.bids]) {
      expect(level.price.mod(spec.priceStep).isZero()).toBe(true);
      expect(level.amount.mod(spec.amountStep).isZero()).toBe(true);
      expect(level.amount.gte(spec.levelAmountMin) && level.amount.lte(spec.levelAmountMax)).toBe(true);
    }
  });

  it('is deterministic for a seed', () => {
    const a = bookSideJson(buildBook(createRng(5), new Decimal('3400'), spec, 0).asks);
    const b = bookSideJson(buildBook(createRng(5), new Decimal('3400'), spec, 0).asks);
    expect(a).toEqual(b);
  });

  it('hides emptied levels from the JSON and from the best price', () => {
    const book = buildBook(createRng(6), new Decimal('99750000000'), spec, 0);
    const first = book.asks[0]!;
    first.amount = new Decimal(0);
    expect(bestAsk(book)!.eq(book.asks[1]!.price)).toBe(true);
    expect(bookSideJson(book.asks)[0]![0]).toBe(book.asks[1]!.price.toFixed());
  });
});
