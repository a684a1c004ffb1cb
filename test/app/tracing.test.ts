// Goal (issue 17): a signal is one trace from the webhook to its ledger posting, across the durable bus,
// with the signal and order ids on its spans; without an endpoint nothing records. Method: a whole Keel
// in paper mode, one market buy, spans caught by an in-memory exporter.
import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { ORDER_ID_ATTRIBUTE, SIGNAL_ID_ATTRIBUTE } from '../../src/core/tracing.js';
import { type Harness, startHarness } from './app-harness.js';

describe('tracing of a running Keel', () => {
  let harness: Harness | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  it('traces one signal as one trace from the webhook to its ledger posting', async () => {
    const exporter = new InMemorySpanExporter();
    harness = await startHarness({}, {}, { spanExporter: exporter });
    const sent = await harness.webhook({ symbol: 'BTCIRT', side: 'buy', amount: '0.001' });
    expect(sent.status).toBe(202);
    const signalId = String(sent.json.signalId);
    const ofSignal = () =>
      exporter.getFinishedSpans().filter((span) => span.attributes[SIGNAL_ID_ATTRIBUTE] === signalId);
    // keel.signal ends last: after the order's verification and the signal's own end.
    await harness.waitFor(() => {
      const finished = new Set(ofSignal().map((span) => span.name));
      return REQUIRED_SPANS.every((name) => finished.has(name)) || undefined;
    }, 'every span of the signal');
    const spans = ofSignal();
    expect(new Set(spans.map((span) => span.spanContext().traceId)).size).toBe(1);
    // ...and the trace holds nothing else: every span in it is about this signal.
    const traceId = spans[0]?.spanContext().traceId;
    const inTrace = exporter.getFinishedSpans().filter((span) => span.spanContext().traceId === traceId);
    expect(inTrace.length).toBe(spans.length);
    const webhook = only(spans, 'keel.webhook');
    expect(webhook.parentSpanContext).toBeUndefined(); // the root: intake starts the trace
    expect(webhook.attributes['http.response.status_code']).toBe(202);
    // The bus is crossed through the stored signal: the engine's span is the webhook span's child.
    expect(only(spans, 'keel.signal').parentSpanContext?.spanId).toBe(webhook.spanContext().spanId);
    const orderId = only(spans, 'keel.verification').attributes[ORDER_ID_ATTRIBUTE];
    expect(orderId).toEqual(expect.any(String));
    for (const name of ['keel.exchange.placeOrder', 'keel.ledger.fill', 'keel.verification.step'])
      for (const span of spans.filter((candidate) => candidate.name === name))
        expect(span.attributes[ORDER_ID_ATTRIBUTE], name).toBe(orderId);
    expect(only(spans, 'keel.ledger.fill').attributes['keel.trade.id']).toEqual(expect.any(String));
    expect((await harness.app.signals.get(signalId))?.traceparent).toMatch(
      new RegExp(`^00-${webhook.spanContext().traceId}-${webhook.spanContext().spanId}-01$`),
    );
  });

  it('records nothing and stores no trace context when no endpoint is configured', async () => {
    harness = await startHarness();
    const sent = await harness.webhook({ symbol: 'BTCIRT', side: 'buy', amount: '0.001' });
    const signalId = String(sent.json.signalId);
    await harness.waitFor(
      async () => (await harness?.app.signals.get(signalId))?.state === 'executed' || undefined,
      'the trade',
    );
    expect((await harness.app.signals.get(signalId))?.traceparent).toBeUndefined();
    // No SDK is registered: the API hands out its no-op tracer.
    const span = trace.getTracer('keel').startSpan('probe');
    expect(span.isRecording()).toBe(false);
    span.end();
  });
});

const REQUIRED_SPANS = [
  'keel.webhook',
  'keel.signal',
  'keel.decision',
  'keel.order.prepare',
  'keel.verification',
  'keel.verification.step',
  'keel.exchange.placeOrder',
  'keel.ledger.fill',
];

function only(spans: readonly ReadableSpan[], name: string): ReadableSpan {
  const found = spans.filter((span) => span.name === name);
  expect(found, name).toHaveLength(1);
  return found[0] as ReadableSpan;
}
