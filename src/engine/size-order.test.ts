// Goal: every size kind becomes the exact base amount and side a trader would expect.
import { describe, expect, it } from 'vitest';
import { Decimal } from '../core/decimal.js';
import type { Signal } from '../market-data/signal.js';
import { sizeOrder } from './size-order.js';

const signal = (size: Signal['size'], side: Signal['side'] = 'buy'): Signal => ({
  symbol: 'BTCIRT',
  base: 'btc',
  quote: 'rls',
  side,
  size,
  order: { type: 'market' },
  alertAtMs: 0,
  alertTimeSource: 'received',
  receivedAtMs: 0,
});

const context = {
  referencePrice: new Decimal('7000000000'),
  available: (currency: string) => new Decimal(currency === 'rls' ? '70000000' : '0.5'),
  position: new Decimal('0.2'),
};

describe('sizeOrder', () => {
  it('takes a base amount as is', () => {
    expect(sizeOrder(signal({ kind: 'base', amount: '0.01' }), context)).toMatchObject({
      side: 'buy',
      amount: new Decimal('0.01'),
    });
  });
  it('divides a quote value by the reference price', () => {
    const result = sizeOrder(signal({ kind: 'quote', value: '35000000' }), context);
    expect(result.kind === 'order' && result.amount.toString()).toBe('0.005');
  });
  it('buys a percent of the available quote and sells a percent of the available base', () => {
    const buy = sizeOrder(signal({ kind: 'percent', percent: '50' }), context);
    expect(buy.kind === 'order' && buy.amount.toString()).toBe('0.005');
    const sell = sizeOrder(signal({ kind: 'percent', percent: '10' }, 'sell'), context);
    expect(sell.kind === 'order' && sell.amount.toString()).toBe('0.05');
  });
  it('moves to a target position, flat for a negative target, and does nothing when there', () => {
    expect(sizeOrder(signal({ kind: 'target', position: '0.5' }, undefined), context)).toMatchObject({
      side: 'buy',
    });
    const flat = sizeOrder(signal({ kind: 'target', position: '-1' }, undefined), context);
    expect(flat.kind === 'order' && `${flat.side} ${flat.amount}`).toBe('sell 0.2');
    expect(sizeOrder(signal({ kind: 'target', position: '0.2' }, undefined), context).kind).toBe('noop');
  });
  it('refuses to size without a price', () => {
    expect(
      sizeOrder(signal({ kind: 'base', amount: '1' }), { ...context, referencePrice: new Decimal(0) }).kind,
    ).toBe('invalid');
  });
});
