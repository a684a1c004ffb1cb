// Issue 14's invariants on protective orders, against the simulator's ground truth: never two live
// protections for one entry (an OCO pair counts once), every filled entry that asked for
// protection is protected on the exchange, has exited through it, or raised a critical alert, and a
// protective order not yet placed (held, or its placing unknown) stands under such an alert.
import { isTerminal, type OrderState } from '../../src/exchange/order-journal/order-state.js';
import type { ChaosWorld } from './world.js';

type Row = {
  readonly id: string;
  readonly signal_id: string;
  readonly client_order_id: string;
  readonly exchange_order_id: string | null;
  readonly role: string;
  readonly parent_order_id: string | null;
  readonly filled_amount: string;
  readonly state: string;
  readonly protection: string | null;
};

const rowsOf = (world: ChaosWorld) =>
  world.app.db.query<Row>(
    `SELECT id, signal_id, client_order_id, exchange_order_id, role, parent_order_id, filled_amount, state,
       protection FROM orders`,
  );

/** clientOrderIds of Keel's protective orders (they belong to their entry's signal). */
export async function protectiveClientOrderIds(world: ChaosWorld): Promise<Set<string>> {
  return new Set((await rowsOf(world)).filter((r) => r.role !== 'entry').map((r) => r.client_order_id));
}

/** Protective orders not (yet) known to be on the exchange. */
const UNPLACED: ReadonlySet<string> = new Set(['PREPARED', 'SUBMITTING', 'UNKNOWN']);

const criticalAlertKeys = async (world: ChaosWorld): Promise<Set<string>> =>
  new Set(
    (
      await world.app.db.query<{ dedup_key: string }>(
        "SELECT dedup_key FROM alerts WHERE severity = 'critical'",
      )
    ).map((a) => a.dedup_key),
  );

/**
 * For the settle phase: every filled entry that asked for protection has a protective order (its
 * protection may still be retrying to read the market's rules), and every protective order is placed
 * or ended; or the entry is alerted unprotected (a halt can hold one for as long as it lasts); and
 * no protective order the exchange has ended is still live in the journal. Until then the work is
 * not over (seed 1217: a stop triggered by the last price jump filled 5 s before the checks).
 */
export async function protectionSettled(world: ChaosWorld): Promise<boolean> {
  const rows = await rowsOf(world);
  const alertKeys = await criticalAlertKeys(world);
  const alerted = (entryId: string | null) => alertKeys.has(`protection.unprotected.${entryId}`);
  const parents = new Set(rows.map((r) => r.parent_order_id));
  const truth = new Map(world.simulator.groundTruthOrders().map((o) => [String(o.id), o]));
  // A resting protection the exchange has ended (its stop triggered and filled, or its OCO pair
  // filled) while the journal still has it live: Keel learns it at its next look, so work remains.
  const endedOnExchange = (r: Row) => {
    const order = r.exchange_order_id === null ? undefined : truth.get(r.exchange_order_id);
    return (
      order !== undefined &&
      order.status !== 'Active' &&
      order.status !== 'Inactive' &&
      !isTerminal(r.state as OrderState)
    );
  };
  return rows.every((r) =>
    r.role === 'entry'
      ? r.protection === null || r.filled_amount === '0' || parents.has(r.id) || alerted(r.id)
      : (!UNPLACED.has(r.state) || alerted(r.parent_order_id)) && !endedOnExchange(r),
  );
}

export async function checkProtection(world: ChaosWorld): Promise<string[]> {
  const rows = await rowsOf(world);
  const alertKeys = await criticalAlertKeys(world);
  const truth = new Map(world.simulator.groundTruthOrders().map((o) => [String(o.id), o]));
  const live = (row: Row) => {
    const order = row.exchange_order_id === null ? undefined : truth.get(row.exchange_order_id);
    return order?.status === 'Active' || order?.status === 'Inactive';
  };
  const problems: string[] = [];
  for (const entry of rows.filter((r) => r.role === 'entry' && r.protection !== null)) {
    const protective = rows.filter((r) => r.parent_order_id === entry.id);
    // An OCO's stop leg is one protection with its pair.
    const liveUnits = protective.filter((r) => r.role !== 'oco_stop' && live(r));
    if (liveUnits.length > 1)
      problems.push(
        `entry ${entry.id} has ${liveUnits.length} live protective orders: ${liveUnits.map((r) => r.id).join(', ')}`,
      );
    if (entry.filled_amount === '0') continue;
    const exited = protective.some((r) => r.filled_amount !== '0');
    const protectedNow = protective.some((r) => live(r));
    const alerted = alertKeys.has(`protection.unprotected.${entry.id}`);
    if (!exited && !protectedNow && !alerted)
      problems.push(
        `entry ${entry.id} filled ${entry.filled_amount} but is neither protected (${protective.map((r) => `${r.role} ${r.state}`).join(', ') || 'no protective order'}) nor alerted`,
      );
    for (const r of protective) {
      if (!isTerminal(r.state as OrderState) && !live(r) && r.exchange_order_id !== null)
        problems.push(`protective order ${r.id} is ${r.state} in the journal but not open on the exchange`);
      if (UNPLACED.has(r.state) && !alerted)
        problems.push(`protective order ${r.id} is ${r.state} (not placed) without a critical alert`);
    }
  }
  return problems;
}

/** Protective orders per `role state`, and the unprotected alerts raised, for the report. */
export async function countProtection(world: ChaosWorld): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const row of (await rowsOf(world)).filter((r) => r.role !== 'entry')) {
    const key = `${row.role} ${row.state}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  const alerts = await world.app.db.query<{ n: number }>(
    "SELECT COUNT(*) AS n FROM alerts WHERE dedup_key LIKE 'protection.unprotected.%'",
  );
  counts['unprotected alerts'] = Number(alerts[0]?.n ?? 0);
  return counts;
}
