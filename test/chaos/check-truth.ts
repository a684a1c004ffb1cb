// Invariants of issue 12's order-truth modes, checked against ground truth once a scenario settled:
// an order the exchange holds is never journaled REJECTED (only Nobitex's own failure answer rejects),
// and Nobitex's 10-second duplicate guard never ends a signal. The trade-list and reconciliation modes
// are checked by checkFillsPosted (every trade of Keel's orders posted, once) and by
// checkDifferencesExplained (no correction or breach, so no HALT, that injected drift does not explain).
import type { ChaosWorld } from './world.js';

/** An exchange order of Keel's is never REJECTED in the journal: a 4xx not from Nobitex is UNKNOWN. */
export async function checkNoRejectedLiveOrder(world: ChaosWorld): Promise<string[]> {
  const rows = await world.app.db.query<{ client_order_id: string; reject_code: string | null }>(
    "SELECT client_order_id, reject_code FROM orders WHERE state = 'REJECTED'",
  );
  const rejected = new Map(rows.map((row) => [row.client_order_id, row.reject_code]));
  return world.simulator
    .groundTruthOrders()
    .filter((order) => order.clientOrderId !== null && rejected.has(order.clientOrderId))
    .map(
      (order) =>
        `exchange order ${order.id} (${order.clientOrderId}, matched ${order.matchedAmount}) is journaled REJECTED (${rejected.get(order.clientOrderId ?? '') ?? '?'})`,
    );
}

/** Keel's own idempotency is the clientOrderId: the exchange's duplicate guard never ends a signal. */
export async function checkGuardNeverRejects(world: ChaosWorld): Promise<string[]> {
  const orders = await world.app.db.query<{ id: string; signal_id: string }>(
    "SELECT id, signal_id FROM orders WHERE reject_code = 'DuplicateOrder'",
  );
  return orders.map(
    (order) => `order ${order.id} of signal ${order.signal_id} ended rejected by the 10-second guard`,
  );
}
