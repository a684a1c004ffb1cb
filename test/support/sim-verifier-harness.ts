// The real order path over the simulator without HTTP sockets: NobitexClient → enhanced adapter →
// AdapterVerificationGateway → TransactionVerifier, with a SQLite journal in memory and one FakeClock
// shared with the simulator. Tests drive it step by step and look at the simulator's ground truth.
import { FakeClock } from '../../src/core/clock.js';
import { Decimal } from '../../src/core/decimal.js';
import { createRng } from '../../src/core/random.js';
import { AdapterVerificationGateway } from '../../src/exchange/enhanced-nobitex-adapter/adapter-verification-gateway.js';
import { EnhancedNobitexAdapter } from '../../src/exchange/enhanced-nobitex-adapter/enhanced-nobitex-adapter.js';
import { NobitexClient } from '../../src/exchange/nobitex-client/nobitex-client.js';
import {
  clientOrderIdFor,
  type OrderExecution,
  type OrderFill,
  type OrderIntent,
  type OrderSide,
} from '../../src/exchange/order-journal/order-intent.js';
import { OrderJournal } from '../../src/exchange/order-journal/order-journal.js';
import {
  createSimulator,
  SIMULATOR_DEFAULT_TOKEN,
  type Simulator,
} from '../../src/exchange/simulator/index.js';
import { InjectTransport } from '../../src/exchange/simulator/inject-transport.js';
import {
  TransactionVerifier,
  type TransactionVerifier as Verifier,
} from '../../src/exchange/transaction-verification/transaction-verifier.js';
import type { VerificationOptions } from '../../src/exchange/transaction-verification/verification-options.js';
import { SqliteDatabase } from '../../src/storage/sqlite-database.js';

export interface SimVerifierHarness {
  readonly clock: FakeClock;
  readonly simulator: Simulator;
  readonly gateway: AdapterVerificationGateway;
  readonly adapter: EnhancedNobitexAdapter;
  readonly journal: OrderJournal;
  readonly verifier: Verifier;
  /** Every fill the ledger sink received, in order (duplicates included: the sink must be idempotent). */
  readonly fills: OrderFill[];
  prepare(order: {
    readonly signalId: string;
    readonly symbol?: { base: string; quote: string };
    readonly side?: OrderSide;
    readonly execution?: OrderExecution;
    readonly amount: string;
    readonly price?: string | null;
  }): Promise<OrderIntent>;
  /** Runs the verifier on the fake clock until it settles or `limitMs` of fake time passed. */
  runToEnd(intent: OrderIntent, options?: { limitMs?: number; during?: () => void }): Promise<OrderIntent>;
  close(): Promise<void>;
}

export async function createSimVerifierHarness(
  options: { readonly seed?: number; readonly verification?: Partial<VerificationOptions> } = {},
): Promise<SimVerifierHarness> {
  const clock = new FakeClock(Date.UTC(2026, 0, 1, 12));
  const simulator = createSimulator({ seed: options.seed ?? 12, clock, priceTickMs: 0 });
  const transport = new InjectTransport({ simulator, clock, headersTimeoutMs: 5_000 });
  const client = new NobitexClient({
    transport,
    auth: { kind: 'token', token: SIMULATOR_DEFAULT_TOKEN },
    userAgent: 'TraderBot/keel-test',
    clock,
  });
  const adapter = new EnhancedNobitexAdapter({ client, clock, rng: createRng(5) });
  const gateway = new AdapterVerificationGateway({ adapter, clock });
  const db = new SqliteDatabase({ path: ':memory:' });
  await db.migrate(OrderJournal.migrations);
  const journal = new OrderJournal({ db, clock });
  const fills: OrderFill[] = [];
  const verifier = new TransactionVerifier({
    journal,
    gateway,
    clock,
    options: { pollIntervalMs: 200, pollIntervalMaxMs: 2_000, ...options.verification },
    ledger: {
      onOpen: async () => {},
      onFill: async (_intent, fill) => void fills.push(fill),
      onFinished: async () => {},
    },
  });
  return {
    clock,
    simulator,
    gateway,
    adapter,
    journal,
    verifier,
    fills,
    async prepare(order) {
      const { intent } = await journal.prepare({
        id: `o-${order.signalId}`,
        signalId: order.signalId,
        clientOrderId: clientOrderIdFor(order.signalId),
        market: (order.symbol ?? { base: 'btc', quote: 'rls' }) as OrderIntent['market'],
        side: order.side ?? 'buy',
        execution: order.execution ?? 'market',
        amount: new Decimal(order.amount),
        price: order.price === undefined || order.price === null ? null : new Decimal(order.price),
        cause: 'signal',
      });
      return intent;
    },
    async runToEnd(intent, runOptions = {}) {
      const done = verifier.run(intent);
      let settled = false;
      void done.then(
        () => {
          settled = true;
        },
        () => {
          settled = true;
        },
      );
      const limitMs = runOptions.limitMs ?? 600_000;
      for (let spentMs = 0; spentMs < limitMs && !settled; spentMs += 100) {
        await clock.advance(100);
        runOptions.during?.();
      }
      if (!settled) return (await journal.get(intent.id)) ?? intent;
      return done;
    },
    async close() {
      await adapter.close();
      await transport.close();
      await simulator.close();
      await db.close();
    },
  };
}
