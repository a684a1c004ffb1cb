// Goal: the bulkhead bounds running and queued calls, orders the queue by priority then arrival,
// and rejects clearly. Method: calls held open by deferred promises, time from FakeClock.
import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { BulkheadPolicy } from './bulkhead.js';
import { FakeClock } from './clock.js';
import { isAbortedError, isBulkheadRejectedError } from './errors.js';
import { neverAbortedSignal } from './policy.js';

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const settle = () => new FakeClock().advance(0);

describe('BulkheadPolicy', () => {
  it('runs up to concurrentMax calls and queues the rest', async () => {
    const clock = new FakeClock();
    const bulkhead = new BulkheadPolicy({ concurrentMax: 2, queueMax: 5, clock });
    const gates = [deferred(), deferred(), deferred()];
    const started: number[] = [];
    const results = gates.map((gate, index) =>
      bulkhead.execute(async () => {
        started.push(index);
        await gate.promise;
        return index;
      }),
    );
    await settle();
    expect(started).toEqual([0, 1]);
    expect(bulkhead.stats()).toEqual({
      running: 2,
      queued: 1,
      concurrentMax: 2,
      concurrentLimit: 2,
      queueMax: 5,
      rejected: 0,
    });
    gates[0]?.resolve();
    await settle();
    expect(started).toEqual([0, 1, 2]);
    gates[1]?.resolve();
    gates[2]?.resolve();
    expect(await Promise.all(results)).toEqual([0, 1, 2]);
    expect(bulkhead.stats().running).toBe(0);
  });

  it('rejects with BulkheadRejectedError when the queue is full, and counts it', async () => {
    const bulkhead = new BulkheadPolicy({ concurrentMax: 1, queueMax: 1, clock: new FakeClock() });
    const gate = deferred();
    const rejects: string[] = [];
    bulkhead.onReject((event) => rejects.push(event.reason));
    const first = bulkhead.execute(() => gate.promise);
    const second = bulkhead.execute(() => 'second');
    const third = bulkhead.execute(() => 'third');
    await expect(third).rejects.toSatisfy(isBulkheadRejectedError);
    await expect(third).rejects.toThrow(
      /bulkhead full: 1 running \(concurrentMax 1\), 1 queued \(queueMax 1\)/,
    );
    expect(rejects).toEqual(['queueFull']);
    expect(bulkhead.stats().rejected).toBe(1);
    gate.resolve();
    await first;
    expect(await second).toBe('second');
  });

  it('rejects at once when queueMax is 0 and all slots are busy', async () => {
    const bulkhead = new BulkheadPolicy({ concurrentMax: 1, queueMax: 0, clock: new FakeClock() });
    const gate = deferred();
    const first = bulkhead.execute(() => gate.promise);
    await expect(bulkhead.execute(() => 1)).rejects.toSatisfy(isBulkheadRejectedError);
    gate.resolve();
    await first;
  });

  it('rejects a queued call after queueWaitMaxMs and frees its queue place', async () => {
    const clock = new FakeClock();
    const bulkhead = new BulkheadPolicy({ concurrentMax: 1, queueMax: 1, queueWaitMaxMs: 1_000, clock });
    const gate = deferred();
    const rejects: string[] = [];
    bulkhead.onReject((event) => rejects.push(event.reason));
    const first = bulkhead.execute(() => gate.promise);
    const waiting = bulkhead.execute(() => 'late');
    const outcome = waiting.catch((error: unknown) => error);
    await clock.advance(999);
    expect(bulkhead.stats().queued).toBe(1);
    await clock.advance(1);
    const error = await outcome;
    expect(isBulkheadRejectedError(error)).toBe(true);
    expect(String(error)).toMatch(/queueWaitMaxMs 1000/);
    expect(rejects).toEqual(['queueWaitTimeout']);
    expect(bulkhead.stats()).toMatchObject({ queued: 0, rejected: 1 });
    gate.resolve();
    await first;
  });

  it('starts higher priorities first and keeps arrival order within a priority', async () => {
    const bulkhead = new BulkheadPolicy({ concurrentMax: 1, queueMax: 10, clock: new FakeClock() });
    const gate = deferred();
    const order: string[] = [];
    const blocker = bulkhead.execute(() => gate.promise);
    const calls = [
      bulkhead.execute(async () => void order.push('low-1'), undefined, { priority: 0 }),
      bulkhead.execute(async () => void order.push('high-1'), undefined, { priority: 5 }),
      bulkhead.execute(async () => void order.push('low-2'), undefined, { priority: 0 }),
      bulkhead.execute(async () => void order.push('high-2'), undefined, { priority: 5 }),
      bulkhead.execute(async () => void order.push('mid'), undefined, { priority: 1 }),
    ];
    gate.resolve();
    await Promise.all([blocker, ...calls]);
    expect(order).toEqual(['high-1', 'high-2', 'mid', 'low-1', 'low-2']);
  });

  it('uses priorityDefault for calls without a priority', async () => {
    const bulkhead = new BulkheadPolicy({ concurrentMax: 1, priorityDefault: 3, clock: new FakeClock() });
    const gate = deferred();
    const order: string[] = [];
    const blocker = bulkhead.execute(() => gate.promise);
    const calls = [
      bulkhead.execute(async () => void order.push('two'), undefined, { priority: 2 }),
      bulkhead.execute(async () => void order.push('default')),
    ];
    gate.resolve();
    await Promise.all([blocker, ...calls]);
    expect(order).toEqual(['default', 'two']);
  });

  it('removes a queued call when its signal aborts', async () => {
    const bulkhead = new BulkheadPolicy({ concurrentMax: 1, queueMax: 2, clock: new FakeClock() });
    const gate = deferred();
    const controller = new AbortController();
    let ran = false;
    const blocker = bulkhead.execute(() => gate.promise);
    const queued = bulkhead.execute(() => {
      ran = true;
    }, controller.signal);
    expect(bulkhead.stats().queued).toBe(1);
    controller.abort();
    await expect(queued).rejects.toSatisfy(isAbortedError);
    expect(bulkhead.stats().queued).toBe(0);
    gate.resolve();
    await blocker;
    expect(ran).toBe(false);
  });

  it('adds no abort listener for queued calls without a signal (they share one that never aborts)', async () => {
    const bulkhead = new BulkheadPolicy({ concurrentMax: 1, queueMax: 20, clock: new FakeClock() });
    const gate = deferred();
    const blocker = bulkhead.execute(() => gate.promise);
    const queued = Array.from({ length: 20 }, () => bulkhead.execute(() => 1));
    expect(bulkhead.stats().queued).toBe(20);
    expect(getEventListeners(neverAbortedSignal, 'abort')).toHaveLength(0);
    gate.resolve();
    await Promise.all([blocker, ...queued]);
  });

  it('rejects an already aborted signal without running', async () => {
    const bulkhead = new BulkheadPolicy({ clock: new FakeClock() });
    const controller = new AbortController();
    controller.abort();
    await expect(bulkhead.execute(() => 1, controller.signal)).rejects.toSatisfy(isAbortedError);
    expect(bulkhead.stats().running).toBe(0);
  });

  it('frees the slot when the call throws', async () => {
    const bulkhead = new BulkheadPolicy({ concurrentMax: 1, clock: new FakeClock() });
    await expect(
      bulkhead.execute(() => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await bulkhead.execute(() => 'next')).toBe('next');
    expect(bulkhead.stats().running).toBe(0);
  });

  it('does not let a newcomer take a slot reserved for a queued call', async () => {
    const bulkhead = new BulkheadPolicy({ concurrentMax: 1, queueMax: 2, clock: new FakeClock() });
    const gate = deferred();
    const order: string[] = [];
    const blocker = bulkhead.execute(() => gate.promise);
    const queued = bulkhead.execute(async () => void order.push('queued'));
    gate.resolve();
    await blocker;
    const newcomer = bulkhead.execute(async () => void order.push('newcomer'));
    await Promise.all([queued, newcomer]);
    expect(order).toEqual(['queued', 'newcomer']);
  });

  it.each([
    [{ concurrentMax: 0 }, /concurrentMax must be a positive integer, was 0/],
    [{ concurrentMax: 1.5 }, /concurrentMax .* was 1.5/],
    [{ queueMax: -1 }, /queueMax .* was -1/],
    [{ queueMax: Number.POSITIVE_INFINITY }, /queueMax .* was Infinity/],
    [{ queueWaitMaxMs: Number.NaN }, /queueWaitMaxMs .* was NaN/],
    [{ priorityDefault: Number.POSITIVE_INFINITY }, /priorityDefault .* was Infinity/],
  ])('rejects bad option %o', (options, message) => {
    expect(() => new BulkheadPolicy(options)).toThrow(RangeError);
    expect(() => new BulkheadPolicy(options)).toThrow(message);
  });

  it('rejects a non-finite priority', async () => {
    const bulkhead = new BulkheadPolicy({ clock: new FakeClock() });
    await expect(bulkhead.execute(() => 1, undefined, { priority: Number.NaN })).rejects.toThrow(RangeError);
  });

  it('rejects at once with reason queueFull when every queue place is taken', async () => {
    const bulkhead = new BulkheadPolicy({ concurrentMax: 1, queueMax: 1, clock: new FakeClock() });
    const gate = deferred();
    const running = bulkhead.execute(() => gate.promise);
    const queued = bulkhead.execute(() => 'queued');
    const refused = bulkhead.execute(() => 'refused');
    await expect(refused).rejects.toMatchObject({ code: 'KEEL_ERR_BULKHEAD_REJECTED', reason: 'queueFull' });
    expect(bulkhead.stats()).toMatchObject({ running: 1, queued: 1, rejected: 1 });
    gate.resolve();
    await running;
    expect(await queued).toBe('queued');
  });

  it('gives up on a call after its own queueWaitMaxMs, with reason queueWaitTimeout', async () => {
    const clock = new FakeClock();
    const bulkhead = new BulkheadPolicy({ concurrentMax: 1, queueMax: 5, queueWaitMaxMs: 60_000, clock });
    const gate = deferred();
    const running = bulkhead.execute(() => gate.promise);
    const waiting = bulkhead.execute(() => 'late', undefined, { queueWaitMaxMs: 100 });
    const outcome = expect(waiting).rejects.toMatchObject({ reason: 'queueWaitTimeout' });
    clock.advance(100);
    await outcome;
    expect(bulkhead.stats().queued).toBe(0);
    gate.resolve();
    await running;
  });

  it('runs fewer calls while limited and the queued ones once the limit lifts', async () => {
    const bulkhead = new BulkheadPolicy({ concurrentMax: 2, queueMax: 5, clock: new FakeClock() });
    bulkhead.limitConcurrency(1);
    const gate = deferred();
    const first = bulkhead.execute(() => gate.promise);
    const second = bulkhead.execute(() => 'second');
    expect(bulkhead.stats()).toMatchObject({ running: 1, queued: 1, concurrentLimit: 1 });
    bulkhead.limitConcurrency(undefined);
    expect(await second).toBe('second');
    gate.resolve();
    await first;
    expect(() => bulkhead.limitConcurrency(0)).toThrow(/limit must be a positive integer, was 0/);
  });

  it('rejects every waiting call on rejectWaiting and lets the running one finish', async () => {
    const bulkhead = new BulkheadPolicy({ concurrentMax: 1, queueMax: 5, clock: new FakeClock() });
    const gate = deferred();
    const running = bulkhead.execute(() => gate.promise.then(() => 'done'));
    const waiting = [bulkhead.execute(() => 'a'), bulkhead.execute(() => 'b')];
    bulkhead.rejectWaiting(new Error('closing'));
    for (const call of waiting) await expect(call).rejects.toThrow('closing');
    expect(bulkhead.stats().queued).toBe(0);
    gate.resolve();
    expect(await running).toBe('done');
  });

  it('with overflow dropOldest, a full queue drops its oldest call for the newcomer, and counts it', async () => {
    const bulkhead = new BulkheadPolicy({
      concurrentMax: 1,
      queueMax: 2,
      overflow: 'dropOldest',
      clock: new FakeClock(),
    });
    const rejects: string[] = [];
    bulkhead.onReject((event) => rejects.push(event.reason));
    const gate = deferred();
    const running = bulkhead.execute(() => gate.promise.then(() => 'running'));
    const oldest = bulkhead.execute(() => 'oldest');
    const older = bulkhead.execute(() => 'older');
    const newest = bulkhead.execute(() => 'newest');
    await expect(oldest).rejects.toMatchObject({
      code: 'KEEL_ERR_BULKHEAD_REJECTED',
      reason: 'queueOverflow',
    });
    expect(bulkhead.stats()).toMatchObject({ running: 1, queued: 2, rejected: 1 });
    expect(rejects).toEqual(['queueOverflow']);
    gate.resolve();
    expect(await Promise.all([running, older, newest])).toEqual(['running', 'older', 'newest']);
  });

  it('with overflow rejectNew (the default), the same calls keep the oldest and refuse the newcomer', async () => {
    const bulkhead = new BulkheadPolicy({ concurrentMax: 1, queueMax: 2, clock: new FakeClock() });
    const gate = deferred();
    const running = bulkhead.execute(() => gate.promise.then(() => 'running'));
    const oldest = bulkhead.execute(() => 'oldest');
    const older = bulkhead.execute(() => 'older');
    await expect(bulkhead.execute(() => 'newest')).rejects.toMatchObject({ reason: 'queueFull' });
    gate.resolve();
    expect(await Promise.all([running, oldest, older])).toEqual(['running', 'oldest', 'older']);
  });

  it('with overflow dropOldest, drops the oldest of the lowest priority, and never a higher one for a lower newcomer', async () => {
    const bulkhead = new BulkheadPolicy({
      concurrentMax: 1,
      queueMax: 2,
      overflow: 'dropOldest',
      clock: new FakeClock(),
    });
    const gate = deferred();
    const running = bulkhead.execute(() => gate.promise);
    const urgent = bulkhead.execute(() => 'urgent', undefined, { priority: 5 });
    const low = bulkhead.execute(() => 'low', undefined, { priority: 1 });
    await expect(bulkhead.execute(() => 'lowest', undefined, { priority: 0 })).rejects.toMatchObject({
      reason: 'queueFull',
    });
    const newer = bulkhead.execute(() => 'newer low', undefined, { priority: 1 });
    await expect(low).rejects.toMatchObject({ reason: 'queueOverflow' });
    gate.resolve();
    await running;
    expect(await Promise.all([urgent, newer])).toEqual(['urgent', 'newer low']);
  });

  it('with overflow dropOldest and queueMax 0, refuses when all slots are busy', async () => {
    const bulkhead = new BulkheadPolicy({ concurrentMax: 1, queueMax: 0, overflow: 'dropOldest' });
    const gate = deferred();
    const running = bulkhead.execute(() => gate.promise);
    await expect(bulkhead.execute(() => 'refused')).rejects.toMatchObject({ reason: 'queueFull' });
    gate.resolve();
    await running;
  });

  it('rejects an unknown overflow, naming the value', () => {
    expect(() => new BulkheadPolicy({ overflow: 'dropNewest' as never })).toThrow(
      /overflow must be rejectNew or dropOldest, was dropNewest/,
    );
  });

  it('isolates components: a saturated bulkhead does not delay calls through another', async () => {
    const clock = new FakeClock();
    const marketData = new BulkheadPolicy({ concurrentMax: 1, queueMax: 1, clock });
    const orders = new BulkheadPolicy({ concurrentMax: 1, queueMax: 1, clock });
    const gate = deferred();
    const stuck = marketData.execute(() => gate.promise);
    const waiting = marketData.execute(() => 'waited');
    await expect(marketData.execute(() => 'refused')).rejects.toMatchObject({ reason: 'queueFull' });
    expect(await orders.execute(() => 'placed')).toBe('placed');
    expect(orders.stats()).toMatchObject({ running: 0, queued: 0, rejected: 0 });
    gate.resolve();
    await stuck;
    expect(await waiting).toBe('waited');
  });
});
