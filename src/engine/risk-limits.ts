// The engine's own limits, checked before an order intent is prepared.
import { assert } from '../core/assert.js';
import type { Clock } from '../core/clock.js';
import { type Decimal, formatDecimal } from '../core/decimal.js';
import type { QuoteCurrency } from '../exchange/markets.js';
import type { EngineMode } from './kill-switch.js';

export interface RiskLimits {
  /** Absent: every market the exchange lists (getMarketRules refuses the others). */
  readonly allowedSymbols?: readonly string[] | undefined;
  /** Largest amount × price per order, per quote currency. */
  readonly maxOrderValue: Readonly<Partial<Record<QuoteCurrency, Decimal>>>;
  /** Largest base position per symbol after the order; symbols not listed are unlimited. */
  readonly maxPositionPerSymbol: Readonly<Record<string, Decimal>>;
  readonly maxOrdersPerMinute: number;
}

export interface RiskCheckInput {
  readonly symbol: string;
  readonly quote: QuoteCurrency;
  readonly side: 'buy' | 'sell';
  readonly amount: Decimal;
  readonly valueQuote: Decimal;
  /** Current base position in this market. */
  readonly position: Decimal;
  readonly mode: EngineMode;
}

export type RiskRefusal = { readonly code: string; readonly message: string };

export function checkRiskLimits(
  input: RiskCheckInput,
  limits: RiskLimits,
  ordersInLastMinute: number,
): RiskRefusal | null {
  if (input.mode === 'HALTED') return { code: 'EngineHalted', message: 'the engine is halted' };
  if (input.mode === 'REDUCING' && !reduces(input))
    return { code: 'EngineReducing', message: 'the engine only takes position-reducing orders' };
  if (limits.allowedSymbols !== undefined && !limits.allowedSymbols.includes(input.symbol))
    return { code: 'SymbolNotAllowed', message: `${input.symbol} is not in the allowed symbols` };
  const maxValue = limits.maxOrderValue[input.quote];
  if (maxValue !== undefined && input.valueQuote.gt(maxValue))
    return {
      code: 'MaxOrderValue',
      message: `order value ${formatDecimal(input.valueQuote)} ${input.quote} exceeds ${formatDecimal(maxValue)}`,
    };
  const maxPosition = limits.maxPositionPerSymbol[input.symbol];
  const after = input.side === 'buy' ? input.position.plus(input.amount) : input.position.minus(input.amount);
  if (maxPosition !== undefined && input.side === 'buy' && after.gt(maxPosition))
    return {
      code: 'MaxPosition',
      message: `position would be ${formatDecimal(after)}, above the limit ${formatDecimal(maxPosition)}`,
    };
  if (ordersInLastMinute >= limits.maxOrdersPerMinute)
    return {
      code: 'MaxOrdersPerMinute',
      message: `${limits.maxOrdersPerMinute} orders in the last minute already`,
    };
  return null;
}

/** On spot, reducing means selling no more than is held. */
const reduces = (input: RiskCheckInput): boolean => input.side === 'sell' && input.amount.lte(input.position);

/** Counts orders in the last minute; keeps at most `limit` timestamps. */
export class OrderRateCounter {
  readonly #timesMs: number[] = [];

  constructor(
    private readonly clock: Clock,
    private readonly limit: number,
    private readonly windowMs = 60_000,
  ) {
    assert(limit > 0 && limit <= 100_000, `limit must be in (0, 100000], was ${limit}`);
  }

  count(): number {
    this.#trim();
    return this.#timesMs.length;
  }

  record(): void {
    this.#trim();
    this.#timesMs.push(this.clock.nowMs());
    if (this.#timesMs.length > this.limit) this.#timesMs.shift();
  }

  #trim(): void {
    const sinceMs = this.clock.nowMs() - this.windowMs;
    while (this.#timesMs.length > 0 && (this.#timesMs[0] ?? 0) <= sinceMs) this.#timesMs.shift();
  }
}
