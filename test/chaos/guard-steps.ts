// Steps for the guards of issue 12: long pauses between acceptance and decision (the app down for
// hours, a signal left waiting behind an exchange outage), and HALT set from outside the app (the CLI,
// another instance) while an order is UNKNOWN. Each step is self-contained, so the shrinker may drop
// any of them, and each ends with the app running and no halt of its own left behind.
import { chance, pick, type Rng } from '../../src/core/random.js';
import type { Step } from './scenario.js';

/** Who the chaos halt is written by, so the step lifts only its own halt. */
export const CHAOS_HALT_BY = 'chaos-cli';

/** A pause (down for hours) or a halt from outside; `body` is a valid alert sent first when present. */
export function guardStep(rng: Rng, body: Readonly<Record<string, unknown>>): Step {
  if (chance(rng, 0.5))
    return {
      kind: 'pause',
      ms: pick(rng, [10 * 60_000, 3_600_000, 6 * 3_600_000]),
      ...(chance(rng, 0.8) ? { body } : {}),
    };
  return { kind: 'halt', ms: pick(rng, [40_000, 90_000, 180_000]), ...(chance(rng, 0.8) ? { body } : {}) };
}

/** Some alerts carry their own maximum age: shorter than the default, or long enough for a resting order. */
export function withAgeMax(rng: Rng, body: Record<string, unknown>): Record<string, unknown> {
  if (!chance(rng, 0.15)) return body;
  return { ...body, ageMaxMs: pick(rng, [20_000, 600_000, 3_600_000]) };
}
