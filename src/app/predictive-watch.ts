// Each predictive recovery action becomes a metric, an event on the dashboard's stream (the dashboard
// also lists the latest actions with their trends), and a warning alert while an endpoint is drained
// or throttled, resolved when it is restored or unthrottled.
import type { Event } from '../core/events.js';
import type { PredictiveAction } from '../exchange/connection-pool/predictive-recovery.js';
import type { AnomalyMetrics } from '../monitoring/anomaly/anomaly-metrics.js';
import type { AlertRules } from './alert-rules.js';
import type { Telemetry } from './telemetry.js';

export function watchPredictive(options: {
  onPredictiveAction: Event<PredictiveAction> | undefined;
  metrics: AnomalyMetrics;
  telemetry: Telemetry;
  rules: AlertRules;
}): void {
  options.onPredictiveAction?.((action) => {
    const { trend } = action;
    options.metrics.predictiveActions.inc({ endpoint: action.baseUrl, action: action.action });
    options.telemetry.emit('predictive', { ...action });
    const key = `predictive.${action.action === 'drain' || action.action === 'restore' ? 'drain' : 'throttle'}.${action.baseUrl}`;
    if (action.action === 'restore' || action.action === 'unthrottle') {
      options.rules.resolve(key);
      return;
    }
    const latency = `latency ${Math.round(trend.latencyNowMs)} ms, ${Math.round(trend.slopeMsPerS)} ms/s, ${Math.round(trend.forecastMs)} ms in ${trend.horizonMs / 1_000} s`;
    options.rules.raise({
      severity: 'warning',
      source: 'exchange',
      key,
      title: `${action.action} ${action.baseUrl}: ${action.reason === 'errorTrend' ? `errors ${Math.round(trend.errorShare * 100)} %` : latency} (threshold ${action.thresholdMs} ms)`,
      details: { ...action },
    });
  });
}
