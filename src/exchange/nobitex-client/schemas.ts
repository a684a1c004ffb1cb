// Response schemas: each validates a Nobitex answer and yields the domain type. Unknown fields are
// ignored (Nobitex adds undocumented ones); a wrong or missing field names its path.
import { z } from 'zod';
import { parseMarket } from '../markets.js';
import {
  currencyCodeField,
  currencyField,
  decimalField,
  epochMsField,
  isoTimeField,
  marketField,
  optionalDecimalField,
  priceField,
  safeIntegerField,
} from './schema-fields.js';
import type { Order, OrderExecution, OrderStatus } from './types.js';

const EXECUTIONS: Readonly<Record<'Limit' | 'Market' | 'StopLimit' | 'StopMarket', OrderExecution>> = {
  Limit: 'limit',
  Market: 'market',
  StopLimit: 'stopLimit',
  StopMarket: 'stopMarket',
};

export const orderStatusSchema = z.enum(['New', 'Active', 'Inactive', 'Done', 'Canceled']);

export const orderSchema = z
  .object({
    id: safeIntegerField,
    type: z.enum(['buy', 'sell']),
    execution: z.enum(['Limit', 'Market', 'StopLimit', 'StopMarket']),
    market: marketField.optional(),
    srcCurrency: currencyField.optional(),
    dstCurrency: currencyField.optional(),
    price: priceField,
    amount: decimalField,
    matchedAmount: decimalField,
    unmatchedAmount: optionalDecimalField,
    averagePrice: decimalField,
    fee: decimalField,
    status: orderStatusSchema,
    partial: z.boolean().optional(),
    created_at: isoTimeField,
    clientOrderId: z.string().max(64).nullable().optional(),
    /** Stop orders: the stop price. */
    param1: optionalDecimalField,
    /** OCO legs: the other leg's id. */
    pairId: safeIntegerField.nullable().optional(),
  })
  .transform((raw, ctx): Order => {
    let market = raw.market;
    if (market === undefined) {
      try {
        market = parseMarket(`${raw.srcCurrency ?? ''}-${raw.dstCurrency ?? ''}`);
      } catch {
        ctx.addIssue({
          code: 'custom',
          path: ['market'],
          message: 'missing, and srcCurrency/dstCurrency name none',
        });
        return z.NEVER;
      }
    }
    return {
      id: raw.id,
      clientOrderId: raw.clientOrderId ?? null,
      market,
      side: raw.type,
      execution: EXECUTIONS[raw.execution],
      status: raw.status as OrderStatus,
      price: raw.price,
      amount: raw.amount,
      matchedAmount: raw.matchedAmount,
      unmatchedAmount: raw.unmatchedAmount ?? raw.amount.minus(raw.matchedAmount),
      averagePrice: raw.averagePrice,
      fee: raw.fee,
      createdAtMs: raw.created_at,
      partial: raw.partial ?? false,
      stopPrice: raw.param1 ?? null,
      pairId: raw.pairId ?? null,
    };
  });

const priceLevelSchema = z
  .tuple([decimalField, decimalField])
  .rest(z.unknown())
  .transform(([price, amount]) => ({ price, amount }));

export const orderBookBodySchema = z.object({
  lastUpdate: epochMsField,
  lastTradePrice: optionalDecimalField,
  asks: z.array(priceLevelSchema),
  bids: z.array(priceLevelSchema),
});

export const publicTradesSchema = z.object({
  trades: z.array(
    z
      .object({
        time: epochMsField,
        price: decimalField,
        volume: decimalField,
        type: z.enum(['buy', 'sell']),
      })
      .transform((t) => ({ timeMs: t.time, price: t.price, volume: t.volume, side: t.type })),
  ),
});

export const marketStatsEntrySchema = z.object({
  isClosed: z.boolean(),
  bestSell: optionalDecimalField,
  bestBuy: optionalDecimalField,
  volumeSrc: decimalField,
  volumeDst: decimalField,
  latest: decimalField,
  mark: optionalDecimalField,
  dayLow: decimalField,
  dayHigh: decimalField,
  dayOpen: decimalField,
  dayClose: decimalField,
  dayChange: decimalField,
});

export const marketStatsSchema = z.object({ stats: z.record(z.string(), z.unknown()) });

export const ohlcSchema = z.discriminatedUnion('s', [
  z.object({
    s: z.literal('ok'),
    t: z.array(epochMsField),
    o: z.array(decimalField),
    h: z.array(decimalField),
    l: z.array(decimalField),
    c: z.array(decimalField),
    v: z.array(decimalField),
  }),
  z.object({ s: z.literal('no_data') }),
  z.object({ s: z.literal('error'), errmsg: z.string().optional() }),
]);

const decimalMap = z.record(z.string(), decimalField).transform((r) => new Map(Object.entries(r)));

export const optionsSchema = z.object({
  nobitex: z.object({
    minOrders: decimalMap,
    amountPrecisions: decimalMap,
    pricePrecisions: decimalMap,
    activeCurrencies: z.array(currencyCodeField).optional(),
  }),
});

export const orderEnvelopeSchema = z.object({ order: orderSchema });

/** orders/add answers an OCO with both legs in `orders` (the limit leg first) instead of `order`. */
export const ocoEnvelopeSchema = z.object({ orders: z.array(orderSchema).length(2) }).transform((raw) => ({
  order: (raw.orders.find((o) => o.execution === 'limit') ?? raw.orders[0]) as Order,
}));

export const listOrdersSchema = z.object({ orders: z.array(z.unknown()), hasNext: z.boolean().optional() });

export const updateStatusSchema = z.object({ updatedStatus: orderStatusSchema, order: orderSchema });

export const userTradesSchema = z.object({
  trades: z.array(
    z
      .object({
        id: safeIntegerField,
        orderId: safeIntegerField,
        market: marketField,
        timestamp: isoTimeField,
        type: z.enum(['buy', 'sell']),
        price: decimalField,
        amount: decimalField,
        total: decimalField,
        fee: decimalField,
      })
      .transform((t) => ({
        id: t.id,
        orderId: t.orderId,
        market: t.market,
        side: t.type,
        price: t.price,
        amount: t.amount,
        total: t.total,
        fee: t.fee,
        executedAtMs: t.timestamp,
      })),
  ),
  hasNext: z.boolean().optional(),
});

export const walletsSchema = z.object({
  wallets: z.array(
    z.object({
      id: safeIntegerField,
      currency: currencyCodeField,
      balance: decimalField,
      blockedBalance: decimalField,
      activeBalance: decimalField,
    }),
  ),
});

export const walletsV2Schema = z.object({
  wallets: z.record(
    z.string(),
    z.object({ id: safeIntegerField, balance: decimalField, blocked: decimalField }),
  ),
});

export const profileSchema = z.object({
  profile: z.object({
    email: z.string().nullable().optional(),
    username: z.string().nullable().optional(),
    options: z.object({ fee: optionalDecimalField, feeUsdt: optionalDecimalField }).partial().optional(),
  }),
  tradeStats: z.object({ monthTradesCount: safeIntegerField.optional() }).optional(),
  websocketAuthParam: z.string().nullable().optional(),
});

/** `GET /auth/ws/token/`: `{"token":"<JWT>","status":"ok"}`. */
export const wsTokenSchema = z.object({ token: z.string().min(1).max(4_096) });

/** `{"status":"failed","code":…,"message":…}` and the update-status extras. */
export const failedEnvelopeSchema = z.object({
  status: z.literal('failed'),
  code: z.string().optional(),
  message: z.string().optional(),
  clientOrderId: z.string().nullable().optional(),
});
