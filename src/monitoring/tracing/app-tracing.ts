// Keel's tracing as its settings ask: OTLP export when tracing.otlpEndpoint is set, else off.
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { KEEL_VERSION, type KeelConfig } from '../../config/index.js';
import type { Logger } from '../../logging/logger.js';
import { startTracing, type Tracing } from './start-tracing.js';

export function startAppTracing(
  config: KeelConfig,
  logger: Logger,
  exporter?: SpanExporter,
): Promise<Tracing> {
  return startTracing({
    otlpEndpoint: config.tracing.otlpEndpoint,
    exporter,
    serviceName: 'keel',
    serviceVersion: KEEL_VERSION,
    instanceId: config.cluster.instanceId,
    logger,
  });
}
