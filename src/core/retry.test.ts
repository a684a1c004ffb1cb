// Goal: retry honours its attempt and time budgets, the per-error decision, server-given waits and
// the caller's signal, and reports each step. Method: FakeClock; waits are driven by clock.advance.
import { describe, expect, it } from 'vitest';
import { ConstantBackoff } from './backoff/constant-backoff.js';
import { ExponentialBackoff } from './backoff/exponential-backoff.js';
import { FakeClock } from './clock.js';
import { AbortedError, isAbortedError } from './errors.js';
import type { Rng } from './random.js';
import { type GiveUpEvent, type RetryEvent, type RetryOptions, RetryPolicy } from './retry.js';

const zeroRng: Rng = { next: () => 0 };

function setup(options: Partial<RetryOptions> = {}) {
  const clock = new FakeClock();
  const policy = new RetryPolicy({
    attemptsMax: 4,
    elapsedMaxMs: 10_000,
    backoff: new ConstantBackoff({ delayMs: 100 }),
    clock,
    rng: zeroRng,
    ...options,
  });
  const retries: RetryEvent[] = [];
  const giveUps: GiveUpEvent[] = [];
  const successes: number[] = [];
  policy.onRetry((event) => retries.push(event));
  policy.onGiveUp((event) => giveUps.push(event));
  policy.onSuccess(({ attempts }) => successes.push(attempts));
  return { clock, policy, retries, giveUps, successes };
}

/** A function that fails with the given errors in turn, then returns 'ok'. */
function script(errors: unknown[]) {
  const attempts: number[] = [];
  const fn = ({ attempt }: { attempt?: number }) => {
    attempts.push(attempt ?? -1);
    const error = errors.shift();
    if (error !== undefined) throw error;
    return 'ok';
  };
  return { fn, attempts };
}

function settleLater<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

