// Typed Nobitex REST client: builds and authenticates requests, sends them through a Transport,
// and returns domain results or taxonomy errors. It never retries: the adapter decides that.
import { assert } from '../../core/assert.js';
import type { Clock } from '../../core/clock.js';
import type { AbortSignalLike } from '../../core/policy.js';
import type { Transport, TransportRequest } from '../connection-pool/transport.js';
import { fromTransportError } from '../errors.js';
import { type Market, toSymbol } from '../markets.js';
import { type AuthHeaders, createAuthHeaders, type NobitexAuth } from './auth.js';
import { endpointLabel, NOBITEX_ENDPOINTS, type NobitexEndpointName } from './endpoints.js';
import { parseCandles, parseOrderBooks, parseOrderList, parseStats } from './parsers.js';
import { readOrder } from './read-order.js';
import {
  buildQuery,
  CANCEL_STATUS,
  type CancelOldParams,
  cancelOldBody,
  type ListOrdersParams,
  listOrdersQuery,
  type OrderRef,
  orderRefBody,
  type PlaceOrderParams,
  placeOrderBody,
  type QueryValue,
} from './requests.js';
import { parseBody, readResponse, throwIfFailed } from './response.js';
import * as schemas from './schemas.js';
import type * as T from './types.js';

export interface NobitexClientOptions {
  readonly transport: Transport;
  readonly auth: NobitexAuth;
  /** `TraderBot/keel-<version>`: Nobitex identifies bots by it and applies the bot rate limits. */
  readonly userAgent: string;
  readonly clock: Clock;
  /** Wait assumed when a rate-limit answer names none, ms. Default 60 000. */
  readonly rateLimitFallbackBackOffMs?: number;
}

/** Per call: cancellation and the longest wait in the connection queue. */
export interface CallOptions {
  readonly signal?: AbortSignalLike;
  readonly deadlineMs?: number;
}

interface CallSpec {
  readonly pathParams?: { readonly symbol: string };
  readonly query?: Readonly<Record<string, QueryValue>>;
  readonly body?: Readonly<Record<string, unknown>>;
}

export class NobitexClient {
  readonly #transport: Transport;
  readonly #authHeaders: AuthHeaders;
  readonly #userAgent: string;
  readonly #clock: Clock;
  readonly #rateLimitFallbackBackOffMs: number;

  constructor(options: NobitexClientOptions) {
    if (!/^TraderBot\/\S+$/.test(options.userAgent))
      throw new RangeError(
        `userAgent must look like TraderBot/keel-<version>, was ${JSON.stringify(options.userAgent)}`,
      );
    const fallbackMs = options.rateLimitFallbackBackOffMs ?? 60_000;
    if (!(Number.isFinite(fallbackMs) && fallbackMs > 0))
      throw new RangeError(`rateLimitFallbackBackOffMs must be positive, was ${fallbackMs}`);
    this.#transport = options.transport;
    this.#authHeaders = createAuthHeaders(options.auth, options.clock);
    this.#userAgent = options.userAgent;
    this.#clock = options.clock;
    this.#rateLimitFallbackBackOffMs = fallbackMs;
  }

  getOrderBook(market: Market, options?: CallOptions): Promise<T.OrderBook>;
  getOrderBook(market: 'all', options?: CallOptions): Promise<ReadonlyMap<string, T.OrderBook>>;
  async getOrderBook(
    market: Market | 'all',
    options?: CallOptions,
  ): Promise<T.OrderBook | ReadonlyMap<string, T.OrderBook>> {
    const symbol = market === 'all' ? 'all' : toSymbol(market);
    const body = await this.#ok('orderBook', { pathParams: { symbol } }, options);
    const books = parseOrderBooks(body, symbol, endpointLabel('orderBook'));
    if (market === 'all') return books;
    const book = books.get(symbol);
    assert(book !== undefined, `order book ${symbol} parsed but missing`);
    return book;
  }

  async getRecentTrades(market: Market, options?: CallOptions): Promise<readonly T.PublicTrade[]> {
    const body = await this.#ok('recentTrades', { pathParams: { symbol: toSymbol(market) } }, options);
    return parseBody(schemas.publicTradesSchema, body, { endpoint: endpointLabel('recentTrades') }).trades;
  }

  /** Stats keyed `btc-rls`; `src`/`dst` filter by currency code, none → all markets. */
  async getMarketStats(
    params: { readonly src?: readonly string[]; readonly dst?: readonly string[] } = {},
    options?: CallOptions,
  ): Promise<ReadonlyMap<string, T.MarketStats>> {
    const query = { srcCurrency: params.src?.join(','), dstCurrency: params.dst?.join(',') };
    const body = await this.#ok('marketStats', { query }, options);
    return parseStats(body, endpointLabel('marketStats'));
  }

