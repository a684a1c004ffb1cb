// Goal (issue 16): over a real socket, a fill whose publication is lost (the simulator drops the
// connection instead of sending it) is still booked once: the link goes down, polling carries on, and
// after the reconnection REST is asked again. Method: a simulator on 127.0.0.1, the real adapter, the
// FillStream and the verifier on the system clock (the socket's timing is real); bounded waits only.
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import { Decimal } from '../../src/core/decimal.js';
import { createRng } from '../../src/core/random.js';
import {
  AdapterVerificationGateway,
  createEnhancedAdapter,
} from '../../src/exchange/enhanced-nobitex-adapter/index.js';
import { FillStream } from '../../src/exchange/fill-stream/fill-stream.js';
import { clientOrderIdFor, type OrderFill } from '../../src/exchange/order-journal/order-intent.js';
import { OrderJournal } from '../../src/exchange/order-journal/order-journal.js';
import { createSimulator, SIMULATOR_DEFAULT_TOKEN, WS_PATH } from '../../src/exchange/simulator/index.js';
import { TransactionVerifier } from '../../src/exchange/transaction-verification/transaction-verifier.js';
import { silentLogger } from '../../src/logging/logger.js';
import { SqliteDatabase } from '../../src/storage/sqlite-database.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('pushed fills over a real socket', () => {
  it.each([
    ['a drop', { kind: 'wsDrop', path: 'private:*', countMax: 1 }],
    ['a silent stall', { kind: 'wsStall', path: 'private:*', countMax: 1, stallMs: 3_000 }],
  ] as const)(
    'books a fill whose publication %s lost, once, by polling and catch-up',
    async (_name, fault) => {
      const simulator = createSimulator({ seed: 7, priceTickMs: 0, wsPingIntervalSeconds: 1 });
      cleanups.push(() => simulator.close());
      const baseUrl = await simulator.listen({ host: '127.0.0.1', port: 0 });
      const { adapter } = createEnhancedAdapter({
        baseUrls: [baseUrl],
        auth: { kind: 'token', token: SIMULATOR_DEFAULT_TOKEN },
        userAgent: 'TraderBot/keel-test',
        clock: systemClock,
        rng: createRng(7),
      });
      cleanups.push(() => adapter.close());
      const db = new SqliteDatabase({ path: ':memory:' });
      cleanups.push(() => db.close());
      await db.migrate(OrderJournal.migrations);
      const journal = new OrderJournal({ db, clock: systemClock });
      const stream = new FillStream({
        url: `${baseUrl.replace(/^http/, 'ws')}${WS_PATH}`,
        fetchToken: () => adapter.getWsToken(),
        fetchAuthParam: async () => (await adapter.getProfile()).websocketAuthParam ?? '',
        clock: systemClock,
        logger: silentLogger,
        reconnectDelayMinMs: 50,
        reconnectDelayMaxMs: 200,
        pingDelayMaxMs: 300,
        timeoutMs: 2_000,
      });
      cleanups.push(() => stream.stop());
      const links: boolean[] = [];
      stream.onLink(({ up }) => links.push(up));
      const fills: OrderFill[] = [];
      const verifier = new TransactionVerifier({
        journal,
        gateway: new AdapterVerificationGateway({ adapter, clock: systemClock }),
        clock: systemClock,
        push: stream,
        options: { pollIntervalMs: 100, pollIntervalMaxMs: 400, pushedPollIntervalMs: 60_000 },
        ledger: {
          onOpen: async () => {},
          onFill: async (_i, fill) => void fills.push(fill),
          onFinished: async () => {},
        },
      });
      stream.start();
      for (let i = 0; i < 100 && !stream.isUp(); i++) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(stream.isUp()).toBe(true);
      // Rests one step below the best ask: it fills at the next step down of the price.
      const book = JSON.parse(
        (await simulator.app.inject({ method: 'GET', url: '/v3/orderbook/BTCIRT' })).body,
      );
      const price = new Decimal(book.asks[0][0]).minus(10);
      const { intent } = await journal.prepare({
        id: 'o-1',
        signalId: 's-1',
        clientOrderId: clientOrderIdFor('s-1'),
        market: { base: 'btc', quote: 'rls' },
        side: 'buy',
        execution: 'limit',
        amount: new Decimal('0.002'),
        price,
        cause: 'test',
      });
      const running = verifier.run(intent, AbortSignal.timeout(15_000));
      for (let i = 0; i < 100 && (await journal.get('o-1'))?.state !== 'ACCEPTED'; i++)
        await new Promise((resolve) => setTimeout(resolve, 20));
      expect((await journal.get('o-1'))?.state).toBe('ACCEPTED');
      // The link is up, so the verifier polls only every 60 s: only the fallback can book in time.
      // The fault takes the fill's first publication (its trade) and the order state after it.
      simulator.chaos.add([fault]);
      for (let i = 0; i < 500 && simulator.trades().length === 0; i++) {
        simulator.tick();
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      const ended = await running;
      expect(ended.state).toBe('FILLED');
      const trades = simulator.trades();
      expect(trades.length).toBeGreaterThan(0);
      expect(fills.map((fill) => fill.tradeId).sort()).toEqual(
        trades.map((trade) => String(trade.id)).sort(),
      );
      expect(await journal.fills('o-1')).toHaveLength(trades.length);
      expect(simulator.chaos.stats()[fault.kind]).toBe(1);
      for (let i = 0; i < 100 && links.length < 3; i++)
        await new Promise((resolve) => setTimeout(resolve, 20));
      expect(links.slice(0, 3)).toEqual([true, false, true]);
      expect(stream.status().tradesReceived).toBe(0);
    },
  );
});
