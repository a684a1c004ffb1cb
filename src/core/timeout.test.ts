// Goal: the timeout policy aborts the child signal on time, rejects per strategy, follows the
// caller's signal, and always clears its timer. Method: FakeClock; work sleeps on the fake clock.
import { describe, expect, it } from 'vitest';
import { FakeClock } from './clock.js';
import { AbortedError, isAbortedError, isTimeoutError, TimeoutError } from './errors.js';
import type { PolicyContext } from './policy.js';
import { type TimeoutEvent, type TimeoutOptions, TimeoutPolicy } from './timeout.js';

function setup(options: Partial<TimeoutOptions> = {}) {
  const clock = new FakeClock();
  const policy = new TimeoutPolicy({ durationMs: 100, clock, ...options });
  const timeouts: TimeoutEvent[] = [];
  policy.onTimeout((event) => timeouts.push(event));
  return { clock, policy, timeouts };
}

function settleLater<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

/** Work that ignores its signal and finishes after durationMs. */
const lingering = (clock: FakeClock, durationMs: number, value: string) => async () => {
  await clock.sleep(durationMs);
  return value;
};

/** Work that stops with the signal's reason when aborted. */
const cooperative = (clock: FakeClock, durationMs: number) => (context: PolicyContext) =>
  clock.sleep(durationMs, context.signal).then(() => 'done');

