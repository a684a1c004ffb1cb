// The end of a scenario: faults off, time until all work has ended (bounded), the final
// reconciliation (tried again while a rate-limit back-off lasts), then every invariant.
import type { ReconciliationResult } from '../../src/position/reconciliation-result.js';
import { checkNoOrderWhileHalted, checkNoStaleTrade } from './check-guards.js';
import { checkLoudFailures, checkOverdueAlerted } from './check-loud-failures.js';
import { checkProtection, protectionSettled, protectiveClientOrderIds } from './check-protection.js';
import { checkDifferencesExplained, checkReconciled } from './check-reconciliation.js';
import { checkGuardNeverRejects, checkNoRejectedLiveOrder } from './check-truth.js';
import {
  checkDurable,
  checkFillsMatch,
  checkFillsPosted,
  checkLedger,
  checkNoSecrets,
  checkOneOrderPerSignal,
  checkTerminal,
  type Observations,
} from './checker.js';
import type { ChaosWorld } from './world.js';

/**
 * What the operator does on the critical "credentials refused" alert: renew them (the faults are off)
 * and resume. Until then orders left UNKNOWN by the refusal may only be looked up, never resent.
 */
async function renewRefusedCredentials(world: ChaosWorld): Promise<void> {
  const { killSwitch } = world.app;
  if ((await killSwitch.refresh()) !== 'HALTED') return;
  if (killSwitch.lastChange?.reason.includes('refused the credentials') !== true) return;
  await killSwitch.set('RUNNING', {
    source: 'operator',
    by: 'chaos-operator',
    reason: 'credentials renewed',
  });
}

/**
 * Fake time the settle phase may take before unfinished work counts as a violation, ms: past the
 * longest maximum signal age a scenario gives (1 h), since an order that may not be sent while trading
 * is halted is held until its signal goes stale, and only then ends.
 */
export const SETTLE_LIMIT_MS = 70 * 60_000;
const SETTLE_STEP_MS = 2_000;
const RECONCILE_ATTEMPTS_MAX = 5;
const RECONCILE_RETRY_MS = 120_000;

/** Faults off, then time until all work ends (bounded), then the final reconciliation and every check. */
export async function settleAndCheck(world: ChaosWorld, seen: Observations): Promise<string[]> {
  world.simulator.chaos.clear();
  await renewRefusedCredentials(world);
  for (let spentMs = 0; spentMs < SETTLE_LIMIT_MS; spentMs += SETTLE_STEP_MS) {
    await world.clock.advance(SETTLE_STEP_MS);
    // Protective orders rest (good till cancelled), but their placing must have ended (or be alerted).
    if ((await checkTerminal(world, seen)).length === 0 && (await protectionSettled(world))) break;
  }
  const problems = [
    ...checkOneOrderPerSignal(world, seen, await protectiveClientOrderIds(world)),
    ...(await checkLedger(world)),
    ...(await checkDurable(world, seen)),
    ...(await checkTerminal(world, seen)),
    ...(await checkNoOrderWhileHalted(world)),
    ...(await checkNoStaleTrade(world)),
  ];
  if (problems.length > 0) return problems.map((p) => `at the end: ${p}`);
  problems.push(
    ...(await checkFillsPosted(world)),
    ...(await checkFillsMatch(world)),
    ...(await checkNoRejectedLiveOrder(world)),
    ...(await checkGuardNeverRejects(world)),
  );
  const result = await finalReconciliation(world);
  if (result === undefined) problems.push('final reconciliation did not finish');
  else {
    seen.reconciliation = result.status;
    problems.push(...(await checkReconciled(world, result)));
  }
  problems.push(
    ...(await checkDifferencesExplained(world, seen)),
    ...(await checkLedger(world)),
    ...(await checkNoSecrets(world)),
    ...(await checkLoudFailures(world, seen)),
    ...(await checkOverdueAlerted(world)),
    ...(await checkProtection(world)),
  );
  return problems.map((p) => `at the end: ${p}`);
}

/** Reconciles; a run that could not fetch (a rate-limit back-off still running) is tried again later. */
async function finalReconciliation(world: ChaosWorld): Promise<ReconciliationResult | undefined> {
  let result: ReconciliationResult | undefined;
  for (let attempt = 0; attempt < RECONCILE_ATTEMPTS_MAX; attempt++) {
    result = await world.drive(world.app.reconciliation.runNow(), 'final reconciliation');
    if (result?.status !== 'error') return result;
    await world.clock.advance(RECONCILE_RETRY_MS);
  }
  return result;
}

/** Signals per final state; rejections also per reason code (the text before the first colon). */
export async function countSignalStates(world: ChaosWorld): Promise<Record<string, number>> {
  const rows = await world.app.db.query<{ state: string; last_error: string | null }>(
    'SELECT state, last_error FROM signals',
  );
  const counts: Record<string, number> = {};
  for (const row of rows) {
    const key =
      row.state === 'rejected'
        ? `rejected (${(row.last_error ?? '').split(':')[0]?.slice(0, 40)})`
        : row.state;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/** Sends refused by Nobitex's 10-second duplicate guard, as the journal's audit trail recorded them. */
export async function countDuplicateGuardHits(world: ChaosWorld): Promise<number> {
  const rows = await world.app.db.query<{ n: number }>(
    "SELECT COUNT(*) AS n FROM order_events WHERE cause LIKE 'DuplicateOrder%'",
  );
  return Number(rows[0]?.n ?? 0);
}
