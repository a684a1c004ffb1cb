// Goal (issue 6): a running Keel reports every component in its health registry and exposes the listed
// metric families as valid Prometheus text. Method: a whole Keel in paper mode, one signal.
import { afterEach, describe, expect, it } from 'vitest';
import { parsePrometheusText } from '../support/prometheus-text.js';
import { type Harness, startHarness } from './app-harness.js';

describe('health and metrics of a running Keel', () => {
  let harness: Harness | undefined;
  afterEach(async () => harness?.close());

  it('reports every component and the metric families after a trade', async () => {
    harness = await startHarness();
    const sent = await harness.webhook({ symbol: 'BTCIRT', side: 'buy', amount: '0.001' });
    const signalId = String(sent.json.signalId);
    await harness.waitFor(
      async () => (await harness?.app.signals.get(signalId))?.state === 'executed' || undefined,
      'the trade',
    );
    const report = await harness.app.health.report();
    expect(report.checks.map((check) => check.name).sort()).toEqual(
      [
        'alert-channels',
        'alert-channel.console',
        'breaker.account',
        'breaker.marketData',
        'breaker.orders',
        'bus',
        'exchange.endpoints',
        'reconciliation',
        'storage',
        'webhook-intake',
      ].sort(),
    );
    expect(report.checks.find((check) => check.name === 'webhook-intake')?.status).toBe('healthy');
    const response = await harness.app.server.inject({ method: 'GET', url: '/metrics' });
    const names = new Set(parsePrometheusText(response.body).map((sample) => sample.name));
    for (const family of [
      'keel_exchange_request_duration_seconds_bucket',
      'keel_pool_connections',
      'keel_rate_limit_remaining',
      'keel_queue_depth',
      'keel_signals_total',
      'keel_orders',
      'keel_verification_duration_seconds_bucket',
      'keel_reconciliation_difference',
      'keel_process_cpu_user_seconds_total',
    ])
      expect(names.has(family), family).toBe(true);
    expect(response.body).toContain('keel_signals_total{outcome="received"} 1');
  });
});
