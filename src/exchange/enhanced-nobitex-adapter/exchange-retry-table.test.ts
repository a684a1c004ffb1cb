// Goal: the retry table retries only what cannot cause a second effect, and waits a 429's backOff.
// Method: the classifier on one instance of every error kind, for an idempotent and a placing call.
import { describe, expect, it } from 'vitest';
import { AbortedError, CircuitOpenError, RateLimitedError, TimeoutError } from '../../core/errors.js';
import { RequestMaybeSentError, RequestNotSentError } from '../connection-pool/errors.js';
import {
  BusinessRejectionError,
  ExchangeAmbiguousError,
  ExchangeAuthError,
  ExchangeNotFoundError,
  ExchangeRateLimitedError,
  ExchangeTransientError,
  MalformedResponseError,
} from '../errors.js';
import { exchangeRetryTable } from './exchange-retry-table.js';

const endpoint = 'POST /market/orders/add';
const ambiguous = new ExchangeAmbiguousError('reset', { endpoint });
const notSent = new ExchangeTransientError('refused', { endpoint, sent: 'no' });
const CASES: [string, unknown, string, string][] = [
  ['transient 5xx (sent)', new ExchangeTransientError('503', { endpoint, sent: 'yes' }), 'retry', 'stop'],
  ['transient not sent', notSent, 'retry', 'retry'],
  ['ambiguous', ambiguous, 'retry', 'stop'],
  ['request not sent', new RequestNotSentError('x', { reason: 'connectRefused' }), 'retry', 'retry'],
  [
    'request maybe sent',
    new RequestMaybeSentError('x', { reason: 'socketReset', baseUrl: 'http://a' }),
    'retry',
    'stop',
  ],
  ['timeout after sending', new TimeoutError('t', { cause: ambiguous }), 'retry', 'stop'],
  ['timeout while queued', new TimeoutError('t', { cause: notSent }), 'retry', 'retry'],
  ['malformed', new MalformedResponseError('m', { endpoint, field: 'order' }), 'retry', 'stop'],
  ['auth', new ExchangeAuthError('401', { endpoint }), 'stop', 'stop'],
  ['business', new BusinessRejectionError('b', { endpoint, exchangeCode: 'SmallOrder' }), 'stop', 'stop'],
  ['not found', new ExchangeNotFoundError('404', { endpoint }), 'stop', 'stop'],
  ['circuit open', new CircuitOpenError('open', 1), 'stop', 'stop'],
  ['local rate limit', new RateLimitedError('spent', 10), 'stop', 'stop'],
  ['aborted', new AbortedError('gone'), 'stop', 'stop'],
  ['a bug', new TypeError('x is undefined'), 'stop', 'stop'],
];

describe('exchangeRetryTable', () => {
  const read = exchangeRetryTable({ idempotent: true });
  const place = exchangeRetryTable({ idempotent: false });

  it.each(CASES)('%s: reads %s, placements %s', (_name, error, readKind, placeKind) => {
    expect(read(error, 1).kind).toBe(readKind);
    expect(place(error, 1).kind).toBe(placeKind);
  });

  it('waits exactly the backOff of a 429, for reads and placements alike', () => {
    const limited = new ExchangeRateLimitedError('429', { endpoint, backOffMs: 12_000, limit: 60 });
    expect(read(limited, 1)).toEqual({ kind: 'retryAfter', delayMs: 12_000 });
    expect(place(limited, 1)).toEqual({ kind: 'retryAfter', delayMs: 12_000 });
  });
});
