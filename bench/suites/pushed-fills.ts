// Fills pushed over the simulator's WebSocket against fills polled (issue 16). The same resting limit
// orders (distinct amounts, each bought one price step below the best ask when placed, so it rests
// until the price next steps down) are driven by the transaction verifier through the real adapter
// stack to a simulator on loopback whose prices step every TICK_MS, WORKERS orders at a time; once
// with the FillStream feeding the verifier, once polling only (verification.pollIntervalMs 500, max
// 5 000, the defaults). Simulator, adapter and verifier share this process's event loop, so on a
// loaded machine the figures carry their CPU too.
// Fill seen → ledger posted: from the simulator's trade time (stamped when its price step starts;
// WARM_UP_TICKS run first, cold steps are slow) to the ledger sink's first onFill for that trade id,
// both on the system clock. REST requests per filled order: every request the simulator received
// (token and profile included) over the orders filled; an order the price never reached is cancelled
// after ORDER_LIFETIME_MS and its requests count too, in both modes.
import { systemClock } from '../../src/core/clock.js';
import { Decimal } from '../../src/core/decimal.js';
import { createRng } from '../../src/core/random.js';
import {
  AdapterVerificationGateway,
  createEnhancedAdapter,
} from '../../src/exchange/enhanced-nobitex-adapter/index.js';
import { FillStream } from '../../src/exchange/fill-stream/fill-stream.js';
import { clientOrderIdFor, type OrderIntent } from '../../src/exchange/order-journal/order-intent.js';
import { OrderJournal } from '../../src/exchange/order-journal/order-journal.js';
import {
  createSimulator,
  SIMULATOR_DEFAULT_TOKEN,
  type Simulator,
  WS_PATH,
} from '../../src/exchange/simulator/index.js';
import { TransactionVerifier } from '../../src/exchange/transaction-verification/transaction-verifier.js';
import { silentLogger } from '../../src/logging/logger.js';
import { SqliteDatabase } from '../../src/storage/sqlite-database.js';
import { type BenchRow, type BenchSuite, percentile, sleepMs } from '../harness.js';

const SUITE = 'pushed fills';
const ORDER_COUNT = 20;
const WORKERS = 4;
const TICK_MS = 200;
const ORDER_LIFETIME_MS = 30_000;
const PRICE_STEP_RIAL = 10;
/** Price steps before measuring: the first ones run cold (a tick stamps its trades when it starts). */
const WARM_UP_TICKS = 200;

interface RunResult {
  /** Fill seen → ledger posted, per trade, ms. */
  readonly latenciesMs: readonly number[];
  readonly requestsPerFilledOrder: number;
  readonly filledCount: number;
}

async function runOnce(pushed: boolean): Promise<RunResult> {
  const simulator = createSimulator({ seed: 16, priceTickMs: 0 });
  let requestCount = 0;
  simulator.app.server.on('request', () => void requestCount++);
  const baseUrl = await simulator.listen({ host: '127.0.0.1', port: 0 });
  const { adapter } = createEnhancedAdapter({
    baseUrls: [baseUrl],
    auth: { kind: 'token', token: SIMULATOR_DEFAULT_TOKEN },
    userAgent: 'TraderBot/keel-bench',
    clock: systemClock,
    rng: createRng(16),
  });
  const db = new SqliteDatabase({ path: ':memory:' });
  await db.migrate(OrderJournal.migrations);
  const journal = new OrderJournal({ db, clock: systemClock });
  const postedAtMs = new Map<string, number>();
  const stream = pushed
    ? new FillStream({
        url: `${baseUrl.replace(/^http/, 'ws')}${WS_PATH}`,
        fetchToken: () => adapter.getWsToken(),
        fetchAuthParam: async () => (await adapter.getProfile()).websocketAuthParam ?? '',
        clock: systemClock,
        logger: silentLogger,
        reconnectDelayMinMs: 500,
        reconnectDelayMaxMs: 20_000,
        pingDelayMaxMs: 10_000,
        timeoutMs: 5_000,
      })
    : undefined;
  const verifier = new TransactionVerifier({
    journal,
    gateway: new AdapterVerificationGateway({ adapter, clock: systemClock }),
    clock: systemClock,
    ...(stream === undefined ? {} : { push: stream }),
    options: { pollIntervalMs: 500, pollIntervalMaxMs: 5_000, orderLifetimeMs: ORDER_LIFETIME_MS },
    ledger: {
      onOpen: async () => {},
      onFill: async (_intent, fill) => {
        if (!postedAtMs.has(fill.tradeId)) postedAtMs.set(fill.tradeId, Date.now());
      },
      onFinished: async () => {},
    },
  });
  simulator.tick(WARM_UP_TICKS);
  const ticker = setInterval(() => simulator.tick(), TICK_MS);
  try {
    if (stream !== undefined) {
      stream.start();
      await waitUntilUp(stream);
    }
    let next = 0;
    let filledCount = 0;
    const worker = async () => {
      for (let index = next++; index < ORDER_COUNT; index = next++) {
        const price = (await bestAsk(simulator)).minus(PRICE_STEP_RIAL);
        const ended = await verifier.run(await prepare(journal, index, price));
        if (ended.state === 'FILLED') filledCount++;
      }
    };
    await Promise.all(Array.from({ length: WORKERS }, worker));
    const latenciesMs = simulator.trades().flatMap((trade) => {
      const posted = postedAtMs.get(String(trade.id));
      return posted === undefined ? [] : [posted - trade.atMs];
    });
    return { latenciesMs, requestsPerFilledOrder: requestCount / Math.max(1, filledCount), filledCount };
  } finally {
    clearInterval(ticker);
    stream?.stop();
    await adapter.close();
    await simulator.close();
    await db.close();
  }
}

