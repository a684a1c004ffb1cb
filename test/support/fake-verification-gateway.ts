// An in-memory exchange for protocol tests: scripted answers to placeOrder, a list of orders and trades.
import { Decimal } from '../../src/core/decimal.js';
import type { Currency, Market } from '../../src/exchange/markets.js';
import type {
  ExchangeOrder,
  ExchangeTrade,
  MarketRules,
  PlaceOrderRequest,
  PlaceOutcome,
  VerificationGateway,
  WalletBalance,
} from '../../src/exchange/transaction-verification/gateway.js';

export type PlaceScript =
  | 'accept'
  | 'acceptFilled'
  | 'commitThenUnknown'
  | 'unknown'
  | 'notSent'
  | 'reject'
  | 'duplicateCid'
  | 'duplicateOrder';

export class FakeGateway implements VerificationGateway {
  readonly orders: ExchangeOrder[] = [];
  readonly trades: ExchangeTrade[] = [];
  readonly placeCalls: PlaceOrderRequest[] = [];
  script: PlaceScript[] = [];
  down = false;
  pageSize = 30;
  #nextId = 100;

  async placeOrder(request: PlaceOrderRequest): Promise<PlaceOutcome> {
    this.placeCalls.push(request);
    const step = this.script.shift() ?? 'accept';
    if (step === 'notSent') return { kind: 'notSent', reason: 'breaker open', retryAfterMs: 1_000 };
    if (step === 'unknown') return { kind: 'unknown', reason: 'timeout' };
    if (step === 'reject')
      return { kind: 'rejected', code: 'OverValueOrder', message: 'no balance', raw: {} };
    if (step === 'duplicateOrder')
      return { kind: 'rejected', code: 'DuplicateOrder', message: 'identical order within 10 s', raw: {} };
    if (step === 'duplicateCid')
      return { kind: 'rejected', code: 'DuplicateClientOrderId', message: 'dup', raw: {} };
    const order = this.#create(request, step === 'acceptFilled');
    if (step === 'commitThenUnknown') return { kind: 'unknown', reason: 'HTTP 502 after commit' };
    return { kind: 'accepted', order, raw: { status: 'ok' } };
  }

  fill(orderId: string, amount: string, price = '7000000000'): void {
    const index = this.orders.findIndex((order) => order.id === orderId);
    const order = this.orders[index];
    if (order === undefined) throw new Error(`no order ${orderId}`);
    const matched = order.matchedAmount.plus(amount);
    this.orders[index] = {
      ...order,
      matchedAmount: matched,
      averagePrice: new Decimal(price),
      status: matched.eq(order.amount) ? 'Done' : order.status,
    };
    this.trades.push({
      id: `t${this.trades.length + 1}`,
      orderId,
      market: order.market,
      side: order.side,
      amount: new Decimal(amount),
      price: new Decimal(price),
      total: new Decimal(amount).times(price),
      fee: new Decimal(amount).times('0.0015'),
      atMs: order.createdAtMs,
    });
  }

  async getOrderById(id: string) {
    this.#check();
    return this.orders.find((order) => order.id === id) ?? null;
  }
  async getOpenOrderByClientOrderId(clientOrderId: string) {
    this.#check();
    return (
      this.orders.find((order) => order.clientOrderId === clientOrderId && order.status === 'Active') ?? null
    );
  }
  async listRecentOrders(_market: Market) {
    this.#check();
    return [...this.orders];
  }
  async listTrades(_market: Market) {
    this.#check();
    return [...this.trades];
  }
  /** Pages of `pageSize`, newest first, like Nobitex's trade list. */
  async listTradesPage(_market: Market, page: number) {
    this.#check();
    const newest = [...this.trades].reverse();
    const start = (page - 1) * this.pageSize;
    return {
      trades: newest.slice(start, start + this.pageSize),
      hasNext: newest.length > start + this.pageSize,
    };
  }
  async cancelOrder(id: string) {
    this.#check();
    const index = this.orders.findIndex((order) => order.id === id);
    const order = this.orders[index];
    if (order === undefined) return null;
    if (order.status === 'Active') this.orders[index] = { ...order, status: 'Canceled' };
    return this.orders[index] ?? null;
  }
  async getMarketRules(_market: Market): Promise<MarketRules> {
    return {
      isClosed: false,
      lastPrice: new Decimal('7000000000'),
      amountStep: new Decimal('0.000001'),
      priceStep: new Decimal('10'),
      minOrderValue: new Decimal('3000000'),
    };
  }
  async getWallets(): Promise<ReadonlyMap<Currency, WalletBalance>> {
    return new Map([['rls', { balance: new Decimal('1000000000000'), blocked: new Decimal(0) }]]);
  }

  #create(request: PlaceOrderRequest, filled: boolean): ExchangeOrder {
    const order: ExchangeOrder = {
      id: String(this.#nextId++),
      clientOrderId: request.clientOrderId,
      status: 'Active',
      market: request.market,
      side: request.side,
      amount: request.amount,
      matchedAmount: new Decimal(0),
      averagePrice: new Decimal(0),
      fee: new Decimal(0),
      createdAtMs: 0,
    };
    this.orders.push(order);
    if (filled) this.fill(order.id, request.amount.toString());
    return this.orders.find((candidate) => candidate.id === order.id) as ExchangeOrder;
  }

  #check(): void {
    if (this.down) throw new Error('exchange unreachable');
  }
}
