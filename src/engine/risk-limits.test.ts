// Goal: each risk limit refuses exactly what it should, and REDUCING lets only reducing orders through.
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../core/clock.js';
import { Decimal } from '../core/decimal.js';
import { checkRiskLimits, OrderRateCounter, type RiskCheckInput, type RiskLimits } from './risk-limits.js';

const limits: RiskLimits = {
  allowedSymbols: ['BTCIRT'],
  maxOrderValue: { rls: new Decimal('100000000') },
  maxPositionPerSymbol: { BTCIRT: new Decimal('0.05') },
  maxOrdersPerMinute: 2,
};
const input = (overrides: Partial<RiskCheckInput> = {}): RiskCheckInput => ({
  symbol: 'BTCIRT',
  quote: 'rls',
  side: 'buy',
  amount: new Decimal('0.01'),
  valueQuote: new Decimal('70000000'),
  position: new Decimal('0.01'),
  mode: 'RUNNING',
  ...overrides,
});

describe('checkRiskLimits', () => {
  it('passes an order within every limit', () => expect(checkRiskLimits(input(), limits, 0)).toBeNull());
  it('refuses everything when halted', () =>
    expect(checkRiskLimits(input({ mode: 'HALTED' }), limits, 0)?.code).toBe('EngineHalted'));
  it('lets only reducing sells through when reducing', () => {
    expect(checkRiskLimits(input({ mode: 'REDUCING' }), limits, 0)?.code).toBe('EngineReducing');
    expect(
      checkRiskLimits(input({ mode: 'REDUCING', side: 'sell', amount: new Decimal('0.02') }), limits, 0)
        ?.code,
    ).toBe('EngineReducing');
    expect(checkRiskLimits(input({ mode: 'REDUCING', side: 'sell' }), limits, 0)).toBeNull();
  });
  it('refuses a symbol not allowed', () =>
    expect(checkRiskLimits(input({ symbol: 'ETHIRT' }), limits, 0)?.code).toBe('SymbolNotAllowed'));
  it('refuses an order above the max value', () =>
    expect(checkRiskLimits(input({ valueQuote: new Decimal('100000001') }), limits, 0)?.code).toBe(
      'MaxOrderValue',
    ));
  it('refuses a buy that would pass the max position', () =>
    expect(checkRiskLimits(input({ amount: new Decimal('0.041') }), limits, 0)?.code).toBe('MaxPosition'));
  it('refuses past the orders-per-minute limit', () =>
    expect(checkRiskLimits(input(), limits, 2)?.code).toBe('MaxOrdersPerMinute'));
});

describe('OrderRateCounter', () => {
  it('counts orders in a sliding minute', async () => {
    const clock = new FakeClock();
    const counter = new OrderRateCounter(clock, 10);
    counter.record();
    await clock.advance(30_000);
    counter.record();
    expect(counter.count()).toBe(2);
    await clock.advance(30_001);
    expect(counter.count()).toBe(1);
  });
});