describe('RetryPolicy', () => {
  it('returns at once when the first attempt succeeds', async () => {
    const env = setup();
    const { fn, attempts } = script([]);
    await expect(env.policy.execute(fn)).resolves.toBe('ok');
    expect(attempts).toEqual([1]);
    expect(env.successes).toEqual([1]);
    expect(env.retries).toEqual([]);
  });

  it('retries after the backoff delay and passes the 1-based attempt', async () => {
    const env = setup();
    const boom = new Error('5xx');
    const { fn, attempts } = script([boom, boom]);
    const call = settleLater(env.policy.execute(fn));
    await env.clock.advance(99);
    expect(attempts).toEqual([1]);
    await env.clock.advance(1);
    expect(attempts).toEqual([1, 2]);
    await env.clock.advance(100);
    await expect(call).resolves.toBe('ok');
    expect(attempts).toEqual([1, 2, 3]);
    expect(env.retries).toEqual([
      { attempt: 1, delayMs: 100, error: boom },
      { attempt: 2, delayMs: 100, error: boom },
    ]);
    expect(env.successes).toEqual([3]);
  });

  it('never exceeds attemptsMax and rethrows the last error', async () => {
    const env = setup({ attemptsMax: 3 });
    const errors = [new Error('a'), new Error('b'), new Error('c'), new Error('d')];
    const { fn, attempts } = script([...errors]);
    const call = settleLater(env.policy.execute(fn));
    await env.clock.runAll();
    await expect(call).rejects.toBe(errors[2]);
    expect(attempts).toEqual([1, 2, 3]);
    expect(env.giveUps).toEqual([{ attempts: 3, error: errors[2], reason: 'attemptsMax' }]);
  });

  it('with attemptsMax 1 never retries', async () => {
    const env = setup({ attemptsMax: 1 });
    const { fn, attempts } = script([new Error('x')]);
    await expect(env.policy.execute(fn)).rejects.toThrow('x');
    expect(attempts).toEqual([1]);
  });

  it('stops when classify says stop', async () => {
    const env = setup({
      classify: (error) => (error instanceof TypeError ? { kind: 'stop' } : { kind: 'retry' }),
    });
    const { fn, attempts } = script([new TypeError('400 bad request')]);
    await expect(env.policy.execute(fn)).rejects.toBeInstanceOf(TypeError);
    expect(attempts).toEqual([1]);
    expect(env.giveUps[0]?.reason).toBe('stopped');
  });

  it('passes the error and attempt to classify', async () => {
    const seen: [unknown, number][] = [];
    const env = setup({
      classify: (error, attempt) => {
        seen.push([error, attempt]);
        return { kind: 'retry' };
      },
    });
    const boom = new Error('x');
    const call = settleLater(env.policy.execute(script([boom, boom]).fn));
    await env.clock.runAll();
    await call;
    expect(seen).toEqual([
      [boom, 1],
      [boom, 2],
    ]);
  });

  it('waits the server-given delay for retryAfter, plus the configured jitter share', async () => {
    const env = setup({
      classify: () => ({ kind: 'retryAfter', delayMs: 2_000 }),
      retryAfterJitterRatio: 0.5,
      rng: { next: () => 0.5 },
    });
    const { fn, attempts } = script([new Error('429')]);
    const call = settleLater(env.policy.execute(fn));
    await env.clock.advance(2_499);
    expect(attempts).toEqual([1]);
    await env.clock.advance(1);
    await expect(call).resolves.toBe('ok');
    expect(env.retries[0]?.delayMs).toBe(2_500);
  });

  it('gives up instead of beginning a wait that would end past elapsedMaxMs', async () => {
    const env = setup({ elapsedMaxMs: 1_000, classify: () => ({ kind: 'retryAfter', delayMs: 1_000 }) });
    const boom = new Error('429');
    const { fn, attempts } = script([boom]);
    await expect(env.policy.execute(fn)).rejects.toBe(boom);
    expect(attempts).toEqual([1]);
    expect(env.clock.nowMs() - Date.UTC(2026, 0, 1)).toBe(0); // gave up without waiting
    expect(env.giveUps).toEqual([{ attempts: 1, error: boom, reason: 'elapsedMax' }]);
  });

  it('counts time spent in attempts against the budget', async () => {
    const env = setup({ elapsedMaxMs: 1_000, attemptsMax: 10 });
    const boom = new Error('slow 5xx');
    let attempts = 0;
    const call = settleLater(
      env.policy.execute(async () => {
        attempts++;
        await env.clock.sleep(300);
        throw boom;
      }),
    );
    await env.clock.runAll();
    await expect(call).rejects.toBe(boom);
    expect(attempts).toBe(3); // attempts start at 0, 400, 800; a wait to 1_200 would pass the budget
    expect(env.giveUps[0]?.reason).toBe('elapsedMax');
  });

  it('gives up on an infinite server-given delay', async () => {
    const env = setup({ classify: () => ({ kind: 'retryAfter', delayMs: Number.POSITIVE_INFINITY }) });
    await expect(env.policy.execute(script([new Error('x')]).fn)).rejects.toThrow('x');
    expect(env.giveUps[0]?.reason).toBe('elapsedMax');
  });

  it('rejects a negative server-given delay as a programming error', async () => {
    const env = setup({ classify: () => ({ kind: 'retryAfter', delayMs: -1 }) });
    await expect(env.policy.execute(script([new Error('x')]).fn)).rejects.toThrow(
      'retryAfter delayMs must be >= 0, was -1',
    );
  });

  it('rejects with AbortedError at once when the signal aborts during a wait', async () => {
    const env = setup();
    const controller = new AbortController();
    const { fn, attempts } = script([new Error('x'), new Error('y')]);
    const call = settleLater(env.policy.execute(fn, controller.signal));
    await env.clock.advance(50);
    controller.abort();
    const error = await call.catch((caught: unknown) => caught);
    expect(isAbortedError(error)).toBe(true);
    expect(attempts).toEqual([1]);
    expect(env.giveUps[0]?.reason).toBe('aborted');
    expect(env.clock.pendingTimerCount).toBe(0);
  });

  it('does not start when the signal is already aborted', async () => {
    const env = setup();
    const controller = new AbortController();
    controller.abort();
    const { fn, attempts } = script([]);
    await expect(env.policy.execute(fn, controller.signal)).rejects.toBeInstanceOf(AbortedError);
    expect(attempts).toEqual([]);
  });

  it('does not retry after the signal aborted during an attempt', async () => {
    const env = setup();
    const controller = new AbortController();
    const boom = new Error('cancelled fetch');
    const call = env.policy.execute(() => {
      controller.abort();
      throw boom;
    }, controller.signal);
    await expect(call).rejects.toBe(boom);
    expect(env.giveUps[0]?.reason).toBe('aborted');
  });

  it('by default does not retry AbortedError', async () => {
    const env = setup();
    const { fn, attempts } = script([new AbortedError('inner cancel')]);
    await expect(env.policy.execute(fn)).rejects.toBeInstanceOf(AbortedError);
    expect(attempts).toEqual([1]);
  });

  it('draws fresh backoff steps per execution from the configured backoff', async () => {
    const env = setup({
      backoff: new ExponentialBackoff({
        delayInitialMs: 100,
        delayMaxMs: 1_000,
        rng: { next: () => 0.999_999 },
      }),
    });
    for (let run = 0; run < 2; run++) {
      const call = settleLater(
        env.policy.execute(script([new Error('a'), new Error('b'), new Error('c')]).fn),
      );
      await env.clock.runAll();
      await call;
    }
    expect(env.retries.map((event) => event.delayMs)).toEqual([100, 200, 400, 100, 200, 400]);
  });

  it.each([
    [{ attemptsMax: 0 }, 'attemptsMax must be an integer in [1, 100], was 0'],
    [{ attemptsMax: 2.5 }, 'attemptsMax must be an integer in [1, 100], was 2.5'],
    [{ elapsedMaxMs: 0 }, 'elapsedMaxMs must be a finite number > 0, was 0'],
    [{ elapsedMaxMs: Number.POSITIVE_INFINITY }, 'elapsedMaxMs must be a finite number > 0, was Infinity'],
    [{ retryAfterJitterRatio: 2 }, 'retryAfterJitterRatio must be in [0, 1], was 2'],
  ])('rejects options %o', (options, message) => {
    expect(() => setup(options)).toThrow(RangeError);
    expect(() => setup(options)).toThrow(message);
  });
});
