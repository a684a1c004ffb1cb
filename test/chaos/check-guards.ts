// Invariant (7) against ground truth: no order is created on the exchange while the engine is HALTED
// (halt periods from the kill switch's stored history, whoever set them), and no signal is traded
// after its maximum age (the simulator's order creation time against the signal's stale instant).
import { signalStaleAtMs } from '../../src/engine/signal-age.js';
import { clientOrderIdFor } from '../../src/exchange/order-journal/order-intent.js';
import { SIMULATOR_DEFAULT_TOKEN } from '../../src/exchange/simulator/index.js';
import type { ChaosWorld } from './world.js';

/**
 * A request that left just before a halt or a signal's stale instant may still be acted on a little
 * later: at most one orders attempt (the adapter's 10 s timeout) after it left.
 */
export const IN_FLIGHT_SLACK_MS = 11_000;

interface Period {
  readonly fromMs: number;
  readonly toMs: number;
}

/** No exchange order of ours created while the stored mode was HALTED (beyond the in-flight slack). */
export async function checkNoOrderWhileHalted(world: ChaosWorld): Promise<string[]> {
  const halts = await haltPeriods(world);
  const problems: string[] = [];
  for (const order of ourOrders(world))
    for (const halt of halts)
      if (order.createdAtMs > halt.fromMs + IN_FLIGHT_SLACK_MS && order.createdAtMs < halt.toMs)
        problems.push(
          `exchange order ${order.id} (${order.clientOrderId}) created at ${iso(order.createdAtMs)}, while HALTED since ${iso(halt.fromMs)}`,
        );
  return problems;
}

/** No exchange order of ours created after its signal's maximum age (beyond the in-flight slack). */
export async function checkNoStaleTrade(world: ChaosWorld): Promise<string[]> {
  const { signals, config } = world.app;
  const problems: string[] = [];
  const signalIdByClientId = new Map<string, string>();
  const rows = await world.app.db.query<{ id: string }>('SELECT id FROM signals');
  for (const row of rows) signalIdByClientId.set(clientOrderIdFor(row.id), row.id);
  for (const order of ourOrders(world)) {
    const signalId = signalIdByClientId.get(order.clientOrderId ?? '');
    const stored = signalId === undefined ? undefined : await signals.get(signalId);
    if (stored === undefined) continue; // checkOneOrderPerSignal reports orders without a signal
    const staleAtMs = signalStaleAtMs(stored.signal, config.engine.signalAgeMaxMs);
    if (order.createdAtMs > staleAtMs + IN_FLIGHT_SLACK_MS)
      problems.push(
        `signal ${stored.id} traded at ${iso(order.createdAtMs)} (order ${order.id}), stale since ${iso(staleAtMs)}`,
      );
  }
  return problems;
}

/** Keel's orders: the account's orders that carry a clientOrderId (the holder's own trades carry none). */
const ourOrders = (world: ChaosWorld) =>
  world.simulator
    .groundTruthOrders()
    .filter((order) => order.token === SIMULATOR_DEFAULT_TOKEN && order.clientOrderId !== null);

async function haltPeriods(world: ChaosWorld): Promise<Period[]> {
  const changes = await world.app.db.query<{ to_mode: string; at_ms: number }>(
    'SELECT to_mode, at_ms FROM engine_mode_changes ORDER BY seq',
  );
  const periods: Period[] = [];
  let haltedSinceMs: number | undefined;
  for (const change of changes) {
    const atMs = Number(change.at_ms);
    if (change.to_mode === 'HALTED' && haltedSinceMs === undefined) haltedSinceMs = atMs;
    if (change.to_mode !== 'HALTED' && haltedSinceMs !== undefined) {
      periods.push({ fromMs: haltedSinceMs, toMs: atMs });
      haltedSinceMs = undefined;
    }
  }
  if (haltedSinceMs !== undefined) periods.push({ fromMs: haltedSinceMs, toMs: Number.POSITIVE_INFINITY });
  return periods;
}

const iso = (ms: number): string => new Date(ms).toISOString();
