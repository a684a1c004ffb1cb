// Runs one scenario in a fresh world: applies each step, checks the always-true invariants after every
// step, then clears the faults, lets time pass until everything has ended, reconciles, and checks all.

import { formatDecimal, parseDecimal } from '../../src/core/decimal.js';
import type { ChaosKind, ChaosRuleSpec } from '../../src/exchange/simulator/index.js';
import { SIMULATOR_DEFAULT_TOKEN } from '../../src/exchange/simulator/index.js';
import { applyGuardStep, type GuardCounts, newGuardCounts } from './apply-guard-step.js';
import { type AnomalyFlagCounts, countAnomalyFlags } from './check-anomalies.js';
import { countProtection, protectiveClientOrderIds } from './check-protection.js';
import { checkRestDuringGaps } from './check-pushed-fills.js';
import { reportedUnknownOrders } from './check-reconciliation.js';
import { checkLedger, checkOneOrderPerSignal, newObservations, type Observations } from './checker.js';
import { applyPriceJump } from './protection-steps.js';
import { pushedFillsFor } from './push-steps.js';
import { describeStep, type Scenario, type Step } from './scenario.js';
import { countDuplicateGuardHits, countSignalStates, settleAndCheck } from './settle.js';
import { applyTruthStep } from './truth-steps.js';
import { ChaosWorld } from './world.js';

/** Fake time every step is followed by, so work progresses between steps, ms. */
const STEP_GAP_MS = 100;

export interface ScenarioResult {
  readonly seed: number;
  readonly stepCount: number;
  /** Empty when every invariant held. Each entry names the step after which it was seen. */
  readonly violations: readonly string[];
  readonly faults: Readonly<Record<ChaosKind, number>>;
  /** Guard steps (pauses, halts from outside) and how many found a waiting signal or an UNKNOWN order. */
  readonly guards: Readonly<GuardCounts>;
  readonly webhooks: { accepted: number; duplicate: number; refused: number };
  readonly orders: number;
  readonly signalStates: Readonly<Record<string, number>>;
  readonly restarts: number;
  /** Steps applied, by kind (signals, faults, twin signals, manual trades, reconciliations…). */
  readonly stepsByKind: Readonly<Record<string, number>>;
  /** Protective orders per role and journal state, and unprotected alerts (issue 14). */
  readonly protection: Readonly<Record<string, number>>;
  /** Sends Nobitex's 10-second guard refused (DuplicateOrder), from the journal's audit trail. */
  readonly duplicateGuardHits: number;
  /** Status of the final reconciliation: ok, corrected, breach, error; `none` when it did not run. */
  readonly reconciliation: string;
  /** Exchange ids of open orders the reconciliations reported unknown to the journal (warned about). */
  readonly unknownOrders: readonly string[];
  readonly fakeTimeMs: number;
  /** Anomaly flags raised during the run; false ones are those no injected drift explains. */
  readonly anomalyFlags: AnomalyFlagCounts;
  /** Fills pushed over the in-process WebSocket (issue 16): links, connects, deliveries, gaps; empty when off. */
  readonly pushed: Readonly<Record<string, number>>;
}

