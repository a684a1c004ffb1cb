// Read-only views of the engine for tests and the chaos endpoint: decimals as exact strings.
import { formatDecimal } from '../../core/decimal.js';
import type { GroundTruthOrder, SimOrder, SimTrade } from './types.js';

export function groundTruthOf(orders: readonly SimOrder[]): GroundTruthOrder[] {
  return orders.map((o) => ({
    id: o.id,
    token: o.token,
    symbol: o.symbol,
    type: o.type,
    execution: o.execution,
    clientOrderId: o.clientOrderId,
    status: o.status,
    price: o.price === undefined ? null : formatDecimal(o.price),
    stopPrice: o.stopPrice === undefined ? null : formatDecimal(o.stopPrice),
    pairId: o.pairId ?? null,
    amount: formatDecimal(o.amount),
    matchedAmount: formatDecimal(o.matchedAmount),
    fee: formatDecimal(o.fee),
    createdAtMs: o.createdAtMs,
    fills: o.fills.map((f) => ({
      id: f.id,
      price: formatDecimal(f.price),
      amount: formatDecimal(f.amount),
      fee: formatDecimal(f.fee),
      atMs: f.atMs,
    })),
  }));
}

export function tradesOf(orders: readonly SimOrder[]): SimTrade[] {
  return orders
    .flatMap((o) =>
      o.fills.map((f) => ({
        id: f.id,
        orderId: o.id,
        token: o.token,
        symbol: o.symbol,
        type: o.type,
        price: formatDecimal(f.price),
        amount: formatDecimal(f.amount),
        total: formatDecimal(f.total),
        fee: formatDecimal(f.fee),
        atMs: f.atMs,
      })),
    )
    .sort((a, b) => a.id - b.id);
}
