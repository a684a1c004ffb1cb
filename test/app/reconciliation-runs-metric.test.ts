// Goal (issue 17): keel_reconciliations_total counts every comparison by outcome, so the breach alert
// rule (ops/prometheus/keel-alerts.yml) has a series to watch. Method: a whole Keel in paper mode, one
// reconciliation asked for, then a scrape.
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './app-harness.js';

describe('reconciliation runs metric', () => {
  let harness: Harness | undefined;
  afterEach(async () => harness?.close());

  it('counts a reconciliation run by its outcome', async () => {
    harness = await startHarness();
    const result = await harness.app.reconciliation.runNow();
    expect(result.status).toBe('ok');
    const response = await harness.app.server.inject({ method: 'GET', url: '/metrics' });
    expect(response.body).toContain('keel_reconciliations_total{outcome="ok"} 1');
  });
});
