// Goal (invariant 6): an alert template that repeats the passphrase in a kept field (strategy, id) never
// puts it in storage: not in the signal row, not in the order's audit trail. Method: a whole Keel.
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, PASSPHRASE, startHarness } from '../app/app-harness.js';

describe('a passphrase repeated in an alert', () => {
  let harness: Harness | undefined;
  afterEach(async () => harness?.close());

  it('is scrubbed from every stored field', async () => {
    harness = await startHarness();
    const sent = await harness.webhook({
      symbol: 'BTCIRT',
      side: 'buy',
      amount: '0.001',
      strategy: `s-${PASSPHRASE}`,
      id: `id-${PASSPHRASE}`,
    });
    expect(sent.status).toBe(202);
    const signalId = String(sent.json.signalId);
    await harness.waitFor(
      async () => (await harness?.app.signals.get(signalId))?.state === 'executed' || undefined,
      'execution',
    );
    const tables = ['signals', 'orders', 'order_events', 'bus_messages', 'alerts'];
    for (const table of tables) {
      const rows = await harness.app.db.query(`SELECT * FROM ${table}`);
      expect(JSON.stringify(rows), table).not.toContain(PASSPHRASE);
    }
    const stored = await harness.app.signals.get(signalId);
    expect(stored?.signal.strategy).toBe('s-[redacted]');
  });
});
