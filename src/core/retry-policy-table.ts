// A per-error retry table: ordered [predicate, decision] rows, first match wins, then a default.
// It keeps "is this safe to retry?" in one readable place per call site (see exchange/errors).
import type { RetryClassifier, RetryDecision } from './retry.js';

export type RetryDecider<E> = RetryDecision | ((error: E, attempt: number) => RetryDecision);

export type RetryRule = readonly [
  predicate: (error: unknown, attempt: number) => boolean,
  decision: RetryDecider<never>,
];

/** Rows per table, so a table built in a loop cannot grow without bound. */
export const RETRY_RULES_MAX = 256;

export const retryDecision = { kind: 'retry' } as const satisfies RetryDecision;
export const stopDecision = { kind: 'stop' } as const satisfies RetryDecision;
export const retryAfter = (delayMs: number): RetryDecision => ({ kind: 'retryAfter', delayMs });

/** A row whose decider sees the error narrowed by a type guard (e.g. isRateLimitedError). */
export function rule<E>(predicate: (error: unknown) => error is E, decision: RetryDecider<E>): RetryRule;
/** A row with a plain predicate, which may also look at the attempt number. */
export function rule(
  predicate: (error: unknown, attempt: number) => boolean,
  decision: RetryDecider<unknown>,
): RetryRule;
export function rule(
  predicate: (error: unknown, attempt: number) => boolean,
  decision: RetryDecider<never>,
): RetryRule {
  return [predicate, decision as RetryDecider<never>];
}

/** Builds a classifier: the first row whose predicate matches decides; otherwise `fallback`. */
export function retryPolicyTable(
  rules: readonly RetryRule[],
  fallback: RetryDecider<unknown>,
): RetryClassifier {
  if (rules.length > RETRY_RULES_MAX)
    throw new RangeError(`a retry table holds at most ${RETRY_RULES_MAX} rows, was ${rules.length}`);
  for (const [index, [, decision]] of rules.entries()) checkDecider(decision, `row ${index}`);
  checkDecider(fallback, 'fallback');
  const rows = [...rules];
  return (error, attempt) => {
    for (const [predicate, decision] of rows) {
      if (predicate(error, attempt)) return decide(decision as RetryDecider<unknown>, error, attempt);
    }
    return decide(fallback, error, attempt);
  };
}

function decide(decision: RetryDecider<unknown>, error: unknown, attempt: number): RetryDecision {
  return typeof decision === 'function' ? decision(error, attempt) : decision;
}

/** Static decisions are checked once, when the table is built. */
function checkDecider(decision: RetryDecider<never>, where: string): void {
  if (typeof decision === 'function') return;
  if (decision.kind === 'retryAfter' && !(decision.delayMs >= 0))
    throw new RangeError(`${where}: retryAfter delayMs must be >= 0, was ${decision.delayMs}`);
}
