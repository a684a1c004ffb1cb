// Counters of the anomaly detector and of predictive recovery, on Keel's registry.
import { Counter, type Registry } from 'prom-client';

export function createAnomalyMetrics(registry: Registry) {
  const registers = [registry];
  return {
    anomalyFlags: new Counter({
      name: 'keel_anomaly_flags_total',
      help: 'Anomaly flags by series kind, currency and flag (spike, leak)',
      labelNames: ['kind', 'currency', 'flag'],
      registers,
    }),
    predictiveActions: new Counter({
      name: 'keel_predictive_actions_total',
      help: 'Predictive recovery actions by endpoint and action (drain, restore, throttle, unthrottle)',
      labelNames: ['endpoint', 'action'],
      registers,
    }),
  };
}

export type AnomalyMetrics = ReturnType<typeof createAnomalyMetrics>;
