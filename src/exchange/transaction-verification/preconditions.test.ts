// Goal: phase-1 checks refuse, before any order request, what the exchange would refuse, with its codes.
import { describe, expect, it } from 'vitest';
import { Decimal } from '../../core/decimal.js';
import type { Currency } from '../markets.js';
import type { WalletBalance } from './gateway.js';
import { checkPreconditions, type PreconditionInput } from './preconditions.js';

const wallets = (rls: string, btc = '0', blockedRls = '0'): Map<Currency, WalletBalance> =>
  new Map<Currency, WalletBalance>([
    ['rls', { balance: new Decimal(rls), blocked: new Decimal(blockedRls) }],
    ['btc', { balance: new Decimal(btc), blocked: new Decimal(0) }],
  ]);

const base = (overrides: Partial<PreconditionInput> = {}): PreconditionInput => ({
  base: 'btc',
  quote: 'rls',
  side: 'buy',
  execution: 'limit',
  amount: new Decimal('0.0012345678'),
  price: new Decimal('7000000005'),
  rules: {
    isClosed: false,
    lastPrice: new Decimal('7000000000'),
    amountStep: new Decimal('0.000001'),
    priceStep: new Decimal('10'),
    minOrderValue: new Decimal('3000000'),
  },
  wallets: wallets('100000000000'),
  ...overrides,
});

describe('checkPreconditions', () => {
  it('rounds the amount down to its step and the price half-even to its step', () => {
    const result = checkPreconditions(base());
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.amount.toString()).toBe('0.001234');
    expect(result.price?.toString()).toBe('7000000000');
  });

  it('refuses a closed market', () => {
    expect(checkPreconditions(base({ rules: { ...base().rules, isClosed: true } }))).toMatchObject({
      code: 'MarketClosed',
    });
  });

  it('refuses an order below the minimum value', () => {
    expect(checkPreconditions(base({ amount: new Decimal('0.0001') }))).toMatchObject({ code: 'SmallOrder' });
  });

  it('refuses an amount that rounds to zero', () => {
    expect(checkPreconditions(base({ amount: new Decimal('0.0000001') }))).toMatchObject({
      code: 'SmallOrder',
    });
  });

  it('refuses a limit price more than 30% from the market', () => {
    expect(checkPreconditions(base({ price: new Decimal('9200000000') }))).toMatchObject({
      code: 'BadPrice',
    });
    expect(checkPreconditions(base({ price: new Decimal('9000000000') })).ok).toBe(true);
  });

  it('refuses a limit order without a price', () => {
    expect(checkPreconditions(base({ price: null }))).toMatchObject({ code: 'InvalidOrderPrice' });
  });

  it('counts blocked funds as unavailable', () => {
    const result = checkPreconditions(base({ wallets: wallets('10000000', '0', '5000000') }));
    expect(result).toMatchObject({ code: 'OverValueOrder' });
  });

  it('checks the base balance for a sell', () => {
    expect(checkPreconditions(base({ side: 'sell', wallets: wallets('0', '0.001') }))).toMatchObject({
      code: 'OverValueOrder',
    });
    expect(checkPreconditions(base({ side: 'sell', wallets: wallets('0', '0.01') })).ok).toBe(true);
  });

  it('reserves 1% slippage for an unbounded market buy', () => {
    const exact = new Decimal('0.001').times('7000000000').toString();
    const input = base({
      execution: 'market',
      price: null,
      amount: new Decimal('0.001'),
      wallets: wallets(exact),
    });
    expect(checkPreconditions(input)).toMatchObject({ code: 'OverValueOrder' });
  });
});
