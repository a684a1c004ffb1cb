// Goal: the failover set picks the preferred (or best-scored) healthy target, moves on only when
// shouldFailover agrees, marks targets unhealthy and back through probes, and fails back in order.
// Method: string targets with scripted outcomes, FakeClock for latency and probe timers, seeded Rng.
import { describe, expect, it } from 'vitest';
import { FakeClock } from './clock.js';
import { isNoHealthyTargetError } from './errors.js';
import { type FailoverOptions, FailoverSet } from './failover.js';
import { createRng } from './random.js';

class Down extends Error {}

function setup(options: Partial<FailoverOptions<string>> = {}) {
  const clock = new FakeClock(0);
  const down = new Set<string>();
  const probeDown = new Set<string>();
  const failover = new FailoverSet<string>({
    targets: ['a', 'b', 'c'],
    nameOf: (target) => target,
    probe: async (target) => {
      if (probeDown.has(target)) throw new Down(target);
    },
    failuresToUnhealthy: 2,
    successesToHealthy: 2,
    probeIntervalMs: 1_000,
    clock,
    ...options,
  });
  const call = (target: string) =>
    down.has(target) ? Promise.reject(new Down(target)) : Promise.resolve(target);
  return { clock, down, probeDown, failover, call };
}

const health = (failover: FailoverSet<string>) =>
  failover.stats().map((stats) => `${stats.name}:${stats.healthy}`);

