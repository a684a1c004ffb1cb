// Which seeds run with fills pushed over the WebSocket (issue 16), and their socket faults. Half the
// seeds (the even ones) enable nobitex.websocket; their scenarios get socket fault steps inserted at
// seeded places, drawn from a generator of their own so the other steps stay those of the seed.
import { chance, createRng, pick, type Rng, randomInt } from '../../src/core/random.js';
import type { FaultSpec, Step } from './scenario.js';

/** Share of the steps before which a socket fault or cut is inserted, in socket seeds. */
const FAULT_SHARE = 0.3;

/** The socket's path is cut for `ms` (connections closed and refused) while REST keeps working. */
export interface PushStep {
  readonly kind: 'pushGap';
  readonly ms: number;
}

export const describePushStep = (step: PushStep): string => `pushGap ${step.ms} ms`;
/** Channel globs of the private channels, both or one. */
const CHANNELS = ['private:*', 'private:*', 'private:trades#*', 'private:orders#*'];

/** True when the seed's world runs the fill stream. */
export const pushedFillsFor = (seed: number): boolean => seed % 2 === 0;

/** The steps with socket fault steps inserted, for socket seeds; unchanged for the others. */
export function withPushSteps(seed: number, steps: readonly Step[]): Step[] {
  if (!pushedFillsFor(seed)) return [...steps];
  const rng = createRng(seed * 7_919 + 16);
  const result: Step[] = [];
  for (const step of steps) {
    if (chance(rng, FAULT_SHARE))
      result.push(
        chance(rng, 0.75)
          ? pushFaultStep(rng)
          : { kind: 'pushGap', ms: pick(rng, [2_000, 30_000, 90_000, 240_000]) },
      );
    result.push(step);
  }
  return result;
}

/** One socket fault: drops (the connection closes), lost, stalled, doubled or reordered publications. */
export function pushFaultStep(rng: Rng): Step {
  const kind = pick(rng, [
    'wsDrop',
    'wsDrop',
    'wsLose',
    'wsStall',
    'wsStall',
    'wsDuplicate',
    'wsReorder',
  ] as const);
  const common = {
    path: pick(rng, CHANNELS),
    probability: pick(rng, [0.3, 0.6, 1]),
    countMax: randomInt(rng, 1, 6),
  };
  const rule: FaultSpec =
    kind === 'wsStall'
      ? { kind, ...common, stallMs: pick(rng, [1_000, 5_000, 20_000, 45_000]) }
      : kind === 'wsReorder'
        ? { kind, ...common, holdMs: pick(rng, [50, 500, 3_000]) }
        : { kind, ...common };
  return {
    kind: 'fault',
    rule,
    startInMs: pick(rng, [0, 0, 500, 2_000]),
    durationMs: pick(rng, [5_000, 20_000, 60_000, 180_000]),
  };
}
