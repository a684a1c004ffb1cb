// Goal (issue 14): paper trading on live prices. Keel's paper exchange takes its markets, steps, minimum
// order values and order books from the exchange's public endpoints, and a market buy larger than the
// best ask walks the live levels: filled at their volume-weighted price, fee booked, ledger equal to the
// paper wallets. Method: a second simulator on loopback stands in for Nobitex's public endpoints
// (nobitex.baseUrls); its prices do not walk, so its book is known before the order.
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { Decimal } from '../../src/core/decimal.js';
import {
  createSimulator,
  SIMULATOR_DEFAULT_TOKEN,
  type Simulator,
} from '../../src/exchange/simulator/index.js';
import { type Harness, startHarness } from './app-harness.js';

describe('paper trading on live prices', () => {
  let harness: Harness | undefined;
  let standIn: Simulator | undefined;
  afterEach(async () => {
    await harness?.close();
    await standIn?.close();
  });

  it('fills a market buy across the live book levels at their volume-weighted price', async () => {
    standIn = createSimulator({ seed: 7, priceTickMs: 0 });
    const liveUrl = await standIn.listen({ host: '127.0.0.1', port: 0 });
    expect(new URL(liveUrl).hostname).toBe('127.0.0.1');
    const book = (await (await request(`${liveUrl}/v3/orderbook/SOLIRT`)).body.json()) as {
      asks: [string, string][];
    };
    const [first, second] = book.asks.map(([price, amount]) => ({
      price: new Decimal(price),
      amount: new Decimal(amount),
    }));
    if (first === undefined || second === undefined) throw new Error('stand-in book too thin');
    const amount = first.amount.plus(second.amount.div(2)).toDecimalPlaces(5, Decimal.ROUND_DOWN);

    harness = await startHarness({
      simulator: { liveMarketData: true, paperBalances: { rls: '100000000000' } },
      nobitex: { baseUrls: [liveUrl] },
      engine: { maxOrderValue: { rls: '50000000000' } },
    });
    const h = harness;
    const answer = await h.webhook({ symbol: 'SOLIRT', side: 'buy', amount: amount.toFixed() });
    expect(answer.status, JSON.stringify(answer.json)).toBe(202);
    const signalId = String(answer.json.signalId);
    const stored = await h.waitFor(async () => {
      const signal = await h.app.signals.get(signalId);
      return signal?.state === 'executed' || signal?.state === 'rejected' ? signal : undefined;
    }, 'the signal');
    expect(stored.state, stored.lastError).toBe('executed');

    const paper = h.app.exchange.simulator;
    if (paper === undefined) throw new Error('paper mode has a paper exchange');
    const fills = paper.trades().filter((trade) => trade.symbol === 'SOLIRT');
    const filled = fills.reduce((sum, fill) => sum.plus(fill.amount), new Decimal(0));
    const total = fills.reduce((sum, fill) => sum.plus(fill.total), new Decimal(0));
    expect(filled.toFixed()).toBe(amount.toFixed());
    expect(new Set(fills.map((fill) => fill.price))).toEqual(
      new Set([first.price.toFixed(), second.price.toFixed()]),
    );
    const expectedTotal = first.amount
      .times(first.price)
      .plus(amount.minus(first.amount).times(second.price));
    expect(total.toFixed()).toBe(expectedTotal.toFixed());
    expect(total.div(filled).gt(first.price)).toBe(true);
    expect(total.div(filled).lt(second.price)).toBe(true);
    const fee = fills.reduce((sum, fill) => sum.plus(fill.fee), new Decimal(0));
    expect(fee.gt(0)).toBe(true);

    // Nothing reached the stand-in but public reads: no order was placed there.
    expect(standIn.trades()).toEqual([]);
    const wallets = paper.wallets(SIMULATOR_DEFAULT_TOKEN);
    await h.waitFor(
      () => h.app.ledger.balances('sol').total.toFixed() === wallets.sol?.balance || undefined,
      'the ledger to book the fills',
    );
    expect(h.app.ledger.balances('sol').total.toFixed()).toBe(filled.minus(fee).toFixed());
    expect(h.app.ledger.balances('rls').total.toFixed()).toBe(
      new Decimal(wallets.rls?.balance ?? 'NaN').toFixed(),
    );
  });
});
