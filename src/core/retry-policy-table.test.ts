// Goal: a retry table picks the first matching row, falls back to the default, and validates rows.
// Method: build tables with typed guards and plain predicates and classify sample errors.
import { describe, expect, it } from 'vitest';
import { isRateLimitedError, isTimeoutError, RateLimitedError, TimeoutError } from './errors.js';
import {
  RETRY_RULES_MAX,
  retryAfter,
  retryDecision,
  retryPolicyTable,
  rule,
  stopDecision,
} from './retry-policy-table.js';

class HttpError extends Error {
  constructor(readonly status: number) {
    super(`HTTP ${status}`);
  }
}
const isHttpError = (error: unknown): error is HttpError => error instanceof HttpError;

const classify = retryPolicyTable(
  [
    rule(isRateLimitedError, (error) => retryAfter(error.retryAfterMs)),
    rule(isTimeoutError, stopDecision), // the order may have reached the exchange: never resend blindly
    rule((error) => isHttpError(error) && error.status >= 500, retryDecision),
    rule(isHttpError, (error, attempt) =>
      error.status === 409 && attempt < 2 ? retryDecision : stopDecision,
    ),
  ],
  stopDecision,
);

describe('retryPolicyTable', () => {
  it('uses the server-given delay for rate limiting', () => {
    expect(classify(new RateLimitedError('429', 1_500), 1)).toEqual({ kind: 'retryAfter', delayMs: 1_500 });
  });

  it('takes the first matching row', () => {
    expect(classify(new TimeoutError('slow'), 1)).toEqual({ kind: 'stop' });
    expect(classify(new HttpError(503), 1)).toEqual({ kind: 'retry' });
  });

  it('gives a decider the attempt number', () => {
    expect(classify(new HttpError(409), 1)).toEqual({ kind: 'retry' });
    expect(classify(new HttpError(409), 2)).toEqual({ kind: 'stop' });
  });

  it('falls back to the default when no row matches', () => {
    expect(classify(new Error('unknown'), 1)).toEqual({ kind: 'stop' });
    const lenient = retryPolicyTable([], retryDecision);
    expect(lenient('anything', 3)).toEqual({ kind: 'retry' });
  });

  it('is not affected by later changes to the rows array', () => {
    const rows = [rule(isHttpError, retryDecision)];
    const table = retryPolicyTable(rows, stopDecision);
    rows.length = 0;
    expect(table(new HttpError(500), 1)).toEqual({ kind: 'retry' });
  });

  it('rejects a static retryAfter with a negative delay when the table is built', () => {
    expect(() => retryPolicyTable([rule(isHttpError, retryAfter(-5))], stopDecision)).toThrow(
      'row 0: retryAfter delayMs must be >= 0, was -5',
    );
    expect(() => retryPolicyTable([], retryAfter(Number.NaN))).toThrow('fallback: retryAfter delayMs');
  });

  it('rejects a table longer than RETRY_RULES_MAX', () => {
    const rows = Array.from({ length: RETRY_RULES_MAX + 1 }, () => rule(isHttpError, retryDecision));
    expect(() => retryPolicyTable(rows, stopDecision)).toThrow(`was ${RETRY_RULES_MAX + 1}`);
  });
});
