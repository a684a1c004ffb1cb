// Goal (issue 4): a position drift injected in the simulator is detected by reconciliation: within
// tolerance it is corrected with an audit record and an info alert; beyond it trading halts and a
// critical alert is raised, until a person lifts the halt. Method: a whole Keel in paper mode.
import { afterEach, describe, expect, it } from 'vitest';
import { Decimal } from '../../src/core/decimal.js';
import { SIMULATOR_DEFAULT_TOKEN } from '../../src/exchange/simulator/index.js';
import { type Harness, startHarness } from './app-harness.js';

describe('reconciliation against a drifting exchange', () => {
  let harness: Harness | undefined;
  afterEach(async () => harness?.close());

  it('corrects a drift within tolerance with an audited adjustment and an info alert', async () => {
    harness = await startHarness({ reconciliation: { tolerance: { btc: '0.001' } } });
    const { app } = harness;
    const simulator = app.exchange.simulator!;
    const before = new Decimal(simulator.wallets(SIMULATOR_DEFAULT_TOKEN).btc!.balance);
    simulator.setBalance(SIMULATOR_DEFAULT_TOKEN, 'btc', before.minus('0.0005').toFixed());
    const result = await app.reconciliation.runNow();
    const btc = result.rows.find((row) => row.asset === 'btc');
    expect(btc?.action).toBe('corrected');
    expect(app.ledger.balances('btc').total.toFixed()).toBe(before.minus('0.0005').toFixed());
    expect(app.ledger.isBalanced('btc')).toBe(true);
    const audit = await app.db.query("SELECT * FROM reconciliation_items WHERE asset = 'btc'");
    expect(audit.length).toBeGreaterThan(0);
    await harness.waitFor(
      () => app.alerts.openAlerts().find((alert) => alert.key === 'reconciliation.corrected.btc'),
      'the info alert',
    );
    expect(app.killSwitch.mode).toBe('RUNNING');
  });

  it('halts trading and raises a critical alert for a drift beyond tolerance, until an operator lifts it', async () => {
    harness = await startHarness({ reconciliation: { tolerance: { btc: '0.001' } } });
    const { app } = harness;
    const simulator = app.exchange.simulator!;
    const before = new Decimal(simulator.wallets(SIMULATOR_DEFAULT_TOKEN).btc!.balance);
    simulator.setBalance(SIMULATOR_DEFAULT_TOKEN, 'btc', before.minus('1').toFixed());
    const result = await app.reconciliation.runNow();
    expect(result.rows.find((row) => row.asset === 'btc')?.action).toBe('breach');
    await harness.waitFor(() => app.killSwitch.mode === 'HALTED' || undefined, 'the halt');
    await harness.waitFor(
      () =>
        app.alerts
          .openAlerts()
          .find((alert) => alert.severity === 'critical' && alert.key === 'reconciliation.breach'),
      'the critical alert',
    );
    const refused = await harness.webhook({ symbol: 'BTCIRT', side: 'buy', amount: '0.001' });
    expect(refused.status).toBe(202);
    const signalId = String(refused.json.signalId);
    const stored = await harness.waitFor(async () => {
      const signal = await app.signals.get(signalId);
      return signal?.state === 'rejected' ? signal : undefined;
    }, 'the refused signal');
    expect(stored.lastError).toMatch(/EngineHalted/);
    expect(simulator.groundTruthOrders()).toHaveLength(0);
    const lifted = await harness.app.server.inject({
      method: 'POST',
      url: '/api/engine/mode',
      payload: { mode: 'RUNNING', reason: 'checked the wallet' },
    });
    expect(lifted.statusCode).toBe(200);
    expect(app.killSwitch.mode).toBe('RUNNING');
    expect(await app.reconciler.hasUnacknowledgedBreach()).toBe(false);
  });
});
