// Goal: the pure comparison classifies each currency (match, within tolerance, breach), counts a
// currency missing on one side as zero, and finds orders the journal does not know.
// Method: table-driven inputs with exact decimals.
import { describe, expect, it } from 'vitest';
import { Decimal } from '../core/decimal.js';
import { compareWallets, findUnknownOrders } from './reconciliation-compare.js';

const d = (text: string) => new Decimal(text);

describe('compareWallets', () => {
  const compare = (ledger: [string, string], exchange: [string, string], tolerance = '1') =>
    compareWallets({
      ledger: new Map([['btc', { total: d(ledger[0]), blocked: d(ledger[1]) }]]),
      exchange: new Map([['btc', { balance: d(exchange[0]), blocked: d(exchange[1]) }]]),
      tolerance: () => d(tolerance),
    })[0];

  it.each([
    [['10', '2'], ['10', '2'], 'match'],
    [['10', '2'], ['10.0000000000', '2'], 'match'],
    [['10', '2'], ['11', '2'], 'corrected'],
    [['10', '2'], ['10', '3'], 'corrected'], // blocked moved, total equal: available differs by −1
    [['10', '2'], ['11', '1'], 'breach'], // total +1 but available +2
    [['10', '2'], ['8.9', '2'], 'breach'],
  ] as const)('ledger %o vs exchange %o with tolerance 1 → %s', (ledger, exchange, action) => {
    expect(compare([...ledger], [...exchange])?.action).toBe(action);
  });

  it('calls a difference with more decimals than the ledger keeps a breach, with the reason', () => {
    const row = compare(['1', '0'], ['1.00000000001', '0']);
    expect(row).toMatchObject({ action: 'breach', reason: expect.stringMatching(/more than 10 decimals/) });
  });

  it('lists currencies from both sides, counting a missing side as zero', () => {
    const rows = compareWallets({
      ledger: new Map([['rls', { total: d('5'), blocked: d('0') }]]),
      exchange: new Map([['eth', { balance: d('1'), blocked: d('0') }]]),
      tolerance: () => d('0'),
    });
    expect(
      rows.map((row) => [row.asset, row.unknownToLedger, row.totalDifference.toFixed(), row.action]),
    ).toEqual([
      ['eth', true, '1', 'breach'],
      ['rls', false, '-5', 'breach'],
    ]);
  });
});

describe('findUnknownOrders', () => {
  it('knows an order by exchange id or by client order id, and reports the rest', () => {
    const orders = [
      { id: '1', clientOrderId: 'k1' },
      { id: '2' },
      { id: '3', clientOrderId: null },
      { id: '4', clientOrderId: 'x' },
    ];
    const unknown = findUnknownOrders(orders, new Set(['2']), new Set(['k1']));
    expect(unknown.map((order) => order.id)).toEqual(['3', '4']);
  });

  it('knows an OCO leg whose other leg the journal knows; a hand-placed OCO is reported', () => {
    const orders = [
      // Keel's stop leg, not journaled yet: its limit leg is journaled under exchange id 9.
      { id: '10', clientOrderId: null, pairId: '9' },
      // Keel's OCO whose placing answer is not journaled yet: its limit leg is known by client id only.
      { id: '21', clientOrderId: 'k-oco', pairId: '22' },
      { id: '22', clientOrderId: null, pairId: '21' },
      // Placed by hand: neither leg is known.
      { id: '31', clientOrderId: 'hand', pairId: '32' },
      { id: '32', clientOrderId: null, pairId: '31' },
    ];
    const unknown = findUnknownOrders(orders, new Set(['9']), new Set(['k-oco']));
    expect(unknown.map((order) => order.id)).toEqual(['31', '32']);
  });
});
