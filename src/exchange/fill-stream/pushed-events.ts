// Parses the payloads of Nobitex's private channels (reference 8). `data` arrives as a JSON-encoded
// string in the raw protocol (an object is accepted too). Bad input throws PushPayloadError naming
// the field; money is parsed as decimals, never floats.
import { parseDecimal, parseJsonLossless } from '../../core/decimal.js';
import { isCurrency, isQuoteCurrency, type Market } from '../markets.js';
import type { ExchangeOrderStatus, ExchangeTrade } from '../transaction-verification/gateway.js';
import type { PushedOrder } from '../transaction-verification/push-feed.js';
import { PushPayloadError } from './errors.js';

const STATUSES: readonly ExchangeOrderStatus[] = ['New', 'Active', 'Inactive', 'Done', 'Canceled'];
/** Longest payload text accepted, characters. */
const PAYLOAD_TEXT_LENGTH_MAX = 16_384;

/** `private:trades#…`: `{id,orderId,srcCurrency,dstCurrency,timestamp,price,amount,total,type,fee}`. */
export function parsePushedTrade(data: unknown): ExchangeTrade {
  const o = objectOf(data);
  return {
    id: idOf(o.id, 'id'),
    orderId: idOf(o.orderId, 'orderId'),
    market: marketOf(o),
    side: sideOf(o.type, 'type'),
    amount: parseDecimal(o.amount, 'amount'),
    price: parseDecimal(o.price, 'price'),
    total: parseDecimal(o.total, 'total'),
    fee: parseDecimal(o.fee, 'fee'),
    atMs: timeOf(o.timestamp, 'timestamp'),
  };
}

/** `private:orders#…`: the order's state after a change (status, filledAmount, avgFilledPrice, fee). */
export function parsePushedOrder(data: unknown): PushedOrder {
  const o = objectOf(data);
  const status = STATUSES.find((candidate) => candidate === o.status);
  if (status === undefined)
    throw new PushPayloadError(`status is not an order status, was ${show(o.status)}`);
  return {
    id: idOf(o.orderId, 'orderId'),
    clientOrderId: typeof o.clientOrderId === 'string' && o.clientOrderId !== '' ? o.clientOrderId : null,
    status,
    market: marketOf(o),
    side: sideOf(o.side, 'side'),
    amount: parseDecimal(o.amount, 'amount'),
    matchedAmount: parseDecimal(o.filledAmount, 'filledAmount'),
    averagePrice: parseDecimal(o.avgFilledPrice ?? '0', 'avgFilledPrice'),
    fee: parseDecimal(o.fee ?? '0', 'fee'),
    eventAtMs: timeOf(o.eventTime, 'eventTime'),
  };
}

function objectOf(data: unknown): Record<string, unknown> {
  let value = data;
  if (typeof data === 'string') {
    if (data.length > PAYLOAD_TEXT_LENGTH_MAX)
      throw new PushPayloadError(`payload is too long, was ${data.length} characters`);
    try {
      value = parseJsonLossless(data);
    } catch (error) {
      throw new PushPayloadError(`payload is not JSON: ${(error as Error).message}`);
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new PushPayloadError(`payload must be an object, was ${show(value)}`);
  return value as Record<string, unknown>;
}

function idOf(value: unknown, field: string): string {
  const text = typeof value === 'object' && value !== null ? String(value) : value;
  if ((typeof text === 'number' || typeof text === 'string') && /^\d{1,18}$/.test(String(text)))
    return String(text);
  throw new PushPayloadError(`${field} must be a positive integer id, was ${show(value)}`);
}

function marketOf(o: Record<string, unknown>): Market {
  const base = String(o.srcCurrency ?? '').toLowerCase();
  const quote = String(o.dstCurrency ?? '').toLowerCase();
  if (!isCurrency(base) || base === 'rls')
    throw new PushPayloadError(`srcCurrency unknown, was ${show(o.srcCurrency)}`);
  if (!isQuoteCurrency(quote)) throw new PushPayloadError(`dstCurrency unknown, was ${show(o.dstCurrency)}`);
  return { base, quote };
}

function sideOf(value: unknown, field: string): 'buy' | 'sell' {
  const side = String(value ?? '').toLowerCase();
  if (side === 'buy' || side === 'sell') return side;
  throw new PushPayloadError(`${field} must be buy or sell, was ${show(value)}`);
}

/** ISO-8601 (`…+00:00`) or epoch ms. */
function timeOf(value: unknown, field: string): number {
  const ms = typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (Number.isFinite(ms) && ms > 0) return ms;
  throw new PushPayloadError(`${field} must be a time, was ${show(value)}`);
}

const show = (value: unknown): string => JSON.stringify(value ?? null)?.slice(0, 60) ?? String(value);
