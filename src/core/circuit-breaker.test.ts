// Goal: the circuit breaker policy opens, probes, closes, isolates, reports and restores as specified.
// Method: FakeClock drives every duration and break; calls sleep on the fake clock to take time.
import { describe, expect, it } from 'vitest';
import { ExponentialBackoff } from './backoff/exponential-backoff.js';
import { ConsecutiveBreaker } from './breaker/consecutive-breaker.js';
import { CountBreaker } from './breaker/count-breaker.js';
import { SamplingBreaker } from './breaker/sampling-breaker.js';
import {
  type CircuitBreakerOptions,
  CircuitBreakerPolicy,
  type CircuitStateChange,
} from './circuit-breaker.js';
import { FakeClock } from './clock.js';
import { AbortedError, CircuitOpenError, isCircuitOpenError } from './errors.js';
import type { Rng } from './random.js';

const START_MS = 1_000_000;

function setup(options: Omit<CircuitBreakerOptions, 'clock'> = {}) {
  const clock = new FakeClock(START_MS);
  const policy = new CircuitBreakerPolicy({
    breaker: new ConsecutiveBreaker({ failuresMax: 2 }),
    breakDurationMs: 1_000,
    ...options,
    clock,
  });
  const changes: CircuitStateChange[] = [];
  policy.onStateChange((change) => changes.push(change));
  const fail = (error: unknown = new Error('boom')) =>
    policy
      .execute(() => Promise.reject(error))
      .then(
        () => undefined,
        (caught: unknown) => caught,
      );
  const succeed = <T>(value: T) => policy.execute(() => value);
  /** A call that takes durationMs of fake time; settle it with clock.advance. */
  const slow = <T>(durationMs: number, value: T, failWith?: unknown) => {
    const call = policy.execute(async () => {
      await clock.sleep(durationMs);
      if (failWith !== undefined) throw failWith;
      return value;
    });
    call.catch(() => undefined); // settles while the clock advances; the test awaits it later
    return call;
  };
  return { clock, policy, changes, fail, succeed, slow };
}

async function openIt(env: ReturnType<typeof setup>): Promise<void> {
  await env.fail();
  await env.fail();
  expect(env.policy.state).toBe('open');
}

