// Goal: wrap composes policies outer -> inner, merges contexts so attempt, tags and the inner
// signal reach the function, and behaves like its parts. Method: recording policies + real ones on FakeClock.
import { describe, expect, it } from 'vitest';
import { ConstantBackoff } from './backoff/constant-backoff.js';
import { ConsecutiveBreaker } from './breaker/consecutive-breaker.js';
import { CircuitBreakerPolicy } from './circuit-breaker.js';
import { FakeClock } from './clock.js';
import { isTimeoutError } from './errors.js';
import type { Policy, PolicyContext } from './policy.js';
import { RetryPolicy } from './retry.js';
import { TimeoutPolicy } from './timeout.js';
import { mergeContexts, noopPolicy, WRAP_POLICIES_MAX, wrap } from './wrap.js';

/** A policy that logs entry and exit and adds a context of its own. */
function recorder(name: string, log: string[], extra: Partial<PolicyContext> = {}): Policy {
  return {
    async execute(fn, signal) {
      log.push(`${name}>`);
      try {
        return await fn({ signal: signal ?? new AbortController().signal, ...extra });
      } finally {
        log.push(`<${name}`);
      }
    },
  };
}

describe('wrap', () => {
  it('runs policies outer to inner', async () => {
    const log: string[] = [];
    const policy = wrap(recorder('a', log), recorder('b', log), recorder('c', log));
    await policy.execute(() => log.push('fn'));
    expect(log).toEqual(['a>', 'b>', 'c>', 'fn', '<c', '<b', '<a']);
  });

  it('merges contexts: outer attempt and tags survive, inner signal wins', async () => {
    const log: string[] = [];
    const innerSignal = new AbortController().signal;
    const policy = wrap(
      recorder('retry', log, { attempt: 2, tags: { endpoint: 'orders' } }),
      recorder('timeout', log, { signal: innerSignal, tags: { priority: 1 } }),
    );
    const context = await policy.execute((ctx) => ctx);
    expect(context.attempt).toBe(2);
    expect(context.tags).toEqual({ endpoint: 'orders', priority: 1 });
    expect(context.signal).toBe(innerSignal);
  });

  it('passes the caller signal to the outermost policy', async () => {
    const caller = new AbortController();
    let seen: AbortSignal | undefined;
    const spy: Policy = {
      execute(fn, signal) {
        seen = signal;
        return Promise.resolve(fn({ signal: signal ?? caller.signal }));
      },
    };
    await wrap(spy).execute(() => 1, caller.signal);
    expect(seen).toBe(caller.signal);
  });

  it('with no policies behaves like noopPolicy', async () => {
    await expect(wrap().execute(() => 'plain')).resolves.toBe('plain');
    await expect(noopPolicy.execute(() => Promise.reject(new Error('x')))).rejects.toThrow('x');
  });

  it('turns a synchronous throw into a rejection', async () => {
    const call = wrap(noopPolicy).execute(() => {
      throw new Error('sync');
    });
    await expect(call).rejects.toThrow('sync');
  });

  it('retry around timeout: each attempt gets a fresh deadline and the attempt number', async () => {
    const clock = new FakeClock();
    const retry = new RetryPolicy({
      attemptsMax: 3,
      elapsedMaxMs: 10_000,
      backoff: new ConstantBackoff({ delayMs: 10 }),
      clock,
    });
    const timeout = new TimeoutPolicy({ durationMs: 100, strategy: 'aggressive', clock });
    const breaker = new CircuitBreakerPolicy({ breaker: new ConsecutiveBreaker({ failuresMax: 5 }), clock });
    const attempts: number[] = [];
    const call = wrap(breaker, retry, timeout).execute(async ({ attempt, signal }) => {
      attempts.push(attempt ?? -1);
      if ((attempt ?? 0) < 3) await clock.sleep(1_000, signal).catch(() => undefined);
      return 'filled';
    });
    call.catch(() => undefined);
    await clock.runAll();
    await expect(call).resolves.toBe('filled');
    expect(attempts).toEqual([1, 2, 3]);
    expect(breaker.metrics()).toMatchObject({ successes: 1, failures: 0 });
  });

  it('breaker outside retry sees one failure per exhausted retry', async () => {
    const clock = new FakeClock();
    const breaker = new CircuitBreakerPolicy({ breaker: new ConsecutiveBreaker({ failuresMax: 1 }), clock });
    const retry = new RetryPolicy({
      attemptsMax: 2,
      elapsedMaxMs: 1_000,
      backoff: new ConstantBackoff({ delayMs: 0 }),
      clock,
    });
    const timeout = new TimeoutPolicy({ durationMs: 50, strategy: 'aggressive', clock });
    const call = wrap(breaker, retry, timeout).execute(() => clock.sleep(500));
    call.catch(() => undefined);
    await clock.runAll();
    const error = await call.catch((caught: unknown) => caught);
    expect(isTimeoutError(error)).toBe(true);
    expect(breaker.state).toBe('open');
    expect(breaker.metrics().failures).toBe(1);
  });

  it('rejects more than WRAP_POLICIES_MAX policies', () => {
    const many = Array.from({ length: WRAP_POLICIES_MAX + 1 }, () => noopPolicy);
    expect(() => wrap(...many)).toThrow(`was ${WRAP_POLICIES_MAX + 1}`);
  });
});

describe('mergeContexts', () => {
  it('keeps the outer attempt when the inner one is not set', () => {
    const outer = new AbortController().signal;
    const inner = new AbortController().signal;
    const merged = mergeContexts({ signal: outer, attempt: 3 }, { signal: inner });
    expect(merged.attempt).toBe(3);
    expect(merged.signal).toBe(inner);
    expect(merged.tags).toBeUndefined();
  });

  it('merges tags inner over outer and keeps fields only one side sets', () => {
    const signal = new AbortController().signal;
    const merged = mergeContexts(
      { signal, tags: { endpoint: 'a', priority: 1 } },
      { signal, attempt: 2, tags: { priority: 2 } },
    );
    expect(merged.tags).toEqual({ endpoint: 'a', priority: 2 });
    expect(merged.attempt).toBe(2);
    expect(mergeContexts({ signal, tags: { endpoint: 'a' } }, { signal }).tags).toEqual({ endpoint: 'a' });
  });

  it('reads the inner signal only when the function does (a lazy signal is never made otherwise)', () => {
    let reads = 0;
    const signal = new AbortController().signal;
    const lazy = {
      get signal() {
        reads += 1;
        return signal;
      },
    };
    const merged = mergeContexts({ signal: new AbortController().signal }, lazy);
    expect(reads).toBe(0);
    expect(merged.signal).toBe(signal);
    expect(reads).toBe(1);
  });
});
