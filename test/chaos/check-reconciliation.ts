// Invariant (4), reconciliation: the ledger ends equal to the exchange per currency, and every
// difference a reconciliation ever found is explained by a balance change the scenario injected.
import { Decimal, parseDecimal } from '../../src/core/decimal.js';
import { SIMULATOR_DEFAULT_TOKEN } from '../../src/exchange/simulator/index.js';
import type { ReconciliationResult } from '../../src/position/reconciliation-result.js';
import type { Observations } from './checker.js';
import type { ChaosWorld } from './world.js';

/**
 * (4) after the final reconciliation every currency matches the exchange, or the run reported a breach
 * for it and the engine is HALTED with a critical alert: the one accepted explanation.
 */
export async function checkReconciled(world: ChaosWorld, result: ReconciliationResult): Promise<string[]> {
  const app = world.app;
  if (result.status === 'error') return [`final reconciliation failed: ${result.error ?? '?'}`];
  const breached = new Set(result.rows.filter((r) => r.action === 'breach').map((r) => r.asset));
  const critical =
    (await app.db.query<{ n: number }>("SELECT COUNT(*) AS n FROM alerts WHERE severity = 'critical'"))[0]
      ?.n ?? 0;
  const problems: string[] = [];
  const mode = await app.killSwitch.refresh(); // as stored: a halt may have been set or lifted elsewhere
  if (breached.size > 0 && (mode !== 'HALTED' || Number(critical) === 0))
    problems.push(
      `breach in ${[...breached].join(',')} without HALTED + critical alert (mode ${mode}, critical alerts ${critical})`,
    );
  const wallets = world.simulator.wallets(SIMULATOR_DEFAULT_TOKEN);
  const currencies = new Set([...Object.keys(wallets), ...app.ledger.assets()]);
  for (const currency of currencies) {
    if (breached.has(currency)) continue;
    const exchange = wallets[currency]?.balance ?? '0';
    const ledger = app.ledger.balances(currency).total;
    if (!ledger.eq(exchange))
      problems.push(
        `${currency}: ledger ${ledger.toFixed()} but exchange ${exchange}, and no breach reported`,
      );
  }
  return problems;
}

/**
 * Corrections and breaches only where the scenario moved balances: a correction in an untouched
 * currency means the ledger drifted by itself (a bug auto-correction would hide), and a breach needs
 * more injected drift than the tolerance.
 */
export async function checkDifferencesExplained(world: ChaosWorld, seen: Observations): Promise<string[]> {
  const rows = await world.app.db.query<{
    run_id: string;
    asset: string;
    action: string;
    total_difference: string;
    tolerance: string;
  }>(
    `SELECT run_id, asset, action, total_difference, tolerance FROM reconciliation_items
     WHERE action IN ('corrected', 'breach')`,
  );
  const problems: string[] = [];
  for (const row of rows) {
    const drift = seen.driftAbs.get(row.asset) ?? new Decimal(0);
    const explained =
      row.action === 'corrected' ? drift.gt(0) : drift.gt(parseDecimal(row.tolerance, 'tolerance'));
    if (!explained)
      problems.push(
        `reconciliation ${row.run_id}: ${row.action} ${row.asset} by ${row.total_difference} but the scenario drifted it by only ${drift.toFixed()}`,
      );
  }
  return problems;
}

/** Exchange ids of the open orders any reconciliation reported unknown to the journal, in run order. */
export async function reportedUnknownOrders(world: ChaosWorld): Promise<string[]> {
  const outcomes = await world.app.db.query<{ unknown_orders: string }>(
    `SELECT o.unknown_orders FROM reconciliation_outcomes o JOIN reconciliation_runs r ON r.id = o.run_id
     ORDER BY r.seq`,
  );
  return outcomes.flatMap((o) => (JSON.parse(o.unknown_orders) as { id: string }[]).map((order) => order.id));
}
