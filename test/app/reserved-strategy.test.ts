// `external` is the bucket of what Keel did not place: the account's opening balance, deposits, fills
// of orders placed by hand. An alert naming it as its strategy had its fills booked into that bucket,
// so the positions and P&L showed a strategy's trades as outside ones, its holdings row mixed with the
// deposits, and `action: close` for it flattened whatever that bucket held. Method: a whole Keel in
// paper mode against its simulator; the webhook, the trading API and a signal stored by an earlier
// version each try the reserved name (before the fix, all three were accepted and traded).
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, startHarness, storedBuy } from './app-harness.js';

interface PositionsBody {
  positions: { strategy: string; symbol: string; position: string }[];
  holdings: { strategy: string; asset: string; total: string }[];
}

describe('the reserved external strategy', () => {
  let harness: Harness | undefined;
  afterEach(async () => harness?.close());

  /** The outside bucket as the positions view shows it: its BTCIRT position and its holdings. */
  const outside = async (h: Harness) => {
    const body = (
      await h.app.server.inject({ method: 'GET', url: '/api/positions' })
    ).json() as PositionsBody;
    return JSON.stringify({
      position: body.positions.find((row) => row.strategy === 'external' && row.symbol === 'BTCIRT')
        ?.position,
      holdings: body.holdings.filter((row) => row.strategy === 'external'),
    });
  };

  it('is refused at the webhook, for a trade and for a close, and the outside bucket stays as it was', async () => {
    harness = await startHarness();
    const h = harness;
    const held = await outside(h);
    expect(held, 'the paper account opens with funds Keel did not place').toContain('"asset":"rls"');

    for (const body of [
      { action: 'close', symbol: 'BTCIRT', strategy: 'external' },
      { symbol: 'BTCIRT', side: 'sell', amount: '0.001', strategy: 'external' },
      { symbol: 'BTCIRT', side: 'buy', amount: '0.001', strategy: ' external ' },
    ]) {
      const answer = await h.webhook(body);
      expect(answer.status, JSON.stringify(answer.json)).toBe(400);
      expect(answer.json.problems).toEqual([
        expect.objectContaining({
          field: 'strategy',
          message: expect.stringContaining('"external" is reserved'),
        }),
      ]);
    }
    expect(await h.app.signals.list({ limit: 10 })).toHaveLength(0);
    expect(await outside(h)).toBe(held);
  });

  it('is refused by the trading API close and cancel', async () => {
    harness = await startHarness();
    const h = harness;
    for (const action of ['close', 'cancel']) {
      const answer = await h.app.server.inject({
        method: 'POST',
        url: `/api/positions/${action}`,
        payload: { symbol: 'BTCIRT', strategy: 'external' },
      });
      expect(answer.statusCode, answer.body).toBe(400);
      expect(answer.body).toContain('strategy \\"external\\" is reserved');
    }
    expect(await h.app.signals.list({ limit: 10 })).toHaveLength(0);
  });

  it('is refused by the engine when a stored signal names it (written before this check existed)', async () => {
    harness = await startHarness();
    const h = harness;
    const held = await outside(h);
    const nowMs = Date.now();
    const { signalId } = await h.app.signals.accept(
      storedBuy(nowMs, `old-version-buy-${nowMs}`, { strategy: 'external' }),
    );
    h.app.engine.notify('BTCIRT');
    const ended = await h.waitFor(async () => {
      const stored = await h.app.signals.get(signalId);
      return stored?.state === 'executed' || stored?.state === 'rejected' ? stored : undefined;
    }, 'the stored buy ends');
    expect(ended.state).toBe('rejected');
    expect(ended.lastError).toContain('StrategyReserved');
    expect(await h.app.journal.getBySignal(signalId)).toBeUndefined();
    expect(await outside(h)).toBe(held);
  });
});
