// Market stats and candles computed from the minute candles of a market.
import { Decimal, formatDecimal } from '../../core/decimal.js';
import type { Candle, MarketState } from './market-state.js';
import { bestAsk, bestBid } from './order-book.js';
import { pyDecimal10 } from './serialize.js';

const DAY_SECONDS = 86_400;

export function marketStatsJson(state: MarketState, nowMs: number): Record<string, unknown> {
  const sinceSec = Math.floor(nowMs / 1000) - DAY_SECONDS;
  const day = state.candles.filter((c) => c.t >= sinceSec);
  const open = day[0]?.o ?? state.lastPrice;
  let high = state.lastPrice;
  let low = state.lastPrice;
  let volumeSrc = new Decimal(0);
  let volumeDst = new Decimal(0);
  for (const c of day) {
    high = Decimal.max(high, c.h);
    low = Decimal.min(low, c.l);
    volumeSrc = volumeSrc.plus(c.v);
    volumeDst = volumeDst.plus(c.v.times(c.c));
  }
  const change = state.lastPrice.minus(open).div(open).times(100).toDecimalPlaces(2);
  return {
    isClosed: state.closed,
    bestSell: formatDecimal(bestAsk(state.book) ?? state.lastPrice),
    bestBuy: formatDecimal(bestBid(state.book) ?? state.lastPrice),
    volumeSrc: pyDecimal10(volumeSrc),
    volumeDst: pyDecimal10(volumeDst),
    latest: formatDecimal(state.lastPrice),
    mark: formatDecimal(state.lastPrice),
    dayLow: formatDecimal(low),
    dayHigh: formatDecimal(high),
    dayOpen: formatDecimal(open),
    dayClose: formatDecimal(state.lastPrice),
    dayChange: formatDecimal(change),
  };
}

export const UDF_RESOLUTION_SECONDS: Readonly<Record<string, number>> = {
  '1': 60,
  '5': 300,
  '15': 900,
  '30': 1_800,
  '60': 3_600,
  '180': 10_800,
  '240': 14_400,
  '360': 21_600,
  '720': 43_200,
  D: DAY_SECONDS,
  '2D': 2 * DAY_SECONDS,
  '3D': 3 * DAY_SECONDS,
};
export const UDF_CANDLES_PER_PAGE = 500;

/** Groups minute candles into buckets of `resolutionSec`, ascending. */
export function aggregateCandles(candles: readonly Candle[], resolutionSec: number): Candle[] {
  const result: Candle[] = [];
  for (const c of candles) {
    const t = Math.floor(c.t / resolutionSec) * resolutionSec;
    const last = result[result.length - 1];
    if (last !== undefined && last.t === t) {
      last.h = Decimal.max(last.h, c.h);
      last.l = Decimal.min(last.l, c.l);
      last.c = c.c;
      last.v = last.v.plus(c.v);
    } else result.push({ t, o: c.o, h: c.h, l: c.l, c: c.c, v: c.v });
  }
  return result;
}
