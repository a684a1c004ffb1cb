// Starts OpenTelemetry tracing when an OTLP endpoint (or, in tests, an exporter) is given: a tracer
// provider, the async-hooks context manager and an OTLP/HTTP (JSON) exporter behind a bounded batch
// queue. Without either nothing is loaded or registered, and core/tracing's spans stay no-ops.
import { context, DiagLogLevel, diag, trace } from '@opentelemetry/api';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { setTracingOn } from '../../core/tracing.js';
import type { Logger } from '../../logging/logger.js';
import { createDiagLogger } from './diag-logger.js';

export interface TracingOptions {
  /** The collector's traces URL (`http://collector:4318/v1/traces`); unset: tracing off. */
  readonly otlpEndpoint?: string | undefined;
  /** Replaces the OTLP exporter, spans exported one by one (tests: an in-memory exporter). */
  readonly exporter?: SpanExporter | undefined;
  readonly serviceName: string;
  readonly serviceVersion: string;
  readonly instanceId: string;
  readonly logger: Logger;
}

export interface Tracing {
  readonly enabled: boolean;
  /** Exports what is queued, then unregisters; spans after this are no-ops. */
  close(): Promise<void>;
}

/** Spans waiting for export at most; more are dropped (tracing never holds trading back). */
export const SPAN_QUEUE_SIZE_MAX = 2_048;
/** Spans per OTLP request at most. */
export const SPAN_BATCH_SIZE_MAX = 512;
/** Pause between exports, ms. */
export const EXPORT_DELAY_MS = 2_000;
/** One export request at most, ms. */
export const EXPORT_TIMEOUT_MS = 10_000;
/** Export requests in flight at most. */
export const EXPORT_CONCURRENCY_MAX = 2;

const TRACING_OFF: Tracing = { enabled: false, close: async () => undefined };

export async function startTracing(options: TracingOptions): Promise<Tracing> {
  if (options.otlpEndpoint === undefined && options.exporter === undefined) return TRACING_OFF;
  const [sdk, { AsyncLocalStorageContextManager }, { resourceFromAttributes }, semconv] = await Promise.all([
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/context-async-hooks'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/semantic-conventions'),
  ]);
  const processor =
    options.exporter === undefined
      ? new sdk.BatchSpanProcessor(await createOtlpExporter(String(options.otlpEndpoint)), {
          maxQueueSize: SPAN_QUEUE_SIZE_MAX,
          maxExportBatchSize: SPAN_BATCH_SIZE_MAX,
          scheduledDelayMillis: EXPORT_DELAY_MS,
          exportTimeoutMillis: EXPORT_TIMEOUT_MS,
        })
      : new sdk.SimpleSpanProcessor(options.exporter);
  const provider = new sdk.BasicTracerProvider({
    resource: resourceFromAttributes({
      [semconv.ATTR_SERVICE_NAME]: options.serviceName,
      [semconv.ATTR_SERVICE_VERSION]: options.serviceVersion,
      'service.instance.id': options.instanceId,
    }),
    spanProcessors: [processor],
  });
  // One provider per process: a second Keel in the same process (tests) shares the first one's.
  if (!trace.setGlobalTracerProvider(provider)) {
    options.logger.warn('tracing already started in this process: spans go to its exporter');
    setTracingOn(true);
    await provider.shutdown();
    return TRACING_OFF;
  }
  // Without it, a span would not see the one it was started under across an await.
  const contextRegistered = context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  diag.setLogger(createDiagLogger(options.logger), { logLevel: DiagLogLevel.WARN });
  setTracingOn(true);
  options.logger.info(
    // The host only: a URL may carry credentials.
    { otlpHost: options.otlpEndpoint === undefined ? 'none' : new URL(options.otlpEndpoint).host },
    'tracing started',
  );
  return {
    enabled: true,
    async close() {
      setTracingOn(false);
      try {
        await provider.shutdown();
      } finally {
        trace.disable();
        if (contextRegistered) context.disable();
        diag.disable();
      }
    },
  };
}

async function createOtlpExporter(url: string): Promise<SpanExporter> {
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
  return new OTLPTraceExporter({
    url,
    timeoutMillis: EXPORT_TIMEOUT_MS,
    concurrencyLimit: EXPORT_CONCURRENCY_MAX,
  });
}