  /** Candles (max 500 per page); times in epoch ms, sent to Nobitex as seconds. */
  async getOhlc(
    params: {
      readonly market: Market;
      readonly resolution: T.OhlcResolution;
      readonly fromMs?: number;
      readonly toMs: number;
      readonly countback?: number;
      readonly page?: number;
    },
    options?: CallOptions,
  ): Promise<readonly T.Candle[]> {
    const query = {
      symbol: toSymbol(params.market),
      resolution: params.resolution,
      from: params.fromMs === undefined ? undefined : Math.floor(params.fromMs / 1000),
      to: Math.floor(params.toMs / 1000),
      countback: params.countback,
      page: params.page,
    };
    const body = await this.#ok('ohlc', { query }, options);
    return parseCandles(body, endpointLabel('ohlc'));
  }

  async getOptions(options?: CallOptions): Promise<T.ExchangeOptions> {
    const body = await this.#ok('options', {}, options);
    return parseBody(schemas.optionsSchema, body, { endpoint: endpointLabel('options') }).nobitex;
  }

  /** Not idempotent: on an ambiguous error ask getOrderStatus({clientOrderId}), never resend blindly. */
  async placeOrder(params: PlaceOrderParams, options?: CallOptions): Promise<T.Order> {
    const body = await this.#ok('placeOrder', { body: placeOrderBody(params) }, options);
    // An OCO answers with both legs; this returns its limit leg, whose pairId is the stop leg.
    if (isOcoAnswer(body))
      return parseBody(schemas.ocoEnvelopeSchema, body, { endpoint: endpointLabel('placeOrder') }).order;
    return (
      readOrder(orderOf(body)) ??
      parseBody(schemas.orderEnvelopeSchema, body, { endpoint: endpointLabel('placeOrder') }).order
    );
  }

  /** By id, or by clientOrderId (found only while the order is open). Unknown id → ExchangeNotFoundError. */
  async getOrderStatus(ref: OrderRef, options?: CallOptions): Promise<T.Order> {
    const body = await this.#ok('orderStatus', { body: orderRefBody(ref, 'id') }, options);
    return (
      readOrder(orderOf(body)) ??
      parseBody(schemas.orderEnvelopeSchema, body, { endpoint: endpointLabel('orderStatus') }).order
    );
  }

  /** Orders with `details=2`; orders whose market Keel cannot parse (no IRT/USDT quote) are skipped and counted. */
  async listOrders(
    params: ListOrdersParams,
    options?: CallOptions,
  ): Promise<{
    readonly orders: readonly T.Order[];
    readonly hasNext: boolean;
    readonly skippedUnknownMarketCount: number;
  }> {
    const body = await this.#ok('listOrders', { query: listOrdersQuery(params) }, options);
    return parseOrderList(body, endpointLabel('listOrders'));
  }

  /** A finished order answers `applied: false` with its current status: that is a result, not an error. */
  async cancelOrder(ref: OrderRef, options?: CallOptions): Promise<T.CancelResult> {
    const endpoint = endpointLabel('cancelOrder');
    const body = await this.#call(
      'cancelOrder',
      { body: { ...orderRefBody(ref, 'order'), status: CANCEL_STATUS } },
      options,
    );
    const record = body as { status?: unknown; order?: unknown };
    if (record.status === 'failed' && record.order === undefined)
      throwIfFailed(body, { endpoint, rateLimitFallbackBackOffMs: this.#rateLimitFallbackBackOffMs });
    const { updatedStatus, order } = parseBody(schemas.updateStatusSchema, body, { endpoint });
    return { applied: record.status !== 'failed', currentStatus: updatedStatus, order };
  }

  async cancelOld(params: CancelOldParams = {}, options?: CallOptions): Promise<void> {
    await this.#ok('cancelOld', { body: cancelOldBody(params) }, options);
  }

  /**
   * The last 3 days only, newest first, 30 a page; `fromId` → trades with id ≥ fromId; `page` (from 1)
   * walks back through older trades while `hasNext` is true (Nobitex's general pagination).
   */
  async listUserTrades(
    params: { readonly market: Market; readonly fromId?: number; readonly page?: number },
    options?: CallOptions,
  ): Promise<{ readonly trades: readonly T.UserTrade[]; readonly hasNext: boolean }> {
    if (params.page !== undefined && !(Number.isInteger(params.page) && params.page >= 1))
      throw new RangeError(`page must be a positive integer, was ${params.page}`);
    const query = {
      srcCurrency: params.market.base,
      dstCurrency: params.market.quote,
      fromId: params.fromId,
      page: params.page,
    };
    const body = await this.#ok('userTrades', { query }, options);
    const parsed = parseBody(schemas.userTradesSchema, body, { endpoint: endpointLabel('userTrades') });
    return { trades: parsed.trades, hasNext: parsed.hasNext ?? false };
  }

  /** Spot wallets keyed by lowercase code. */
  async getWallets(options?: CallOptions): Promise<ReadonlyMap<string, T.WalletBalance>> {
    const body = await this.#ok('wallets', { query: { type: 'spot' } }, options);
    const parsed = parseBody(schemas.walletsSchema, body, { endpoint: endpointLabel('wallets') });
    return new Map(
      parsed.wallets.map((w) => [
        w.currency,
        {
          id: w.id,
          currency: w.currency,
          balance: w.balance,
          blocked: w.blockedBalance,
          active: w.activeBalance,
        },
      ]),
    );
  }

  /** `/v2/wallets`: UPPERCASE keys in the answer, lowercase codes here. */
  async getWalletsV2(
    params: { readonly currencies: readonly string[] },
    options?: CallOptions,
  ): Promise<ReadonlyMap<string, T.WalletBalanceV2>> {
    if (params.currencies.length === 0) throw new RangeError('currencies must not be empty, was []');
    const body = await this.#ok(
      'walletsV2',
      { query: { currencies: params.currencies.join(',').toLowerCase() } },
      options,
    );
    const parsed = parseBody(schemas.walletsV2Schema, body, { endpoint: endpointLabel('walletsV2') });
    return new Map(
      Object.entries(parsed.wallets).map(([key, w]) => {
        const currency = key.toLowerCase();
        return [currency, { id: w.id, currency, balance: w.balance, blocked: w.blocked }];
      }),
    );
  }

