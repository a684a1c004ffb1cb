// Invariant 10 of design.md, "failures that should be loud are loud" (issue 12, mode 9): every
// accepted signal that ended without a trade has an alert that Keel itself never resolved (its own,
// or for a refusal at the door the halt's one alert, standing when it was refused), and a refused
// credential halted trading with a critical alert.
import type { Observations } from './checker.js';
import type { ChaosWorld } from './world.js';

type AlertRow = {
  readonly dedup_key: string;
  readonly severity: string;
  readonly state: string;
  readonly resolved_by: string | null;
};

/** The alert a halt's refusals at the door raise and repeat (AlertRules.watchDoor). */
const DOOR_ALERT_KEY = 'signal.rejected.EngineHalted';

export async function checkLoudFailures(world: ChaosWorld, seen: Observations): Promise<string[]> {
  const { db } = world.app;
  const alerts = await db.query<AlertRow>('SELECT dedup_key, severity, state, resolved_by FROM alerts');
  // Open, acknowledged, or resolved by a person: never resolved by Keel on its own.
  const standing = new Map(
    alerts.filter((alert) => alert.resolved_by !== 'keel').map((alert) => [alert.dedup_key, alert]),
  );
  const problems: string[] = [];
  const signals = await db.query<{
    id: string;
    state: string;
    last_error: string | null;
    updated_at_ms: number;
  }>("SELECT id, state, last_error, updated_at_ms FROM signals WHERE state IN ('rejected', 'quarantined')");
  // Refusals at the door (arrived while HALTED) share one alert per halt, which must have been
  // standing when the signal was refused: raised at or before it, repeated at or after it.
  const doorAlerts = await db.query<{ first_seen_at_ms: number; last_seen_at_ms: number }>(
    "SELECT first_seen_at_ms, last_seen_at_ms FROM alerts WHERE dedup_key = ? AND (resolved_by IS NULL OR resolved_by <> 'keel')",
    [DOOR_ALERT_KEY],
  );
  const onBus = new Set(
    (await db.query<{ id: string }>("SELECT id FROM bus_messages WHERE topic = 'signals'")).map(
      (row) => row.id,
    ),
  );
  for (const signal of signals) {
    if (!seen.accepted.has(signal.id)) continue;
    if (standing.has(`signal.${signal.state}.${signal.id}`)) continue;
    const atDoor = !onBus.has(`signal:${signal.id}`) && signal.last_error?.startsWith('EngineHalted:');
    if (
      atDoor &&
      doorAlerts.some(
        (alert) =>
          alert.first_seen_at_ms <= signal.updated_at_ms && signal.updated_at_ms <= alert.last_seen_at_ms,
      )
    )
      continue;
    problems.push(`signal ${signal.id} ended ${signal.state} without a standing alert`);
  }
  // Only 401s answered to Keel count: the account holder's own trades may be refused too.
  if (world.simulator.chaos.stats().authFailure > seen.holderAuthFailures) {
    const halts = await db.query<{ reason: string }>(
      "SELECT reason FROM engine_mode_changes WHERE to_mode = 'HALTED'",
    );
    // Halted for this reason, or already halted (a breach, an operator) and the alert says why.
    if (
      halts.length === 0 ||
      (!halts.some((halt) => halt.reason.includes('refused the credentials')) &&
        standing.get('exchange.credentials-refused') === undefined)
    )
      problems.push('the exchange refused the credentials but trading was not halted');
    if (standing.get('exchange.credentials-refused')?.severity !== 'critical')
      problems.push('the exchange refused the credentials without a critical alert');
  }
  return problems;
}

/** Slack past verifyDeadlineMs for the verifier to notice: a poll delay, the absence grace, a request. */
const OVERDUE_NOTICE_SLACK_MS = 60_000;

/**
 * Invariant 10, the other half (issue 12, mode 5): an order that stayed unresolved (SUBMITTING or
 * UNKNOWN, read from its audit trail) past verifyDeadlineMs has a critical "overdue" alert.
 */
export async function checkOverdueAlerted(world: ChaosWorld): Promise<string[]> {
  const { db, config } = world.app;
  const deadlineMs = config.verification.verifyDeadlineMs + OVERDUE_NOTICE_SLACK_MS;
  const events = await db.query<{ order_id: string; to_state: string; at_ms: number }>(
    'SELECT order_id, to_state, at_ms FROM order_events ORDER BY seq',
  );
  const alerted = new Set(
    (await db.query<{ dedup_key: string; severity: string }>('SELECT dedup_key, severity FROM alerts'))
      .filter((alert) => alert.severity === 'critical')
      .map((alert) => alert.dedup_key),
  );
  const since = new Map<string, number>();
  const overdue = new Set<string>();
  const nowMs = world.clock.nowMs();
  // Only time with an app running counts: while Keel is down nobody can notice, and an order resolved
  // at the first look after a restart was never overdue for the verifier that found it.
  const watchedMs = (fromMs: number, toMs: number): number =>
    world.downtimes.reduce(
      (left, down) => left - Math.max(0, Math.min(toMs, down.toMs) - Math.max(fromMs, down.fromMs)),
      toMs - fromMs,
    );
  for (const event of events) {
    const startedAtMs = since.get(event.order_id);
    if (startedAtMs !== undefined && watchedMs(startedAtMs, Number(event.at_ms)) > deadlineMs)
      overdue.add(event.order_id);
    if (event.to_state === 'SUBMITTING' || event.to_state === 'UNKNOWN') {
      if (startedAtMs === undefined) since.set(event.order_id, Number(event.at_ms));
    } else since.delete(event.order_id);
  }
  for (const [orderId, startedAtMs] of since)
    if (watchedMs(startedAtMs, nowMs) > deadlineMs) overdue.add(orderId);
  return [...overdue]
    .filter((orderId) => !alerted.has(`order.overdue.${orderId}`))
    .map((orderId) => `order ${orderId} stayed unresolved past verifyDeadlineMs without a critical alert`);
}
