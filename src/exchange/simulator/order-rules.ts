// Order validation in Nobitex's order: pair, market state, client id, price, value, duplicate, balance.
// Each rejection is a business failure (HTTP 200, status failed) with the code the real exchange uses.
import { Decimal, floorToStep, parseDecimal, roundHalfEvenToStep } from '../../core/decimal.js';
import { isCurrency, isQuoteCurrency } from '../markets.js';
import { MIN_ORDER_VALUE } from './market-config.js';
import type { MarketState } from './market-state.js';
import type { OrderExecution, OrderType } from './types.js';

export interface PlaceOrderInput {
  readonly type: unknown;
  readonly execution: unknown;
  readonly srcCurrency: unknown;
  readonly dstCurrency: unknown;
  readonly amount: unknown;
  readonly price: unknown;
  readonly clientOrderId: unknown;
  readonly pro: unknown;
  /** Stop orders and OCO: the trigger price. */
  readonly stopPrice?: unknown;
  /** OCO only: the limit price of the stop leg. */
  readonly stopLimitPrice?: unknown;
  /** `oco` places a limit order and a stop-limit order that cancel each other. */
  readonly mode?: unknown;
}

export interface NormalizedOrder {
  readonly state: MarketState;
  readonly type: OrderType;
  readonly execution: OrderExecution;
  readonly amount: Decimal;
  readonly price: Decimal | undefined;
  readonly worstPrice: Decimal;
  readonly clientOrderId: string | null;
  readonly pro: boolean;
  /** Stop orders: the trigger price. */
  readonly stopPrice: Decimal | undefined;
  /** OCO: the stop leg (a stop-limit at stopLimitPrice, triggered at stopPrice). */
  readonly oco: OcoStopLeg | undefined;
}

export interface OcoStopLeg {
  readonly stopPrice: Decimal;
  readonly stopLimitPrice: Decimal;
}

export interface OrderRejection {
  readonly code: string;
  readonly message: string;
  /** 400 for unparsable input; business rules answer 200. */
  readonly httpStatus: 200 | 400;
}

/** Limit prices further than this fraction from the market are refused (BadPrice). */
export const BAD_PRICE_FRACTION = new Decimal('0.3');
/** Market orders fill only within this fraction of the given (or market) price. */
export const MARKET_BAND_FRACTION = new Decimal('0.01');
export const CLIENT_ORDER_ID_LENGTH_MAX = 32;

const reject = (code: string, message: string, httpStatus: 200 | 400 = 200): OrderRejection => ({
  code,
  message,
  httpStatus,
});

/** Parses and normalises the request; the engine then checks duplicates and balances. */
export function normalizeOrder(
  input: PlaceOrderInput,
  findMarket: (src: string, dst: string) => MarketState | undefined,
): NormalizedOrder | OrderRejection {
  if (input.type !== 'buy' && input.type !== 'sell')
    return reject('ParseError', 'type must be buy or sell', 400);
  const type: OrderType = input.type;
  const execution = input.execution ?? 'limit';
  if (!isExecution(execution)) return reject('ParseError', 'Invalid execution', 400);
  const oco = input.mode === 'oco';
  if (input.mode !== undefined && input.mode !== null && input.mode !== '' && !oco)
    return reject('ParseError', 'Invalid mode', 400);
  if (oco && execution !== 'limit') return reject('ParseError', 'OCO orders are limit orders', 400);
  const src = String(input.srcCurrency ?? '').toLowerCase();
  const dst = String(input.dstCurrency ?? '').toLowerCase();
  const state = isCurrency(src) && isQuoteCurrency(dst) ? findMarket(src, dst) : undefined;
  if (state === undefined) return reject('InvalidMarketPair', 'Invalid market pair');
  if (state.closed) return reject('MarketClosed', 'Market is closed');
  const clientOrderId =
    input.clientOrderId === undefined || input.clientOrderId === null ? null : String(input.clientOrderId);
  if (
    clientOrderId !== null &&
    (clientOrderId.length === 0 || clientOrderId.length > CLIENT_ORDER_ID_LENGTH_MAX)
  )
    return reject('ParseError', 'clientOrderId must be 1 to 32 characters', 400);
  let amount: Decimal;
  try {
    amount = floorToStep(parseDecimal(input.amount, 'amount'), state.spec.amountStep);
  } catch {
    return reject('ParseError', 'Invalid amount', 400);
  }
  const price = parsePrice(input.price, state);
  const needsPrice = execution === 'limit' || execution === 'stop_limit';
  if (price === 'invalid' || (price === undefined && needsPrice))
    return reject('InvalidOrderPrice', 'Invalid order price');
  const stops = parseStops(input, state, { type, execution, oco, price });
  if ('code' in stops) return stops;
  if (amount.lte(0)) return reject('SmallOrder', 'Order value is below the minimum');
  const reference = price ?? stops.stopPrice ?? state.lastPrice;
  if (needsPrice && reference.minus(state.lastPrice).abs().gt(state.lastPrice.times(BAD_PRICE_FRACTION)))
    return reject('BadPrice', 'Order price is too far from the market price');
  if (amount.times(reference).lt(state.config.minOrderValue ?? MIN_ORDER_VALUE[state.market.quote]))
    return reject('SmallOrder', 'Order value is below the minimum');
  const worstPrice = needsPrice ? reference : marketBandBound(type, reference);
  const pro = input.pro === 'yes' || input.pro === 'true' || input.pro === true;
  return { state, type, execution, amount, price, worstPrice, clientOrderId, pro, ...stops };
}

