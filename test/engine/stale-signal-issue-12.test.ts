// Goal (issue 12, failure mode 1): a signal is never traded after its maximum age. A signal accepted
// just before a crash, with a restart hours later, ends `rejected` with code Stale and an error alert,
// whether it was still undecided or its order was waiting to be resent; an alert's own `ageMaxMs`
// lets it wait longer.
// Method: the chaos world (real KeelApp, simulator, SQLite, fake clock): the exchange is unreachable
// while the signal arrives, the app stops, six hours pass, the app starts again; ground truth from the
// simulator's own order book.
import { afterEach, describe, expect, it } from 'vitest';
import { WEBHOOK_PASSPHRASE } from '../chaos/scenario.js';
import { ChaosWorld } from '../chaos/world.js';

const SIX_HOURS_MS = 6 * 3_600_000;

let world: ChaosWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function accept(w: ChaosWorld, extra: Record<string, unknown> = {}): Promise<string> {
  const response = await w.app.server.inject({
    method: 'POST',
    url: '/webhooks/tradingview',
    payload: { passphrase: WEBHOOK_PASSPHRASE, symbol: 'BTCIRT', side: 'buy', amount: '0.001', ...extra },
  });
  expect(response.statusCode).toBe(202);
  return (JSON.parse(response.body) as { signalId: string }).signalId;
}

/** Restarts the app `pauseMs` later with the exchange healthy again, and lets it work for a minute. */
async function restartLater(w: ChaosWorld, pauseMs: number): Promise<void> {
  await w.stopApp();
  await w.clock.advance(pauseMs);
  w.simulator.chaos.clear();
  await w.startApp();
  for (let i = 0; i < 60; i++) await w.clock.advance(1_000);
}

async function staleAlerts(w: ChaosWorld, signalId: string) {
  return w.app.db.query<{ severity: string; state: string }>(
    'SELECT severity, state FROM alerts WHERE dedup_key = ?',
    [`signal.rejected.${signalId}`],
  );
}

describe('stale signals (issue 12, mode 1)', () => {
  it('rejects a signal still undecided when the app comes back six hours later, with an error alert', async () => {
    world = new ChaosWorld(1201);
    await world.startApp();
    // 1. The exchange cannot be reached: the signal is accepted (202) and waits to be decided.
    world.simulator.chaos.add({ kind: 'outage', path: '*', mode: 'reset' });
    const signalId = await accept(world);
    await world.clock.advance(3_000);
    expect(world.simulator.groundTruthOrders()).toHaveLength(0);
    // 2. The app goes down, and comes back six hours later with the exchange healthy.
    await restartLater(world, SIX_HOURS_MS);
    // 3. No order on the exchange; the signal ended rejected as Stale, and a person is told.
    expect(world.simulator.groundTruthOrders()).toHaveLength(0);
    const stored = await world.app.signals.get(signalId);
    expect(stored?.state).toBe('rejected');
    expect(stored?.lastError).toMatch(/^Stale/);
    expect(await staleAlerts(world, signalId)).toEqual([expect.objectContaining({ severity: 'error' })]);
  });

  it('never resends an order whose signal got too old while its outcome was unknown', async () => {
    world = new ChaosWorld(1202);
    await world.startApp();
    // 1. The order is decided and sent, but the connection resets before the exchange acts: UNKNOWN.
    world.simulator.chaos.add({ kind: 'reset', path: '/market/orders/add' });
    const signalId = await accept(world);
    await world.clock.advance(2_000);
    expect((await world.app.journal.getBySignal(signalId))?.state).toBe('UNKNOWN');
    // 2. The app goes down before the order is proven absent; it comes back six hours later.
    await restartLater(world, SIX_HOURS_MS);
    // 3. The order was proven absent, but its signal is six hours old: not resent, ended Stale.
    expect(world.simulator.groundTruthOrders()).toHaveLength(0);
    const order = await world.app.journal.getBySignal(signalId);
    expect(order?.state).toBe('EXPIRED');
    expect(order?.rejectCode).toBe('Stale');
    const stored = await world.app.signals.get(signalId);
    expect(stored?.state).toBe('rejected');
    expect(stored?.lastError).toMatch(/Stale/);
    expect(await staleAlerts(world, signalId)).toEqual([expect.objectContaining({ severity: 'error' })]);
  });

  it("trades a signal late when the alert's own ageMaxMs allows it", async () => {
    world = new ChaosWorld(1203);
    await world.startApp();
    world.simulator.chaos.add({ kind: 'outage', path: '*', mode: 'reset' });
    const signalId = await accept(world, { ageMaxMs: 12 * 3_600_000 });
    await world.clock.advance(3_000);
    await restartLater(world, 3_600_000);
    expect(world.simulator.groundTruthOrders()).toHaveLength(1);
    expect((await world.app.signals.get(signalId))?.state).toBe('executed');
  });
});
