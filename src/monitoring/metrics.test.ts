// Goal: /metrics output is valid Prometheus text with Keel's metrics and process metrics in it.
import { describe, expect, it } from 'vitest';
import { parsePrometheusText } from '../../test/support/prometheus-text.js';
import { createMetrics } from './metrics.js';

describe('createMetrics', () => {
  it('exposes valid Prometheus text with observed values', async () => {
    const metrics = createMetrics();
    metrics.exchangeRequestSeconds.observe({ endpoint: 'orders.add', outcome: 'ok' }, 0.012);
    metrics.breakerState.set({ breaker: 'orders' }, 2);
    metrics.signals.inc({ outcome: 'accepted' });
    const samples = parsePrometheusText(await metrics.registry.metrics());
    expect(samples.find((s) => s.name === 'keel_breaker_state')?.value).toBe(2);
    expect(samples.some((s) => s.name === 'keel_exchange_request_duration_seconds_bucket')).toBe(true);
    expect(samples.some((s) => s.name === 'keel_process_cpu_user_seconds_total')).toBe(true);
  });

  it('collects the process metrics once, shared by every registry (no observer per app)', async () => {
    const first = createMetrics();
    const second = createMetrics();
    const name = 'keel_process_cpu_user_seconds_total';
    expect(first.registry.getSingleMetric(name)).toBeDefined();
    expect(second.registry.getSingleMetric(name)).toBe(first.registry.getSingleMetric(name));
    expect(parsePrometheusText(await second.registry.metrics()).some((s) => s.name === name)).toBe(true);
  });

  it('keeps separate registries apart', async () => {
    const first = createMetrics({ processMetrics: false });
    const second = createMetrics({ processMetrics: false });
    first.signals.inc({ outcome: 'duplicate' });
    expect(await second.registry.metrics()).not.toContain('outcome="duplicate"');
  });

  it('rejects text that is not Prometheus format', () => {
    expect(() => parsePrometheusText('keel{bad 1')).toThrow(/not a sample/);
    expect(() => parsePrometheusText('keel metric 1')).toThrow(/bad value/);
    expect(() => parsePrometheusText('# TYPE x nonsense')).toThrow(/bad TYPE/);
  });
});
