// Request validation for the JSON API. Query strings arrive as text, so numbers are coerced here once.
import { z } from 'zod';
import type { EngineMode } from '../../engine/kill-switch.js';
import { SEVERITIES, type Severity } from '../alert-system/alert.js';

// Listed here, not imported, so monitoring depends on the engine's types only.
export const ENGINE_MODES = ['RUNNING', 'REDUCING', 'HALTED'] as const satisfies readonly EngineMode[];

export const LIST_LIMIT_DEFAULT = 100;
export const LIST_LIMIT_MAX = 1_000;
/** Free text and names are capped so a query cannot carry a megabyte into a LIKE. */
export const TEXT_LENGTH_MAX = 200;
export const REASON_LENGTH_MAX = 500;

const limit = z.coerce.number().int().min(1).max(LIST_LIMIT_MAX).default(LIST_LIMIT_DEFAULT);
const epochMs = z.coerce.number().int().min(0).max(8_640_000_000_000_000);
const name = z.string().min(1).max(TEXT_LENGTH_MAX);

export const alertQuerySchema = z
  .strictObject({
    severity: z.enum(SEVERITIES as readonly Severity[] as [Severity, ...Severity[]]).optional(),
    source: name.optional(),
    state: z.enum(['firing', 'acknowledged', 'resolved']).optional(),
    text: z.string().max(TEXT_LENGTH_MAX).optional(),
    fromMs: epochMs.optional(),
    toMs: epochMs.optional(),
    limit,
  })
  .refine((query) => query.fromMs === undefined || query.toMs === undefined || query.fromMs <= query.toMs, {
    message: 'fromMs must not be after toMs',
    path: ['fromMs'],
  });

export const listQuerySchema = z.strictObject({
  limit,
  state: name.optional(),
});

export const alertParamsSchema = z.strictObject({ id: name });

/** No fields: who acknowledges is the authenticated principal, never a name in the body. */
export const alertActionSchema = z.strictObject({}).optional();

export const engineModeSchema = z.strictObject({
  mode: z.enum(ENGINE_MODES),
  reason: z.string().trim().min(1).max(REASON_LENGTH_MAX),
});

/** Problems as `path: message` lines, never echoing the input values (they may hold a token). */
export function describeProblems(error: z.ZodError): string[] {
  return error.issues.map(
    (issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`,
  );
}
