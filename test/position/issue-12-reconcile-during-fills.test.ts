// Issue 12, failure mode 4: reconciliation halted a correct book. A resting limit order that filled
// between Keel's polls made `POST /api/reconcile` (and `keel reconcile`, which asks it) declare a
// breach and HALT: the exchange balances had moved, the ledger had not posted the fill yet. Goal: a
// difference is a breach only if it survives after Keel caught up on the exchange's trades (every
// page) of its live orders. Method: a whole Keel on the chaos world (simulator, SQLite, fake clock).
import { afterEach, describe, expect, it } from 'vitest';
import { Decimal } from '../../src/core/decimal.js';
import { WEBHOOK_PASSPHRASE } from '../chaos/scenario.js';
import { ChaosWorld } from '../chaos/world.js';

let world: ChaosWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function restingBuy(w: ChaosWorld, id: string): Promise<string> {
  // A limit buy a little under the market: it rests until the market walks down to it.
  const price = new Decimal(w.simulator.lastPrice('USDTIRT')).times('0.998').dividedToIntegerBy(10).times(10);
  const response = await w.app.server.inject({
    method: 'POST',
    url: '/webhooks/tradingview',
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({
      passphrase: WEBHOOK_PASSPHRASE,
      id,
      symbol: 'USDTIRT',
      side: 'buy',
      amount: '100',
      type: 'limit',
      price: price.toFixed(),
    }),
  });
  expect(response.statusCode).toBe(202);
  return (JSON.parse(response.body) as { signalId: string }).signalId;
}

describe('issue 12 mode 4: reconciliation while an order fills', () => {
  it('does not halt when a resting limit order filled between polls', async () => {
    world = new ChaosWorld(4);
    const w = world;
    await w.startApp();
    await w.drive(w.clock.sleep(5_000), 'start-up');
    // Step 1: the exchange will book the fill as 40 trades (past the first page of the trade list).
    w.simulator.chaos.add({ kind: 'splitTrades', path: '/market/orders/add', pieces: 40, countMax: 1 });
    // Step 2: a resting limit buy; Keel sees it accepted and open (its funds blocked in the ledger).
    await restingBuy(w, 'rest-1');
    await w.drive(w.clock.sleep(3_000), 'accept');
    const [order] = w.simulator.groundTruthOrders();
    expect(order?.status).toBe('Active');
    // Step 3: the market walks down and fills it, between two of Keel's polls.
    for (let i = 0; i < 500 && w.simulator.groundTruthOrders()[0]?.status === 'Active'; i++)
      w.simulator.tick(1);
    expect(w.simulator.groundTruthOrders()[0]?.status).toBe('Done');
    // Step 4: a person asks for a reconciliation at once (POST /api/reconcile; `keel reconcile` calls it).
    const response = await w.drive(
      w.app.server.inject({ method: 'POST', url: '/api/reconcile', headers: { 'x-keel-request': '1' } }),
      'reconcile',
    );
    // Step 5: Keel caught up on the 40 trades first: the books agree, nothing halts.
    const body = JSON.parse(response?.body ?? '{}') as { status?: string };
    expect(response?.statusCode).toBe(200);
    expect(body.status).not.toBe('breach');
    expect(w.app.killSwitch.mode).toBe('RUNNING');
    const posted = await w.app.db.query<{ n: number }>(
      "SELECT COUNT(DISTINCT trade_id) AS n FROM ledger_postings WHERE kind = 'fill'",
    );
    expect(Number(posted[0]?.n)).toBe(40);
  });

  it('a reconciliation asked for before the opening balances opens them instead of halting', async () => {
    world = new ChaosWorld(6);
    const w = world;
    await w.startApp();
    // Asked at once, while start-up may not have posted the opening balances yet.
    const result = await w.drive(w.app.reconciliation.runNow(), 'reconcile');
    expect(result?.status).not.toBe('breach');
    await w.drive(w.clock.sleep(5_000), 'start-up');
    expect(w.app.killSwitch.mode).toBe('RUNNING');
    expect(await w.app.reconciliation.runNow()).toMatchObject({ kind: 'reconcile', status: 'ok' });
  });

  it('the periodic run reconciles while a limit order rests and fills, without a breach', async () => {
    world = new ChaosWorld(5);
    const w = world;
    await w.startApp();
    await w.drive(w.clock.sleep(5_000), 'start-up');
    const runsBefore = await runCount(w);
    await restingBuy(w, 'rest-2');
    await w.drive(w.clock.sleep(3_000), 'accept');
    // The loop used to skip every run while any order was live; now it runs and catches up first.
    for (let second = 0; second < 180; second++) {
      if (second % 20 === 0) w.simulator.tick(25);
      await w.clock.advance(1_000);
    }
    expect(w.simulator.groundTruthOrders()[0]?.status).toBe('Done');
    expect(await runCount(w)).toBeGreaterThan(runsBefore);
    const breaches = await w.app.db.query<{ n: number }>(
      "SELECT COUNT(*) AS n FROM reconciliation_items WHERE action IN ('breach', 'corrected')",
    );
    expect(Number(breaches[0]?.n)).toBe(0);
    expect(w.app.killSwitch.mode).toBe('RUNNING');
  });
});

const runCount = async (w: ChaosWorld): Promise<number> =>
  Number(
    (
      await w.app.db.query<{ n: number }>(
        "SELECT COUNT(*) AS n FROM reconciliation_runs WHERE kind = 'reconcile'",
      )
    )[0]?.n,
  );
