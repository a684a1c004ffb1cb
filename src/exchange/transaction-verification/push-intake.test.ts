// Goal: pushed order states never move an order backwards, whatever order they arrive in; a state
// that does not plainly belong to the intent is not used; early trades are bounded.
import { describe, expect, it } from 'vitest';
import { Decimal } from '../../core/decimal.js';
import type { OrderIntent } from '../order-journal/order-intent.js';
import type { ExchangeTrade } from './gateway.js';
import type { PushedOrder } from './push-feed.js';
import { EARLY_TRADES_PER_ORDER_MAX, PushIntake } from './push-intake.js';

const market = { base: 'btc', quote: 'rls' } as const;
const intent = {
  id: 'o-1',
  clientOrderId: 'cid-1',
  exchangeOrderId: '42',
  market,
  side: 'buy',
  createdAtMs: 1_000_000,
} as unknown as OrderIntent;

const pushed = (matched: string, status: PushedOrder['status'], clientOrderId: string | null = 'cid-1') => ({
  id: '42',
  clientOrderId,
  status,
  market,
  side: 'buy' as const,
  amount: new Decimal('0.003'),
  matchedAmount: new Decimal(matched),
  averagePrice: new Decimal('7'),
  fee: new Decimal(0),
  eventAtMs: 1,
});

describe('PushIntake', () => {
  it.each([
    [['0.001 Active', '0.003 Done', '0.002 Active'], '0.003 Done'],
    [['0.003 Done', '0.003 Active'], '0.003 Done'],
    [['0.003 Active', '0.003 Done'], '0.003 Done'],
    [['0.002 Active', '0.001 Active'], '0.002 Active'],
  ])('keeps the furthest of %j', (events, expected) => {
    const intake = new PushIntake();
    for (const event of events) {
      const [matched, status] = event.split(' ') as [string, PushedOrder['status']];
      intake.noteOrder(pushed(matched, status));
    }
    const order = intake.takeOrder(intent);
    expect(`${order?.matchedAmount.toString()} ${order?.status}`).toBe(expected);
    expect(intake.takeOrder(intent)).toBeUndefined();
  });

  it('does not use a state with another clientOrderId or market', () => {
    const intake = new PushIntake();
    intake.noteOrder(pushed('0.003', 'Done', 'cid-other'));
    expect(intake.takeOrder(intent)).toBeUndefined();
    intake.noteOrder({ ...pushed('0.003', 'Done'), market: { base: 'eth', quote: 'rls' } });
    expect(intake.takeOrder(intent)).toBeUndefined();
  });

  it('keeps at most EARLY_TRADES_PER_ORDER_MAX early trades per order', () => {
    const intake = new PushIntake();
    for (let i = 0; i < EARLY_TRADES_PER_ORDER_MAX + 5; i++)
      intake.holdTrade({ id: `t${i}`, orderId: '42' } as unknown as ExchangeTrade);
    expect(intake.takeTrades('42')).toHaveLength(EARLY_TRADES_PER_ORDER_MAX);
    expect(intake.takeTrades('42')).toHaveLength(0);
  });

  it('a wake with no wait on ends the next wait at once', () => {
    const intake = new PushIntake();
    intake.wake('o-1');
    let woken = 0;
    intake.onWake('o-1', () => woken++);
    expect(woken).toBe(1);
  });
});
