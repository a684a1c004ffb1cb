// Positions per market from fills, average-cost method, in exact integer minor units.
// Cost basis is signed (long: cost paid, short: proceeds received); closing a part removes cost in
// proportion, rounded half-even to the ledger scale, so every tracked number stays exact.

import { assert } from '../core/assert.js';
import type { Decimal } from '../core/decimal.js';
import { decimalOf } from './posting.js';

export interface FillFacts {
  readonly base: string;
  readonly quote: string;
  readonly side: 'buy' | 'sell';
  readonly amountMinor: bigint;
  readonly totalMinor: bigint;
  readonly feeMinor: bigint;
  readonly feeCurrency: string;
}

export interface PositionView {
  /** `btc-rls`: lower-case base-quote. */
  readonly market: string;
  readonly base: string;
  readonly quote: string;
  /** Base held from fills (negative if more was sold than bought through fills). */
  readonly position: Decimal;
  /** Signed cost of the open position, quote currency. */
  readonly costBasis: Decimal;
  /** Quote per base of the open position (costBasis / position, 80 significant digits); undefined when flat. */
  readonly averageCost: Decimal | undefined;
  /** Realized profit and loss, quote currency, fees included. */
  readonly realizedPnl: Decimal;
  readonly fillCount: number;
}

interface Book {
  quantityMinor: bigint;
  costMinor: bigint;
  realizedMinor: bigint;
  fillCount: number;
}

export class PositionBook {
  readonly #books = new Map<string, Book & { base: string; quote: string }>();

  apply(fill: FillFacts): void {
    const market = `${fill.base}-${fill.quote}`;
    let book = this.#books.get(market);
    if (book === undefined) {
      book = {
        base: fill.base,
        quote: fill.quote,
        quantityMinor: 0n,
        costMinor: 0n,
        realizedMinor: 0n,
        fillCount: 0,
      };
      this.#books.set(market, book);
    }
    const { deltaMinor, cashMinor } = walletChanges(fill);
    applyToBook(book, deltaMinor, cashMinor);
    book.fillCount += 1;
  }

  views(): PositionView[] {
    return [...this.#books.entries()].map(([market, book]) => ({
      market,
      base: book.base,
      quote: book.quote,
      position: decimalOf(book.quantityMinor),
      costBasis: decimalOf(book.costMinor),
      averageCost:
        book.quantityMinor === 0n ? undefined : decimalOf(book.costMinor).div(decimalOf(book.quantityMinor)),
      realizedPnl: decimalOf(book.realizedMinor),
      fillCount: book.fillCount,
    }));
  }
}

/** Net change of base held and of quote cash (both signed) that a fill causes. */
function walletChanges(fill: FillFacts): { deltaMinor: bigint; cashMinor: bigint } {
  const baseFee = fill.feeCurrency === fill.base ? fill.feeMinor : 0n;
  const quoteFee = fill.feeCurrency === fill.quote ? fill.feeMinor : 0n;
  assert(baseFee + quoteFee === fill.feeMinor, `fee currency ${fill.feeCurrency} is neither base nor quote`);
  return fill.side === 'buy'
    ? { deltaMinor: fill.amountMinor - baseFee, cashMinor: -(fill.totalMinor + quoteFee) }
    : { deltaMinor: -(fill.amountMinor + baseFee), cashMinor: fill.totalMinor - quoteFee };
}

function applyToBook(book: Book, deltaMinor: bigint, cashMinor: bigint): void {
  if (deltaMinor === 0n) {
    book.realizedMinor += cashMinor; // nothing moved in base: the cash is pure gain or loss
    return;
  }
  const sameSide = book.quantityMinor === 0n || book.quantityMinor > 0n === deltaMinor > 0n;
  if (sameSide) {
    book.quantityMinor += deltaMinor;
    book.costMinor -= cashMinor;
    return;
  }
  const heldMinor = abs(book.quantityMinor);
  const movedMinor = abs(deltaMinor);
  const closedMinor = minOf(movedMinor, heldMinor);
  const costRemovedMinor =
    closedMinor === heldMinor ? book.costMinor : divRoundHalfEven(book.costMinor * closedMinor, heldMinor);
  const cashClosingMinor =
    closedMinor === movedMinor ? cashMinor : divRoundHalfEven(cashMinor * closedMinor, movedMinor);
  book.realizedMinor += cashClosingMinor - costRemovedMinor;
  book.costMinor -= costRemovedMinor;
  book.quantityMinor += deltaMinor > 0n ? closedMinor : -closedMinor;
  if (closedMinor < movedMinor) {
    // The fill crossed zero: the rest opens a position on the other side at this fill's price.
    assert(book.quantityMinor === 0n && book.costMinor === 0n, 'position must be flat before it flips');
    book.quantityMinor = deltaMinor > 0n ? movedMinor - closedMinor : closedMinor - movedMinor;
    book.costMinor = -(cashMinor - cashClosingMinor);
  }
}

const abs = (value: bigint): bigint => (value < 0n ? -value : value);
// Math.min does not take bigint.
const minOf = (a: bigint, b: bigint): bigint => (a <= b ? a : b);

/** Integer division rounded half to even (banker's), for signed operands. */
export function divRoundHalfEven(numerator: bigint, denominator: bigint): bigint {
  assert(denominator !== 0n, 'division by zero');
  const negative = numerator < 0n !== denominator < 0n;
  const n = abs(numerator);
  const d = abs(denominator);
  let quotient = n / d;
  const twiceRemainder = (n % d) * 2n;
  if (twiceRemainder > d || (twiceRemainder === d && quotient % 2n === 1n)) quotient += 1n;
  return negative ? -quotient : quotient;
}
