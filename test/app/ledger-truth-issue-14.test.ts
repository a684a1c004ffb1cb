// Goal (issue 14): the ledger view tells the truth about the last reconciliation: a 0.5 BTC breach
// must not read "balanced" with difference 0. Method: a whole Keel in paper mode, drift injected.
import { afterEach, describe, expect, it } from 'vitest';
import { ledgerViewOf } from '../../src/app/ledger-view.js';
import { Decimal } from '../../src/core/decimal.js';
import { SIMULATOR_DEFAULT_TOKEN } from '../../src/exchange/simulator/index.js';
import { loadLatestComparedRun } from '../../src/position/reconciliation-store.js';
import { type Harness, startHarness } from './app-harness.js';

interface LedgerBody {
  balanced: boolean;
  currencies: { currency: string; difference: string | null; exchangeBalance: string | null }[];
}

describe('ledger view after a reconciliation breach', () => {
  let harness: Harness | undefined;
  afterEach(async () => harness?.close());

  it('shows the breach and its 0.5 BTC difference, not balanced and 0', async () => {
    harness = await startHarness({ reconciliation: { tolerance: { btc: '0.001' } } });
    const { app } = harness;
    const simulator = app.exchange.simulator!;
    const before = new Decimal(simulator.wallets(SIMULATOR_DEFAULT_TOKEN).btc!.balance);
    simulator.setBalance(SIMULATOR_DEFAULT_TOKEN, 'btc', before.minus('0.5').toFixed());
    await app.reconciliation.runNow();
    const body = (await app.server.inject({ method: 'GET', url: '/api/ledger' })).json() as LedgerBody;
    const btc = body.currencies.find((row) => row.currency === 'btc');
    expect(body.balanced).toBe(false);
    expect(btc?.difference).toBe('0.5');
    expect(btc?.exchangeBalance).toBe(before.minus('0.5').toFixed());
    expect(body.currencies.find((row) => row.currency === 'rls')?.difference).toBe('0');
    // After a restart the view reads the same run back from the audit tables.
    const stored = ledgerViewOf(app.ledger, await loadLatestComparedRun(app.db));
    expect(stored.balanced).toBe(false);
    expect(stored.reconciliation?.status).toBe('breach');
    expect(stored.currencies.find((row) => row.currency === 'btc')?.difference).toBe('0.5');
  });
});
