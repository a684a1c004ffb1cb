// Goal: the queue bounds concurrency and waiting, orders by priority, and rejects unsent on
// deadline, abort or overflow. Method: tasks held by promises, a FakeClock for deadlines.
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/clock.js';
import { isRequestNotSentError } from './errors.js';
import { RequestQueue } from './request-queue.js';

const makeQueue = (overrides: Partial<ConstructorParameters<typeof RequestQueue>[0]> = {}) => {
  const clock = new FakeClock();
  return {
    clock,
    queue: new RequestQueue({
      name: 'orders',
      concurrencyMax: 1,
      queuedMax: 3,
      queueWaitMaxMs: 5_000,
      clock,
      ...overrides,
    }),
  };
};

function held() {
  let release: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    release = resolve;
  });
  return { task: () => done, release: () => release() };
}

describe('RequestQueue', () => {
  it('runs up to concurrencyMax at once and queues the rest', async () => {
    const { queue } = makeQueue({ concurrencyMax: 2 });
    const a = held();
    const runs = [
      queue.run(a.task, { priority: 'low' }),
      queue.run(a.task, { priority: 'low' }),
      queue.run(a.task, { priority: 'low' }),
    ];
    expect(queue.runningCount).toBe(2);
    expect(queue.queuedCount).toBe(1);
    a.release();
    await Promise.all(runs);
    expect(queue.runningCount).toBe(0);
  });

  it('starts waiting requests by priority, FIFO within one priority', async () => {
    const { queue } = makeQueue();
    const blocker = held();
    const order: string[] = [];
    const first = queue.run(blocker.task, { priority: 'low' });
    const runs = (['low', 'high', 'normal'] as const).map((priority, i) =>
      queue.run(async () => void order.push(`${priority}${i}`), { priority }),
    );
    blocker.release();
    await Promise.all([first, ...runs]);
    expect(order).toEqual(['high1', 'normal2', 'low0']);
  });

  it('uses queueWaitMaxMs when no deadline is given', async () => {
    const { queue, clock } = makeQueue();
    const blocker = held();
    const first = queue.run(blocker.task, { priority: 'high' });
    const waiting = queue.run(async () => 'ran', { priority: 'high' }).catch((e: unknown) => e);
    await clock.advance(5_000);
    const error = await waiting;
    expect(isRequestNotSentError(error) && error.reason).toBe('queueDeadline');
    expect(queue.queuedCount).toBe(0);
    blocker.release();
    await first;
  });

  it('rejects a queued request unsent when its signal aborts', async () => {
    const { queue } = makeQueue();
    const blocker = held();
    const first = queue.run(blocker.task, { priority: 'high' });
    const controller = new AbortController();
    let ran = false;
    const waiting = queue
      .run(
        async () => {
          ran = true;
        },
        { priority: 'high', signal: controller.signal },
      )
      .catch((e: unknown) => e);
    controller.abort();
    expect(isRequestNotSentError(await waiting) && ((await waiting) as { reason: string }).reason).toBe(
      'aborted',
    );
    blocker.release();
    await first;
    expect(ran).toBe(false);
  });

  it('releases the slot when a task throws', async () => {
    const { queue } = makeQueue();
    await expect(
      queue.run(async () => Promise.reject(new Error('boom')), { priority: 'low' }),
    ).rejects.toThrow('boom');
    expect(await queue.run(async () => 42, { priority: 'low' })).toBe(42);
  });

  it.each([
    [{ concurrencyMax: 0 }, /concurrencyMax.*was 0/],
    [{ queuedMax: -1 }, /queuedMax.*was -1/],
    [{ queueWaitMaxMs: 1.5 }, /queueWaitMaxMs.*was 1.5/],
  ])('refuses bad options %o', (overrides, message) => {
    expect(() => makeQueue(overrides)).toThrow(message);
  });
});
