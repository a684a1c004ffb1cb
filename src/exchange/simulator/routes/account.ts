// Private account endpoints: user trades, wallets (both shapes) and profile.
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Decimal, formatDecimal } from '../../../core/decimal.js';
import { type Currency, isCurrency } from '../../markets.js';
import { failed, guardPrivate, type SimContext, textField } from '../context.js';
import { jsonNumber, sendJson } from '../json-numbers.js';
import { pyDecimal10, tradeJson } from '../serialize.js';
import { websocketAuthParamOf } from '../ws/ws-tokens.js';

/** User trades are listed for this long, as on Nobitex. */
export const USER_TRADES_WINDOW_MS = 3 * 86_400_000;
export const USER_TRADES_PAGE_SIZE = 30;
/** Nobitex accepts page and pageSize from 1 to 100 (DOCS _general_notes.md, pagination). */
const PAGE_PARAM_MAX = 100;

type Handler = (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply>;

export function accountRoutes(ctx: SimContext) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get('/market/trades/list', userTrades(ctx));
    app.get('/users/wallets/list', walletsList(ctx));
    app.get('/v2/wallets', walletsV2(ctx));
    app.get('/users/profile', profile(ctx));
    app.get('/auth/ws/token/', wsToken(ctx));
  };
}

function userTrades(ctx: SimContext): Handler {
  return async (request, reply) => {
    const token = guardPrivate(ctx, 'tradesList', request, reply);
    if (token === undefined) return reply;
    const src = textField(request, 'srcCurrency')?.toLowerCase();
    const dst = textField(request, 'dstCurrency')?.toLowerCase();
    if ((src === undefined) !== (dst === undefined))
      return reply.code(400).send(failed('ParseError', 'srcCurrency and dstCurrency must be given together'));
    const fromIdText = textField(request, 'fromId');
    const fromId = fromIdText === undefined ? undefined : Number(fromIdText);
    const page = pageParam(textField(request, 'page'), 1);
    const pageSize = pageParam(textField(request, 'pageSize'), USER_TRADES_PAGE_SIZE);
    if (page === undefined || pageSize === undefined)
      return reply.code(400).send(failed('ParseError', 'page and pageSize must be integers from 1 to 100'));
    const sinceMs = ctx.clock.nowMs() - USER_TRADES_WINDOW_MS;
    // Newest first, with or without fromId (which only drops trades below it): pages walk back in time.
    const rows = ctx.engine.orders
      .filter(
        (o) => o.token === token && (src === undefined || (o.market.base === src && o.market.quote === dst)),
      )
      .flatMap((o) => o.fills.map((f) => ({ order: o, fill: f })))
      .filter(({ fill }) => fill.atMs >= sinceMs && (fromId === undefined || fill.id >= fromId))
      .sort((a, b) => b.fill.id - a.fill.id);
    const start = (page - 1) * pageSize;
    return reply.send({
      status: 'ok',
      trades: rows.slice(start, start + pageSize).map(({ order, fill }) => tradeJson(order, fill)),
      hasNext: rows.length > start + pageSize,
    });
  };
}

function walletsList(ctx: SimContext): Handler {
  return async (request, reply) => {
    const token = guardPrivate(ctx, 'walletsList', request, reply);
    if (token === undefined) return reply;
    const wallets = ctx.wallets.currencies(token).map((currency) => {
      const e = ctx.wallets.entry(token, currency);
      const rial = rialValue(ctx, currency, e.balance);
      return {
        id: walletId(token, currency),
        currency,
        balance: pyDecimal10(e.balance),
        blockedBalance: formatDecimal(e.blocked),
        activeBalance: pyDecimal10(e.balance.minus(e.blocked)),
        rialBalance: jsonNumber(rial),
        rialBalanceSell: jsonNumber(rial),
        depositAddress: null,
        depositTag: null,
        depositInfo: {},
      };
    });
    return sendJson(reply, { status: 'ok', wallets });
  };
}

function walletsV2(ctx: SimContext): Handler {
  return async (request, reply) => {
    const token = guardPrivate(ctx, 'walletsV2', request, reply);
    if (token === undefined) return reply;
    const requested = textField(request, 'currencies')
      ?.split(',')
      .map((c) => c.trim().toLowerCase())
      .filter(isCurrency);
    const wallets: Record<string, unknown> = {};
    for (const currency of requested ?? ctx.wallets.currencies(token)) {
      const e = ctx.wallets.entry(token, currency);
      wallets[currency.toUpperCase()] = {
        id: walletId(token, currency),
        balance: pyDecimal10(e.balance),
        blocked: formatDecimal(e.blocked),
      };
    }
    return reply.send({ status: 'ok', wallets });
  };
}

function profile(ctx: SimContext): Handler {
  return async (request, reply) => {
    const token = guardPrivate(ctx, 'profile', request, reply);
    if (token === undefined) return reply;
    const feePercent = formatDecimal(ctx.feeRate.times(100));
    return reply.send({
      status: 'ok',
      profile: {
        firstName: 'Sim',
        lastName: 'Trader',
        email: `${token.slice(0, 8)}@simulator.invalid`,
        username: `sim-${token.slice(0, 8)}`,
        mobile: '09120000000',
        bankCards: [],
        bankAccounts: [],
        verifications: { email: true, phone: true, mobile: true, identity: true },
        pendingVerifications: {},
        options: {
          fee: feePercent,
          feeUsdt: feePercent,
          isManualFee: false,
          tfa: true,
          socialLoginEnabled: false,
        },
        withdrawEligible: true,
      },
      tradeStats: { monthTradesTotal: '0', monthTradesCount: 0 },
      websocketAuthParam: websocketAuthParamOf(token),
    });
  };
}

/** `GET /auth/ws/token/` (reference 2.3): a connection token for the private WebSocket channels. */
function wsToken(ctx: SimContext): Handler {
  return async (request, reply) => {
    const token = guardPrivate(ctx, 'wsToken', request, reply);
    if (token === undefined) return reply;
    return reply.send({ token: ctx.wsTokens.issue(token), status: 'ok' });
  };
}

/** Nobitex's general pagination (`page`, `pageSize`): integers from 1 to 100; undefined when invalid. */
function pageParam(text: string | undefined, fallback: number): number | undefined {
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  return Number.isInteger(value) && value >= 1 && value <= PAGE_PARAM_MAX ? value : undefined;
}

function walletId(token: string, currency: Currency): number {
  const currencyHash = createHash('sha256').update(currency).digest().readUInt16BE(0);
  return 1_000_000 + (Number.parseInt(token.slice(0, 5), 16) % 100_000) * 65_536 + currencyHash;
}

function rialValue(ctx: SimContext, currency: Currency, balance: Decimal): Decimal {
  if (currency === 'rls') return balance.floor();
  const state = ctx.engine.findMarket(currency, 'rls');
  return state === undefined ? new Decimal(0) : balance.times(state.lastPrice).floor();
}
