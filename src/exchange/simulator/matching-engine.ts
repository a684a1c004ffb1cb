// Places, fills and cancels orders against the synthetic books; moves funds in exact decimals.
import { assert } from '../../core/assert.js';
import { Decimal, floorToStep } from '../../core/decimal.js';
import { EventEmitter } from '../../core/events.js';
import { createRng, type Rng } from '../../core/random.js';
import type { Currency, Market } from '../markets.js';
import { toSymbol } from '../markets.js';
import { MarketState } from './market-state.js';
import type { BookLevel } from './order-book.js';
import {
  isRejection,
  marketBandBound,
  type NormalizedOrder,
  normalizeOrder,
  type OrderRejection,
  type PlaceOrderInput,
} from './order-rules.js';
import { isOpenStatus, type OrderType, type SimFill, type SimMarketConfig, type SimOrder } from './types.js';
import type { Wallets } from './wallets.js';

export interface MatchingEngineOptions {
  readonly markets: readonly SimMarketConfig[];
  readonly wallets: Wallets;
  readonly rng: Rng;
  readonly feeRate: Decimal;
  readonly nowMs: number;
  /** False on live prices: books come from the exchange (applyLiveBook), never from the walk. Default true. */
  readonly walkPrices?: boolean;
}

/** Identical orders within this window are refused (DuplicateOrder) unless `pro`. */
export const DUPLICATE_WINDOW_MS = 10_000;
/** Accepted orders kept in memory: ground truth must never drop one, so this is a hard stop. */
export const ORDERS_MAX = 1_000_000;
/** Fees are rounded down to this many decimals. */
export const FEE_DECIMALS = 10;

export type PlaceResult =
  /** `pair`: an OCO's stop leg (`order` is its limit leg). */
  | { readonly ok: true; readonly order: SimOrder; readonly pair?: SimOrder }
  | ({ readonly ok: false } & OrderRejection);

/** What the exchange publishes on its private WebSocket channels: a trade, or an order's new state. */
export type SimEvent =
  | { readonly kind: 'trade'; readonly order: SimOrder; readonly fill: SimFill }
  | { readonly kind: 'order'; readonly order: SimOrder; readonly fill: SimFill | undefined };

export class MatchingEngine {
  readonly markets = new Map<string, MarketState>();
  readonly #eventEmitter = new EventEmitter<SimEvent>();
  /** Every trade and order change, synchronously, as it happens. */
  readonly onEvent = this.#eventEmitter.addListener;
  readonly orders: SimOrder[] = [];
  #nextOrderId = 100_001;
  #nextTradeId = 5_000_001;
  readonly #recent: { key: string; atMs: number }[] = [];

  constructor(private readonly options: MatchingEngineOptions) {
    for (const config of options.markets) {
      // Each market walks on its own stream, so listing one more market leaves the others' walks alone.
      this.markets.set(config.symbol, new MarketState(config, forkRng(options.rng), options.nowMs));
    }
  }

  findMarket = (src: string, dst: string): MarketState | undefined => {
    for (const state of this.markets.values())
      if (state.market.base === src && state.market.quote === dst) return state;
    return undefined;
  };

