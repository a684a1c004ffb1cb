// Delta debugging over a failing step list: drop chunks (halves, then quarters, … then single steps),
// re-run, keep any smaller list that still fails. Steps hold only relative times, so every sub-list
// is a valid scenario. Bounded by a run budget: shrinking must end even when each run is slow.
import type { Scenario, Step } from './scenario.js';

export interface ShrinkOptions {
  /** Re-runs allowed in total. Default 200. */
  readonly runsMax?: number;
  /** True when the scenario still fails. */
  readonly fails: (scenario: Scenario) => Promise<boolean>;
}

export interface ShrinkResult {
  readonly steps: readonly Step[];
  readonly runs: number;
}

export async function shrink(scenario: Scenario, options: ShrinkOptions): Promise<ShrinkResult> {
  const runsMax = options.runsMax ?? 200;
  if (!Number.isInteger(runsMax) || runsMax < 0)
    throw new RangeError(`runsMax must be an integer >= 0, was ${runsMax}`);
  let steps = [...scenario.steps];
  let runs = 0;
  let chunk = Math.max(1, Math.floor(steps.length / 2));
  while (runs < runsMax && steps.length > 0) {
    let removedAny = false;
    for (let start = 0; start < steps.length && runs < runsMax; ) {
      const candidate = [...steps.slice(0, start), ...steps.slice(start + chunk)];
      runs++;
      if (await options.fails({ seed: scenario.seed, steps: candidate })) {
        steps = candidate;
        removedAny = true;
      } else start += chunk;
    }
    if (chunk === 1 && !removedAny) break;
    if (!removedAny) chunk = Math.max(1, Math.floor(chunk / 2));
  }
  return { steps, runs };
}
