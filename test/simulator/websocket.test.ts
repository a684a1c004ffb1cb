// Goal: the simulator serves Nobitex's WebSocket as the reference describes it (Centrifugo JSON
// protocol, token from /auth/ws/token/, private channels named by websocketAuthParam, `data` a JSON
// string), and its chaos kinds drop, lose, stall, double and reorder publications; Keel's FillStream reads
// it through the `centrifuge` client. Method: a real simulator on 127.0.0.1 (port 0); the socket's
// timing is real, so waits are bounded vi.waitFor polls, never fixed sleeps.
import { afterEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { systemClock } from '../../src/core/clock.js';
import { Decimal } from '../../src/core/decimal.js';
import { FillStream } from '../../src/exchange/fill-stream/fill-stream.js';
import type { ExchangeTrade } from '../../src/exchange/transaction-verification/gateway.js';
import type { PushedOrder } from '../../src/exchange/transaction-verification/push-feed.js';
import type { Logger } from '../../src/logging/logger.js';
import { call, harness, limitPrice, OTHER_TOKEN, TOKEN } from './helpers.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A logger that keeps every line it is given, to look for secrets. */
function recordingLogger(lines: string[]): Logger {
  const logger: Logger = {
    child: () => logger,
    trace: (...args: unknown[]) => void lines.push(JSON.stringify(args)),
    debug: (...args: unknown[]) => void lines.push(JSON.stringify(args)),
    info: (...args: unknown[]) => void lines.push(JSON.stringify(args)),
    warn: (...args: unknown[]) => void lines.push(JSON.stringify(args)),
    error: (...args: unknown[]) => void lines.push(JSON.stringify(args)),
    fatal: (...args: unknown[]) => void lines.push(JSON.stringify(args)),
  } as unknown as Logger;
  return logger;
}

async function setup(options: { tokenTtlMs?: number } = {}) {
  const { sim, clock } = harness({ wsPingIntervalSeconds: 1, wsTokenTtlMs: options.tokenTtlMs ?? 900_000 });
  const url = await sim.listen({ host: '127.0.0.1', port: 0 });
  cleanups.push(() => sim.close());
  const tokens: string[] = [];
  const lines: string[] = [];
  const stream = new FillStream({
    url: `${url.replace('http', 'ws')}/connection/websocket`,
    fetchToken: async () => {
      const answer = await call(sim, 'GET', '/auth/ws/token/');
      const token = String(answer.body.token);
      tokens.push(token);
      return token;
    },
    fetchAuthParam: async () => String((await call(sim, 'GET', '/users/profile')).body.websocketAuthParam),
    clock: systemClock,
    logger: recordingLogger(lines),
    reconnectDelayMinMs: 50,
    reconnectDelayMaxMs: 200,
    pingDelayMaxMs: 300,
    timeoutMs: 2_000,
  });
  const trades: ExchangeTrade[] = [];
  const orders: PushedOrder[] = [];
  const links: boolean[] = [];
  stream.onTrade((trade) => trades.push(trade));
  stream.onOrder((order) => orders.push(order));
  stream.onLink(({ up }) => links.push(up));
  cleanups.push(() => stream.stop());
  stream.start();
  await vi.waitFor(() => expect(stream.isUp()).toBe(true), { timeout: 5_000, interval: 20 });
  return { sim, clock, stream, trades, orders, links, tokens, lines };
}

async function placeRestingBuy(sim: ReturnType<typeof harness>['sim']) {
  const price = limitPrice(sim, 'BTCIRT', 0.02);
  const answer = await call(sim, 'POST', '/market/orders/add', {
    type: 'buy',
    srcCurrency: 'btc',
    dstCurrency: 'rls',
    amount: '0.01',
    price,
    clientOrderId: `ws-${Math.random().toString(16).slice(2, 10)}`,
  });
  expect(answer.body.status).toBe('ok');
  return answer.body.order as { id: number };
}

describe('simulator WebSocket', () => {
  it('answers a ws token and pushes trades and order states of a fill on the private channels', async () => {
    const { sim, trades, orders } = await setup();
    const order = await placeRestingBuy(sim);
    await vi.waitFor(() => expect(orders.some((o) => o.status === 'Done')).toBe(true), { timeout: 5_000 });
    expect(trades.length).toBeGreaterThan(0);
    expect(trades.every((t) => t.orderId === String(order.id))).toBe(true);
    const done = orders.find((o) => o.status === 'Done');
    expect(done?.matchedAmount.toString()).toBe('0.01');
    expect(trades.reduce((sum, t) => sum.plus(t.amount), new Decimal(0)).toString()).toBe('0.01');
  });

  it('refuses private channels of another account', async () => {
    // The default account connects, but asks for another account's channels: refused, never up.
    const { sim } = harness({
      wsPingIntervalSeconds: 1,
      accounts: [{ token: TOKEN }, { token: OTHER_TOKEN }],
    });
    const url = await sim.listen({ host: '127.0.0.1', port: 0 });
    cleanups.push(() => sim.close());
    const other = new FillStream({
      url: `${url.replace('http', 'ws')}/connection/websocket`,
      fetchToken: async () =>
        String((await call(sim, 'GET', '/auth/ws/token/', undefined, TOKEN)).body.token),
      fetchAuthParam: async () =>
        String((await call(sim, 'GET', '/users/profile', undefined, OTHER_TOKEN)).body.websocketAuthParam),
      clock: systemClock,
      logger: recordingLogger([]),
      reconnectDelayMinMs: 50,
      reconnectDelayMaxMs: 200,
      pingDelayMaxMs: 300,
      timeoutMs: 2_000,
    });
    cleanups.push(() => other.stop());
    other.start();
    await vi.waitFor(() => expect(other.status().lastError).toMatch(/refused|103|permission/), {
      timeout: 5_000,
    });
    expect(other.isUp()).toBe(false);
  });

  it('doubles and reorders publications under wsDuplicate and wsReorder', async () => {
    const { sim, trades, orders } = await setup();
    sim.chaos.add([
      { kind: 'wsDuplicate', path: 'private:trades#*' },
      { kind: 'wsReorder', path: 'private:orders#*', countMax: 1, holdMs: 1_000 },
    ]);
    await placeRestingBuy(sim);
    await vi.waitFor(() => expect(orders.some((o) => o.status === 'Done')).toBe(true), { timeout: 5_000 });
    await vi.waitFor(() => expect(sim.chaos.stats().wsReorder).toBe(1), { timeout: 5_000 });
    const ids = trades.map((t) => t.id);
    expect(new Set(ids).size).toBeLessThan(ids.length);
    // The first state was held back behind a later one: the filled amounts arrive out of order.
    await vi.waitFor(
      () => {
        const backwards = orders.some(
          (o, i) => i > 0 && o.matchedAmount.lt(orders[i - 1]?.matchedAmount ?? 0),
        );
        expect(backwards).toBe(true);
      },
      { timeout: 5_000 },
    );
  });

  it('a drop takes the link down, and it comes back up on its own', async () => {
    const { sim, stream, links } = await setup();
    sim.chaos.add([{ kind: 'wsDrop', path: 'private:*', countMax: 1 }]);
    await placeRestingBuy(sim);
    await vi.waitFor(() => expect(links).toEqual([true, false, true]), { timeout: 5_000, interval: 20 });
    expect(stream.status().reconnectCount).toBe(1);
  });

  it('loses a publication under wsLose and keeps the link up: nothing tells the client', async () => {
    const { sim, stream, trades, orders, links } = await setup();
    sim.chaos.add([{ kind: 'wsLose', path: 'private:trades#*', countMax: 1 }]);
    await placeRestingBuy(sim);
    await vi.waitFor(() => expect(orders.some((o) => o.status === 'Done')).toBe(true), { timeout: 5_000 });
    expect(sim.chaos.stats().wsLose).toBe(1);
    const filled = sim.trades().length;
    expect(filled).toBeGreaterThan(0);
    // Each of the order's trades was published; the first never arrived, the others did.
    expect(trades.map((t) => t.id)).toEqual(
      sim
        .trades()
        .slice(1)
        .map((t) => String(t.id)),
    );
    expect(links).toEqual([true]);
    expect(stream.isUp()).toBe(true);
  });

  it('a silent stall (no frames, socket open) is noticed by the missing pings and the link rebuilt', async () => {
    const { sim, stream, links } = await setup();
    sim.chaos.add([{ kind: 'wsStall', path: 'private:*', countMax: 1, stallMs: 5_000 }]);
    await placeRestingBuy(sim);
    await vi.waitFor(() => expect(links.slice(0, 2)).toEqual([true, false]), {
      timeout: 5_000,
      interval: 20,
    });
    expect(sim.chaos.stats().wsStall).toBe(1);
    await vi.waitFor(() => expect(stream.isUp()).toBe(true), { timeout: 5_000, interval: 20 });
  });

  it('fetches a new token when the old one expires, and never logs a token', async () => {
    const { clock, stream, tokens, lines, sim } = await setup({ tokenTtlMs: 1_000 });
    await clock.advance(2_000);
    sim.websocket.dropAll();
    await vi.waitFor(() => expect(tokens.length).toBeGreaterThanOrEqual(2), { timeout: 5_000, interval: 20 });
    await vi.waitFor(() => expect(stream.isUp()).toBe(true), { timeout: 5_000, interval: 20 });
    const logged = lines.join('\n');
    for (const token of tokens) expect(logged).not.toContain(token);
  });

  it('speaks the raw protocol: data is a JSON string, and a client that never answers a ping is cut off', async () => {
    const { sim } = harness({ wsPingIntervalSeconds: 1 });
    const url = await sim.listen({ host: '127.0.0.1', port: 0 });
    cleanups.push(() => sim.close());
    const token = String((await call(sim, 'GET', '/auth/ws/token/')).body.token);
    const param = String((await call(sim, 'GET', '/users/profile')).body.websocketAuthParam);
    const socket = new WebSocket(`${url.replace('http', 'ws')}/connection/websocket`);
    cleanups.push(() => socket.terminate());
    const frames: string[] = [];
    let closeCode = 0;
    socket.on('message', (data) => frames.push(String(data)));
    socket.on('close', (code) => {
      closeCode = code;
    });
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(
      `${JSON.stringify({ id: 1, connect: { token } })}\n${JSON.stringify({ id: 2, subscribe: { channel: `private:trades#${param}` } })}`,
    );
    await vi.waitFor(() => expect(frames.some((f) => f.includes('"id":2'))).toBe(true), { timeout: 5_000 });
    await placeRestingBuy(sim);
    await vi.waitFor(() => expect(frames.some((f) => f.includes('"push"'))).toBe(true), { timeout: 5_000 });
    const push = JSON.parse(frames.find((f) => f.includes('"push"')) ?? '{}') as {
      push: { pub: { data: unknown } };
    };
    expect(typeof push.push.pub.data).toBe('string');
    expect(JSON.parse(String(push.push.pub.data))).toMatchObject({
      srcCurrency: 'btc',
      dstCurrency: 'rls',
      type: 'buy',
    });
    // Never answers the pings: cut off at the next one.
    await vi.waitFor(() => expect(closeCode).toBe(3012), { timeout: 5_000 });
  });
});
