// Public market data: v3 orderbook, public trades, stats, UDF candles, options.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { formatDecimal } from '../../../core/decimal.js';
import { toStatsKey } from '../../markets.js';
import { guardPublic, type SimContext, textField } from '../context.js';
import { jsonNumber, sendJson } from '../json-numbers.js';
import { MIN_ORDER_VALUE } from '../market-config.js';
import type { MarketState } from '../market-state.js';
import { bookSideJson } from '../order-book.js';
import { aggregateCandles, marketStatsJson, UDF_CANDLES_PER_PAGE, UDF_RESOLUTION_SECONDS } from '../stats.js';

/** Public trades returned per call. */
export const PUBLIC_TRADES_PAGE = 30;

type Handler = (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply>;
type SymbolRequest = FastifyRequest<{ Params: { symbol: string } }>;

export function marketDataRoutes(ctx: SimContext) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get('/v3/orderbook/:symbol', orderbook(ctx));
    app.get('/v2/trades/:symbol', publicTrades(ctx));
    app.get('/market/stats', marketStats(ctx));
    app.get('/market/udf/history', async (request, reply) => {
      if (guardPublic(ctx, 'udf', request, reply)) return reply;
      return serve(ctx, request, reply, () => udfHistory(ctx, request));
    });
    app.get('/v2/options', async (request, reply) => {
      if (guardPublic(ctx, 'options', request, reply)) return reply;
      return reply.send(optionsJson(ctx));
    });
  };
}

// While a staleOrderbook fault fires, the first answer per URL is frozen and replayed.
function serve(
  ctx: SimContext,
  request: FastifyRequest,
  reply: FastifyReply,
  build: () => unknown,
): FastifyReply {
  const frozen = ctx.chaos.staleCache(request.method, request.url.split('?')[0] ?? '');
  const key = request.url;
  const body = frozen?.get(key) ?? build();
  if (frozen !== undefined && !frozen.has(key)) frozen.set(key, body);
  return sendJson(reply, body);
}

const INVALID_SYMBOL = { status: 'failed', code: 'InvalidSymbol', message: 'Invalid symbol' } as const;

function orderbook(ctx: SimContext): Handler {
  return async (request, reply) => {
    if (guardPublic(ctx, 'orderbook', request, reply)) return reply;
    const symbol = (request as SymbolRequest).params.symbol.toUpperCase();
    if (symbol === 'ALL') {
      return serve(ctx, request, reply, () => {
        const body: Record<string, unknown> = { status: 'ok' };
        for (const state of ctx.engine.markets.values()) body[state.config.symbol] = bookJson(state, false);
        return body;
      });
    }
    const state = ctx.engine.markets.get(symbol);
    if (state === undefined) return reply.send(INVALID_SYMBOL);
    return serve(ctx, request, reply, () => ({ status: 'ok', ...bookJson(state, true) }));
  };
}

function publicTrades(ctx: SimContext): Handler {
  return async (request, reply) => {
    if (guardPublic(ctx, 'trades', request, reply)) return reply;
    const state = ctx.engine.markets.get((request as SymbolRequest).params.symbol.toUpperCase());
    if (state === undefined) return reply.send(INVALID_SYMBOL);
    return serve(ctx, request, reply, () => ({
      status: 'ok',
      trades: state.publicTrades
        .slice(-PUBLIC_TRADES_PAGE)
        .reverse()
        .map((t) => ({
          time: t.timeMs,
          price: formatDecimal(t.price),
          volume: formatDecimal(t.volume),
          type: t.type,
        })),
    }));
  };
}

function marketStats(ctx: SimContext): Handler {
  return async (request, reply) => {
    if (guardPublic(ctx, 'stats', request, reply)) return reply;
    const sources = listParam(textField(request, 'srcCurrency'));
    const targets = listParam(textField(request, 'dstCurrency'));
    return serve(ctx, request, reply, () => {
      const stats: Record<string, unknown> = {};
      for (const state of ctx.engine.markets.values()) {
        if (sources !== undefined && !sources.includes(state.market.base)) continue;
        if (targets !== undefined && !targets.includes(state.market.quote)) continue;
        stats[toStatsKey(state.market)] = marketStatsJson(state, ctx.clock.nowMs());
      }
      return { status: 'ok', stats };
    });
  };
}

function bookJson(state: MarketState, withLastTrade: boolean): Record<string, unknown> {
  return {
    lastUpdate: state.book.updatedAtMs,
    ...(withLastTrade ? { lastTradePrice: formatDecimal(state.lastPrice) } : {}),
    asks: bookSideJson(state.book.asks),
    bids: bookSideJson(state.book.bids),
  };
}

function listParam(text: string | undefined): string[] | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  return text.split(',').map((s) => s.trim().toLowerCase());
}

function udfHistory(ctx: SimContext, request: FastifyRequest): Record<string, unknown> {
  const state = ctx.engine.markets.get((textField(request, 'symbol') ?? '').toUpperCase());
  const resolutionSec = UDF_RESOLUTION_SECONDS[textField(request, 'resolution') ?? ''];
  if (resolutionSec === undefined) return { s: 'error', errmsg: 'Invalid resolution!' };
  if (state === undefined) return { s: 'error', errmsg: 'Invalid symbol!' };
  const toSec = Number(textField(request, 'to'));
  const fromText = textField(request, 'from');
  const countback = Number(textField(request, 'countback') ?? '0');
  const page = Number(textField(request, 'page') ?? '1');
  if (!Number.isInteger(toSec) || !Number.isInteger(page) || page < 1 || !Number.isInteger(countback))
    return { s: 'error', errmsg: 'Invalid parameters!' };
  let candles = aggregateCandles(state.candles, resolutionSec).filter((c) => c.t <= toSec);
  if (countback > 0) candles = candles.slice(-countback);
  else if (fromText !== undefined) candles = candles.filter((c) => c.t >= Number(fromText));
  const end = candles.length - (page - 1) * UDF_CANDLES_PER_PAGE;
  candles = end > 0 ? candles.slice(Math.max(0, end - UDF_CANDLES_PER_PAGE), end) : [];
  if (candles.length === 0) return { s: 'no_data' };
  return {
    s: 'ok',
    t: candles.map((c) => c.t),
    o: candles.map((c) => jsonNumber(c.o)),
    h: candles.map((c) => jsonNumber(c.h)),
    l: candles.map((c) => jsonNumber(c.l)),
    c: candles.map((c) => jsonNumber(c.c)),
    v: candles.map((c) => jsonNumber(c.v)),
  };
}

function optionsJson(ctx: SimContext): Record<string, unknown> {
  const amountPrecisions: Record<string, string> = {};
  const pricePrecisions: Record<string, string> = {};
  const currencies = new Set<string>();
  const minOrders: Record<string, string> = { ...MIN_ORDER_VALUE };
  for (const state of ctx.engine.markets.values()) {
    if (state.config.minOrderValue !== undefined) minOrders[state.market.quote] = state.config.minOrderValue;
    amountPrecisions[state.config.symbol] = state.config.amountStep;
    pricePrecisions[state.config.symbol] = state.config.priceStep;
    currencies.add(state.market.base).add(state.market.quote);
  }
  return {
    status: 'ok',
    features: { fcmEnabled: false, chat: 'none' },
    coins: [],
    nobitex: {
      allCurrencies: [...currencies],
      activeCurrencies: [...currencies],
      topCurrencies: [...currencies].filter((c) => c !== 'rls'),
      minOrders,
      amountPrecisions,
      pricePrecisions,
    },
  };
}
