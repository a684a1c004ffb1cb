// Goal: the controller matches rules by glob, method, window and count, sums latency, keeps the first
// terminal fault, validates rules, and counts injections by kind.
// Method: direct calls on a FakeClock with a seeded Rng.
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/clock.js';
import { createRng } from '../../core/random.js';
import { ChaosController } from './chaos.js';
import { globToRegExp } from './chaos-rules.js';

const controller = (clock = new FakeClock(0)) =>
  new ChaosController(clock, createRng(1), {
    applyDrift: () => {},
    setMarketClosed: () => {},
    setPrice: () => {},
  });

describe('ChaosController', () => {
  it('turns globs into anchored patterns', () => {
    expect(globToRegExp('/market/*').test('/market/orders/add')).toBe(true);
    expect(globToRegExp('/market/*').test('/v2/market/x')).toBe(false);
    expect(globToRegExp('/v2/options').test('/v2/optionsX')).toBe(false);
    expect(globToRegExp('*').test('/anything')).toBe(true);
  });

  it('sums latencies and keeps the first terminal fault, filtered by method', () => {
    const chaos = controller();
    chaos.add([
      { kind: 'latency', latencyMs: 100 },
      { kind: 'error', method: 'POST', status: 500 },
      { kind: 'latency', latencyMs: 50, jitterMs: 0 },
      { kind: 'reset' },
      { kind: 'hang' },
    ]);
    const get = chaos.forRequest('GET', '/x');
    expect(get.latencyMs).toBe(150);
    expect(get.terminal?.kind).toBe('reset');
    expect(chaos.forRequest('POST', '/x').terminal?.kind).toBe('error');
    expect(chaos.stats()).toMatchObject({ latency: 4, error: 1, reset: 1, hang: 0 });
  });

  it('keeps jitter within [0, jitterMs]', () => {
    const chaos = controller();
    chaos.add({ kind: 'latency', latencyMs: 10, jitterMs: 5 });
    for (let i = 0; i < 100; i++) {
      const { latencyMs } = chaos.forRequest('GET', '/');
      expect(latencyMs >= 10 && latencyMs <= 15).toBe(true);
    }
  });

  it('honours the time window on the clock', async () => {
    const clock = new FakeClock(0);
    const chaos = controller(clock);
    chaos.add({ kind: 'error', startAtMs: 100, endAtMs: 200 });
    expect(chaos.forRequest('GET', '/').terminal).toBeUndefined();
    await clock.advance(100);
    expect(chaos.forRequest('GET', '/').terminal?.kind).toBe('error');
    await clock.advance(100);
    expect(chaos.forRequest('GET', '/').terminal).toBeUndefined();
  });

  it('refuses unknown kinds, bad statuses and unknown fields', () => {
    const chaos = controller();
    expect(() => chaos.add({ kind: 'error', status: 404 } as never)).toThrow();
    expect(() => chaos.add({ kind: 'boom' } as never)).toThrow();
    expect(() => chaos.add({ kind: 'reset', extra: 1 } as never)).toThrow();
    expect(chaos.rules()).toEqual([]);
  });

  it('clears a scheduled drift before it runs', async () => {
    const clock = new FakeClock(0);
    let drifts = 0;
    const chaos = new ChaosController(clock, createRng(1), {
      applyDrift: () => drifts++,
      setMarketClosed: () => {},
      setPrice: () => {},
    });
    const [rule] = chaos.add({
      kind: 'drift',
      token: 'a'.repeat(40),
      currency: 'rls',
      balance: '0',
      startAtMs: 50,
    });
    chaos.clear([rule!.id]);
    await clock.advance(100);
    expect(drifts).toBe(0);
    expect(clock.pendingTimerCount).toBe(0);
  });
});
