// Goal: the protective order for a filled buy sells what the fill left (fee deducted, floored to the
// amount step) at levels from prices or percentages, as an OCO, a stop or a limit order, with ids that
// depend only on the entry and the amount; impossible protections say why. Method: pure examples.
import { describe, expect, it } from 'vitest';
import { Decimal } from '../../core/decimal.js';
import type { OrderIntent, Protection } from '../../exchange/order-journal/order-intent.js';
import type { MarketRules } from '../../exchange/transaction-verification/gateway.js';
import { planProtection } from './protection-plan.js';

const rules: MarketRules = {
  isClosed: false,
  lastPrice: new Decimal('7000000000'),
  amountStep: new Decimal('0.000001'),
  priceStep: new Decimal('10'),
  minOrderValue: new Decimal('3000000'),
};

const entry = (protection: Protection | null, filled = '0.01', fee = '0.0000015'): OrderIntent => ({
  id: 'ord-s1',
  signalId: 's1',
  clientOrderId: 'k1',
  market: { base: 'btc', quote: 'rls' },
  side: 'buy',
  execution: 'market',
  amount: new Decimal('0.01'),
  price: null,
  state: 'FILLED',
  exchangeOrderId: '1',
  filledAmount: new Decimal(filled),
  averagePrice: new Decimal('7000000000'),
  fee: new Decimal(fee),
  submitCount: 1,
  rejectCode: null,
  lastError: null,
  createdAtMs: 0,
  updatedAtMs: 0,
  lifetimeMs: null,
  decisionPrice: null,
  role: 'entry',
  parentOrderId: null,
  stopPrice: null,
  stopLimitPrice: null,
  protection,
});

describe('planProtection', () => {
  it('plans an OCO for both levels, selling the fill minus its fee, with stop limit 1% under the stop', () => {
    const plan = planProtection(
      entry({ stopLoss: { percent: '2' }, takeProfit: { price: '7350000005' } }),
      rules,
    );
    expect(plan.kind).toBe('place');
    if (plan.kind !== 'place') return;
    expect(plan.primary).toMatchObject({
      role: 'oco',
      execution: 'limit',
      side: 'sell',
      parentOrderId: 'ord-s1',
    });
    expect(plan.primary.amount.toFixed()).toBe('0.009998'); // 0.0099985 floored to the step
    expect(plan.primary.price?.toFixed()).toBe('7350000000');
    expect(plan.primary.stopPrice?.toFixed()).toBe('6860000000');
    expect(plan.primary.stopLimitPrice?.toFixed()).toBe('6791400000');
    expect(plan.stopLeg?.id).toBe(`${plan.primary.id}:stop`);
  });

  it("sets the OCO's stop-limit price from the alert (a price or a percent below the stop), else the setting", () => {
    const both = { stopLoss: { price: '6860000000' }, takeProfit: { price: '7350000000' } };
    const stopLimitOf = (protection: Protection, percent?: string) => {
      const plan = planProtection(entry(protection), rules, percent);
      return plan.kind === 'place' ? plan.primary.stopLimitPrice?.toFixed() : plan.reason;
    };
    expect(stopLimitOf({ ...both, stopLimitPrice: { price: '6850000004' } })).toBe('6850000000');
    expect(stopLimitOf({ ...both, stopLimitPrice: { percent: '0.5' } })).toBe('6825700000');
    expect(stopLimitOf(both, '2.5')).toBe('6688500000');
    expect(stopLimitOf({ ...both, stopLimitPrice: { percent: '0.5' } }, '2.5')).toBe('6825700000');
    expect(stopLimitOf({ ...both, stopLimitPrice: { price: '6870000000' } })).toMatch(
      /stop-limit price 6870000000 is not between 0 and the stop-loss 6860000000/,
    );
  });

  it('plans a stop-market sell for a stop-loss alone and a limit sell for a take-profit alone', () => {
    const stop = planProtection(entry({ stopLoss: { price: '6500000000' } }), rules);
    const take = planProtection(entry({ takeProfit: { percent: '5' } }), rules);
    expect(stop.kind === 'place' && [stop.primary.role, stop.primary.execution, stop.primary.price]).toEqual([
      'stop_loss',
      'stop_market',
      null,
    ]);
    expect(take.kind === 'place' && [take.primary.role, take.primary.price?.toFixed()]).toEqual([
      'take_profit',
      '7350000000',
    ]);
  });

  it('derives ids from the entry and the amount only: the same fill gives the same order', () => {
    const protection = { stopLoss: { percent: '2' } };
    const a = planProtection(entry(protection), rules);
    const b = planProtection(entry(protection), rules);
    const more = planProtection(entry(protection, '0.02'), rules);
    expect(
      a.kind === 'place' && b.kind === 'place' && a.primary.clientOrderId === b.primary.clientOrderId,
    ).toBe(true);
    expect(a.kind === 'place' && more.kind === 'place' && a.primary.id !== more.primary.id).toBe(true);
  });

  it.each([
    [
      { stopLoss: { price: '7500000000' }, takeProfit: { price: '7400000000' } },
      '0.01',
      /not below take-profit/,
    ],
    [{ stopLoss: { percent: '2' } }, '0.0003', /below the exchange's minimum order value/],
    [null, '0.01', /only a buy entry/],
  ])('says why it cannot protect %j filled %s', (protection, filled, reason) => {
    const plan = planProtection(entry(protection as Protection | null, filled, '0'), rules);
    expect(plan.kind === 'impossible' && plan.reason).toMatch(reason);
  });
});
