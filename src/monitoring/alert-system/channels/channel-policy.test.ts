// Goal: the channel policy retries what may succeed later, waits exactly a server-given retryAfter,
// stops on permanent failures, cuts each attempt at timeoutMs, and opens its breaker after
// failuresMax failed deliveries. Method: FakeClock, seeded Rng, scripted functions in place of peers.
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../core/clock.js';
import { AbortedError, isCircuitOpenError, RateLimitedError, TimeoutError } from '../../../core/errors.js';
import { createRng } from '../../../core/random.js';
import { channelRetryClassifier, createChannelPolicy } from './channel-policy.js';
import { ChannelDeliveryError } from './errors.js';

const retryable = () =>
  new ChannelDeliveryError('peer 503', { channel: 'webhook', status: 503, retryable: true });
const permanent = () =>
  new ChannelDeliveryError('peer 401', { channel: 'webhook', status: 401, retryable: false });

describe('channelRetryClassifier', () => {
  it.each([
    ['a retryable delivery error', retryable(), { kind: 'retry' }],
    ['a permanent delivery error', permanent(), { kind: 'stop' }],
    ['a rate limit', new RateLimitedError('429', 4_000), { kind: 'retryAfter', delayMs: 4_000 }],
    ['a timeout', new TimeoutError('slow'), { kind: 'retry' }],
    ['an abort', new AbortedError('gone'), { kind: 'stop' }],
    ['anything else', new Error('bug?'), { kind: 'retry' }],
  ])('decides for %s', (_name, error, decision) => {
    expect(channelRetryClassifier(error, 1)).toEqual(decision);
  });
});

describe('createChannelPolicy', () => {
  const setup = (overrides = {}) => {
    const clock = new FakeClock();
    const channel = createChannelPolicy({ timeoutMs: 1_000, clock, rng: createRng(3), ...overrides });
    return { clock, ...channel };
  };

  it('waits exactly retryAfterMs, without jitter, before the next attempt', async () => {
    const { clock, policy } = setup();
    let calls = 0;
    const result = policy.execute(() => {
      calls++;
      if (calls === 1) throw new RateLimitedError('429', 2_500);
      return 'sent';
    });
    await clock.advance(2_499);
    expect(calls).toBe(1);
    await clock.advance(1);
    await expect(result).resolves.toBe('sent');
    expect(calls).toBe(2);
  });

  it('does not retry a permanent failure', async () => {
    const { policy } = setup();
    let calls = 0;
    await expect(
      policy.execute(() => {
        calls++;
        throw permanent();
      }),
    ).rejects.toThrow('peer 401');
    expect(calls).toBe(1);
  });

  it('gives up after attemptsMax retryable failures', async () => {
    const { clock, policy } = setup({ attemptsMax: 3 });
    let calls = 0;
    const result = policy.execute(() => {
      calls++;
      throw retryable();
    });
    result.catch(() => undefined);
    await clock.runAll();
    await expect(result).rejects.toThrow('peer 503');
    expect(calls).toBe(3);
  });

  it('aborts an attempt at timeoutMs and counts it as a retryable timeout', async () => {
    const { clock, policy, timeout } = setup({ attemptsMax: 2 });
    const signals: AbortSignal[] = [];
    const result = policy.execute(
      (context) =>
        new Promise((_, reject) => {
          signals.push(context.signal);
          context.signal.addEventListener('abort', () => reject(new AbortedError('request aborted')));
        }),
    );
    result.catch(() => undefined);
    await clock.advance(1_000);
    expect(signals[0]?.aborted).toBe(true);
    await clock.runAll();
    await expect(result).rejects.toThrow('timed out after 1000 ms');
    expect(signals).toHaveLength(2);
    expect(timeout.durationMs).toBe(1_000);
  });

  it('opens the breaker after failuresMax failed deliveries and then rejects without calling', async () => {
    const { clock, policy, breaker } = setup({ failuresMax: 2, attemptsMax: 1 });
    let calls = 0;
    const fail = () => {
      calls++;
      throw retryable();
    };
    await expect(policy.execute(fail)).rejects.toThrow('peer 503');
    await expect(policy.execute(fail)).rejects.toThrow('peer 503');
    expect(breaker.state).toBe('open');
    const rejected = await policy.execute(fail).catch((error: unknown) => error);
    expect(isCircuitOpenError(rejected)).toBe(true);
    expect(calls).toBe(2);
    const retryAtMs = breaker.metrics().retryAtMs ?? 0;
    expect(retryAtMs - clock.nowMs()).toBeGreaterThanOrEqual(30_000);
    await clock.advance(retryAtMs - clock.nowMs());
    await expect(policy.execute(() => 'ok')).resolves.toBe('ok');
    expect(breaker.state).toBe('closed');
  });

  it('refuses a retry budget that cannot hold one attempt', () => {
    expect(() => setup({ elapsedMaxMs: 500 })).toThrow('elapsedMaxMs must exceed timeoutMs (1000), was 500');
  });
});