describe('CircuitBreakerPolicy: closed', () => {
  it('returns results and reports the duration of each success', async () => {
    const { policy, slow, clock } = setup();
    const durations: number[] = [];
    policy.onSuccess(({ durationMs }) => durations.push(durationMs));
    const call = slow(40, 'ok');
    await clock.advance(40);
    await expect(call).resolves.toBe('ok');
    expect(durations).toEqual([40]);
    expect(policy.state).toBe('closed');
  });

  it('passes the caller signal to the function', async () => {
    const { policy } = setup();
    const controller = new AbortController();
    const seen = await policy.execute(({ signal }) => signal, controller.signal);
    expect(seen).toBe(controller.signal);
  });

  it('opens after two consecutive failures and rethrows each error', async () => {
    const env = setup();
    const error = new Error('down');
    const failures: unknown[] = [];
    env.policy.onFailure((failure) => failures.push(failure.error));
    expect(await env.fail(error)).toBe(error);
    expect(env.policy.state).toBe('closed');
    await env.fail(error);
    expect(env.policy.state).toBe('open');
    expect(failures).toEqual([error, error]);
    expect(env.changes).toEqual([
      { from: 'closed', to: 'open', reason: 'the breaker strategy says open', atMs: START_MS },
    ]);
  });

  it('rejects calls while open with CircuitOpenError carrying retryAtMs, and fires onReject', async () => {
    const env = setup();
    const rejects: string[] = [];
    env.policy.onReject(({ state }) => rejects.push(state));
    await openIt(env);
    let called = false;
    const error = await env.policy.execute(() => (called = true)).catch((caught: unknown) => caught);
    expect(isCircuitOpenError(error)).toBe(true);
    expect((error as CircuitOpenError).retryAtMs).toBe(START_MS + 1_000);
    expect(called).toBe(false);
    expect(rejects).toEqual(['open']);
  });

  it('does not record errors that isFailure rejects, and still rethrows them', async () => {
    const env = setup({ isFailure: (error) => !(error instanceof TypeError) });
    for (let i = 0; i < 5; i++) expect(await env.fail(new TypeError('bad input'))).toBeInstanceOf(TypeError);
    expect(env.policy.state).toBe('closed');
    expect(env.policy.metrics()).toMatchObject({ calls: 5, failures: 0, successes: 0 });
  });

  it('by default does not count AbortedError as a failure', async () => {
    const env = setup();
    await env.fail(new AbortedError('caller gave up'));
    await env.fail(new AbortedError('caller gave up'));
    expect(env.policy.state).toBe('closed');
  });

  it('counts a result that isResultFailure flags, but still returns it', async () => {
    const env = setup({ isResultFailure: (result) => result === 'error-page' });
    const failures: unknown[] = [];
    env.policy.onFailure((failure) => failures.push(failure.result));
    await expect(env.succeed('error-page')).resolves.toBe('error-page');
    await env.succeed('error-page');
    expect(env.policy.state).toBe('open');
    expect(failures).toEqual(['error-page', 'error-page']);
  });

  it('counts a success slower than slowCallDurationMs as a failure', async () => {
    const env = setup({ slowCallDurationMs: 100 });
    const flags: boolean[] = [];
    env.policy.onFailure((failure) => flags.push(failure.slow));
    const first = env.slow(101, 'late');
    const second = env.slow(150, 'late');
    await env.clock.advance(150);
    await expect(first).resolves.toBe('late');
    await expect(second).resolves.toBe('late');
    expect(flags).toEqual([true, true]);
    expect(env.policy.state).toBe('open');
    expect(env.policy.metrics()).toMatchObject({ slowCalls: 2, failures: 2, successes: 0 });
  });

  it('treats a call exactly at slowCallDurationMs as a success', async () => {
    const env = setup({ slowCallDurationMs: 100 });
    const call = env.slow(100, 'ok');
    await env.clock.advance(100);
    await call;
    expect(env.policy.metrics()).toMatchObject({ slowCalls: 0, successes: 1 });
  });

  it('ignores a late failure from a call that started before the circuit reopened and closed', async () => {
    const env = setup();
    const late = env.slow(5_000, 'x', new Error('late'));
    await openIt(env);
    await env.clock.advance(1_000);
    await env.succeed('probe');
    expect(env.policy.state).toBe('closed');
    await env.clock.advance(4_000);
    await expect(late).rejects.toThrow('late');
    await env.fail();
    expect(env.policy.state).toBe('closed'); // the late failure did not count toward this closed period
  });
});