  place(token: string, input: PlaceOrderInput, nowMs: number, tradePieces = 1): PlaceResult {
    const normalized = normalizeOrder(input, this.findMarket);
    if (isRejection(normalized)) return { ok: false, ...normalized };
    const { state, type, amount, clientOrderId } = normalized;
    if (clientOrderId !== null && this.openByClientOrderId(token, clientOrderId) !== undefined)
      return {
        ok: false,
        code: 'DuplicateClientOrderId',
        message: 'Duplicate clientOrderId',
        httpStatus: 200,
      };
    const key = [
      token,
      type,
      normalized.execution,
      state.config.symbol,
      amount.toFixed(),
      normalized.price?.toFixed(),
      normalized.stopPrice?.toFixed(),
      normalized.oco?.stopPrice.toFixed(),
      normalized.oco?.stopLimitPrice.toFixed(),
    ].join('|');
    while ((this.#recent[0]?.atMs ?? nowMs) <= nowMs - DUPLICATE_WINDOW_MS) this.#recent.shift();
    if (!normalized.pro && this.#recent.some((r) => r.key === key))
      return { ok: false, code: 'DuplicateOrder', message: 'Duplicate order', httpStatus: 200 };
    const spends = spendsOf(type, state.market);
    const needed = neededFor(type, amount, normalized.worstPrice);
    // An OCO's legs share one balance: it must cover the dearer leg, the limit leg holds the block.
    const stopLegNeeded =
      normalized.oco === undefined ? needed : neededFor(type, amount, normalized.oco.stopLimitPrice);
    if (this.options.wallets.available(token, spends).lt(Decimal.max(needed, stopLegNeeded)))
      return { ok: false, code: 'OverValueOrder', message: 'Insufficient balance', httpStatus: 200 };
    assert(this.orders.length + 2 <= ORDERS_MAX, `more than ${ORDERS_MAX} orders`);
    const isStop = normalized.execution === 'stop_limit' || normalized.execution === 'stop_market';
    const order = this.#newOrder(token, normalized, nowMs, {
      status: isStop ? 'Inactive' : 'Active',
      blocked: needed,
      tradePieces,
    });
    this.options.wallets.block(token, spends, needed);
    this.orders.push(order);
    this.#recent.push({ key, atMs: nowMs });
    if (normalized.oco !== undefined) {
      const stopLeg = this.#newOrder(
        token,
        {
          ...normalized,
          execution: 'stop_limit',
          price: normalized.oco.stopLimitPrice,
          worstPrice: normalized.oco.stopLimitPrice,
          stopPrice: normalized.oco.stopPrice,
          clientOrderId: null,
        },
        nowMs,
        { status: 'Inactive', blocked: new Decimal(0), tradePieces },
      );
      stopLeg.pairId = order.id;
      order.pairId = stopLeg.id;
      this.orders.push(stopLeg);
      this.#sweep(order, state, nowMs);
      return { ok: true, order, pair: stopLeg };
    }
    if (order.status === 'Active') this.#sweep(order, state, nowMs);
    // Market orders are IOC within the band: what did not fill now is cancelled.
    if (order.execution === 'market' && order.status === 'Active') this.#finish(order, 'Canceled');
    return { ok: true, order };
  }

