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
  const execution = input.execution ?? 'limit';
  if (execution === 'stop_limit' || execution === 'stop_market')
    return reject('FeatureUnavailable', 'Stop orders are not available in the simulator');
  if (execution !== 'limit' && execution !== 'market') return reject('ParseError', 'Invalid execution', 400);
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
  if (price === 'invalid' || (price === undefined && execution === 'limit'))
    return reject('InvalidOrderPrice', 'Invalid order price');
  if (amount.lte(0)) return reject('SmallOrder', 'Order value is below the minimum');
  const reference = price ?? state.lastPrice;
  if (
    execution === 'limit' &&
    reference.minus(state.lastPrice).abs().gt(state.lastPrice.times(BAD_PRICE_FRACTION))
  )
    return reject('BadPrice', 'Order price is too far from the market price');
  if (amount.times(reference).lt(state.config.minOrderValue ?? MIN_ORDER_VALUE[state.market.quote]))
    return reject('SmallOrder', 'Order value is below the minimum');
  const band = reference.times(MARKET_BAND_FRACTION);
  const worstPrice =
    execution === 'limit' ? reference : input.type === 'buy' ? reference.plus(band) : reference.minus(band);
  const pro = input.pro === 'yes' || input.pro === 'true' || input.pro === true;
  return { state, type: input.type, execution, amount, price, worstPrice, clientOrderId, pro };
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