describe('CircuitBreakerPolicy: half-open', () => {
  it('reports halfOpen from the state getter once the break elapses, firing onHalfOpen once', async () => {
    const env = setup();
    const halfOpens: CircuitStateChange[] = [];
    env.policy.onHalfOpen((change) => halfOpens.push(change));
    await openIt(env);
    await env.clock.advance(999);
    expect(env.policy.state).toBe('open');
    await env.clock.advance(1);
    expect(env.policy.state).toBe('halfOpen');
    expect(env.policy.state).toBe('halfOpen');
    expect(halfOpens).toEqual([
      { from: 'open', to: 'halfOpen', reason: 'the break elapsed', atMs: START_MS + 1_000 },
    ]);
  });

  it('lets halfOpenProbesMax probes through, rejects the rest, and closes when all succeed', async () => {
    const env = setup({ halfOpenProbesMax: 2 });
    const resets: CircuitStateChange[] = [];
    env.policy.onReset((change) => resets.push(change));
    await openIt(env);
    await env.clock.advance(1_000);
    const probes = [env.slow(10, 'a'), env.slow(20, 'b')];
    const extra = await env.succeed('c').catch((caught: unknown) => caught);
    expect(isCircuitOpenError(extra)).toBe(true);
    expect((extra as CircuitOpenError).retryAtMs).toBe(START_MS + 1_000);
    await env.clock.advance(10);
    expect(env.policy.state).toBe('halfOpen'); // one of two succeeded
    await env.clock.advance(10);
    await expect(Promise.all(probes)).resolves.toEqual(['a', 'b']);
    expect(env.policy.state).toBe('closed');
    expect(resets.map((change) => change.reason)).toEqual(['every probe succeeded']);
  });

  it('reopens when any probe fails, even after another succeeded', async () => {
    const env = setup({ halfOpenProbesMax: 2 });
    await openIt(env);
    await env.clock.advance(1_000);
    const ok = env.slow(10, 'a');
    const bad = env.slow(20, 'b', new Error('still down'));
    await env.clock.advance(20);
    await ok;
    await expect(bad).rejects.toThrow('still down');
    expect(env.policy.state).toBe('open');
    expect(env.changes.at(-1)).toMatchObject({ from: 'halfOpen', to: 'open', reason: 'a probe failed' });
  });

  it('gives the probe slot back when the probe error is not a recorded failure', async () => {
    const env = setup({ isFailure: (error) => !(error instanceof TypeError) });
    await openIt(env);
    await env.clock.advance(1_000);
    await env.fail(new TypeError('not evidence'));
    expect(env.policy.state).toBe('halfOpen');
    await env.succeed('probe');
    expect(env.policy.state).toBe('closed');
  });

  it('grows the break with breakBackoff on each re-open and starts over after closing', async () => {
    const maxRng: Rng = { next: () => 0.999_999 };
    const env = setup({
      breakDurationMs: undefined,
      breakBackoff: new ExponentialBackoff({ delayInitialMs: 1_000, delayMaxMs: 3_000, rng: maxRng }),
    });
    const breaks: number[] = [];
    env.policy.onBreak(() => breaks.push(env.policy.metrics().retryAtMs! - env.clock.nowMs()));
    await openIt(env);
    for (const breakMs of [1_000, 2_000, 3_000]) {
      await env.clock.advance(breakMs);
      await env.fail();
    }
    await env.clock.advance(3_000);
    await env.succeed('probe');
    await openIt(env);
    expect(breaks).toEqual([1_000, 2_000, 3_000, 3_000, 1_000]);
  });
});

describe('CircuitBreakerPolicy: manual control', () => {
  it('isolate() rejects every call without retryAtMs until the handle is disposed', async () => {
    const env = setup();
    const handle = env.policy.isolate();
    const error = await env.succeed('x').catch((caught: unknown) => caught);
    expect(isCircuitOpenError(error)).toBe(true);
    expect((error as CircuitOpenError).retryAtMs).toBeUndefined();
    await env.clock.advance(60_000);
    expect(env.policy.state).toBe('isolated');
    handle.dispose();
    expect(env.policy.state).toBe('closed');
    await expect(env.succeed('y')).resolves.toBe('y');
  });

  it('stays isolated until the last of several handles is disposed; disposing twice counts once', () => {
    const env = setup();
    const first = env.policy.isolate();
    const second = env.policy.isolate();
    first.dispose();
    first.dispose();
    expect(env.policy.state).toBe('isolated');
    second.dispose();
    expect(env.policy.state).toBe('closed');
    expect(env.changes.map((change) => `${change.from}>${change.to}`)).toEqual([
      'closed>isolated',
      'isolated>closed',
    ]);
  });

  it('reset() closes an open circuit and lifts isolation; old handles then do nothing', async () => {
    const env = setup();
    await openIt(env);
    env.policy.reset();
    expect(env.policy.state).toBe('closed');
    const handle = env.policy.isolate();
    env.policy.reset();
    expect(env.policy.state).toBe('closed');
    const again = env.policy.isolate();
    handle.dispose(); // stale: must not lift the new isolation
    expect(env.policy.state).toBe('isolated');
    again.dispose();
    expect(env.policy.state).toBe('closed');
  });

  it('reset() while closed forgets the strategy failures', async () => {
    const env = setup();
    await env.fail();
    env.policy.reset();
    await env.fail();
    expect(env.policy.state).toBe('closed');
  });
});

