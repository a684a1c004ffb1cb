// Paper trading keeps its exchange across restarts: balances, orders and id counters, saved after every
// change and before any answer leaves, so after kill -9 the exchange is never behind what Keel saw.
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { Decimal, formatDecimal } from '../../core/decimal.js';
import { isCurrency, isQuoteCurrency } from '../markets.js';
import { isOpenStatus, type SimOrder } from './types.js';

/** Finished orders kept in the file besides every open one: lookups of old orders are rare. */
export const FINISHED_ORDERS_KEPT = 2_000;

const decimal = z.string().regex(/^-?\d+(\.\d+)?$/);
const fillSchema = z.object({
  id: z.number().int(),
  orderId: z.number().int(),
  price: decimal,
  amount: decimal,
  total: decimal,
  fee: decimal,
  atMs: z.number(),
});
const orderSchema = z.object({
  id: z.number().int(),
  token: z.string(),
  base: z.string(),
  quote: z.string(),
  symbol: z.string(),
  type: z.enum(['buy', 'sell']),
  execution: z.enum(['limit', 'market', 'stop_limit', 'stop_market']),
  price: decimal.nullable(),
  // Absent in files written before stop orders existed.
  stopPrice: decimal.optional(),
  pairId: z.number().int().optional(),
  amount: decimal,
  worstPrice: decimal,
  clientOrderId: z.string().nullable(),
  createdAtMs: z.number(),
  status: z.enum(['Active', 'Inactive', 'Done', 'Canceled']),
  matchedAmount: decimal,
  matchedTotal: decimal,
  fee: decimal,
  blockedRemaining: decimal,
  fills: z.array(fillSchema),
});
export const simulatorStateSchema = z.object({
  version: z.literal(1),
  nextIds: z.object({ orderId: z.number().int(), tradeId: z.number().int() }),
  accounts: z.record(z.string(), z.record(z.string(), z.object({ balance: decimal, blocked: decimal }))),
  orders: z.array(orderSchema),
});
export type SimulatorState = z.infer<typeof simulatorStateSchema>;

export function serializeOrders(orders: readonly SimOrder[]): SimulatorState['orders'] {
  const open = orders.filter((order) => isOpenStatus(order.status));
  const finished = orders.filter((order) => !isOpenStatus(order.status)).slice(-FINISHED_ORDERS_KEPT);
  return [...finished, ...open]
    .sort((a, b) => a.id - b.id)
    .map((order) => ({
      id: order.id,
      token: order.token,
      base: order.market.base,
      quote: order.market.quote,
      symbol: order.symbol,
      type: order.type,
      execution: order.execution,
      price: order.price === undefined ? null : formatDecimal(order.price),
      ...(order.stopPrice === undefined ? {} : { stopPrice: formatDecimal(order.stopPrice) }),
      ...(order.pairId === undefined ? {} : { pairId: order.pairId }),
      amount: formatDecimal(order.amount),
      worstPrice: formatDecimal(order.worstPrice),
      clientOrderId: order.clientOrderId,
      createdAtMs: order.createdAtMs,
      status: order.status,
      matchedAmount: formatDecimal(order.matchedAmount),
      matchedTotal: formatDecimal(order.matchedTotal),
      fee: formatDecimal(order.fee),
      blockedRemaining: formatDecimal(order.blockedRemaining),
      fills: order.fills.map((fill) => ({
        id: fill.id,
        orderId: fill.orderId,
        price: formatDecimal(fill.price),
        amount: formatDecimal(fill.amount),
        total: formatDecimal(fill.total),
        fee: formatDecimal(fill.fee),
        atMs: fill.atMs,
      })),
    }));
}

export function deserializeOrders(orders: SimulatorState['orders']): SimOrder[] {
  return orders.flatMap((order) => {
    if (!isCurrency(order.base) || !isQuoteCurrency(order.quote)) return [];
    const d = (text: string) => new Decimal(text);
    return [
      {
        id: order.id,
        token: order.token,
        market: { base: order.base, quote: order.quote },
        symbol: order.symbol,
        type: order.type,
        execution: order.execution,
        price: order.price === null ? undefined : d(order.price),
        ...(order.stopPrice === undefined ? {} : { stopPrice: d(order.stopPrice) }),
        ...(order.pairId === undefined ? {} : { pairId: order.pairId }),
        amount: d(order.amount),
        worstPrice: d(order.worstPrice),
        clientOrderId: order.clientOrderId,
        createdAtMs: order.createdAtMs,
        status: order.status,
        matchedAmount: d(order.matchedAmount),
        matchedTotal: d(order.matchedTotal),
        fee: d(order.fee),
        blockedRemaining: d(order.blockedRemaining),
        fills: order.fills.map((fill) => ({
          ...fill,
          price: d(fill.price),
          amount: d(fill.amount),
          total: d(fill.total),
          fee: d(fill.fee),
        })),
      },
    ];
  });
}

/** A JSON file written atomically (temp file, fsync, rename). */
export class SimulatorStateFile {
  constructor(readonly path: string) {}

  load(): SimulatorState | undefined {
    if (!existsSync(this.path)) return undefined;
    const parsed = simulatorStateSchema.safeParse(JSON.parse(readFileSync(this.path, 'utf8')));
    if (!parsed.success)
      throw new RangeError(
        `paper exchange state ${this.path} is not valid: ${parsed.error.issues[0]?.message ?? ''}`,
      );
    return parsed.data;
  }

  save(state: SimulatorState): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const temporary = `${this.path}.tmp`;
    const fd = openSync(temporary, 'w', 0o600);
    try {
      writeSync(fd, JSON.stringify(state));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, this.path);
  }
}