async function prepare(journal: OrderJournal, index: number, price: Decimal): Promise<OrderIntent> {
  const signalId = `bench-push-${index}`;
  const { intent } = await journal.prepare({
    id: `o-${signalId}`,
    signalId,
    clientOrderId: clientOrderIdFor(signalId),
    market: { base: 'btc', quote: 'rls' },
    side: 'buy',
    execution: 'limit',
    amount: new Decimal('0.001').plus(new Decimal('0.000001').times(index)),
    price,
    cause: 'bench',
  });
  return intent;
}

/** The lowest ask now: a buy one step below it rests until the next step down of the price. */
async function bestAsk(simulator: Simulator): Promise<Decimal> {
  const answer = await simulator.app.inject({ method: 'GET', url: '/v3/orderbook/BTCIRT' });
  const asks = (JSON.parse(answer.body) as { asks: [string, string][] }).asks;
  return new Decimal(asks[0]?.[0] ?? simulator.lastPrice('BTCIRT'));
}

async function waitUntilUp(stream: FillStream): Promise<void> {
  const deadlineMs = Date.now() + 10_000;
  while (!stream.isUp()) {
    if (Date.now() > deadlineMs) throw new Error(`fill stream not up: ${stream.status().lastError}`);
    await sleepMs(20);
  }
}

export const pushedFillsSuite: BenchSuite = {
  name: 'pushed-fills',
  async run(): Promise<BenchRow[]> {
    const polled = await runOnce(false);
    const pushed = await runOnce(true);
    const p99 = (run: RunResult) => percentile(run.latenciesMs, 0.99);
    const pushedP99 = p99(pushed);
    const polledP99 = p99(polled);
    return [
      {
        suite: SUITE,
        name: `fill seen → ledger posted p99, polled (${polled.latenciesMs.length} fills)`,
        median: polledP99,
        ...minMax(polled.latenciesMs),
        unit: 'ms',
      },
      {
        suite: SUITE,
        name: `fill seen → ledger posted p99, pushed (${pushed.latenciesMs.length} fills)`,
        median: pushedP99,
        ...minMax(pushed.latenciesMs),
        unit: 'ms',
        ratio: pushedP99 / Math.max(polledP99, 1e-9),
        baseline: 'polled',
        target: 'p99 < 50 ms',
        met: pushed.latenciesMs.length > 0 && pushedP99 < 50,
      },
      {
        suite: SUITE,
        name: `REST requests per filled order, polled (${polled.filledCount} filled)`,
        median: polled.requestsPerFilledOrder,
        min: polled.requestsPerFilledOrder,
        max: polled.requestsPerFilledOrder,
        unit: 'requests',
      },
      {
        suite: SUITE,
        name: `REST requests per filled order, socket up (${pushed.filledCount} filled)`,
        median: pushed.requestsPerFilledOrder,
        min: pushed.requestsPerFilledOrder,
        max: pushed.requestsPerFilledOrder,
        unit: 'requests',
        ratio: pushed.requestsPerFilledOrder / polled.requestsPerFilledOrder,
        baseline: 'polled',
        target: '≤ 0.5 × polled',
        met: pushed.filledCount > 0 && pushed.requestsPerFilledOrder * 2 <= polled.requestsPerFilledOrder,
      },
    ];
  },
};

/** Min and max of the values as the row's range (0 when none). */
function minMax(values: readonly number[]): { min: number; max: number } {
  return values.length === 0 ? { min: 0, max: 0 } : { min: Math.min(...values), max: Math.max(...values) };
}