  async getProfile(options?: CallOptions): Promise<T.Profile> {
    const body = await this.#ok('profile', {}, options);
    const parsed = parseBody(schemas.profileSchema, body, { endpoint: endpointLabel('profile') });
    return {
      email: parsed.profile.email ?? null,
      username: parsed.profile.username ?? null,
      websocketAuthParam: parsed.websocketAuthParam ?? null,
      feePercent: parsed.profile.options?.fee ?? null,
      feeUsdtPercent: parsed.profile.options?.feeUsdt ?? null,
      monthTradesCount: parsed.tradeStats?.monthTradesCount ?? null,
    };
  }

  /** A Centrifugo connection token for the private channels. A secret: never log it. */
  async getWsToken(options?: CallOptions): Promise<string> {
    const body = await this.#ok('wsToken', {}, options);
    return parseBody(schemas.wsTokenSchema, body, { endpoint: endpointLabel('wsToken') }).token;
  }

  /** #call, then a `status: "failed"` body becomes BusinessRejectionError. */
  async #ok(name: NobitexEndpointName, spec: CallSpec, options: CallOptions | undefined): Promise<unknown> {
    const body = await this.#call(name, spec, options);
    throwIfFailed(body, {
      endpoint: endpointLabel(name),
      rateLimitFallbackBackOffMs: this.#rateLimitFallbackBackOffMs,
    });
    return body;
  }

  async #call(name: NobitexEndpointName, spec: CallSpec, options: CallOptions | undefined): Promise<unknown> {
    const endpoint = NOBITEX_ENDPOINTS[name];
    const label = endpointLabel(name);
    const template = endpoint.path.replace('{symbol}', encodeURIComponent(spec.pathParams?.symbol ?? ''));
    const path = spec.query === undefined ? template : `${template}${buildQuery(spec.query)}`;
    const bodyText = spec.body === undefined ? undefined : JSON.stringify(spec.body);
    const headers: Record<string, string> = { 'user-agent': this.#userAgent, accept: 'application/json' };
    if (bodyText !== undefined) headers['content-type'] = 'application/json';
    if (endpoint.auth)
      Object.assign(headers, this.#authHeaders({ method: endpoint.method, path, body: bodyText ?? '' }));
    // Optional fields set one by one: conditional spreads cost more than the rest of this method.
    const request: Mutable<TransportRequest> = {
      group: endpoint.group,
      method: endpoint.method,
      path,
      headers,
      priority: endpoint.priority,
    };
    if (bodyText !== undefined) request.body = bodyText;
    if (options?.deadlineMs !== undefined) request.deadlineMs = options.deadlineMs;
    if (options?.signal !== undefined) request.signal = options.signal;
    let response: Awaited<ReturnType<Transport['request']>>;
    try {
      response = await this.#transport.request(request);
    } catch (error) {
      throw fromTransportError(error, label) ?? error;
    }
    return readResponse(response, {
      endpoint: label,
      idempotent: endpoint.idempotent,
      nowMs: this.#clock.nowMs(),
      rateLimitFallbackBackOffMs: this.#rateLimitFallbackBackOffMs,
    });
  }
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const isOcoAnswer = (body: unknown): boolean =>
  typeof body === 'object' && body !== null && !('order' in body) && 'orders' in body;

/** The `order` of an answer object, if any (readOrder checks the rest). */
const orderOf = (body: unknown): unknown =>
  typeof body === 'object' && body !== null ? (body as { order?: unknown }).order : undefined;
