// Goal (issue 17): the bulkheads settings reach the running bulkheads, whose running and queued calls
// are on /api/status and in /metrics from the first scrape. Method: a whole Keel in paper mode with
// non-default limits, read before any traffic.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parsePrometheusText } from '../support/prometheus-text.js';
import { type Harness, startHarness } from './app-harness.js';

describe('bulkheads of a running Keel', () => {
  let harness: Harness | undefined;
  afterEach(async () => harness?.close());

  it('runs with the configured limits and reports them on the status and in metrics', async () => {
    harness = await startHarness({
      bulkheads: {
        exchange: { orders: { concurrentMax: 3, queueMax: 7 } },
        api: { concurrentMax: 5, queueMax: 9 },
        alertChannels: { concurrentMax: 2, queueMax: 11 },
        engine: { concurrentMax: 6, queueMax: 13 },
      },
    });
    // The trading engine's bus subscription runs in a bulkhead of the configured limits.
    const started = harness;
    await vi.waitFor(() =>
      expect(started.app.engine.workStats()).toMatchObject({ concurrentMax: 6, queueMax: 13 }),
    );
    const status = (await harness.get('/api/status')) as { bulkheads: { name: string }[] };
    const byName = new Map(status.bulkheads.map((view) => [view.name, view]));
    expect([...byName.keys()].sort()).toEqual([
      'alertChannel.console',
      'api',
      'engine',
      'exchange.account',
      'exchange.marketData',
      'exchange.orders',
    ]);
    expect(byName.get('exchange.orders')).toMatchObject({ concurrentMax: 3, queueMax: 7, queued: 0 });
    expect(byName.get('exchange.account')).toMatchObject({ concurrentMax: 2, queueMax: 100 });
    expect(byName.get('alertChannel.console')).toMatchObject({ concurrentMax: 2, queueMax: 11, queued: 0 });
    expect(byName.get('engine')).toMatchObject({ concurrentMax: 6, queueMax: 13, queued: 0 });
    // The status request itself holds a slot of the API's bulkhead while it is answered.
    expect(byName.get('api')).toMatchObject({ concurrentMax: 5, queueMax: 9, running: 1, queued: 0 });
    const response = await harness.app.server.inject({ method: 'GET', url: '/metrics' });
    const samples = parsePrometheusText(response.body);
    const value = (name: string, bulkhead: string) =>
      samples.find((sample) => sample.name === name && sample.labels.includes(`bulkhead="${bulkhead}"`))
        ?.value;
    const names = ['api', 'exchange.orders', 'exchange.account', 'exchange.marketData', 'engine'];
    for (const bulkhead of [...names, 'alertChannel.console']) {
      expect(value('keel_bulkhead_queued', bulkhead), bulkhead).toBe(0);
      expect(value('keel_bulkhead_rejected_total', bulkhead), bulkhead).toBe(0);
    }
    expect(value('keel_bulkhead_queue_max', 'exchange.orders')).toBe(7);
    expect(value('keel_bulkhead_concurrent_limit', 'api')).toBe(5);
    expect(value('keel_bulkhead_queue_max', 'alertChannel.console')).toBe(11);
    expect(value('keel_bulkhead_concurrent_limit', 'engine')).toBe(6);
  });
});
