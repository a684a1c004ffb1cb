// Places, fills and cancels orders against the synthetic books; moves funds in exact decimals.
import { assert } from '../../core/assert.js';
import { Decimal, floorToStep } from '../../core/decimal.js';
import { createRng, type Rng } from '../../core/random.js';
import type { Currency } from '../markets.js';
import { toSymbol } from '../markets.js';
import { MarketState } from './market-state.js';
import type { BookLevel } from './order-book.js';
import { isRejection, normalizeOrder, type OrderRejection, type PlaceOrderInput } from './order-rules.js';
import type { SimMarketConfig, SimOrder } from './types.js';
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
  | { readonly ok: true; readonly order: SimOrder }
  | ({ readonly ok: false } & OrderRejection);

export class MatchingEngine {
  readonly markets = new Map<string, MarketState>();
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
    ].join('|');
    while ((this.#recent[0]?.atMs ?? nowMs) <= nowMs - DUPLICATE_WINDOW_MS) this.#recent.shift();
    if (!normalized.pro && this.#recent.some((r) => r.key === key))
      return { ok: false, code: 'DuplicateOrder', message: 'Duplicate order', httpStatus: 200 };
    const [spends, needed] =
      type === 'buy'
        ? [state.market.quote, amount.times(normalized.worstPrice)]
        : [state.market.base, amount];
    if (this.options.wallets.available(token, spends).lt(needed))
      return { ok: false, code: 'OverValueOrder', message: 'Insufficient balance', httpStatus: 200 };
    assert(this.orders.length < ORDERS_MAX, `more than ${ORDERS_MAX} orders`);
    const order: SimOrder = {
      id: this.#nextOrderId++,
      token,
      market: state.market,
      symbol: toSymbol(state.market),
      type,
      execution: normalized.execution,
      price: normalized.price,
      amount,
      worstPrice: normalized.worstPrice,
      clientOrderId,
      createdAtMs: nowMs,
      status: 'Active',
      matchedAmount: new Decimal(0),
      matchedTotal: new Decimal(0),
      fee: new Decimal(0),
      blockedRemaining: needed,
      fills: [],
      ...(tradePieces > 1 ? { tradePieces } : {}),
    };
    this.options.wallets.block(token, spends, needed);
    this.orders.push(order);
    this.#recent.push({ key, atMs: nowMs });
    this.#sweep(order, state, nowMs);
    // Market orders are IOC within the band: what did not fill now is cancelled.
    if (order.execution === 'market' && order.status === 'Active') this.#finish(order, 'Canceled');
    return { ok: true, order };
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

  cancel(order: SimOrder): boolean {
    if (order.status !== 'Active') return false;
    this.#finish(order, 'Canceled');
    return true;
  }

  /** Moves every market one step, then lets resting orders meet the new books. */
  tick(nowMs: number): void {
    if (this.options.walkPrices !== false) for (const state of this.markets.values()) state.step(nowMs);
    for (const order of this.orders) {
      if (order.status !== 'Active') continue;
      const state = this.markets.get(order.symbol);
      if (state !== undefined && !state.closed) this.#sweep(order, state, nowMs);
    }
    this.#cancelUnderfunded();
  }

  openByClientOrderId(token: string, clientOrderId: string): SimOrder | undefined {
    return this.orders.find(
      (o) => o.token === token && o.clientOrderId === clientOrderId && o.status === 'Active',
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
    order.matchedAmount = order.matchedAmount.plus(amount);
    order.matchedTotal = order.matchedTotal.plus(total);
    order.fee = order.fee.plus(fee);
    order.fills.push({
      id: this.#nextTradeId++,
      orderId: order.id,
      price: level.price,
      amount,
      total,
      fee,
      atMs: nowMs,
    });
    state.recordTrade(level.price, amount, order.type, nowMs);
  }

  #finish(order: SimOrder, status: 'Done' | 'Canceled'): void {
    assert(order.status === 'Active', `order ${order.id} ${order.status} -> ${status}`);
    order.status = status;
    const spends: Currency = order.type === 'buy' ? order.market.quote : order.market.base;
    this.options.wallets.release(order.token, spends, order.blockedRemaining);
    order.blockedRemaining = new Decimal(0);
  }

  // Nobitex cancels orders when the wallet no longer covers them (a drift, a withdrawal): newest first.
  #cancelUnderfunded(): void {
    for (let i = this.orders.length - 1; i >= 0; i--) {
      const order = this.orders[i];
      if (order === undefined || order.status !== 'Active') continue;
      const spends: Currency = order.type === 'buy' ? order.market.quote : order.market.base;
      const entry = this.options.wallets.entry(order.token, spends);
      if (entry.balance.lt(entry.blocked)) this.#finish(order, 'Canceled');
    }
  }
}

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
