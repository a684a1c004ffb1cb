// Goal: the API's handlers run in their bulkhead: past its running and queued calls a request is
// answered 503, a queued one runs when a slot frees, and routes outside it are never held up.
// Method: fastify with a route held open by a gate, requests by inject.
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { BulkheadPolicy } from '../../core/bulkhead.js';
import { FakeClock } from '../../core/clock.js';
import { apiBulkheadPlugin } from './api-bulkhead-plugin.js';

async function serve(bulkhead: BulkheadPolicy) {
  let open: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  const app = Fastify();
  await app.register(apiBulkheadPlugin, { bulkhead, prefix: '/api/', exempt: ['/api/events'] });
  app.get('/api/slow', async () => {
    await gate;
    return { ok: 'slow' };
  });
  app.get('/api/fast', async () => ({ ok: 'fast' }));
  app.get('/api/events', async () => ({ ok: 'events' }));
  app.get('/metrics', async () => ({ ok: 'metrics' }));
  return { app, open };
}

describe('apiBulkheadPlugin', () => {
  it('queues up to queueMax, answers 503 beyond it, and runs the queued request when a slot frees', async () => {
    const bulkhead = new BulkheadPolicy({ concurrentMax: 1, queueMax: 1, clock: new FakeClock() });
    const { app, open } = await serve(bulkhead);
    const slow = app.inject({ method: 'GET', url: '/api/slow' });
    await until(() => bulkhead.stats().running === 1);
    const queued = app.inject({ method: 'GET', url: '/api/fast' });
    await until(() => bulkhead.stats().queued === 1);
    const refused = await app.inject({ method: 'GET', url: '/api/fast?x=1' });
    expect(refused.statusCode).toBe(503);
    expect(refused.headers['retry-after']).toBe('1');
    // Outside the bulkhead: answered while it is full.
    expect((await app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/api/events' })).statusCode).toBe(200);
    open();
    expect((await slow).json()).toEqual({ ok: 'slow' });
    expect((await queued).json()).toEqual({ ok: 'fast' });
    await until(() => bulkhead.stats().running === 0);
    expect(bulkhead.stats()).toMatchObject({ running: 0, queued: 0, rejected: 1 });
    await app.close();
  });

  it('with queueMax 0 refuses a second request while the first runs', async () => {
    const bulkhead = new BulkheadPolicy({ concurrentMax: 1, queueMax: 0, clock: new FakeClock() });
    const { app, open } = await serve(bulkhead);
    const slow = app.inject({ method: 'GET', url: '/api/slow' });
    await until(() => bulkhead.stats().running === 1);
    expect((await app.inject({ method: 'GET', url: '/api/fast' })).statusCode).toBe(503);
    open();
    expect((await slow).statusCode).toBe(200);
    await app.close();
  });
});

/** Lets the event loop turn until the condition holds (bounded). */
async function until(condition: () => boolean): Promise<void> {
  for (let turn = 0; turn < 1_000 && !condition(); turn++)
    await new Promise((resolve) => setImmediate(resolve));
  expect(condition()).toBe(true);
}