describe('CircuitBreakerPolicy: metrics', () => {
  it('counts calls, outcomes and rejections and reports latency percentiles', async () => {
    const env = setup({ breaker: new ConsecutiveBreaker({ failuresMax: 3 }) });
    for (const ms of [10, 20, 30, 40]) {
      const call = env.slow(ms, ms);
      await env.clock.advance(ms);
      await call;
    }
    await env.fail();
    await env.fail();
    await env.fail();
    await env.succeed('rejected').catch(() => undefined);
    expect(env.policy.metrics()).toEqual({
      state: 'open',
      calls: 7,
      successes: 4,
      failures: 3,
      slowCalls: 0,
      rejections: 1,
      failureRate: 3 / 7,
      latency: { sampleCount: 7, p50Ms: 10, p90Ms: 40, p99Ms: 40, maxMs: 40 },
      openedAtMs: START_MS + 100,
      retryAtMs: START_MS + 1_100,
    });
  });

  it('keeps only latencySampleCountMax recent durations', async () => {
    const env = setup({ latencySampleCountMax: 2 });
    for (const ms of [500, 1, 2]) {
      const call = env.slow(ms, ms);
      await env.clock.advance(ms);
      await call;
    }
    expect(env.policy.metrics().latency).toMatchObject({ sampleCount: 2, maxMs: 2 });
  });
});

describe('CircuitBreakerPolicy: strategies', () => {
  it('opens on a count-based failure rate only after callsMin calls', async () => {
    const env = setup({ breaker: new CountBreaker({ threshold: 0.5, windowCallCount: 10, callsMin: 4 }) });
    await env.succeed(1);
    await env.fail();
    await env.succeed(1);
    expect(env.policy.state).toBe('closed');
    await env.fail();
    expect(env.policy.state).toBe('open');
  });

  it('opens on a time-based failure rate and forgets calls older than the window', async () => {
    const clock = new FakeClock(START_MS);
    const breaker = new SamplingBreaker({
      threshold: 0.5,
      windowMs: 10_000,
      bucketCount: 10,
      callsMin: 3,
      clock,
    });
    const policy = new CircuitBreakerPolicy({ breaker, breakDurationMs: 1_000, clock });
    const fail = () => policy.execute(() => Promise.reject(new Error('x'))).catch(() => undefined);
    await fail();
    await fail();
    await clock.advance(10_000);
    await fail();
    expect(policy.state).toBe('closed');
    await fail();
    await fail();
    expect(policy.state).toBe('open');
  });
});

