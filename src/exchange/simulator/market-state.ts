// One market's moving parts: walk price, synthetic book, public trades and minute candles.
import { assert } from '../../core/assert.js';
import { Decimal, parseDecimal } from '../../core/decimal.js';
import type { Rng } from '../../core/random.js';
import { randomInt } from '../../core/random.js';
import type { Market } from '../markets.js';
import { type BookSpec, buildBook, type OrderBook } from './order-book.js';
import { nextWalkPrice } from './price-walk.js';
import type { LiveLevel, MarketFeed, SimMarketConfig } from './types.js';

export interface PublicTrade {
  readonly timeMs: number;
  readonly price: Decimal;
  readonly volume: Decimal;
  readonly type: 'buy' | 'sell';
}

export interface Candle {
  /** Minute start, unix seconds. */
  readonly t: number;
  o: Decimal;
  h: Decimal;
  l: Decimal;
  c: Decimal;
  v: Decimal;
}

/** Public trades kept per market (the endpoint shows the newest). */
export const PUBLIC_TRADES_MAX = 100;
/** Minute candles kept per market: one week. */
export const CANDLES_MAX = 7 * 1_440;
/** Minute candles synthesised at start so charts and day stats have history. */
export const CANDLES_BACKFILL = 1_440;

export class MarketState {
  readonly market: Market;
  readonly spec: BookSpec;
  lastPrice: Decimal;
  closed = false;
  #book: OrderBook | undefined;
  /** The walk step whose book nobody has looked at yet: built on first use, so idle markets cost little. */
  #pendingBook: { readonly mid: Decimal; readonly atMs: number } | undefined;
  readonly publicTrades: PublicTrade[] = [];
  readonly candles: Candle[] = [];

  constructor(
    readonly config: SimMarketConfig,
    private readonly rng: Rng,
    nowMs: number,
  ) {
    this.market = { base: config.base, quote: config.quote };
    this.spec = {
      amountStep: parseDecimal(config.amountStep, 'amountStep'),
      priceStep: parseDecimal(config.priceStep, 'priceStep'),
      levelAmountMin: parseDecimal(config.levelAmountMin, 'levelAmountMin'),
      levelAmountMax: parseDecimal(config.levelAmountMax, 'levelAmountMax'),
    };
    this.lastPrice = parseDecimal(config.startPrice, 'startPrice');
    this.#backfill(nowMs);
    this.#pendingBook = { mid: this.lastPrice, atMs: nowMs };
  }

  /** The current book; fills consume its levels until the next step or live book replaces it. */
  get book(): OrderBook {
    if (this.#pendingBook !== undefined) {
      this.#book = buildBook(this.rng, this.#pendingBook.mid, this.spec, this.#pendingBook.atMs);
      this.#pendingBook = undefined;
    }
    assert(this.#book !== undefined, 'a market always has a book after construction');
    return this.#book;
  }

  /** Replaces the book with a live one (paper trading on live prices); levels are copied, then consumed. */
  applyLiveBook(book: Awaited<ReturnType<MarketFeed['orderBook']>>, nowMs: number): void {
    const copy = (levels: readonly LiveLevel[]) => levels.map((l) => ({ price: l.price, amount: l.amount }));
    this.#book = { asks: copy(book.asks), bids: copy(book.bids), updatedAtMs: nowMs };
    this.#pendingBook = undefined;
    if (book.lastPrice?.gt(0)) this.lastPrice = book.lastPrice;
  }

  /** One walk step: new price, fresh book, one synthetic public trade. */
  step(nowMs: number): void {
    this.lastPrice = nextWalkPrice(this.rng, this.lastPrice, this.spec.priceStep);
    this.#pendingBook = { mid: this.lastPrice, atMs: nowMs };
    const steps = randomInt(this.rng, 1, 20);
    this.recordTrade(
      this.lastPrice,
      this.spec.amountStep.times(steps),
      this.rng.next() < 0.5 ? 'buy' : 'sell',
      nowMs,
    );
  }

  /** Jumps to a price (tests and chaos move the market through a stop): a fresh book around it. */
  jumpTo(price: Decimal, nowMs: number): void {
    if (!price.gt(0)) throw new RangeError(`price must be positive, was ${price.toFixed()}`);
    this.lastPrice = price;
    this.#book = buildBook(this.rng, price, this.spec, nowMs);
    this.#pendingBook = undefined;
    this.recordTrade(price, this.spec.amountStep, 'buy', nowMs);
  }

  recordTrade(price: Decimal, volume: Decimal, type: 'buy' | 'sell', nowMs: number): void {
    this.publicTrades.push({ timeMs: nowMs, price, volume, type });
    if (this.publicTrades.length > PUBLIC_TRADES_MAX) this.publicTrades.shift();
    this.#addToCandle(Math.floor(nowMs / 60_000) * 60, price, volume);
  }

  #addToCandle(minuteSec: number, price: Decimal, volume: Decimal): void {
    const last = this.candles[this.candles.length - 1];
    if (last !== undefined && last.t === minuteSec) {
      last.h = Decimal.max(last.h, price);
      last.l = Decimal.min(last.l, price);
      last.c = price;
      last.v = last.v.plus(volume);
      return;
    }
    if (last !== undefined && last.t > minuteSec) return; // clock moved back: keep history monotonic
    this.candles.push({ t: minuteSec, o: price, h: price, l: price, c: price, v: volume });
    if (this.candles.length > CANDLES_MAX) this.candles.shift();
  }

  #backfill(nowMs: number): void {
    const nowMinuteSec = Math.floor(nowMs / 60_000) * 60;
    for (let i = this.config.historyMinutes ?? CANDLES_BACKFILL; i >= 1; i--) {
      const open = this.lastPrice;
      const close = nextWalkPrice(this.rng, open, this.spec.priceStep);
      const volume = this.spec.amountStep.times(randomInt(this.rng, 10, 2_000));
      this.candles.push({
        t: nowMinuteSec - i * 60,
        o: open,
        h: Decimal.max(open, close),
        l: Decimal.min(open, close),
        c: close,
        v: volume,
      });
      this.lastPrice = close;
    }
  }
}
