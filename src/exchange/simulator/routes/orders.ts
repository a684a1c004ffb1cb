// Private order endpoints: add, status, list, update-status, cancel-old.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Decimal } from '../../../core/decimal.js';
import { failed, field, guardPrivate, type SimContext, textField } from '../context.js';
import { refreshLiveBook } from '../live-markets.js';
import { orderJson } from '../serialize.js';
import type { SimOrder } from '../types.js';
import { listOrders } from './order-list.js';

export const ORDER_NOT_FOUND = { detail: 'No Order matches the given query.' } as const;
const NULL_ID = ['NullIdAndClientOrderId', 'Both id and clientOrderId cannot be null'] as const;

type Handler = (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply>;

export function orderRoutes(ctx: SimContext) {
  return async (app: FastifyInstance): Promise<void> => {
    app.post('/market/orders/add', addOrder(ctx));
    app.post('/market/orders/status', orderStatus(ctx));
    app.get('/market/orders/status', orderStatus(ctx));
    app.get('/market/orders/list', orderList(ctx));
    app.post('/market/orders/update-status', updateStatus(ctx));
    app.post('/market/orders/cancel-old', cancelOld(ctx));
  };
}

const priceStepOf = (ctx: SimContext, order: SimOrder): Decimal =>
  ctx.engine.markets.get(order.symbol)?.spec.priceStep ?? order.worstPrice;

function addOrder(ctx: SimContext): Handler {
  return async (request, reply) => {
    const token = guardPrivate(ctx, 'ordersAdd', request, reply);
    if (token === undefined) return reply;
    // On live prices only: matching waits for the market's live book (no extra await otherwise, so a
    // socket fault still lands in the same turn as the order it follows).
    const live =
      ctx.marketFeed === undefined
        ? undefined
        : ctx.engine.findMarket(
            (textField(request, 'srcCurrency') ?? '').toLowerCase(),
            (textField(request, 'dstCurrency') ?? '').toLowerCase(),
          );
    if (live !== undefined && !(await refreshLiveBook(ctx, live)))
      return reply.send(failed('TryAgainLater', 'live order book unavailable, try again later'));
    const result = ctx.engine.place(
      token,
      {
        type: textField(request, 'type'),
        execution: textField(request, 'execution'),
        srcCurrency: textField(request, 'srcCurrency'),
        dstCurrency: textField(request, 'dstCurrency'),
        amount: field(request, 'amount'),
        price: field(request, 'price'),
        clientOrderId: textField(request, 'clientOrderId'),
        pro: field(request, 'pro'),
        stopPrice: field(request, 'stopPrice'),
        stopLimitPrice: field(request, 'stopLimitPrice'),
        mode: textField(request, 'mode'),
      },
      ctx.clock.nowMs(),
      ctx.chaos.tradePieces(request.method, '/market/orders/add'),
    );
    // An OCO answers with both legs in `orders` (limit leg first) instead of `order`.
    if (result.ok && result.pair !== undefined)
      return reply.send({
        status: 'ok',
        orders: [result.order, result.pair].map((o) => orderJson(o, 'add', priceStepOf(ctx, o))),
      });
    if (result.ok)
      return reply.send({
        status: 'ok',
        order: orderJson(result.order, 'add', priceStepOf(ctx, result.order)),
      });
    const clientOrderId = textField(request, 'clientOrderId');
    return reply
      .code(result.httpStatus)
      .send(failed(result.code, result.message, clientOrderId === undefined ? {} : { clientOrderId }));
  };
}

function orderStatus(ctx: SimContext): Handler {
  return async (request, reply) => {
    const token = guardPrivate(ctx, 'ordersStatus', request, reply);
    if (token === undefined) return reply;
    const found = findOrder(ctx, token, request, 'id');
    if (found === 'missing') return reply.send(failed(...NULL_ID));
    if (found === undefined) return reply.code(404).send(ORDER_NOT_FOUND);
    return reply.send({ status: 'ok', order: orderJson(found, 'status', priceStepOf(ctx, found)) });
  };
}

function orderList(ctx: SimContext): Handler {
  return async (request, reply) => {
    const token = guardPrivate(ctx, 'ordersList', request, reply);
    if (token === undefined) return reply;
    const listed = listOrders(ctx.engine.orders, token, (name) => textField(request, name));
    if ('error' in listed) return reply.code(400).send(failed('ParseError', listed.error));
    const view = textField(request, 'details') === '2' ? 'list2' : 'list1';
    return reply.send({
      status: 'ok',
      orders: listed.orders.map((o) => orderJson(o, view, priceStepOf(ctx, o))),
      hasNext: listed.hasNext,
    });
  };
}

function updateStatus(ctx: SimContext): Handler {
  return async (request, reply) => {
    const token = guardPrivate(ctx, 'ordersUpdateStatus', request, reply);
    if (token === undefined) return reply;
    const wanted = (textField(request, 'status') ?? '').toLowerCase();
    if (wanted !== 'canceled' && wanted !== 'active')
      return reply.send(failed('ParseError', 'Invalid status'));
    const found = findOrder(ctx, token, request, 'order');
    if (found === 'missing') return reply.send(failed(...NULL_ID));
    if (found === undefined) return reply.code(404).send(ORDER_NOT_FOUND);
    // new→active has nothing to do here (orders are Active at once); only a cancel changes state.
    const applied = wanted === 'canceled' && ctx.engine.cancel(found);
    return reply.send({
      status: applied ? 'ok' : 'failed',
      updatedStatus: found.status,
      order: orderJson(found, 'status', priceStepOf(ctx, found)),
    });
  };
}

function cancelOld(ctx: SimContext): Handler {
  return async (request, reply) => {
    const token = guardPrivate(ctx, 'ordersCancelOld', request, reply);
    if (token === undefined) return reply;
    const hoursText = textField(request, 'hours');
    const hours = hoursText === undefined ? undefined : Number(hoursText);
    if (hours !== undefined && !(hours >= 0))
      return reply.code(400).send(failed('ParseError', 'Invalid hours'));
    const sinceMs = hours === undefined ? Number.NEGATIVE_INFINITY : ctx.clock.nowMs() - hours * 3_600_000;
    const execution = textField(request, 'execution')?.toLowerCase();
    const src = textField(request, 'srcCurrency')?.toLowerCase();
    const dst = textField(request, 'dstCurrency')?.toLowerCase();
    for (const order of ctx.engine.orders) {
      // Active orders only: an inactive stop survives unless it is an OCO leg (its pair cancels it).
      if (order.token !== token || order.status !== 'Active' || order.createdAtMs < sinceMs) continue;
      if (execution !== undefined && order.execution !== execution) continue;
      if (src !== undefined && order.market.base !== src) continue;
      if (dst !== undefined && order.market.quote !== dst) continue;
      ctx.engine.cancel(order);
    }
    return reply.send({ status: 'ok' });
  };
}

/** By id (wins), else by clientOrderId among open orders only; 'missing' when neither was given. */
function findOrder(
  ctx: SimContext,
  token: string,
  request: FastifyRequest,
  idField: 'id' | 'order',
): SimOrder | undefined | 'missing' {
  const idText = textField(request, idField);
  const clientOrderId = textField(request, 'clientOrderId');
  if (idText !== undefined && idText !== '') {
    const id = Number(idText);
    return Number.isSafeInteger(id) ? ctx.engine.orderById(token, id) : undefined;
  }
  if (clientOrderId !== undefined && clientOrderId !== '')
    return ctx.engine.openByClientOrderId(token, clientOrderId);
  return 'missing';
}
