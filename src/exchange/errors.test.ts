// Goal: the taxonomy's retry table is what Keel relies on to avoid duplicate orders. Method: each
// kind × idempotency, plus transport errors and foreign errors through classifyError/isSafeToRetry.
import { describe, expect, it } from 'vitest';
import { RequestMaybeSentError, RequestNotSentError } from './connection-pool/errors.js';
import {
  BusinessRejectionError,
  classifyError,
  ExchangeAmbiguousError,
  ExchangeAuthError,
  ExchangeNotFoundError,
  ExchangeRateLimitedError,
  ExchangeTransientError,
  fromTransportError,
  isExchangeError,
  isSafeToRetry,
  MalformedResponseError,
} from './errors.js';

const endpoint = 'POST /market/orders/add';

describe('exchange error taxonomy', () => {
  it.each([
    ['rateLimited', new ExchangeRateLimitedError('x', { endpoint, backOffMs: 1, limit: 1 }), true, true],
    ['auth', new ExchangeAuthError('x', { endpoint }), false, false],
    [
      'businessRejection',
      new BusinessRejectionError('x', { endpoint, exchangeCode: 'SmallOrder' }),
      false,
      false,
    ],
    ['transient', new ExchangeTransientError('x', { endpoint, sent: 'no' }), true, true],
    ['transient', new ExchangeTransientError('x', { endpoint, sent: 'yes' }), true, false],
    ['ambiguous', new ExchangeAmbiguousError('x', { endpoint }), true, false],
    ['notFound', new ExchangeNotFoundError('x', { endpoint }), false, false],
    ['malformedResponse', new MalformedResponseError('x', { endpoint, field: 'order.id' }), true, false],
  ] as const)('%s: safe to retry idempotent=%s… (%#)', (kind, error, idempotentSafe, nonIdempotentSafe) => {
    expect(classifyError(error)).toBe(kind);
    expect(isExchangeError(error)).toBe(true);
    expect(isSafeToRetry(error, { idempotent: true })).toBe(idempotentSafe);
    expect(isSafeToRetry(error, { idempotent: false })).toBe(nonIdempotentSafe);
  });

  it('maps transport errors by what reached the wire', () => {
    const notSent = new RequestNotSentError('refused', { reason: 'connectRefused' });
    const maybeSent = new RequestMaybeSentError('reset', { reason: 'socketReset', baseUrl: 'http://a' });
    expect(classifyError(notSent)).toBe('transient');
    expect(classifyError(maybeSent)).toBe('ambiguous');
    expect(fromTransportError(notSent, endpoint)).toMatchObject({ kind: 'transient', sent: 'no' });
    expect(fromTransportError(maybeSent, endpoint)).toMatchObject({ kind: 'ambiguous', sent: 'maybe' });
    expect(isSafeToRetry(maybeSent, { idempotent: false })).toBe(false);
    expect(isSafeToRetry(notSent, { idempotent: false })).toBe(true);
  });

  it('treats foreign errors as unknown and never safe to retry', () => {
    expect(classifyError(new Error('bug'))).toBe('unknown');
    expect(isSafeToRetry(new Error('bug'), { idempotent: true })).toBe(false);
    expect(fromTransportError(new Error('bug'), endpoint)).toBeUndefined();
  });

  it('prefixes messages with the endpoint and keeps the exchange code', () => {
    const error = new BusinessRejectionError('SmallOrder: too small', {
      endpoint,
      exchangeCode: 'SmallOrder',
      httpStatus: 200,
    });
    expect(error.message).toBe('POST /market/orders/add: SmallOrder: too small');
    expect(error.exchangeCode).toBe('SmallOrder');
    expect(error.clientOrderId).toBeNull();
  });
});
