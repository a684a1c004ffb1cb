// Goal: spans continue a stored traceparent, ignore a malformed one, inherit the signal and order ids,
// and record a thrown error. Method: tracing started with an in-memory exporter.
import { SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../logging/logger.js';
import { startTracing, type Tracing } from '../monitoring/tracing/start-tracing.js';
import {
  activeTraceparent,
  addTraceIds,
  inSpan,
  ORDER_ID_ATTRIBUTE,
  SIGNAL_ID_ATTRIBUTE,
} from './tracing.js';

const STORED = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

describe('inSpan', () => {
  let exporter: InMemorySpanExporter;
  let tracing: Tracing;
  beforeEach(async () => {
    exporter = new InMemorySpanExporter();
    tracing = await startTracing({
      exporter,
      serviceName: 'keel',
      serviceVersion: 'test',
      instanceId: 'test',
      logger: silentLogger,
    });
  });
  afterEach(() => tracing.close());

  it('continues a stored traceparent as the remote parent', async () => {
    await inSpan('keel.signal', { traceparent: STORED }, async () => undefined);
    const [span] = exporter.getFinishedSpans();
    expect(span?.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(span?.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
  });

  it('starts a fresh trace when the stored traceparent is malformed', async () => {
    for (const broken of ['01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', 'garbage', ''])
      await inSpan('keel.signal', { traceparent: broken }, async () => undefined);
    for (const span of exporter.getFinishedSpans()) expect(span.parentSpanContext).toBeUndefined();
    await inSpan(
      'keel.signal',
      { traceparent: `00-${'0'.repeat(32)}-b7ad6b7169203331-01` },
      async () => undefined,
    );
    expect(exporter.getFinishedSpans().at(-1)?.spanContext().traceId).not.toBe('0'.repeat(32));
  });

  it('hands the ids down to the spans below, and takes ids learnt late', async () => {
    const traceparent = await inSpan('keel.webhook', {}, async () => {
      addTraceIds({ signalId: 'sig-1' });
      return activeTraceparent();
    });
    await inSpan('keel.signal', { ids: { signalId: 'sig-1' }, traceparent }, () =>
      inSpan('keel.verification', { ids: { orderId: 'ord-1' } }, () =>
        inSpan('keel.exchange.x', {}, async () => 1),
      ),
    );
    const byName = new Map(exporter.getFinishedSpans().map((span) => [span.name, span]));
    expect(byName.get('keel.webhook')?.attributes[SIGNAL_ID_ATTRIBUTE]).toBe('sig-1');
    expect(byName.get('keel.exchange.x')?.attributes).toMatchObject({
      [SIGNAL_ID_ATTRIBUTE]: 'sig-1',
      [ORDER_ID_ATTRIBUTE]: 'ord-1',
    });
    expect(new Set(exporter.getFinishedSpans().map((span) => span.spanContext().traceId)).size).toBe(1);
  });

  it('marks the span failed and rethrows what the step threw', async () => {
    await expect(
      inSpan('keel.decision', {}, async () => {
        throw new Error('exchange unreachable');
      }),
    ).rejects.toThrow('exchange unreachable');
    const [span] = exporter.getFinishedSpans();
    expect(span?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'exchange unreachable' });
    expect(span?.events.map((event) => event.name)).toEqual(['exception']);
  });
});