  #newOrder(
    token: string,
    normalized: NormalizedOrder,
    nowMs: number,
    extra: { status: 'Active' | 'Inactive'; blocked: Decimal; tradePieces: number },
  ): SimOrder {
    const { state } = normalized;
    return {
      id: this.#nextOrderId++,
      token,
      market: state.market,
      symbol: toSymbol(state.market),
      type: normalized.type,
      execution: normalized.execution,
      price: normalized.price,
      amount: normalized.amount,
      worstPrice: normalized.worstPrice,
      ...(normalized.stopPrice === undefined ? {} : { stopPrice: normalized.stopPrice }),
      clientOrderId: normalized.clientOrderId,
      createdAtMs: nowMs,
      status: extra.status,
      matchedAmount: new Decimal(0),
      matchedTotal: new Decimal(0),
      fee: new Decimal(0),
      blockedRemaining: extra.blocked,
      fills: [],
      ...(extra.tradePieces > 1 ? { tradePieces: extra.tradePieces } : {}),
    };
  }

  /** Order and trade id counters (persistence). */
  get nextIds(): { orderId: number; tradeId: number } {
    return { orderId: this.#nextOrderId, tradeId: this.#nextTradeId };
  }

  /** Restores orders and id counters saved by a previous run (persistence). */
  restore(orders: readonly SimOrder[], nextIds: { orderId: number; tradeId: number }): void {
    assert(this.orders.length === 0, 'restore into a simulator that already has orders');
    this.orders.push(...orders);
    this.#nextOrderId = Math.max(this.#nextOrderId, nextIds.orderId);
    this.#nextTradeId = Math.max(this.#nextTradeId, nextIds.tradeId);
  }

  /** Cancels an open order; cancelling one OCO leg cancels both, as on Nobitex. */
  cancel(order: SimOrder): boolean {
    if (!isOpenStatus(order.status)) return false;
    this.#finish(order, 'Canceled');
    this.#cancelPair(order);
    return true;
  }

  /** Moves every market one step, then lets resting orders meet the new books. */
  tick(nowMs: number): void {
    if (this.options.walkPrices !== false) for (const state of this.markets.values()) state.step(nowMs);
    this.#match(nowMs);
  }

  /** Moves one market to a price at once (tests, chaos), then triggers stops and matches. */
  jumpTo(symbol: string, price: Decimal, nowMs: number): void {
    const state = this.markets.get(symbol);
    assert(state !== undefined, `unknown market ${symbol}`);
    state.jumpTo(price, nowMs);
    this.#match(nowMs);
  }

  #match(nowMs: number): void {
    for (const order of this.orders) {
      if (!isOpenStatus(order.status)) continue;
      const state = this.markets.get(order.symbol);
      if (state === undefined || state.closed) continue;
      if (order.status === 'Inactive') this.#triggerIfReached(order, state, nowMs);
      else this.#sweep(order, state, nowMs);
    }
    this.#cancelUnderfunded();
  }

  // A buy stop triggers when the market rises to its stop price, a sell stop when it falls to it. An
  // OCO's stop leg triggering cancels the limit leg; a triggered stop-market order is IOC in its band.
  #triggerIfReached(order: SimOrder, state: MarketState, nowMs: number): void {
    const stop = order.stopPrice;
    assert(stop !== undefined, `inactive order ${order.id} has no stop price`);
    if (order.type === 'buy' ? state.lastPrice.lt(stop) : state.lastPrice.gt(stop)) return;
    this.#cancelPair(order);
    const wallets = this.options.wallets;
    const spends = spendsOf(order.type, order.market);
    if (order.execution === 'stop_market') order.worstPrice = marketBandBound(order.type, state.lastPrice);
    const needed = neededFor(order.type, order.amount, order.worstPrice);
    wallets.release(order.token, spends, order.blockedRemaining);
    order.blockedRemaining = new Decimal(0);
    order.status = 'Active';
    if (wallets.available(order.token, spends).lt(needed)) {
      this.#finish(order, 'Canceled'); // as Nobitex does when the wallet no longer covers an order
      return;
    }
    wallets.block(order.token, spends, needed);
    order.blockedRemaining = needed;
    this.#sweep(order, state, nowMs);
    if (order.execution === 'stop_market' && order.status === 'Active') this.#finish(order, 'Canceled');
  }

  #cancelPair(order: SimOrder): void {
    const pair = order.pairId === undefined ? undefined : this.orderById(order.token, order.pairId);
    if (pair !== undefined && isOpenStatus(pair.status)) this.#finish(pair, 'Canceled');
  }

  openByClientOrderId(token: string, clientOrderId: string): SimOrder | undefined {
    return this.orders.find(
      (o) => o.token === token && o.clientOrderId === clientOrderId && isOpenStatus(o.status),
    );
  }

  orderById(token: string, id: number): SimOrder | undefined {
    const order = this.orders.find((o) => o.id === id);
    return order?.token === token ? order : undefined;
  }

  #sweep(order: SimOrder, state: MarketState, nowMs: number): void {
    const levels = order.type === 'buy' ? state.book.asks : state.book.bids;
    for (const level of levels) {
      const remaining = order.amount.minus(order.matchedAmount);
      if (remaining.lte(0)) break;
      if (order.type === 'buy' ? level.price.gt(order.worstPrice) : level.price.lt(order.worstPrice)) break;
      if (level.amount.lte(0)) continue;
      const amount = Decimal.min(remaining, level.amount);
      for (const piece of splitAmount(amount, order.tradePieces ?? 1, state.spec.amountStep))
        this.#fill(order, state, level, piece, nowMs);
    }
    if (order.matchedAmount.eq(order.amount)) this.#finish(order, 'Done');
  }

  #fill(order: SimOrder, state: MarketState, level: BookLevel, amount: Decimal, nowMs: number): void {
    const wallets = this.options.wallets;
    const { base, quote } = state.market;
    const total = amount.times(level.price);
    level.amount = level.amount.minus(amount);
    let fee: Decimal;
    if (order.type === 'buy') {
      const unblocked = amount.times(order.worstPrice);
      fee = amount.times(this.options.feeRate).toDecimalPlaces(FEE_DECIMALS, Decimal.ROUND_DOWN);
      wallets.credit(order.token, quote, total.neg());
      wallets.release(order.token, quote, unblocked);
      wallets.credit(order.token, base, amount.minus(fee));
      order.blockedRemaining = order.blockedRemaining.minus(unblocked);
    } else {
      fee = total.times(this.options.feeRate).toDecimalPlaces(FEE_DECIMALS, Decimal.ROUND_DOWN);
      wallets.credit(order.token, base, amount.neg());
      wallets.release(order.token, base, amount);
      wallets.credit(order.token, quote, total.minus(fee));
      order.blockedRemaining = order.blockedRemaining.minus(amount);
    }
    // An OCO's limit leg filling (even partly) cancels the stop leg waiting for its trigger.
    if (order.matchedAmount.isZero()) this.#cancelPair(order);
    order.matchedAmount = order.matchedAmount.plus(amount);
    order.matchedTotal = order.matchedTotal.plus(total);
    order.fee = order.fee.plus(fee);
    const fill: SimFill = {
      id: this.#nextTradeId++,
      orderId: order.id,
      price: level.price,
      amount,
      total,
      fee,
      atMs: nowMs,
    };
    order.fills.push(fill);
    state.recordTrade(level.price, amount, order.type, nowMs);
    this.#eventEmitter.emit({ kind: 'trade', order, fill });
    this.#eventEmitter.emit({ kind: 'order', order, fill });
  }

  #finish(order: SimOrder, status: 'Done' | 'Canceled'): void {
    assert(isOpenStatus(order.status), `order ${order.id} ${order.status} -> ${status}`);
    assert(status === 'Canceled' || order.status === 'Active', `order ${order.id} Inactive -> Done`);
    order.status = status;
    const spends = spendsOf(order.type, order.market);
    this.options.wallets.release(order.token, spends, order.blockedRemaining);
    order.blockedRemaining = new Decimal(0);
    this.#eventEmitter.emit({ kind: 'order', order, fill: order.fills.at(-1) });
  }

  // Nobitex cancels orders when the wallet no longer covers them (a drift, a withdrawal): newest first.
  #cancelUnderfunded(): void {
    for (let i = this.orders.length - 1; i >= 0; i--) {
      const order = this.orders[i];
      if (order === undefined || !isOpenStatus(order.status)) continue;
      const spends = spendsOf(order.type, order.market);
      const entry = this.options.wallets.entry(order.token, spends);
      if (entry.balance.lt(entry.blocked)) this.#finish(order, 'Canceled');
    }
  }
}

const spendsOf = (type: OrderType, market: Market): Currency => (type === 'buy' ? market.quote : market.base);

/** What an order blocks: quote at its worst price for a buy, the base amount for a sell. */
const neededFor = (type: OrderType, amount: Decimal, worstPrice: Decimal): Decimal =>
  type === 'buy' ? amount.times(worstPrice) : amount;

/**
 * At most `pieces` parts that add up to `amount` exactly, each a multiple of the market's amount step
 * (as real trades are): equal shares floored to the step, the rest in the last part.
 */
function splitAmount(amount: Decimal, pieces: number, step: Decimal): Decimal[] {
  const count = Math.min(pieces, amount.dividedToIntegerBy(step).toNumber());
  if (count <= 1) return [amount];
  const share = floorToStep(amount.dividedBy(count), step);
  const parts = Array.from({ length: count - 1 }, () => share);
  return [...parts, amount.minus(share.times(count - 1))];
}

function forkRng(parent: Rng): Rng {
  return createRng(Math.floor(parent.next() * 4_294_967_296));
}
