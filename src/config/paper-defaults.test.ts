// Issue 14: the paper account held 10^14 rial against a 500 000 000 rial order-value limit, so any
// `percent` size was refused. The defaults must fit: a 10 % order of the default paper balances stays
// within the default limits, and the balances are those of a real retail account, not unbounded.
import { describe, expect, it } from 'vitest';
import { Decimal } from '../core/decimal.js';
import { checkConfig } from './relations.js';
import { configSchema } from './schema.js';

describe('paper defaults', () => {
  const config = configSchema.parse({});

  it('sizes a 10 % order of the paper balance within the default order-value limit', () => {
    const { paperBalances } = config.simulator;
    const { maxOrderValue } = config.engine;
    expect(new Decimal(paperBalances.rls ?? '0').times('0.1').lte(maxOrderValue.rls)).toBe(true);
    expect(new Decimal(paperBalances.usdt ?? '0').times('0.1').lte(maxOrderValue.usdt)).toBe(true);
  });

  it('holds what a real account could: at most 100x the order-value limit', () => {
    expect(
      new Decimal(config.simulator.paperBalances.rls ?? '0').lte(
        new Decimal(config.engine.maxOrderValue.rls).times(100),
      ),
    ).toBe(true);
  });

  it('refuses a negative or unknown paper balance', () => {
    expect(() => configSchema.parse({ simulator: { paperBalances: { rls: '-1' } } })).toThrow(
      /decimal string >= 0/,
    );
    expect(() => configSchema.parse({ simulator: { paperBalances: { 'not a coin': '1' } } })).toThrow();
  });

  it('refuses live market data outside paper mode, and takes any currency code as a paper balance', () => {
    const live = configSchema.parse({ mode: 'live', simulator: { liveMarketData: true } });
    expect(checkConfig(live).map((violation) => violation.path)).toContain('simulator.liveMarketData');
    const paper = configSchema.parse({
      simulator: { liveMarketData: true, paperBalances: { '1m_pepe': '5' } },
    });
    expect(checkConfig(paper).map((violation) => violation.path)).not.toContain('simulator.liveMarketData');
  });
});
