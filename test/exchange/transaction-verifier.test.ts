// Goal: the three-phase protocol sends each order at most once unless proven absent, resolves every
// unknown by asking, records fills once and always ends in a terminal state.
// Method: a scripted in-memory exchange, SQLite journal, fake clock.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { Decimal } from '../../src/core/decimal.js';
import {
  clientOrderIdFor,
  type OrderFill,
  type OrderIntent,
} from '../../src/exchange/order-journal/order-intent.js';
import { OrderJournal } from '../../src/exchange/order-journal/order-journal.js';
import { SendGuard } from '../../src/exchange/transaction-verification/send-guard.js';
import { TransactionVerifier } from '../../src/exchange/transaction-verification/transaction-verifier.js';
import { SqliteDatabase } from '../../src/storage/sqlite-database.js';
import { FakeGateway } from '../support/fake-verification-gateway.js';

describe('TransactionVerifier', () => {
  let db: SqliteDatabase;
  let clock: FakeClock;
  let journal: OrderJournal;
  let gateway: FakeGateway;
  let verifier: TransactionVerifier;
  const fills: OrderFill[] = [];
  const finished: string[] = [];

  beforeEach(async () => {
    db = new SqliteDatabase({ path: ':memory:' });
    await db.migrate(OrderJournal.migrations);
    clock = new FakeClock();
    journal = new OrderJournal({ db, clock });
    gateway = new FakeGateway();
    fills.length = 0;
    finished.length = 0;
    verifier = new TransactionVerifier({
      journal,
      gateway,
      clock,
      options: {
        absenceGraceMs: 5_000,
        pollIntervalMs: 100,
        pollIntervalMaxMs: 1_000,
        orderLifetimeMs: 60_000,
      },
      ledger: {
        onOpen: async () => {},
        onFill: async (_intent, fill) => void fills.push(fill),
        onFinished: async (intent) => void finished.push(intent.id),
      },
    });
  });
  afterEach(async () => db.close());

  const prepare = async (signalId = 's1'): Promise<OrderIntent> =>
    (
      await journal.prepare({
        id: `o-${signalId}`,
        signalId,
        clientOrderId: clientOrderIdFor(signalId),
        market: { base: 'btc', quote: 'rls' },
        side: 'buy',
        execution: 'limit',
        amount: new Decimal('0.001'),
        price: new Decimal('7000000000'),
        cause: 'signal',
      })
    ).intent;

  /** Runs the verifier while the fake clock moves, until it settles. */
  const runToEnd = async (intent: OrderIntent, during?: () => void): Promise<OrderIntent> => {
    const done = verifier.run(intent);
    let settled: OrderIntent | undefined;
    void done.then((result) => {
      settled = result;
    });
    for (let i = 0; i < 400 && settled === undefined; i++) {
      await clock.advance(100);
      during?.();
    }
    return done;
  };

  it('accepts, polls and finishes a filled order, recording each fill once', async () => {
    gateway.script = ['accept'];
    const result = await runToEnd(await prepare(), () => {
      const order = gateway.orders[0];
      if (order !== undefined && order.status === 'Active' && gateway.trades.length === 0)
        gateway.fill(order.id, '0.001');
    });
    expect(result.state).toBe('FILLED');
    expect(gateway.placeCalls).toHaveLength(1);
    expect(fills.map((fill) => fill.tradeId)).toEqual(['t1']);
    expect(await journal.fills('o-s1')).toHaveLength(1);
    expect(finished).toEqual(['o-s1']);
  });

  it('resolves commit-then-fail by asking the exchange and never resends', async () => {
    gateway.script = ['commitThenUnknown'];
    const result = await runToEnd(await prepare(), () => {
      const order = gateway.orders[0];
      if (order !== undefined && order.status === 'Active') gateway.fill(order.id, '0.001');
    });
    expect(gateway.placeCalls).toHaveLength(1);
    expect(result.state).toBe('FILLED');
    const trail = (await journal.audit({ orderId: 'o-s1' })).map((event) => event.toState);
    expect(trail).toContain('UNKNOWN');
  });

  it('resends with the same clientOrderId only after the order is proven absent past the grace period', async () => {
    gateway.script = ['unknown', 'acceptFilled'];
    const result = await runToEnd(await prepare());
    expect(result.state).toBe('FILLED');
    expect(gateway.placeCalls).toHaveLength(2);
    expect(gateway.placeCalls[0]?.clientOrderId).toBe(gateway.placeCalls[1]?.clientOrderId);
    const events = await journal.audit({ orderId: 'o-s1' });
    const unknownAt = events.find((event) => event.toState === 'UNKNOWN')?.atMs ?? 0;
    const resentAt = events.filter((event) => event.toState === 'SUBMITTING')[1]?.atMs ?? 0;
    expect(resentAt - unknownAt).toBeGreaterThanOrEqual(5_000);
  });

  it('never resends while the exchange cannot be asked', async () => {
    gateway.script = ['unknown'];
    gateway.down = true;
    const run = verifier.run(await prepare());
    for (let i = 0; i < 100; i++) await clock.advance(1_000);
    expect(gateway.placeCalls).toHaveLength(1);
    expect((await journal.get('o-s1'))?.state).toBe('UNKNOWN');
    gateway.down = false;
    gateway.script = ['acceptFilled'];
    for (let i = 0; i < 30; i++) await clock.advance(1_000);
    expect((await run).state).toBe('FILLED');
    expect(gateway.placeCalls).toHaveLength(2);
  });

  it('expires an order proven absent once its send attempts are used up', async () => {
    gateway.script = ['unknown', 'unknown', 'unknown'];
    const result = await runToEnd(await prepare());
    expect(result.state).toBe('EXPIRED');
    expect(gateway.placeCalls).toHaveLength(3);
  });

  it('looks an order up when the exchange says its clientOrderId already exists', async () => {
    const intent = await prepare();
    gateway.script = ['accept'];
    await gateway.placeOrder({ ...intent, clientOrderId: intent.clientOrderId });
    gateway.script = ['duplicateCid'];
    const result = await runToEnd(intent, () => {
      const order = gateway.orders[0];
      if (order !== undefined && order.status === 'Active') gateway.fill(order.id, '0.001');
    });
    expect(result.state).toBe('FILLED');
    expect(result.exchangeOrderId).toBe(gateway.orders[0]?.id);
    expect(gateway.orders).toHaveLength(1);
  });

  it('ends a rejected order with the exchange code', async () => {
    gateway.script = ['reject'];
    const result = await runToEnd(await prepare());
    expect(result.state).toBe('REJECTED');
    expect(result.rejectCode).toBe('OverValueOrder');
  });

  it('goes back to PREPARED when the request provably never left, then sends it', async () => {
    gateway.script = ['notSent', 'acceptFilled'];
    const result = await runToEnd(await prepare());
    expect(result.state).toBe('FILLED');
    expect(result.submitCount).toBe(1);
    const states = (await journal.audit({ orderId: 'o-s1' })).map((event) => event.toState);
    expect(states.slice(0, 4)).toEqual(['PREPARED', 'SUBMITTING', 'PREPARED', 'SUBMITTING']);
  });

  it('treats an order found in SUBMITTING at start-up as unknown and resolves it', async () => {
    const intent = await prepare();
    gateway.script = ['accept'];
    await gateway.placeOrder({ ...intent });
    const submitting = await journal.transition(intent.id, 'SUBMITTING', {
      cause: 'crash test',
      patch: { submitCount: 1 },
    });
    gateway.fill(gateway.orders[0]?.id ?? '', '0.001');
    const result = await runToEnd(submitting);
    expect(result.state).toBe('FILLED');
    expect(gateway.placeCalls).toHaveLength(1);
  });

  it('holds a prepared order while sending is not allowed, and expires it at the send deadline', async () => {
    let allowed = false;
    const gated = new TransactionVerifier({
      journal,
      gateway,
      clock,
      sendGuard: new SendGuard({
        halted: async () => !allowed,
        staleAtMs: async () => undefined,
        requestTimeoutMs: 1_000,
        clock,
      }),
      options: { sendDeadlineMs: 60_000 },
    });
    const run = gated.run(await prepare());
    for (let i = 0; i < 30; i++) await clock.advance(1_000);
    expect(gateway.placeCalls).toHaveLength(0);
    for (let i = 0; i < 40; i++) await clock.advance(1_000);
    expect((await run).state).toBe('EXPIRED');
    expect(gateway.placeCalls).toHaveLength(0);
    allowed = true;
  });

  it('never sends a prepared order whose signal got too old while it waited, and ends it Stale', async () => {
    gateway.script = ['notSent'];
    const staleAtMs = clock.nowMs() + 500;
    const guarded = new TransactionVerifier({
      journal,
      gateway,
      clock,
      sendGuard: new SendGuard({
        halted: async () => false,
        staleAtMs: async () => staleAtMs,
        requestTimeoutMs: 1_000,
        clock,
      }),
      options: { sendDeadlineMs: 300_000 },
    });
    // The first send provably never left (breaker open, retry in 1 s): by then the signal is too old.
    const run = guarded.run(await prepare());
    for (let i = 0; i < 60; i++) await clock.advance(1_000);
    const ended = await run;
    expect(ended.state).toBe('EXPIRED');
    expect(ended.rejectCode).toBe('Stale');
    expect(gateway.placeCalls).toHaveLength(1);
  });

  it('ends an accepted order that vanished from the exchange after the grace period, never resending it', async () => {
    gateway.script = ['accept'];
    const run = verifier.run(await prepare());
    await clock.advance(1_000);
    gateway.orders.length = 0;
    for (let i = 0; i < 20; i++) await clock.advance(1_000);
    const result = await run;
    expect(result.state).toBe('EXPIRED');
    expect(result.lastError).toMatch(/no longer knows/);
    expect(gateway.placeCalls).toHaveLength(1);
    expect(finished).toEqual(['o-s1']);
  });

  it('cancels a resting order at the end of its lifetime', async () => {
    gateway.script = ['accept'];
    const run = verifier.run(await prepare());
    for (let i = 0; i < 70; i++) await clock.advance(1_000);
    const result = await run;
    expect(result.state).toBe('EXPIRED');
    expect(gateway.orders[0]?.status).toBe('Canceled');
  });
});