describe('FailoverSet', () => {
  it('sends calls to the first target while it is healthy', async () => {
    const { failover, call } = setup();
    expect(await failover.execute(call)).toBe('a');
    expect(await failover.execute(call)).toBe('a');
  });

  it('fails over to the next target and reports it', async () => {
    const { failover, call, down } = setup();
    const events: string[] = [];
    failover.onFailover((event) =>
      events.push(`${event.from}->${event.to}:${(event.error as Error).message}`),
    );
    down.add('a');
    expect(await failover.execute(call)).toBe('b');
    expect(events).toEqual(['a->b:a']);
    expect(failover.stats()[0]).toMatchObject({
      consecutiveFailures: 1,
      healthy: true,
      lastFailureAtMs: 0,
      errorRate: 1,
    });
  });

  it('does not fail over when shouldFailover says the error is not the target fault', async () => {
    const { failover } = setup({ shouldFailover: (error) => error instanceof Down });
    const tried: string[] = [];
    const rejected = failover.execute(async (target) => {
      tried.push(target);
      throw new Error('400 bad request');
    });
    await expect(rejected).rejects.toThrow('400 bad request');
    expect(tried).toEqual(['a']);
    expect(failover.stats()[0]?.consecutiveFailures).toBe(0);
  });

  it('marks a target unhealthy after failuresToUnhealthy consecutive failures and skips it', async () => {
    const { failover, call, down } = setup();
    const changes: string[] = [];
    failover.onHealthChange((event) => changes.push(`${event.name}:${event.healthy}`));
    down.add('a');
    await failover.execute(call);
    await failover.execute(call);
    expect(changes).toEqual(['a:false']);
    const tried: string[] = [];
    await failover.execute(async (target) => void tried.push(target));
    expect(tried).toEqual(['b']);
  });

  it('resets consecutive failures on a success', async () => {
    const { failover, call, down } = setup();
    down.add('a');
    await failover.execute(call);
    down.delete('a');
    await failover.execute(call);
    down.add('a');
    await failover.execute(call);
    expect(failover.stats()[0]).toMatchObject({ healthy: true, consecutiveFailures: 1 });
  });

  it('rethrows the last error when every target failed', async () => {
    const { failover, call, down } = setup();
    for (const target of ['a', 'b', 'c']) down.add(target);
    await expect(failover.execute(call)).rejects.toThrow('c');
  });

  it('rejects with NoHealthyTargetError when no target is healthy', async () => {
    const { failover, call, down } = setup();
    for (const target of ['a', 'b', 'c']) down.add(target);
    await failover.execute(call).catch(() => undefined);
    await failover.execute(call).catch(() => undefined);
    const error = await failover.execute(call).catch((e: unknown) => e);
    expect(isNoHealthyTargetError(error)).toBe(true);
    expect(String(error)).toMatch(/no healthy target among 3: a \(2 consecutive failures\)/);
  });

  it('tries the least bad target when whenNoneHealthy is leastBad', async () => {
    const { failover, call, down } = setup({ whenNoneHealthy: 'leastBad', failuresToUnhealthy: 1 });
    for (const target of ['a', 'b', 'c']) down.add(target);
    await failover.execute(call).catch(() => undefined);
    down.delete('b');
    // All unhealthy with equal scores: order breaks the tie, so 'a' fails and 'b' answers.
    expect(await failover.execute(call)).toBe('b');
  });

  it('probes unhealthy targets on the clock and fails back to the preferred one', async () => {
    const { clock, failover, call, down, probeDown } = setup();
    const events: string[] = [];
    failover.onFailback((event) => events.push(`failback ${event.from}->${event.to}`));
    failover.onHealthChange((event) => events.push(`${event.name}:${event.healthy}`));
    down.add('a');
    probeDown.add('a');
    await failover.execute(call);
    await failover.execute(call);
    failover.start();
    await clock.advance(1_000);
    expect(health(failover)).toEqual(['a:false', 'b:true', 'c:true']);
    probeDown.delete('a');
    down.delete('a');
    await clock.advance(1_000);
    expect(health(failover)[0]).toBe('a:false'); // one success of two
    await clock.advance(1_000);
    expect(health(failover)[0]).toBe('a:true');
    expect(events).toEqual(['a:false', 'a:true', 'failback b->a']);
    expect(await failover.execute(call)).toBe('a');
    failover.stop();
    expect(clock.pendingTimerCount).toBe(0);
  });

  it('counts a probe that outlasts probeTimeoutMs as a failure', async () => {
    const { clock, failover } = setup({
      probeHealthy: true,
      probeTimeoutMs: 500,
      failuresToUnhealthy: 1,
      probe: (target) => (target === 'b' ? new Promise(() => undefined) : Promise.resolve()),
    });
    failover.start();
    await clock.advance(1_000);
    expect(health(failover)).toEqual(['a:true', 'b:true', 'c:true']);
    await clock.advance(500);
    expect(health(failover)).toEqual(['a:true', 'b:false', 'c:true']);
    failover.stop();
  });

  it('probes healthy targets only when probeHealthy is set', async () => {
    const probed: string[] = [];
    const { clock, failover } = setup({
      probe: async (target) => void probed.push(target),
    });
    failover.start();
    await clock.advance(1_000);
    expect(probed).toEqual([]);
    failover.stop();
    const withHealthy = setup({ probeHealthy: true, probe: async (target) => void probed.push(target) });
    withHealthy.failover.start();
    withHealthy.failover.start(); // idempotent: one round per interval
    await withHealthy.clock.advance(1_000);
    expect(probed).toEqual(['a', 'b', 'c']);
    withHealthy.failover.stop();
  });

  it('ignores probes still running when stopped', async () => {
    const { clock, failover } = setup({
      probeHealthy: true,
      failuresToUnhealthy: 1,
      probe: (_, signal) =>
        new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(new Down()))),
    });
    failover.start();
    await clock.advance(1_000);
    failover.stop();
    await clock.advance(10_000);
    expect(health(failover)).toEqual(['a:true', 'b:true', 'c:true']);
  });

  it('tracks latency as an EWMA and lowers the score of slow targets', async () => {
    const { clock, failover } = setup({ latencyAlpha: 0.5, latencyReferenceMs: 1_000 });
    for (const latencyMs of [1_000, 3_000]) {
      const pending = failover.execute(() => clock.sleep(latencyMs));
      await clock.advance(latencyMs);
      await pending;
    }
    expect(failover.stats()[0]).toMatchObject({ latencyEwmaMs: 2_000, score: 1_000 / 3_000 });
  });

  it('in scored mode draws targets in proportion to their score', async () => {
    const { clock, failover } = setup({ mode: 'scored', rng: createRng(7) });
    const latencyMs: Record<string, number> = { a: 0, b: 0, c: 9_000 };
    const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 500; i++) {
      const pending = failover.execute(async (target) => {
        await clock.sleep(latencyMs[target] ?? 0);
        return target;
      });
      await clock.advance(9_000);
      const target = await pending;
      counts[target] = (counts[target] ?? 0) + 1;
    }
    // Scores: a and b 1, c 1_000 / 10_000 = 0.1; expected share of c about 5 %.
    expect(failover.stats()[2]?.score).toBeCloseTo(0.1, 5);
    expect(counts['c']).toBeLessThan(60);
    expect(counts['a']).toBeGreaterThan(180);
    expect(counts['b']).toBeGreaterThan(180);
  });

  it('stops at once when the signal aborts', async () => {
    const { failover } = setup();
    const controller = new AbortController();
    const tried: string[] = [];
    const pending = failover.execute(
      async (target) => {
        tried.push(target);
        controller.abort();
        throw new Down(target);
      },
      { signal: controller.signal },
    );
    await expect(pending).rejects.toThrow(Down);
    expect(tried).toEqual(['a']);
  });

  it.each([
    [{ targets: [] }, /targets must hold 1 to targetsMax 64 targets, was 0/],
    [{ targetsMax: 2 }, /targets must hold 1 to targetsMax 2 targets, was 3/],
    [{ mode: 'random' as 'ordered' }, /mode must be 'ordered' or 'scored', was random/],
    [{ whenNoneHealthy: 'any' as 'reject' }, /whenNoneHealthy .* was any/],
    [{ failuresToUnhealthy: 0 }, /failuresToUnhealthy must be a positive integer, was 0/],
    [{ successesToHealthy: 1.5 }, /successesToHealthy .* was 1.5/],
    [{ outcomesMax: Number.POSITIVE_INFINITY }, /outcomesMax .* was Infinity/],
    [{ probeIntervalMs: 0 }, /probeIntervalMs must be finite and > 0, was 0/],
    [{ probeTimeoutMs: Number.NaN }, /probeTimeoutMs .* was NaN/],
    [{ latencyAlpha: 0 }, /latencyAlpha must be in \(0, 1\], was 0/],
    [{ latencyReferenceMs: -1 }, /latencyReferenceMs .* was -1/],
  ])('rejects bad option %o', (options, message) => {
    expect(() => setup(options)).toThrow(RangeError);
    expect(() => setup(options)).toThrow(message);
  });
});
