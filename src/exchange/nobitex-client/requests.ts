// Request building: query strings, bodies and the checks on caller input (programmer errors → RangeError).
import { type Decimal, formatDecimal } from '../../core/decimal.js';
import type { Market } from '../markets.js';
import type { OrderSide, OrderStatus } from './types.js';

export type OrderRef = { readonly id: number } | { readonly clientOrderId: string };

export interface PlaceOrderParams {
  readonly market: Market;
  readonly side: OrderSide;
  readonly execution: 'limit' | 'market' | 'stop_limit' | 'stop_market';
  /** In the base currency. */
  readonly amount: Decimal;
  /** Required for limit; for market orders a slippage bound (strongly recommended by Nobitex). */
  readonly price?: Decimal;
  /** ≤ 32 characters, unique among open orders. */
  readonly clientOrderId?: string;
  /** Disables Nobitex's 10-second duplicate-order guard. */
  readonly pro?: boolean;
  /** Stop orders: the trigger price. */
  readonly stopPrice?: Decimal;
  /** An OCO (execution limit): a limit order at `price` plus a stop-limit at stopLimitPrice triggered at stopPrice. */
  readonly oco?: { readonly stopPrice: Decimal; readonly stopLimitPrice: Decimal };
}

export type ListOrdersStatus = 'open' | 'all' | 'done' | 'close';

export interface ListOrdersParams {
  readonly status: ListOrdersStatus;
  readonly market?: Market;
  /** Only 2 is supported: it is the only level that returns `id` and `status`. */
  readonly details?: 2;
  /** Orders with id > fromId; cannot be combined with page. */
  readonly fromId?: number;
  readonly page?: number;
  /** 1..1000, Nobitex's default is 100. */
  readonly pageSize?: number;
}

export interface CancelOldParams {
  /** Cancel orders created within the last N hours; absent → all matching active orders. */
  readonly hours?: number;
  readonly execution?: 'limit' | 'market' | 'stop_limit' | 'stop_market';
  readonly market?: Market;
}

export const CLIENT_ORDER_ID_LENGTH_MAX = 32;

export type QueryValue = string | number | undefined;

/** `?a=1&b=x,y` with commas kept readable; the signature covers exactly this text. */
export function buildQuery(query: Readonly<Record<string, QueryValue>>): string {
  const parts = Object.entries(query)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(
      ([key, value]) =>
        `${encodeURIComponent(key)}=${encodeURIComponent(String(value)).replace(/%2C/gi, ',')}`,
    );
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
}

export function placeOrderBody(params: PlaceOrderParams): Record<string, string> {
  if (!params.amount.isFinite() || params.amount.lte(0))
    throw new RangeError(`amount must be positive, was ${formatDecimal(params.amount)}`);
  if ((params.execution === 'limit' || params.execution === 'stop_limit') && params.price === undefined)
    throw new RangeError(`price is required for ${params.execution} orders`);
  const isStop = params.execution === 'stop_limit' || params.execution === 'stop_market';
  if (isStop !== (params.stopPrice !== undefined))
    throw new RangeError('stopPrice is required for stop orders, and only for them');
  if (params.oco !== undefined && params.execution !== 'limit')
    throw new RangeError(`an OCO order is a limit order, was ${params.execution}`);
  if (params.price !== undefined && (!params.price.isFinite() || params.price.lte(0)))
    throw new RangeError(`price must be positive, was ${formatDecimal(params.price)}`);
  const clientOrderId = params.clientOrderId;
  if (clientOrderId !== undefined) checkClientOrderId(clientOrderId);
  const body: Record<string, string> = {
    type: params.side,
    execution: params.execution,
    srcCurrency: params.market.base,
    dstCurrency: params.market.quote,
    amount: formatDecimal(params.amount),
  };
  if (params.price !== undefined) body.price = formatDecimal(params.price);
  if (clientOrderId !== undefined) body.clientOrderId = clientOrderId;
  if (params.pro === true) body.pro = 'yes';
  if (params.stopPrice !== undefined) body.stopPrice = formatDecimal(params.stopPrice);
  if (params.oco !== undefined) {
    body.mode = 'oco';
    body.stopPrice = formatDecimal(params.oco.stopPrice);
    body.stopLimitPrice = formatDecimal(params.oco.stopLimitPrice);
  }
  return body;
}

export function checkClientOrderId(clientOrderId: string): void {
  if (
    clientOrderId.length < 1 ||
    clientOrderId.length > CLIENT_ORDER_ID_LENGTH_MAX ||
    !/^[\x21-\x7e]+$/.test(clientOrderId)
  )
    throw new RangeError(
      `clientOrderId must be 1-${CLIENT_ORDER_ID_LENGTH_MAX} printable ASCII characters, was ${JSON.stringify(clientOrderId.slice(0, 40))}`,
    );
}

export function orderRefBody(ref: OrderRef, idKey: 'id' | 'order'): Record<string, string | number> {
  if ('id' in ref) {
    if (!Number.isSafeInteger(ref.id) || ref.id <= 0)
      throw new RangeError(`id must be a positive integer, was ${ref.id}`);
    return { [idKey]: ref.id };
  }
  checkClientOrderId(ref.clientOrderId);
  return { clientOrderId: ref.clientOrderId };
}

export function listOrdersQuery(params: ListOrdersParams): Record<string, QueryValue> {
  if (params.fromId !== undefined && params.page !== undefined)
    throw new RangeError(`fromId and page cannot be combined, were ${params.fromId} and ${params.page}`);
  if (
    params.pageSize !== undefined &&
    !(Number.isInteger(params.pageSize) && params.pageSize >= 1 && params.pageSize <= 1000)
  )
    throw new RangeError(`pageSize must be an integer in [1, 1000], was ${params.pageSize}`);
  if (params.page !== undefined && !(Number.isInteger(params.page) && params.page >= 1))
    throw new RangeError(`page must be a positive integer, was ${params.page}`);
  return {
    status: params.status,
    srcCurrency: params.market?.base,
    dstCurrency: params.market?.quote,
    details: 2,
    fromId: params.fromId,
    page: params.page,
    pageSize: params.pageSize,
  };
}

export function cancelOldBody(params: CancelOldParams): Record<string, string | number> {
  const body: Record<string, string | number> = {};
  if (params.hours !== undefined) {
    if (!(Number.isFinite(params.hours) && params.hours > 0))
      throw new RangeError(`hours must be positive, was ${params.hours}`);
    body.hours = params.hours;
  }
  if (params.execution !== undefined) body.execution = params.execution;
  if (params.market !== undefined) {
    body.srcCurrency = params.market.base;
    body.dstCurrency = params.market.quote;
  }
  return body;
}

/** The status a cancel asks for (update-status also allows new → active, which Keel never uses). */
export const CANCEL_STATUS: Lowercase<Extract<OrderStatus, 'Canceled'>> = 'canceled';
