// Goal: with a state file, the simulator keeps balances, orders and id counters across restarts, and
// saves before the answer that reveals a change leaves. Method: inject requests, recreate the simulator.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { call, harness, limitPrice, TOKEN } from './helpers.js';

describe('simulator persistence', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('restores balances, open and finished orders, and continues the ids', async () => {
    dir = mkdtempSync(join(tmpdir(), 'keel-sim-state-'));
    const stateFile = join(dir, 'paper-exchange.json');
    const first = harness({ stateFile });
    const resting = await call(first.sim, 'POST', '/market/orders/add', {
      type: 'buy',
      srcCurrency: 'btc',
      dstCurrency: 'rls',
      amount: '0.01',
      price: limitPrice(first.sim, 'BTCIRT', -0.1),
      clientOrderId: 'resting-1',
    });
    expect(resting.body.status).toBe('ok');
    const saved = JSON.parse(readFileSync(stateFile, 'utf8')) as { orders: { clientOrderId: string }[] };
    expect(saved.orders.map((order) => order.clientOrderId)).toEqual(['resting-1']);
    const filled = await call(first.sim, 'POST', '/market/orders/add', {
      type: 'buy',
      execution: 'market',
      srcCurrency: 'btc',
      dstCurrency: 'rls',
      amount: '0.001',
    });
    expect(filled.body.status).toBe('ok');
    const wallets = first.sim.wallets(TOKEN);
    const truth = first.sim.groundTruthOrders();
    await first.sim.close();

    const second = harness({ stateFile });
    expect(second.sim.wallets(TOKEN)).toEqual(wallets);
    expect(second.sim.groundTruthOrders()).toEqual(truth);
    const byClientId = await call(second.sim, 'POST', '/market/orders/status', {
      clientOrderId: 'resting-1',
    });
    expect(byClientId.body.order).toMatchObject({ clientOrderId: 'resting-1', status: 'Active' });
    const next = await call(second.sim, 'POST', '/market/orders/add', {
      type: 'sell',
      execution: 'market',
      srcCurrency: 'btc',
      dstCurrency: 'rls',
      amount: '0.001',
    });
    const ids = [...truth.map((order) => order.id), (next.body.order as { id: number }).id];
    expect(new Set(ids).size).toBe(ids.length);
    await second.sim.close();
  });

  it('refuses a corrupt state file with a clear error', async () => {
    dir = mkdtempSync(join(tmpdir(), 'keel-sim-state-'));
    const stateFile = join(dir, 'paper-exchange.json');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(stateFile, JSON.stringify({ version: 1, nextIds: {}, accounts: {}, orders: [] }));
    expect(() => harness({ stateFile })).toThrow(/paper exchange state .* is not valid/);
  });
});
