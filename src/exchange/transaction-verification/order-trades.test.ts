// Goal: an order's trades are collected from every page needed, each once, and the walk stops as soon
// as they add up, when the list ends, when a page is older than the order, or at pagesMax.
// Method: a scripted list of pages, newest first, as Nobitex answers them.
import { describe, expect, it } from 'vitest';
import { Decimal } from '../../core/decimal.js';
import type { ExchangeOrder, ExchangeTrade, TradePage } from './gateway.js';
import { collectOrderTrades } from './order-trades.js';

const MARKET = { base: 'btc', quote: 'rls' } as const;
const order = (matched: string, createdAtMs = 1_000): ExchangeOrder => ({
  id: '7',
  clientOrderId: 'k1',
  status: 'Done',
  market: MARKET,
  side: 'buy',
  amount: new Decimal(matched),
  matchedAmount: new Decimal(matched),
  averagePrice: new Decimal(1),
  fee: new Decimal(0),
  createdAtMs,
});
const trade = (id: number, orderId: string, atMs: number, amount = '1'): ExchangeTrade => ({
  id: String(id),
  orderId,
  market: MARKET,
  side: 'buy',
  amount: new Decimal(amount),
  price: new Decimal(1),
  total: new Decimal(amount),
  fee: new Decimal(0),
  atMs,
});

/** Pages of `size` from trades listed newest first. */
function pager(newestFirst: ExchangeTrade[], size = 30) {
  const asked: number[] = [];
  return {
    asked,
    gateway: {
      async listTradesPage(_market: unknown, page: number): Promise<TradePage> {
        asked.push(page);
        const start = (page - 1) * size;
        return { trades: newestFirst.slice(start, start + size), hasNext: newestFirst.length > start + size };
      },
    },
  };
}

describe('collectOrderTrades', () => {
  it('reads past the first page until the trades add up (40 trades, 30 a page)', async () => {
    const trades = Array.from({ length: 40 }, (_, i) => trade(140 - i, '7', 2_000 - i));
    const { gateway, asked } = pager(trades);
    const result = await collectOrderTrades(gateway, order('40'), { pagesMax: 20 });
    expect(result).toMatchObject({ complete: true, pagesRead: 2 });
    expect(result.trades).toHaveLength(40);
    expect(result.trades[0]?.id).toBe('101'); // oldest first
    expect(asked).toEqual([1, 2]);
  });

  it('skips other orders and counts a trade seen on two pages once', async () => {
    const trades = [
      trade(9, 'other', 3_000),
      trade(8, '7', 2_000),
      trade(8, '7', 2_000),
      trade(7, '7', 1_500),
    ];
    const { gateway } = pager(trades, 2);
    const result = await collectOrderTrades(gateway, order('2'), { pagesMax: 5 });
    expect(result.trades.map((t) => t.id)).toEqual(['7', '8']);
    expect(result.complete).toBe(true);
  });

  it('stops at a page older than the order and reports the missing amount', async () => {
    const trades = [
      trade(5, '7', 2_000),
      ...Array.from({ length: 60 }, (_, i) => trade(4 - i, 'old', 500 - i)),
    ];
    const { gateway, asked } = pager(trades);
    const result = await collectOrderTrades(gateway, order('3'), { pagesMax: 20 });
    expect(asked).toEqual([1, 2]);
    expect(result).toMatchObject({ complete: false });
    expect(result.missing.toFixed()).toBe('2');
  });

  it('stops at pagesMax', async () => {
    const trades = Array.from({ length: 100 }, (_, i) => trade(200 - i, 'other', 5_000 - i));
    const { gateway, asked } = pager(trades);
    const result = await collectOrderTrades(gateway, order('1'), { pagesMax: 2 });
    expect(asked).toEqual([1, 2]);
    expect(result.complete).toBe(false);
  });

  it('asks nothing for an order with nothing filled', async () => {
    const { gateway, asked } = pager([]);
    expect((await collectOrderTrades(gateway, order('0'), { pagesMax: 2 })).complete).toBe(true);
    expect(asked).toEqual([]);
  });
});
