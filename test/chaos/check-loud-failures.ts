// Invariant 10 of design.md, "failures that should be loud are loud" (issue 12, mode 9): every
// accepted signal that ended without a trade has an alert that Keel itself never resolved, and a
// refused credential halted trading with a critical alert.
import type { Observations } from './checker.js';
import type { ChaosWorld } from './world.js';

type AlertRow = {
  readonly dedup_key: string;
  readonly severity: string;
  readonly state: string;
  readonly resolved_by: string | null;
};

export async function checkLoudFailures(world: ChaosWorld, seen: Observations): Promise<string[]> {
  const { db } = world.app;
  const alerts = await db.query<AlertRow>('SELECT dedup_key, severity, state, resolved_by FROM alerts');
  // Open, acknowledged, or resolved by a person: never resolved by Keel on its own.
  const standing = new Map(
    alerts.filter((alert) => alert.resolved_by !== 'keel').map((alert) => [alert.dedup_key, alert]),
  );
  const problems: string[] = [];
  const signals = await db.query<{ id: string; state: string }>(
    "SELECT id, state FROM signals WHERE state IN ('rejected', 'quarantined')",
  );
  for (const signal of signals) {
    if (!seen.accepted.has(signal.id)) continue;
    if (!standing.has(`signal.${signal.state}.${signal.id}`))
      problems.push(`signal ${signal.id} ended ${signal.state} without a standing alert`);
  }
  if (world.simulator.chaos.stats().authFailure > 0) {
    const halts = await db.query<{ reason: string }>(
      "SELECT reason FROM engine_mode_changes WHERE to_mode = 'HALTED'",
    );
    if (!halts.some((halt) => halt.reason.includes('refused the credentials')))
      problems.push('the exchange refused the credentials but trading was not halted');
    if (standing.get('exchange.credentials-refused')?.severity !== 'critical')
      problems.push('the exchange refused the credentials without a critical alert');
  }
  return problems;
}