/** The 1% band bound a market (or triggered stop-market) order may fill to. */
export function marketBandBound(type: OrderType, reference: Decimal): Decimal {
  const band = reference.times(MARKET_BAND_FRACTION);
  return type === 'buy' ? reference.plus(band) : reference.minus(band);
}

const EXECUTIONS: readonly OrderExecution[] = ['limit', 'market', 'stop_limit', 'stop_market'];
const isExecution = (value: unknown): value is OrderExecution => EXECUTIONS.includes(value as OrderExecution);

/**
 * stopPrice (and OCO's stopLimitPrice) against the market, as Nobitex checks them: a stop must not be
 * reached already (BadPrice); an OCO buy needs price < last < stopPrice, stopLimitPrice, a sell the
 * reverse (PriceConditionFailed).
 */
function parseStops(
  input: PlaceOrderInput,
  state: MarketState,
  order: { type: OrderType; execution: OrderExecution; oco: boolean; price: Decimal | undefined },
): Pick<NormalizedOrder, 'stopPrice' | 'oco'> | OrderRejection {
  const isStop = order.execution === 'stop_limit' || order.execution === 'stop_market';
  if (!isStop && !order.oco) return { stopPrice: undefined, oco: undefined };
  const stopPrice = parsePrice(input.stopPrice, state);
  if (stopPrice === undefined || stopPrice === 'invalid')
    return reject('InvalidOrderPrice', 'Invalid stop price');
  const last = state.lastPrice;
  // Seen from the side: "beyond" is above the market for a buy, below it for a sell.
  const beyond = (value: Decimal) => (order.type === 'buy' ? value.gt(last) : value.lt(last));
  if (isStop)
    return beyond(stopPrice)
      ? { stopPrice, oco: undefined }
      : reject('BadPrice', 'The market price has already reached the stop price');
  const stopLimitPrice = parsePrice(input.stopLimitPrice, state);
  if (stopLimitPrice === undefined || stopLimitPrice === 'invalid' || order.price === undefined)
    return reject('InvalidOrderPrice', 'Invalid stop limit price');
  const limitOnOtherSide = order.type === 'buy' ? order.price.lt(last) : order.price.gt(last);
  if (!limitOnOtherSide || !beyond(stopPrice) || !beyond(stopLimitPrice))
    return reject('PriceConditionFailed', 'OCO price condition failed');
  return { stopPrice: undefined, oco: { stopPrice, stopLimitPrice } };
}

export const isRejection = (value: NormalizedOrder | OrderRejection): value is OrderRejection =>
  'code' in value;

function parsePrice(raw: unknown, state: MarketState): Decimal | undefined | 'invalid' {
  if (raw === undefined || raw === null || raw === '' || raw === 'market') return undefined;
  try {
    const price = roundHalfEvenToStep(parseDecimal(raw, 'price'), state.spec.priceStep);
    return price.gt(0) ? price : 'invalid';
  } catch {
    return 'invalid';
  }
}
