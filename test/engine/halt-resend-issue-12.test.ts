// Goal (issue 12, failure mode 3): HALT stops every request that can place an order — the first send
// and the resend after proven absence — and the kill switch counts as stored, so a halt set by another
// instance or the CLI (not this process's copy) holds. HALTED still resolves UNKNOWN orders by lookup.
// Method: the chaos world (real KeelApp, simulator, SQLite, fake clock); the halt is written through a
// second KillSwitch on the same database, as `keel engine mode HALTED` or a standby's API would;
// ground truth from the simulator's order book.
import { afterEach, describe, expect, it } from 'vitest';
import { KillSwitch } from '../../src/engine/kill-switch.js';
import { WEBHOOK_PASSPHRASE } from '../chaos/scenario.js';
import { ChaosWorld } from '../chaos/world.js';

let world: ChaosWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function accept(w: ChaosWorld): Promise<string> {
  const response = await w.app.server.inject({
    method: 'POST',
    url: '/webhooks/tradingview',
    // A long maximum age, so that only the halt can keep the order from the exchange.
    payload: {
      passphrase: WEBHOOK_PASSPHRASE,
      symbol: 'BTCIRT',
      side: 'buy',
      amount: '0.001',
      ageMaxMs: 3_600_000,
    },
  });
  expect(response.statusCode).toBe(202);
  return (JSON.parse(response.body) as { signalId: string }).signalId;
}

/** The CLI or another instance: its own KillSwitch over the shared table. */
async function elsewhere(w: ChaosWorld): Promise<KillSwitch> {
  return KillSwitch.open({ db: w.app.db, clock: w.clock });
}

async function advanceSeconds(w: ChaosWorld, seconds: number): Promise<void> {
  for (let i = 0; i < seconds; i++) await w.clock.advance(1_000);
}

describe('HALT stops every placing request (issue 12, mode 3)', () => {
  it('never resends an UNKNOWN order while HALTED elsewhere, keeps looking it up, and resends once lifted', async () => {
    world = new ChaosWorld(1231);
    await world.startApp();
    // 1. The first send resets before the exchange acts: the order is UNKNOWN (and in truth absent).
    world.simulator.chaos.add({ kind: 'reset', path: '/market/orders/add', countMax: 1 });
    const signalId = await accept(world);
    await world.clock.advance(1_000);
    expect((await world.app.journal.getBySignal(signalId))?.state).toBe('UNKNOWN');
    // 2. An operator halts from the CLI (another process): this app's in-memory mode is not told.
    const cli = await elsewhere(world);
    await cli.set('HALTED', { source: 'operator', by: 'cli', reason: 'investigating' });
    // 3. Far past the absence grace: the order is proven absent, but nothing is placed while halted.
    await advanceSeconds(world, 120);
    expect(world.simulator.groundTruthOrders()).toHaveLength(0);
    const held = await world.app.journal.getBySignal(signalId);
    expect(held?.state).toBe('UNKNOWN');
    expect(held?.submitCount).toBe(1);
    // 4. The halt is lifted: the resend goes out once, with the same clientOrderId.
    await cli.set('RUNNING', { source: 'operator', by: 'cli', reason: 'resolved' });
    await advanceSeconds(world, 30);
    const orders = world.simulator.groundTruthOrders();
    expect(orders).toHaveLength(1);
    expect(orders[0]?.createdAtMs).toBeGreaterThan(cli.lastChange?.atMs ?? Number.POSITIVE_INFINITY);
    expect((await world.app.signals.get(signalId))?.state).toBe('executed');
  });

  it('holds a prepared order while HALTED elsewhere, even after its back-off ends', async () => {
    world = new ChaosWorld(1232);
    await world.startApp();
    // 1. The exchange refuses the first send with 429 and a back-off: provably not placed, PREPARED.
    world.simulator.chaos.add({
      kind: 'rateLimitStorm',
      path: '/market/orders/add',
      backOffSeconds: 5,
      limit: 0,
      countMax: 1,
    });
    const signalId = await accept(world);
    await world.clock.advance(500);
    expect((await world.app.journal.getBySignal(signalId))?.state).toBe('PREPARED');
    // 2. Halted by another instance while the order waits out the back-off.
    const cli = await elsewhere(world);
    await cli.set('HALTED', { source: 'operator', by: 'dashboard-on-standby', reason: 'stop' });
    await advanceSeconds(world, 60);
    expect(world.simulator.groundTruthOrders()).toHaveLength(0);
    expect((await world.app.journal.getBySignal(signalId))?.state).toBe('PREPARED');
  });
});