describe('CircuitBreakerPolicy: export and restore', () => {
  it('round-trips an open state: the restored instance rejects, then probes at the same time', async () => {
    const env = setup();
    await openIt(env);
    await env.clock.advance(400);
    const json = env.policy.toJSON();
    expect(json).toEqual({
      version: 1,
      state: { kind: 'open', openedAtMs: START_MS, retryAtMs: START_MS + 1_000, reopenCount: 0 },
      strategy: { kind: 'consecutive', failureCount: 2 }, // forgotten when the circuit closes
    });
    const copy = new CircuitBreakerPolicy({
      breaker: new ConsecutiveBreaker({ failuresMax: 2 }),
      breakDurationMs: 1_000,
      clock: env.clock,
      initialState: JSON.parse(JSON.stringify(json)),
    });
    expect(copy.state).toBe('open');
    await expect(copy.execute(() => 1)).rejects.toBeInstanceOf(CircuitOpenError);
    await env.clock.advance(600);
    expect(copy.state).toBe('halfOpen');
    expect(env.policy.state).toBe('halfOpen');
  });

  it('round-trips strategy state: one more failure opens the restored instance', async () => {
    const env = setup();
    await env.fail();
    const copy = new CircuitBreakerPolicy({
      breaker: new ConsecutiveBreaker({ failuresMax: 2 }),
      clock: env.clock,
      initialState: env.policy.toJSON(),
    });
    await copy.execute(() => Promise.reject(new Error('x'))).catch(() => undefined);
    expect(copy.state).toBe('open');
  });

  it('restore() applies a shared open decision through the transition table', async () => {
    const source = setup();
    await openIt(source);
    const target = setup();
    target.policy.restore(source.policy.toJSON());
    expect(target.policy.state).toBe('open');
    expect(target.changes).toEqual([{ from: 'closed', to: 'open', reason: 'restore', atMs: START_MS }]);
    target.policy.restore({
      version: 1,
      state: { kind: 'closed' },
      strategy: { kind: 'consecutive', failureCount: 0 },
    });
    expect(target.policy.state).toBe('closed');
  });

  it('restores a shared halfOpen as an elapsed break with local probes', async () => {
    const env = setup();
    env.policy.restore({
      version: 1,
      state: { kind: 'halfOpen', reopenCount: 1 },
      strategy: { kind: 'consecutive', failureCount: 0 },
    });
    expect(env.policy.state).toBe('halfOpen');
    expect(env.changes.map((change) => `${change.from}>${change.to}`)).toEqual([
      'closed>open',
      'open>halfOpen',
    ]);
    await env.succeed('probe');
    expect(env.policy.state).toBe('closed');
  });

  it('restores an isolated state that holds until reset()', () => {
    const env = setup();
    env.policy.restore({
      version: 1,
      state: { kind: 'isolated' },
      strategy: { kind: 'consecutive', failureCount: 0 },
    });
    expect(env.policy.state).toBe('isolated');
    env.policy.reset();
    expect(env.policy.state).toBe('closed');
  });

  it('rejects a snapshot of another strategy without changing anything', async () => {
    const env = setup();
    await openIt(env);
    const bad = { version: 1, state: { kind: 'closed' }, strategy: { kind: 'count', outcomes: [] } } as const;
    expect(() => env.policy.restore(bad)).toThrow('expected a consecutive breaker snapshot, was count');
    expect(env.policy.state).toBe('open');
    expect(() => env.policy.restore({ ...bad, version: 2 } as never)).toThrow('version must be 1, was 2');
  });
});

describe('CircuitBreakerPolicy: options', () => {
  it.each([
    [{ halfOpenProbesMax: 0 }, 'halfOpenProbesMax must be an integer in [1, 1000], was 0'],
    [{ slowCallDurationMs: -5 }, 'slowCallDurationMs must be >= 0 (Infinity for none), was -5'],
    [{ breakDurationMs: Number.NaN }, 'breakDurationMs must be a finite number >= 0, was NaN'],
    [{ breakDurationMs: 5, breakBackoff: new ExponentialBackoff() }, 'not both; breakDurationMs was 5'],
    [{ latencySampleCountMax: 0 }, 'sampleCountMax must be an integer in [1, 1000000], was 0'],
  ])('rejects %o', (options, message) => {
    expect(() => new CircuitBreakerPolicy(options)).toThrow(RangeError);
    expect(() => new CircuitBreakerPolicy(options)).toThrow(message);
  });
});

describe('CircuitBreakerPolicy: breakEarly', () => {
  it('opens a closed circuit at once; the break and a half-open probe decide the return', async () => {
    const env = setup();
    expect(env.policy.breakEarly('latency heading for the timeout')).toBe(true);
    expect(env.policy.state).toBe('open');
    expect(env.changes.at(-1)?.reason).toBe('opened early: latency heading for the timeout');
    await expect(env.succeed(1)).rejects.toSatisfy(isCircuitOpenError);
    await env.clock.advance(1_000);
    expect(env.policy.state).toBe('halfOpen');
    expect(await env.succeed(2)).toBe(2);
    expect(env.policy.state).toBe('closed');
  });

  it('leaves a circuit that is not closed alone', async () => {
    const env = setup();
    await openIt(env);
    const changeCount = env.changes.length;
    expect(env.policy.breakEarly('again')).toBe(false);
    expect(env.changes.length).toBe(changeCount);
  });
});
