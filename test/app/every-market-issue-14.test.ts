// Goal (issue 14): every market the exchange lists trades, with its precision and minimum order value
// taken from the exchange's `/v2/options`, not from a coin list of Keel's. Method: a whole Keel in paper
// mode (no engine.allowedSymbols) against its simulator; SOL was not among the nine coins Keel knew.
import { afterEach, describe, expect, it } from 'vitest';
import { Decimal } from '../../src/core/decimal.js';
import { type Harness, startHarness } from './app-harness.js';

describe('every market', () => {
  let harness: Harness | undefined;
  afterEach(async () => harness?.close());

  const send = async (h: Harness, body: Record<string, unknown>) => {
    const answer = await h.webhook(body);
    expect(answer.status, JSON.stringify(answer.json)).toBe(202);
    const signalId = String(answer.json.signalId);
    return h.waitFor(async () => {
      const stored = await h.app.signals.get(signalId);
      return stored?.state === 'executed' || stored?.state === 'rejected' ? stored : undefined;
    }, `signal ${signalId}`);
  };

  it('trades a market the old list lacked, with the amount floored to the exchange step', async () => {
    harness = await startHarness();
    const h = harness;
    const options = await h.app.exchange.adapter.getOptions();
    const step = options.value.amountPrecisions.get('SOLIRT') ?? new Decimal('NaN');
    const stored = await send(h, { symbol: 'NOBITEX:SOLIRT', side: 'buy', amount: '0.123456789' });
    expect(stored.state, stored.lastError).toBe('executed');
    const order = (await h.get(`/api/orders/ord-${stored.id}`)) as { order: { amount: string } };
    const amount = new Decimal(order.order.amount);
    expect(amount.mod(step).isZero()).toBe(true);
    expect(amount.lte('0.123456789')).toBe(true);
    expect(amount.gt(new Decimal('0.123456789').minus(step))).toBe(true);
    expect(h.app.ledger.assets()).toContain('sol');
  });

  it('refuses an order below the exchange minimum order value of a new market', async () => {
    harness = await startHarness();
    // 0.001 SOL is worth about 147,000 rial, below the 3,000,000 rial minimum of /v2/options.
    const stored = await send(harness, { symbol: 'SOLIRT', side: 'buy', amount: '0.001' });
    expect(stored.state).toBe('rejected');
    expect(stored.lastError).toMatch(/minimum 3000000/);
  });

  it('refuses a market the exchange does not list', async () => {
    harness = await startHarness();
    const stored = await send(harness, { symbol: 'NOSUCHCOINIRT', side: 'buy', amount: '1' });
    expect(stored.state).toBe('rejected');
    expect(stored.lastError).toMatch(/not an active market/);
  });
});
