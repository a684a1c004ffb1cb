// Goal: three Keel instances on one PostgreSQL schema, one Redis prefix and one external simulator
// trade as one: exactly one leads, a SIGKILLed leader is replaced within the lease time, no order is
// placed twice, every signal ends terminal and the ledger balances and matches the exchange.
// Method: real child processes (`keel start`), signals streamed to all three webhooks, the leader
// killed mid-flow; ground truth from the simulator and from the shared database read directly.
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import { SIMULATOR_DEFAULT_TOKEN, startSimulatorServer } from '../../src/exchange/simulator/index.js';
import { silentLogger } from '../../src/logging/logger.js';
import { Ledger } from '../../src/position/ledger.js';
import { PostgresDatabase } from '../../src/storage/postgres-database.js';
import {
  clusterView,
  deleteKeys,
  dropSchema,
  freshSchema,
  type Instance,
  reportUnreachable,
  runCleanup,
  sendSignal,
  startInstance,
  TEST_DATABASE_URL,
  TEST_REDIS_URL,
  unreachableServices,
  waitFor,
} from './cluster-harness.js';

const LEASE_TTL_MS = 2_500;
const LEASE_RENEW_INTERVAL_MS = 800;
const SIGNAL_COUNT = 14;
const TERMINAL = new Set(['executed', 'rejected', 'quarantined']);

const cleanup: (() => Promise<void>)[] = [];
afterEach(() => runCleanup(cleanup));

describe('cluster failover', () => {
  it('a standby takes over a killed leader and no signal is lost or traded twice', async () => {
    const unreachable = await unreachableServices();
    if (unreachable !== undefined) return reportUnreachable(unreachable);
    const simulator = await startSimulatorServer({ port: 0, seed: 9_001 });
    cleanup.push(() => simulator.close());
    const schema = freshSchema();
    cleanup.push(() => dropSchema(schema));
    const keyPrefix = `keel:test:${randomUUID()}:`;
    cleanup.push(() => deleteKeys(TEST_REDIS_URL, keyPrefix));
    const db = new PostgresDatabase({ url: TEST_DATABASE_URL, schema, poolSize: 2 });
    cleanup.push(() => db.close());

    const settings = {
      simulatorUrl: simulator.url,
      schema,
      redisUrl: TEST_REDIS_URL,
      keyPrefix,
      leaseTtlMs: LEASE_TTL_MS,
      leaseRenewIntervalMs: LEASE_RENEW_INTERVAL_MS,
      expectedInstances: 3,
    };
    const instances = await Promise.all(
      ['alpha', 'bravo', 'charlie'].map((id) => startInstance({ ...settings, id }, cleanup)),
    );
    const leader = await waitFor('one leader among three', () => soleLeader(instances), 20_000);
    // Every instance names the same leader, standbys included (read from the lease row).
    for (const instance of instances) expect((await clusterView(instance)).leaderId).toBe(leader.id);
    const standby = instances.find((instance) => instance !== leader);
    const status = (await (await fetch(`${standby?.url}/api/status`)).json()) as {
      instance: { id: string; leader?: boolean; leaderId?: string };
    };
    expect(status.instance).toMatchObject({ id: standby?.id, leader: false, leaderId: leader.id });
    // A standby refuses to reconcile: only the leader writes the ledger.
    const refused = await fetch(`${standby?.url}/api/reconcile`, {
      method: 'POST',
      headers: { 'x-keel-request': 'test' },
    });
    expect(refused.status).toBe(409);

    // Slow order placement, so the kill lands while a submission is in flight.
    simulator.simulator.chaos.add({
      kind: 'latency',
      path: '/market/orders/add',
      method: 'POST',
      latencyMs: 400,
    });
    let killedAtMs = 0;
    for (let i = 0; i < SIGNAL_COUNT; i++) {
      if (i === Math.floor(SIGNAL_COUNT / 2)) {
        leader.child.kill('SIGKILL');
        killedAtMs = Date.now();
      }
      // Distinct amounts: the exchange refuses an identical order within 10 s (DuplicateOrder).
      const amount = `0.001${String(i).padStart(2, '0')}`;
      const body = { id: `sig-${i}`, symbol: 'BTCIRT', side: i % 3 === 2 ? 'sell' : 'buy', amount };
      const statuses = await Promise.all(instances.map((instance) => sendSignal(instance, body)));
      // Every live instance takes webhooks: one accepts (202), the others see the duplicate (200).
      const live = statuses.filter((status) => status !== undefined);
      expect(live.filter((status) => status === 202)).toHaveLength(1);
      expect(live.every((status) => status === 202 || status === 200)).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 150));
    }

    const survivors = instances.filter((instance) => instance !== leader);
    const successor = await waitFor('a new leader', () => soleLeader(survivors), 15_000, 100);
    const takeoverMs = Date.now() - killedAtMs;
    // Expiry of the dead leader's lease plus one acquire attempt, with slack for polling and load.
    expect(takeoverMs).toBeLessThan(LEASE_TTL_MS + LEASE_RENEW_INTERVAL_MS + 2_500);
    expect(successor.id).not.toBe(leader.id);

    const states = await waitFor(
      'every signal terminal',
      async () => {
        const rows = await db.query<{ id: string; state: string }>('SELECT id, state FROM signals');
        return rows.length === SIGNAL_COUNT && rows.every((row) => TERMINAL.has(row.state))
          ? rows
          : undefined;
      },
      90_000,
      300,
    );
    // The dead leader's orders in flight were resolved by the successor, not dropped or refused.
    expect(states.filter((row) => row.state === 'executed')).toHaveLength(SIGNAL_COUNT);

    // Exchange ground truth: at most one order per clientOrderId, never more orders than signals.
    const orders = simulator.simulator.groundTruthOrders();
    const perClientOrderId = new Map<string, number>();
    for (const order of orders) {
      expect(order.clientOrderId).not.toBeNull();
      const key = order.clientOrderId ?? '';
      perClientOrderId.set(key, (perClientOrderId.get(key) ?? 0) + 1);
    }
    expect([...perClientOrderId.values()].every((count) => count === 1)).toBe(true);
    expect(orders).toHaveLength(SIGNAL_COUNT);
    const journaled = await db.query<{ client_order_id: string }>('SELECT client_order_id FROM orders');
    for (const order of orders)
      expect(journaled.map((row) => row.client_order_id)).toContain(order.clientOrderId);

    // The new leader reconciles: the ledger equals the simulator's wallets.
    const response = await fetch(`${successor.url}/api/reconcile`, {
      method: 'POST',
      headers: { 'x-keel-request': 'test' },
    });
    expect(response.status).toBe(200);
    const result = (await response.json()) as {
      status: string;
      rows: { currency: string; difference: string }[];
    };
    expect(result.status).toBe('ok');
    const wallets = simulator.simulator.wallets(SIMULATOR_DEFAULT_TOKEN);
    for (const row of result.rows) {
      expect(wallets[row.currency]).toBeDefined();
      expect(row.difference).toBe('0');
    }
    const ledger = await Ledger.open({ database: db, clock: systemClock, logger: silentLogger });
    expect(ledger.assets().length).toBeGreaterThan(0);
    for (const asset of ledger.assets()) expect(ledger.isBalanced(asset)).toBe(true);
  }, 150_000);
});

/** The one instance that says it leads, when exactly one does. */
async function soleLeader(instances: readonly Instance[]): Promise<Instance | undefined> {
  const views = await Promise.all(instances.map((instance) => clusterView(instance)));
  const leaders = instances.filter((_instance, index) => views[index]?.leader === true);
  return leaders.length === 1 ? leaders[0] : undefined;
}
