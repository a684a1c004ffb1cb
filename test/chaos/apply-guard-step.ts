// Applies the guard steps of guard-steps.ts to a running world.
import { KillSwitch } from '../../src/engine/kill-switch.js';
import { CHAOS_HALT_BY } from './guard-steps.js';
import type { Step } from './scenario.js';
import type { ChaosWorld } from './world.js';

/** How many of each guard step found what it is meant to test (a signal left waiting, an UNKNOWN order). */
export type GuardCounts = Record<'pause' | 'pauseWithSignalWaiting' | 'halt' | 'haltWhileUnknown', number>;

export const newGuardCounts = (): GuardCounts => ({
  pause: 0,
  pauseWithSignalWaiting: 0,
  halt: 0,
  haltWhileUnknown: 0,
});

/** Fake time per advance while halted: timers fire in order within it, so it may be coarse. */
const HALT_STEP_MS = 5_000;

type Send = (body: Readonly<Record<string, unknown>>) => Promise<string | undefined>;

/**
 * pause: with `body`, the alert arrives while the exchange is unreachable; the app goes down before it
 * can decide and starts again `ms` later. halt: with `body`, the alert's first send resets before the
 * exchange acts (UNKNOWN); then an operator halts from the CLI for `ms`, and lifts the halt.
 */
export async function applyGuardStep(
  world: ChaosWorld,
  step: Extract<Step, { kind: 'pause' | 'halt' }>,
  send: Send,
  counts: GuardCounts,
): Promise<void> {
  const nowMs = world.clock.nowMs();
  if (step.kind === 'pause') {
    counts.pause++;
    if (step.body !== undefined) {
      world.simulator.chaos.add({
        kind: 'outage',
        path: '*',
        mode: 'reset',
        startAtMs: nowMs,
        endAtMs: nowMs + 2_000,
      });
      const signalId = await send(step.body);
      await world.clock.advance(500);
      if (signalId !== undefined && (await world.app.signals.get(signalId))?.state !== 'executed')
        counts.pauseWithSignalWaiting++;
    }
    await world.stopApp();
    await world.clock.advance(step.ms);
    await world.startApp();
    return;
  }
  counts.halt++;
  if (step.body !== undefined) {
    world.simulator.chaos.add({
      kind: 'reset',
      path: '/market/orders/add',
      countMax: 1,
      startAtMs: nowMs,
      endAtMs: nowMs + 5_000,
    });
    await send(step.body);
    await world.clock.advance(1_000);
  }
  const cli = await KillSwitch.open({ db: world.app.db, clock: world.clock });
  await cli.set('HALTED', { source: 'operator', by: CHAOS_HALT_BY, reason: 'chaos: halt from outside' });
  if ((await world.app.journal.listNonTerminal()).some((intent) => intent.state === 'UNKNOWN'))
    counts.haltWhileUnknown++;
  for (let spentMs = 0; spentMs < step.ms; spentMs += HALT_STEP_MS) await world.clock.advance(HALT_STEP_MS);
  // Lift only our own halt: one the app set meanwhile (a reconciliation breach) stays.
  if ((await cli.refresh()) === 'HALTED' && cli.lastChange?.by === CHAOS_HALT_BY)
    await cli.set('RUNNING', { source: 'operator', by: CHAOS_HALT_BY, reason: 'chaos: halt lifted' });
}
