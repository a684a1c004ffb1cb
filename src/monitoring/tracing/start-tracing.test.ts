// Goal: with an endpoint, spans leave over OTLP/HTTP with Keel's resource and ids; without one, tracing
// stays off. Method: a fake collector on a loopback port records what the exporter posts.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { trace } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { inSpan, ORDER_ID_ATTRIBUTE, SIGNAL_ID_ATTRIBUTE } from '../../core/tracing.js';
import { silentLogger } from '../../logging/logger.js';
import { startTracing, type Tracing } from './start-tracing.js';

interface Posted {
  readonly path: string | undefined;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

const base = { serviceName: 'keel', serviceVersion: '9.9.9', instanceId: 'test-1', logger: silentLogger };

describe('startTracing', () => {
  let server: Server | undefined;
  let tracing: Tracing | undefined;
  afterEach(async () => {
    await tracing?.close();
    tracing = undefined;
    await new Promise((resolve) => (server === undefined ? resolve(undefined) : server.close(resolve)));
    server = undefined;
  });

  it('posts spans to the configured OTLP endpoint with the service and the ids', async () => {
    const posted: Posted[] = [];
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        posted.push({ path: request.url, headers: request.headers, body: Buffer.concat(chunks).toString() });
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    tracing = await startTracing({ ...base, otlpEndpoint: `http://127.0.0.1:${port}/v1/traces` });
    expect(tracing.enabled).toBe(true);
    await inSpan('keel.signal', { ids: { signalId: 'sig-1' } }, () =>
      inSpan('keel.verification', { ids: { orderId: 'ord-1' } }, async () => undefined),
    );
    await tracing.close(); // flushes the batch
    tracing = undefined;
    expect(posted).toHaveLength(1);
    const [request] = posted;
    expect(request?.path).toBe('/v1/traces');
    expect(request?.headers['content-type']).toBe('application/json');
    const body = JSON.parse(request?.body ?? '{}') as OtlpBody;
    const resourceSpans = body.resourceSpans[0];
    expect(attribute(resourceSpans?.resource.attributes, 'service.name')).toBe('keel');
    expect(attribute(resourceSpans?.resource.attributes, 'service.instance.id')).toBe('test-1');
    const spans = resourceSpans?.scopeSpans.flatMap((scope) => scope.spans) ?? [];
    expect(spans.map((span) => span.name).sort()).toEqual(['keel.signal', 'keel.verification']);
    const verification = spans.find((span) => span.name === 'keel.verification');
    // The child inherits the signal id from the context and adds its own order id.
    expect(attribute(verification?.attributes, SIGNAL_ID_ATTRIBUTE)).toBe('sig-1');
    expect(attribute(verification?.attributes, ORDER_ID_ATTRIBUTE)).toBe('ord-1');
    expect(verification?.parentSpanId).toBe(spans.find((span) => span.name === 'keel.signal')?.spanId);
  });

  it('starts nothing without an endpoint: spans are no-ops', async () => {
    tracing = await startTracing(base);
    expect(tracing.enabled).toBe(false);
    await inSpan('keel.signal', { ids: { signalId: 'sig-1' } }, async (span) => {
      expect(span.isRecording()).toBe(false);
      expect(trace.getActiveSpan()?.isRecording() ?? false).toBe(false);
    });
  });
});

interface OtlpAttribute {
  readonly key: string;
  readonly value: { readonly stringValue?: string };
}

interface OtlpBody {
  readonly resourceSpans: readonly {
    readonly resource: { readonly attributes: readonly OtlpAttribute[] };
    readonly scopeSpans: readonly {
      readonly spans: readonly {
        readonly name: string;
        readonly spanId: string;
        readonly parentSpanId?: string;
        readonly attributes: readonly OtlpAttribute[];
      }[];
    }[];
  }[];
}

function attribute(attributes: readonly OtlpAttribute[] | undefined, key: string): string | undefined {
  return attributes?.find((candidate) => candidate.key === key)?.value.stringValue;
}
