// Goal: the health registry reports the worst status, times out hanging checks, and gates readiness.
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../core/clock.js';
import { HealthRegistry } from './health-registry.js';

describe('HealthRegistry', () => {
  it('reports the worst status with reasons', async () => {
    const registry = new HealthRegistry();
    registry.register({ name: 'storage', component: 'storage', check: () => ({ status: 'healthy' }) });
    registry.register({
      name: 'breaker.orders',
      component: 'exchange',
      check: () => ({ status: 'degraded', reason: 'half-open' }),
    });
    const report = await registry.report();
    expect(report.status).toBe('degraded');
    expect(report.checks.find((c) => c.name === 'breaker.orders')?.reason).toBe('half-open');
  });

  it('marks a throwing check unhealthy with its message', async () => {
    const registry = new HealthRegistry();
    registry.register({
      name: 'storage',
      component: 'storage',
      check: () => Promise.reject(new Error('disk gone')),
    });
    expect((await registry.report()).checks[0]).toMatchObject({ status: 'unhealthy', reason: 'disk gone' });
  });

  it('marks a hanging check unhealthy after its deadline', async () => {
    const clock = new FakeClock();
    const registry = new HealthRegistry({ clock, checkTimeoutMs: 1_000 });
    registry.register({ name: 'slow', component: 'x', check: () => new Promise(() => {}) });
    const report = registry.report();
    await clock.advance(1_000);
    expect((await report).checks[0]).toMatchObject({
      status: 'unhealthy',
      reason: 'check timed out after 1000 ms',
    });
  });

  it('is not ready until every gate opens and storage answers', async () => {
    const registry = new HealthRegistry();
    let storageUp = false;
    registry.register({
      name: 'storage',
      component: 'storage',
      check: () => ({ status: storageUp ? 'healthy' : 'unhealthy', reason: 'down' }),
    });
    registry.setReady('startup-recovery', false, '3 orders to resolve');
    expect(await registry.readiness()).toEqual({
      ready: false,
      reasons: ['startup-recovery: 3 orders to resolve', 'storage: down'],
    });
    registry.setReady('startup-recovery', true);
    storageUp = true;
    expect(await registry.readiness()).toEqual({ ready: true, reasons: [] });
  });
});
