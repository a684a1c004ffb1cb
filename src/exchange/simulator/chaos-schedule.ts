// Repeatable scenarios: a JSON file `{ "rules": [ ... ] }` (or a bare array) of chaos rules.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { type ChaosRuleSpec, chaosRuleSchema } from './chaos-rules.js';

/** A schedule file larger than this is refused before parsing. */
export const CHAOS_SCHEDULE_BYTES_MAX = 1_000_000;

const scheduleSchema = z.union([
  z.strictObject({ rules: z.array(chaosRuleSchema).max(1_000) }),
  z.array(chaosRuleSchema).max(1_000),
]);

/** Reads and validates a schedule; add the result with `simulator.chaos.add(rules)`. */
export async function loadChaosSchedule(path: string): Promise<ChaosRuleSpec[]> {
  const text = await readFile(path, 'utf8');
  if (text.length > CHAOS_SCHEDULE_BYTES_MAX)
    throw new RangeError(
      `chaos schedule must be under ${CHAOS_SCHEDULE_BYTES_MAX} bytes, was ${text.length}`,
    );
  return parseChaosSchedule(JSON.parse(text));
}

export function parseChaosSchedule(json: unknown): ChaosRuleSpec[] {
  const parsed = scheduleSchema.parse(json);
  return Array.isArray(parsed) ? parsed : parsed.rules;
}
