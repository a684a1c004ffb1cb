// Goal (issue 17): every metric family has its series from the first scrape, so alert rules never see
// a gap: breakers at 0 (closed) per group, counters at 0 for their known labels, the engine in its
// stored mode. Method: a whole Keel in paper mode, scraped right after start, before any webhook.
import { afterEach, describe, expect, it } from 'vitest';
import { parsePrometheusText } from '../support/prometheus-text.js';
import { type Harness, startHarness } from './app-harness.js';

describe('metrics from the first scrape', () => {
  let harness: Harness | undefined;
  afterEach(async () => harness?.close());

  it('shows every registered family with at least one series before any traffic', async () => {
    harness = await startHarness({ engine: { initialMode: 'REDUCING' } });
    const response = await harness.app.server.inject({ method: 'GET', url: '/metrics' });
    const samples = parsePrometheusText(response.body);
    const families = harness.app.metrics.registry.getMetricsAsArray().map((metric) => metric.name);
    expect(families.length).toBeGreaterThan(20);
    const empty = families.filter(
      (family) => !samples.some((sample) => sample.name === family || sample.name.startsWith(`${family}_`)),
    );
    expect(empty).toEqual([]);
    for (const breaker of ['orders', 'account', 'marketData'])
      expect(response.body).toContain(`keel_breaker_state{breaker="${breaker}"} 0`);
    expect(response.body).toContain('keel_breaker_transitions_total{breaker="orders",to="open"} 0');
    expect(response.body).toContain('keel_signals_total{outcome="rejected_auth"} 0');
    expect(response.body).toContain('keel_alerts_total{severity="critical"} 0');
    expect(response.body).toContain('keel_reconciliations_total{outcome="breach"} 0');
    expect(response.body).toContain('keel_engine_mode 1'); // REDUCING from the start, not a default 0
  });
});
