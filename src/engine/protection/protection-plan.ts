// What protects a filled buy entry: an OCO when both a stop-loss and a take-profit are asked for, a
// stop-market sell for a stop-loss alone, a limit sell for a take-profit alone, each for what the
// entry's fills left in the wallet. Pure: the manager journals and places what this returns.
import { Decimal, floorToStep, formatDecimal, roundHalfEvenToStep } from '../../core/decimal.js';
import {
  clientOrderIdFor,
  type OrderIntent,
  type ProtectLevel,
} from '../../exchange/order-journal/order-intent.js';
import type { PrepareInput } from '../../exchange/order-journal/order-journal.js';
import type { MarketRules } from '../../exchange/transaction-verification/gateway.js';

/**
 * How far below its stop an OCO's stop leg sells (its stopLimitPrice) when the alert gave no
 * stopLimitPrice, percent of the stop: engine.ocoStopLimitPercent's default.
 */
export const OCO_STOP_LIMIT_PERCENT = '1';

export type ProtectionPlan =
  | {
      readonly kind: 'place';
      /** The order to send: stop_loss, take_profit, or oco (the take-profit leg, which places both). */
      readonly primary: PrepareInput;
      /** An OCO's stop leg, journaled once the exchange names it (its pairId). */
      readonly stopLeg: { readonly id: string; readonly clientOrderId: string } | undefined;
    }
  | { readonly kind: 'impossible'; readonly reason: string };

/**
 * The protective order for everything the entry has filled so far. `ocoStopLimitPercent`: how far
 * below the stop an OCO's stop leg sells when the entry's protection gives no stopLimitPrice.
 */
export function planProtection(
  entry: OrderIntent,
  rules: MarketRules,
  ocoStopLimitPercent: string = OCO_STOP_LIMIT_PERCENT,
): ProtectionPlan {
  const protection = entry.protection;
  if (protection === null || entry.side !== 'buy')
    return { kind: 'impossible', reason: 'only a buy entry with stopLoss or takeProfit is protected' };
  const average = entry.averagePrice;
  if (average === null || average.lte(0))
    return { kind: 'impossible', reason: 'the entry has no fill price' };
  // A buy pays its fee in the base currency: what is left to sell is the fill minus the fee.
  const amount = floorToStep(entry.filledAmount.minus(entry.fee), rules.amountStep);
  const stop = protection.stopLoss && levelPrice(protection.stopLoss, average, -1, rules.priceStep);
  const take = protection.takeProfit && levelPrice(protection.takeProfit, average, 1, rules.priceStep);
  if (stop !== undefined && take !== undefined && !stop.lt(take))
    return {
      kind: 'impossible',
      reason: `stop-loss ${stop.toFixed()} is not below take-profit ${take.toFixed()}`,
    };
  const lowest = stop ?? take;
  if (lowest === undefined) return { kind: 'impossible', reason: 'neither stopLoss nor takeProfit is set' };
  if (amount.lte(0) || amount.times(lowest).lt(rules.minOrderValue))
    return {
      kind: 'impossible',
      reason: `the filled ${formatDecimal(amount)} ${entry.market.base} is below the exchange's minimum order value`,
    };
  const key = `${entry.signalId}/protect/${formatDecimal(amount)}`;
  const id = `${entry.id}:p:${formatDecimal(amount)}`;
  const common = {
    id,
    signalId: entry.signalId,
    clientOrderId: clientOrderIdFor(key),
    market: entry.market,
    side: 'sell' as const,
    amount,
    parentOrderId: entry.id,
    cause: `protects ${entry.id} (${entry.signalId})`,
  };
  if (stop !== undefined && take !== undefined) {
    const level = protection.stopLimitPrice ?? { percent: ocoStopLimitPercent };
    const stopLimitPrice =
      'price' in level
        ? roundHalfEvenToStep(new Decimal(level.price), rules.priceStep)
        : floorToStep(stop.times(new Decimal(1).minus(new Decimal(level.percent).div(100))), rules.priceStep);
    if (stopLimitPrice.gt(stop) || stopLimitPrice.lte(0))
      return {
        kind: 'impossible',
        reason: `stop-limit price ${stopLimitPrice.toFixed()} is not between 0 and the stop-loss ${stop.toFixed()}`,
      };
    return {
      kind: 'place',
      primary: { ...common, execution: 'limit', price: take, role: 'oco', stopPrice: stop, stopLimitPrice },
      stopLeg: { id: `${id}:stop`, clientOrderId: clientOrderIdFor(`${key}/stop`) },
    };
  }
  if (stop !== undefined)
    return {
      kind: 'place',
      primary: { ...common, execution: 'stop_market', price: null, role: 'stop_loss', stopPrice: stop },
      stopLeg: undefined,
    };
  return {
    kind: 'place',
    primary: { ...common, execution: 'limit', price: lowest, role: 'take_profit' },
    stopLeg: undefined,
  };
}

/** An absolute price, or `percent` away from the average fill price (down for -1, up for +1). */
function levelPrice(level: ProtectLevel, average: Decimal, direction: -1 | 1, priceStep: Decimal): Decimal {
  if ('price' in level) return roundHalfEvenToStep(new Decimal(level.price), priceStep);
  const factor = new Decimal(1).plus(new Decimal(level.percent).div(100).times(direction));
  return roundHalfEvenToStep(average.times(factor), priceStep);
}