describe('TimeoutPolicy', () => {
  it('returns the result of a call that finishes in time and clears its timer', async () => {
    const { clock, policy, timeouts } = setup();
    const call = settleLater(policy.execute(lingering(clock, 99, 'fast')));
    await clock.advance(99);
    await expect(call).resolves.toBe('fast');
    expect(clock.pendingTimerCount).toBe(0);
    expect(timeouts).toEqual([]);
  });

  it('clears its timer when the call throws', async () => {
    const { clock, policy } = setup();
    await expect(policy.execute(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(clock.pendingTimerCount).toBe(0);
  });

  it('cooperative: aborts the child signal and rejects with TimeoutError once the work stops', async () => {
    const { clock, policy, timeouts } = setup();
    let seen: AbortSignal | undefined;
    const call = settleLater(
      policy.execute((context) => {
        seen = context.signal;
        return cooperative(clock, 1_000)(context);
      }),
    );
    await clock.advance(100);
    expect(seen?.aborted).toBe(true);
    expect(isTimeoutError(seen?.reason)).toBe(true);
    const error = await call.catch((caught: unknown) => caught);
    expect(isTimeoutError(error)).toBe(true);
    expect(isAbortedError((error as TimeoutError).cause)).toBe(true);
    expect(timeouts).toEqual([{ durationMs: 100, strategy: 'cooperative' }]);
  });

  it('cooperative: keeps a result that arrives after the timeout (the work was done)', async () => {
    const { clock, policy, timeouts } = setup();
    const call = settleLater(policy.execute(lingering(clock, 300, 'late ack')));
    await clock.advance(300);
    await expect(call).resolves.toBe('late ack');
    expect(timeouts).toHaveLength(1);
  });

  it('light signal: aborts with the AbortSignal, same reason, each listener once', async () => {
    const { clock, policy } = setup();
    const calls: string[] = [];
    let light: PolicyContext['lightSignal'];
    const call = settleLater(
      policy.execute((context) => {
        light = context.lightSignal;
        const once = () => calls.push('once');
        const removed = () => calls.push('removed');
        light?.addEventListener('abort', once, { once: true });
        light?.addEventListener('abort', once); // a second add of the same listener changes nothing
        light?.addEventListener('abort', removed);
        light?.removeEventListener('abort', removed);
        return clock.sleep(1_000).then(() => context.signal);
      }),
    );
    expect(light?.aborted).toBe(false);
    await clock.advance(100);
    expect(light?.aborted).toBe(true);
    expect(isTimeoutError(light?.reason)).toBe(true);
    expect(calls).toEqual(['once']);
    light?.addEventListener('abort', () => calls.push('late'));
    await clock.advance(900);
    // The work finished after the timeout: cooperative keeps its result, an AbortSignal read late is aborted.
    const late = await call;
    expect(late.aborted).toBe(true);
    expect(late.reason).toBe(light?.reason);
    expect(calls).toEqual(['once']);
  });

  it('light signal: follows the caller abort', async () => {
    const { clock, policy } = setup();
    const caller = new AbortController();
    const reasons: unknown[] = [];
    const call = settleLater(
      policy.execute((context) => {
        const light = context.lightSignal;
        light?.addEventListener('abort', () => reasons.push(light.reason));
        return clock.sleep(1_000, context.signal);
      }, caller.signal),
    );
    const reason = new Error('user cancelled');
    caller.abort(reason);
    expect(reasons).toEqual([reason]);
    await expect(call).rejects.toBeInstanceOf(AbortedError);
  });

  it('aggressive: rejects with TimeoutError at once and aborts the signal', async () => {
    const { clock, policy, timeouts } = setup({ strategy: 'aggressive' });
    let seen: AbortSignal | undefined;
    const call = settleLater(
      policy.execute((context) => {
        seen = context.signal;
        return lingering(clock, 10_000, 'never seen')();
      }),
    );
    await clock.advance(100);
    await expect(call).rejects.toBeInstanceOf(TimeoutError);
    expect(seen?.aborted).toBe(true);
    expect(timeouts).toEqual([{ durationMs: 100, strategy: 'aggressive' }]);
    await clock.runAll(); // the abandoned work finishes without an unhandled rejection
  });

  it('aggressive: an abandoned work failure does not surface as an unhandled rejection', async () => {
    const { clock, policy } = setup({ strategy: 'aggressive' });
    const call = settleLater(
      policy.execute(async () => {
        await clock.sleep(500);
        throw new Error('late failure');
      }),
    );
    await clock.advance(100);
    await expect(call).rejects.toBeInstanceOf(TimeoutError);
    await clock.advance(400);
  });

  it('aborts the child signal when the caller aborts (cooperative waits for the work)', async () => {
    const { clock, policy, timeouts } = setup();
    const caller = new AbortController();
    const call = settleLater(policy.execute(cooperative(clock, 1_000), caller.signal));
    await clock.advance(10);
    caller.abort(new Error('user cancelled'));
    const error = await call.catch((caught: unknown) => caught);
    expect(isAbortedError(error)).toBe(true); // from the work's own sleep
    expect(timeouts).toEqual([]);
    expect(clock.pendingTimerCount).toBe(0);
  });

  it('aggressive: rejects with AbortedError at once when the caller aborts', async () => {
    const { clock, policy } = setup({ strategy: 'aggressive' });
    const caller = new AbortController();
    const call = settleLater(policy.execute(lingering(clock, 1_000, 'x'), caller.signal));
    caller.abort();
    await expect(call).rejects.toBeInstanceOf(AbortedError);
    expect(clock.pendingTimerCount).toBe(1); // only the abandoned work's own sleep
  });

  it('does not start when the caller signal is already aborted', async () => {
    const { policy } = setup();
    const caller = new AbortController();
    caller.abort();
    let called = false;
    await expect(policy.execute(() => (called = true), caller.signal)).rejects.toBeInstanceOf(AbortedError);
    expect(called).toBe(false);
  });

  it.each([
    [{ durationMs: 0 }, 'durationMs must be in (0, 86400000], was 0'],
    [{ durationMs: Number.NaN }, 'was NaN'],
    [{ strategy: 'lazy' as never }, "strategy must be 'cooperative' or 'aggressive', was lazy"],
  ])('rejects options %o', (options, message) => {
    expect(() => setup(options)).toThrow(RangeError);
    expect(() => setup(options)).toThrow(message);
  });
});
