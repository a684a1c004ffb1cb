// Issue 12, failure mode 7: Nobitex's 10-second duplicate guard dropped real signals. Two distinct
// signals with identical order parameters within 10 s (two strategies, one account) were both
// answered 202, and the second ended `rejected: DuplicateOrder`. Keel has its own idempotency (the
// clientOrderId per signal): both must trade, and never twice. Method: the real client, adapter and
// verifier over the simulator (in-process), which keeps the guard as Nobitex has it; fake clock.
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { Decimal } from '../../src/core/decimal.js';
import { clientOrderIdFor } from '../../src/exchange/order-journal/order-intent.js';
import { OrderJournal } from '../../src/exchange/order-journal/order-journal.js';
import { TransactionVerifier } from '../../src/exchange/transaction-verification/transaction-verifier.js';
import { SqliteDatabase } from '../../src/storage/sqlite-database.js';
import { FakeGateway } from '../support/fake-verification-gateway.js';
import { placeManualOrder } from '../support/sim-manual-order.js';
import { createSimVerifierHarness, type SimVerifierHarness } from '../support/sim-verifier-harness.js';

let harness: SimVerifierHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('issue 12 mode 7: the 10-second duplicate guard', () => {
  it('trades two distinct signals with identical parameters, each once', async () => {
    harness = await createSimVerifierHarness();
    const { simulator } = harness;
    // Step 1: two strategies on one account alert the same market buy at the same moment.
    const first = await harness.prepare({ signalId: 'strategy-a', amount: '0.002' });
    const second = await harness.prepare({ signalId: 'strategy-b', amount: '0.002' });
    // Step 2: both are sent; Nobitex places the first and refuses the second (DuplicateOrder).
    const [a, b] = await Promise.all([harness.runToEnd(first), harness.runToEnd(second)]);
    // Step 3: the refused one placed nothing; it goes again at once past the guard (pro), with its own
    // clientOrderId, and fills. Nothing was placed twice.
    expect(a.state).toBe('FILLED');
    expect(b.state).toBe('FILLED');
    const byClientId = (id: string) => simulator.groundTruthOrders().filter((o) => o.clientOrderId === id);
    expect(byClientId(first.clientOrderId)).toHaveLength(1);
    expect(byClientId(second.clientOrderId)).toHaveLength(1);
    const trail = await harness.journal.audit({ orderId: second.id });
    const refused = trail.find((event) => event.cause.startsWith('DuplicateOrder'));
    expect(refused?.toState).toBe('PREPARED');
    const resent = trail.filter((event) => event.toState === 'SUBMITTING');
    expect(resent).toHaveLength(2);
    expect((resent[1]?.atMs ?? 0) - (resent[0]?.atMs ?? 0)).toBeLessThan(10_000);
  });

  it('waits out an identical order the account holder placed by hand', async () => {
    harness = await createSimVerifierHarness();
    const { simulator } = harness;
    const manual = await placeManualOrder(simulator, {
      type: 'buy',
      srcCurrency: 'btc',
      dstCurrency: 'rls',
      amount: '0.002',
    });
    expect(manual.status).toBe('ok');
    const intent = await harness.prepare({ signalId: 'after-manual', amount: '0.002' });
    const result = await harness.runToEnd(intent);
    expect(result.state).toBe('FILLED');
    expect(
      simulator.groundTruthOrders().filter((o) => o.clientOrderId === intent.clientOrderId),
    ).toHaveLength(1);
  });
});

describe('issue 12 mode 7: which send may go past the guard', () => {
  async function setup() {
    const db = new SqliteDatabase({ path: ':memory:' });
    await db.migrate(OrderJournal.migrations);
    const clock = new FakeClock();
    const journal = new OrderJournal({ db, clock });
    const gateway = new FakeGateway();
    const verifier = new TransactionVerifier({
      journal,
      gateway,
      clock,
      options: { absenceGraceMs: 5_000, pollIntervalMs: 100, pollIntervalMaxMs: 1_000 },
    });
    const { intent } = await journal.prepare({
      id: 'o-1',
      signalId: 's-1',
      clientOrderId: clientOrderIdFor('s-1'),
      market: { base: 'btc', quote: 'rls' },
      side: 'buy',
      execution: 'market',
      amount: new Decimal('0.001'),
      price: null,
      cause: 'signal',
    });
    const run = async () => {
      const done = verifier.run(intent);
      let settled = false;
      void done.finally(() => {
        settled = true;
      });
      for (let i = 0; i < 2_000 && !settled; i++) await clock.advance(100);
      return done;
    };
    return { db, journal, gateway, run };
  }

  it('only the send right after a refused first send goes past the guard', async () => {
    const { db, gateway, run } = await setup();
    gateway.script = ['duplicateOrder', 'acceptFilled'];
    expect((await run()).state).toBe('FILLED');
    expect(gateway.placeCalls.map((call) => call.pastDuplicateGuard === true)).toEqual([false, true]);
    await db.close();
  });

  it('asks the exchange before sending again: the identical order may be its own', async () => {
    const { db, journal, gateway, run } = await setup();
    // Step 1: the first send times out (UNKNOWN); proven absent, it is sent again and the guard refuses.
    gateway.script = ['unknown', 'duplicateOrder', 'acceptFilled'];
    const result = await run();
    // Step 2: that refusal leads to a lookup (UNKNOWN), not to a send past the guard.
    const trail = (await journal.audit({ orderId: 'o-1' })).map(
      (event) => `${event.toState}: ${event.cause}`,
    );
    const refusedAt = trail.findIndex((line) => line.includes('DuplicateOrder'));
    expect(trail[refusedAt]).toMatch(/^UNKNOWN/);
    expect(result.state).toBe('FILLED');
    expect(gateway.placeCalls).toHaveLength(3);
    expect(gateway.placeCalls.some((call) => call.pastDuplicateGuard === true)).toBe(false);
    await db.close();
  });
});
