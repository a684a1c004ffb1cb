// Goal (issue 17): an order left open by a previous run is verified, after a restart, in the trace its
// webhook started, because the signal stores its traceparent. Method: real store, journal and ledger on
// SQLite, a scripted exchange, tracing with an in-memory exporter; the order is prepared before the
// engine starts, as a crashed run leaves it.
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterEach, expect, it } from 'vitest';
import { busMigrations, MessageBus } from '../../src/bus/index.js';
import { FakeClock } from '../../src/core/clock.js';
import { Decimal } from '../../src/core/decimal.js';
import { createRng } from '../../src/core/random.js';
import {
  activeTraceparent,
  inSpan,
  ORDER_ID_ATTRIBUTE,
  SIGNAL_ID_ATTRIBUTE,
} from '../../src/core/tracing.js';
import { Engine } from '../../src/engine/engine.js';
import { KillSwitch, killSwitchMigrations } from '../../src/engine/kill-switch.js';
import { LedgerOrderSink } from '../../src/engine/ledger-sink.js';
import { clientOrderIdFor } from '../../src/exchange/order-journal/order-intent.js';
import { OrderJournal } from '../../src/exchange/order-journal/order-journal.js';
import { TransactionVerifier } from '../../src/exchange/transaction-verification/transaction-verifier.js';
import { silentLogger } from '../../src/logging/logger.js';
import { SignalStore } from '../../src/market-data/signal-store.js';
import { startTracing, type Tracing } from '../../src/monitoring/tracing/start-tracing.js';
import { Ledger } from '../../src/position/ledger.js';
import { SqliteDatabase } from '../../src/storage/sqlite-database.js';
import { FakeGateway } from '../support/fake-verification-gateway.js';

let tracing: Tracing | undefined;
let engine: Engine | undefined;
let db: SqliteDatabase | undefined;
afterEach(async () => {
  await engine?.stop(1_000);
  await db?.close();
  await tracing?.close();
});

it('verifies an order resumed at start-up in its signal’s trace, up to the ledger posting', async () => {
  const exporter = new InMemorySpanExporter();
  tracing = await startTracing({
    exporter,
    serviceName: 'keel',
    serviceVersion: 'test',
    instanceId: 'test',
    logger: silentLogger,
  });
  db = new SqliteDatabase({ path: ':memory:' });
  const clock = new FakeClock();
  await db.migrate([...busMigrations, ...OrderJournal.migrations, ...killSwitchMigrations]);
  const gateway = new FakeGateway();
  gateway.script = ['acceptFilled'];
  const ledger = await Ledger.open({ database: db, clock });
  await ledger.postOpening({ asset: 'rls', available: '1000000000000', blocked: '0' });
  const journal = new OrderJournal({ db, clock });
  const signals = new SignalStore({ db, clock, rng: createRng(1) });
  await signals.migrate();
  // The previous run: the webhook's span, the stored signal, a prepared order, then a crash.
  const { signalId, traceparent } = await inSpan('keel.webhook', {}, async () => {
    const traceparent = activeTraceparent();
    const signal = {
      symbol: 'BTCIRT',
      base: 'btc',
      quote: 'rls',
      side: 'buy',
      size: { kind: 'base', amount: '0.001' },
      order: { type: 'market' },
      alertAtMs: 0,
      alertTimeSource: 'received',
      receivedAtMs: 0,
    } as const;
    const accepted = await signals.accept({
      signal,
      dedupKey: 'resume',
      raw: '{}',
      sourceIp: undefined,
      traceparent,
    });
    return { signalId: accepted.signalId, traceparent };
  });
  expect(traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  await signals.updateState(signalId, 'processing');
  const { intent } = await journal.prepare({
    id: `ord-${signalId}`,
    signalId,
    clientOrderId: clientOrderIdFor(signalId),
    market: { base: 'btc', quote: 'rls' },
    side: 'buy',
    execution: 'market',
    amount: new Decimal('0.001'),
    price: null,
    cause: 'test',
  });
  engine = new Engine({
    signals,
    bus: new MessageBus({ db, clock }),
    journal,
    verifier: new TransactionVerifier({ journal, gateway, clock, ledger: new LedgerOrderSink(ledger) }),
    gateway,
    ledger,
    killSwitch: await KillSwitch.open({ db, clock }),
    clock,
    limits: {
      allowedSymbols: ['BTCIRT'],
      maxOrderValue: {},
      maxPositionPerSymbol: {},
      maxOrdersPerMinute: 100,
    },
  });
  await engine.start();
  for (let step = 0; step < 100 && (await signals.get(signalId))?.state !== 'executed'; step++)
    await clock.advance(100);
  expect((await signals.get(signalId))?.state).toBe('executed');
  const spans = exporter.getFinishedSpans();
  const traceId = traceparent?.split('-')[1];
  const resume = spans.find((span) => span.name === 'keel.order.resume');
  expect(resume?.spanContext().traceId).toBe(traceId);
  expect(resume?.parentSpanContext?.spanId).toBe(traceparent?.split('-')[2]);
  for (const name of ['keel.verification', 'keel.ledger.fill']) {
    const span = spans.find((candidate) => candidate.name === name);
    expect(span?.spanContext().traceId, name).toBe(traceId);
    expect(span?.attributes[SIGNAL_ID_ATTRIBUTE], name).toBe(signalId);
    expect(span?.attributes[ORDER_ID_ATTRIBUTE], name).toBe(intent.id);
  }
});
