// Spans around Keel's steps, on the OpenTelemetry API only. Until monitoring/tracing registers a
// provider the API's tracer is a no-op: spans record nothing and cost a small object each.
// The signal and order ids ride in the context, so every span below a signal or an order carries them.
import {
  type Attributes,
  type Context,
  context,
  createContextKey,
  INVALID_SPAN_CONTEXT,
  isSpanContextValid,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TraceFlags,
  trace,
} from '@opentelemetry/api';

const TRACER_NAME = 'keel';

/** The ids a span is about; children inherit them. */
export interface TraceIds {
  readonly signalId?: string;
  readonly orderId?: string;
}

export interface SpanOptions {
  readonly ids?: TraceIds;
  readonly attributes?: Attributes;
  /** A W3C traceparent stored earlier (the signal's, across the durable bus): the span continues it. */
  readonly traceparent?: string | undefined;
  readonly kind?: 'server' | 'client' | 'internal';
}

export const SIGNAL_ID_ATTRIBUTE = 'keel.signal.id';
export const ORDER_ID_ATTRIBUTE = 'keel.order.id';

const IDS_KEY = createContextKey('keel.trace.ids');
/** Handed to steps while tracing is off: records nothing. */
const OFF_SPAN = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
let tracingOn = false;
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const KINDS = { server: SpanKind.SERVER, client: SpanKind.CLIENT, internal: SpanKind.INTERNAL } as const;

/** Runs `fn` in a span named `name`; an error thrown marks the span failed and goes on. */
export function inSpan<T>(name: string, options: SpanOptions, fn: (span: Span) => Promise<T>): Promise<T> {
  // Off is free: no span, no context, not even a promise of its own.
  if (!tracingOn) return fn(OFF_SPAN);
  return inRecordedSpan(name, options, fn);
}

async function inRecordedSpan<T>(
  name: string,
  options: SpanOptions,
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  const parent = parentContext(options.traceparent);
  const ids: TraceIds = { ...(parent.getValue(IDS_KEY) as TraceIds | undefined), ...options.ids };
  const attributes: Attributes = { ...idAttributes(ids), ...options.attributes };
  const tracer = trace.getTracer(TRACER_NAME);
  const span = tracer.startSpan(name, { kind: KINDS[options.kind ?? 'internal'], attributes }, parent);
  try {
    return await context.with(trace.setSpan(parent, span).setValue(IDS_KEY, ids), () => fn(span));
  } catch (error) {
    span.recordException(error instanceof Error ? error : String(error));
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : '' });
    throw error;
  } finally {
    span.end();
  }
}

/** Set by monitoring/tracing once a tracer provider is registered, cleared when it closes. */
export function setTracingOn(on: boolean): void {
  tracingOn = on;
}

/** Adds ids to the active span (ids learnt late, such as a new signal's); a no-op outside a span. */
export function addTraceIds(ids: TraceIds): void {
  if (!tracingOn) return; // nothing records: skip the context lookup
  trace.getActiveSpan()?.setAttributes(idAttributes(ids));
}

/** Adds attributes to the active span; a no-op outside a span. */
export function addTraceAttributes(attributes: Attributes): void {
  if (!tracingOn) return; // nothing records: skip the context lookup
  trace.getActiveSpan()?.setAttributes(attributes);
}

/** The active span's W3C traceparent; undefined when nothing records (tracing off). */
export function activeTraceparent(): string | undefined {
  if (!tracingOn) return undefined;
  const spanContext = trace.getActiveSpan()?.spanContext();
  if (spanContext === undefined || !isSpanContextValid(spanContext)) return undefined;
  const flags = spanContext.traceFlags.toString(16).padStart(2, '0');
  return `00-${spanContext.traceId}-${spanContext.spanId}-${flags}`;
}

/** The stored traceparent's context when valid, else the active one. */
function parentContext(traceparent: string | undefined): Context {
  const match = traceparent === undefined ? null : TRACEPARENT.exec(traceparent);
  if (match === null) return context.active();
  const [, traceId = '', spanId = '', flags = '00'] = match;
  const spanContext = {
    traceId,
    spanId,
    traceFlags: Number.parseInt(flags, 16) as TraceFlags,
    isRemote: true,
  };
  if (!isSpanContextValid(spanContext)) return context.active();
  return trace.setSpanContext(ROOT_CONTEXT, spanContext);
}

function idAttributes(ids: TraceIds): Attributes {
  return {
    ...(ids.signalId === undefined ? {} : { [SIGNAL_ID_ATTRIBUTE]: ids.signalId }),
    ...(ids.orderId === undefined ? {} : { [ORDER_ID_ATTRIBUTE]: ids.orderId }),
  };
}
