// Goal: the adapter's reading of errors: which are breaker failures, which prove nothing was sent,
// which mean "serve stale". Method: each predicate on representative errors.
import { describe, expect, it } from 'vitest';
import { CircuitOpenError, RateLimitedError, TimeoutError } from '../../core/errors.js';
import { RequestNotSentError } from '../connection-pool/errors.js';
import {
  BusinessRejectionError,
  ExchangeAmbiguousError,
  ExchangeAuthError,
  ExchangeNotFoundError,
  ExchangeRateLimitedError,
  ExchangeTransientError,
} from '../errors.js';
import {
  callOutcomeOf,
  isBreakerFailure,
  isExchangeUnavailable,
  isProvablyNotSent,
} from './error-classes.js';

const endpoint = 'GET /v2/options';
const notSent = (reason: 'queueFull' | 'connectRefused') =>
  new ExchangeTransientError('x', { endpoint, sent: 'no', cause: new RequestNotSentError('x', { reason }) });

describe('error classes', () => {
  it('counts exchange sickness as breaker failures, and our own queue or refusals not', () => {
    expect(isBreakerFailure(new ExchangeTransientError('503', { endpoint, sent: 'yes' }))).toBe(true);
    expect(isBreakerFailure(new ExchangeAmbiguousError('reset', { endpoint }))).toBe(true);
    expect(isBreakerFailure(new TimeoutError('t'))).toBe(true);
    expect(isBreakerFailure(notSent('connectRefused'))).toBe(true);
    expect(isBreakerFailure(notSent('queueFull'))).toBe(false);
    expect(isBreakerFailure(new BusinessRejectionError('b', { endpoint, exchangeCode: 'BadPrice' }))).toBe(
      false,
    );
    expect(isBreakerFailure(new ExchangeNotFoundError('404', { endpoint }))).toBe(false);
    expect(
      isBreakerFailure(new ExchangeRateLimitedError('429', { endpoint, backOffMs: 1, limit: null })),
    ).toBe(false);
    expect(isBreakerFailure(new RateLimitedError('local', 5))).toBe(false);
    expect(isBreakerFailure(new ExchangeAuthError('401', { endpoint }))).toBe(true);
  });

  it('proves "not sent" only when nothing can have reached the exchange', () => {
    expect(isProvablyNotSent(notSent('connectRefused'))).toBe(true);
    expect(isProvablyNotSent(new CircuitOpenError('open', 1))).toBe(true);
    expect(isProvablyNotSent(new TimeoutError('t', { cause: notSent('queueFull') }))).toBe(true);
    expect(
      isProvablyNotSent(new TimeoutError('t', { cause: new ExchangeAmbiguousError('x', { endpoint }) })),
    ).toBe(false);
    expect(isProvablyNotSent(new TimeoutError('t'))).toBe(false);
    expect(isProvablyNotSent(new ExchangeTransientError('503', { endpoint, sent: 'yes' }))).toBe(false);
  });

  it('serves stale for unavailability, not for a refusal or a bug', () => {
    expect(isExchangeUnavailable(new CircuitOpenError('open', 1))).toBe(true);
    expect(isExchangeUnavailable(new ExchangeTransientError('503', { endpoint, sent: 'yes' }))).toBe(true);
    expect(
      isExchangeUnavailable(new ExchangeRateLimitedError('429', { endpoint, backOffMs: 1, limit: null })),
    ).toBe(true);
    expect(isExchangeUnavailable(new BusinessRejectionError('b', { endpoint, exchangeCode: 'X' }))).toBe(
      false,
    );
    expect(isExchangeUnavailable(new TypeError('bug'))).toBe(false);
  });

  it('labels outcomes for events', () => {
    expect(callOutcomeOf(new CircuitOpenError('open', 1))).toBe('circuitOpen');
    expect(callOutcomeOf(new RateLimitedError('local', 5))).toBe('localRateLimited');
    expect(callOutcomeOf(new TimeoutError('t'))).toBe('timeout');
    expect(callOutcomeOf(new ExchangeNotFoundError('404', { endpoint }))).toBe('notFound');
    expect(callOutcomeOf(new TypeError('bug'))).toBe('unknown');
  });
});