export async function runScenario(scenario: Scenario): Promise<ScenarioResult> {
  const world = new ChaosWorld(scenario.seed, { pushedFills: pushedFillsFor(scenario.seed) });
  const seen = newObservations();
  const webhooks = { accepted: 0, duplicate: 0, refused: 0 };
  const violations: string[] = [];
  const startMs = world.clock.nowMs();
  let restarts = 0;
  const guards = newGuardCounts();
  let signalStates: Record<string, number> = {};
  let duplicateGuardHits = 0;
  const stepsByKind: Record<string, number> = {};
  let protection: Record<string, number> = {};
  let anomalyFlags: AnomalyFlagCounts = { total: 0, falseFlags: [] };
  let unknownOrders: string[] = [];
  try {
    await world.startApp();
    for (const [index, step] of scenario.steps.entries()) {
      if (step.kind === 'restart') restarts++;
      stepsByKind[step.kind] = (stepsByKind[step.kind] ?? 0) + 1;
      await applyStep(world, step, seen, webhooks, guards);
      await world.clock.advance(STEP_GAP_MS);
      const found = [
        ...checkOneOrderPerSignal(world, seen, await protectiveClientOrderIds(world)),
        ...(await checkLedger(world)),
      ];
      for (const v of found) violations.push(`after step ${index} (${describeStep(step)}): ${v}`);
      if (found.length > 0) break;
    }
    if (violations.length === 0) violations.push(...(await settleAndCheck(world, seen)));
    if (violations.length === 0 && world.push !== undefined)
      violations.push(...(await checkRestDuringGaps(world, world.push)).map((v) => `at the end: ${v}`));
    signalStates = await countSignalStates(world);
    duplicateGuardHits = await countDuplicateGuardHits(world);
    protection = await countProtection(world);
    anomalyFlags = await countAnomalyFlags(world, seen);
    unknownOrders = await reportedUnknownOrders(world);
  } catch (error) {
    violations.push(
      `harness error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
  } finally {
    violations.push(...world.problems);
    await world.close().catch((error: unknown) => violations.push(`close failed: ${String(error)}`));
  }
  return {
    seed: scenario.seed,
    stepCount: scenario.steps.length,
    violations,
    faults: world.simulator.chaos.stats(),
    guards,
    webhooks,
    orders: world.simulator.groundTruthOrders().length,
    signalStates,
    restarts,
    stepsByKind,
    protection,
    duplicateGuardHits,
    reconciliation: seen.reconciliation,
    unknownOrders,
    fakeTimeMs: world.clock.nowMs() - startMs,
    anomalyFlags,
    pushed: { ...world.push?.counts },
  };
}

export async function applyStep(
  world: ChaosWorld,
  step: Step,
  seen: Observations,
  webhooks: ScenarioResult['webhooks'],
  guards: GuardCounts,
): Promise<void> {
  switch (step.kind) {
    case 'signal':
      await sendWebhook(world, step.body, seen, webhooks);
      return;
    case 'pause':
    case 'halt':
      return applyGuardStep(world, step, (body) => sendWebhook(world, body, seen, webhooks), guards);
    case 'fault': {
      const startAtMs = world.clock.nowMs() + step.startInMs;
      const window = { startAtMs, endAtMs: startAtMs + step.durationMs };
      const rule = step.rule;
      if (rule.kind === 'drift') addDrift(seen, rule.currency, rule.delta ?? '0');
      world.simulator.chaos.add(
        rule.kind === 'drift'
          ? { ...rule, ...window, token: SIMULATOR_DEFAULT_TOKEN }
          : ({ ...rule, ...window } as ChaosRuleSpec),
      );
      return;
    }
    case 'clearFaults':
      world.simulator.chaos.clear();
      return;
    case 'advance':
      await world.clock.advance(step.ms);
      return;
    case 'tick':
      world.simulator.tick(step.count);
      return;
    case 'restart':
      await world.restart({ duringStartUp: step.duringStartUp });
      return;
    case 'twinSignals':
    case 'manualTrades':
    case 'reconcileNow':
      return applyTruthStep(world, step, seen, (body) => sendWebhook(world, body, seen, webhooks));
    case 'protectedSignal':
      await sendWebhook(world, step.body, seen, webhooks);
      return;
    case 'priceJump':
      return applyPriceJump(world, step);
    case 'pushGap':
      world.push?.cut(step.ms);
      return;
    case 'setBalance': {
      const entry = world.simulator.wallets(SIMULATOR_DEFAULT_TOKEN)[step.currency];
      const balance = parseDecimal(entry?.balance ?? '0', 'balance').plus(parseDecimal(step.delta, 'delta'));
      const blocked = parseDecimal(entry?.blocked ?? '0', 'blocked');
      if (balance.lt(blocked)) return;
      world.simulator.setBalance(SIMULATOR_DEFAULT_TOKEN, step.currency, formatDecimal(balance));
      addDrift(seen, step.currency, step.delta);
      return;
    }
  }
}

function addDrift(seen: Observations, currency: string, delta: string): void {
  const abs = parseDecimal(delta, 'delta').abs();
  seen.driftAbs.set(currency, (seen.driftAbs.get(currency) ?? abs.minus(abs)).plus(abs));
}

async function sendWebhook(
  world: ChaosWorld,
  body: Readonly<Record<string, unknown>> | string,
  seen: Observations,
  webhooks: ScenarioResult['webhooks'],
): Promise<string | undefined> {
  const response = await world.app.server.inject({
    method: 'POST',
    url: '/webhooks/tradingview',
    headers: { 'content-type': 'application/json' },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  });
  if (response.statusCode < 200 || response.statusCode >= 300) {
    webhooks.refused++;
    return undefined;
  }
  const answer = JSON.parse(response.body) as { status?: string; signalId?: string };
  if (answer.status === 'duplicate') webhooks.duplicate++;
  else webhooks.accepted++;
  if (typeof answer.signalId !== 'string') {
    seen.missingAfterAnswer.push(`(no signalId in ${response.body})`);
    return undefined;
  }
  seen.accepted.add(answer.signalId);
  if ((await world.app.signals.get(answer.signalId)) === undefined)
    seen.missingAfterAnswer.push(answer.signalId);
  return answer.signalId;
}
