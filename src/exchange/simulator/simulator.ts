// The embeddable simulator: engine + wallets + chaos behind a fastify app, all on one seeded Rng
// family and one injected clock, so the same seed replays the same prices, fills and faults.
import type { FastifyInstance } from 'fastify';
import { systemClock, type TimerHandle } from '../../core/clock.js';
import { formatDecimal, parseDecimal } from '../../core/decimal.js';
import { createRng } from '../../core/random.js';
import { silentLogger } from '../../logging/logger.js';
import { isCurrency } from '../markets.js';
import { Authenticator } from './auth.js';
import { ChaosController, type DriftRule } from './chaos.js';
import type { SimContext } from './context.js';
import { HangRegistry } from './hang-registry.js';
import { followLiveMarkets } from './live-markets.js';
import { MatchingEngine } from './matching-engine.js';
import { deserializeOrders, SimulatorStateFile, serializeOrders } from './persistence.js';
import { RateLimiter } from './rate-limits.js';
import { buildApp } from './server.js';
import { type SimulatorOptions, validateOptions } from './simulator-options.js';
import { groundTruthOf, tradesOf } from './snapshots.js';
import type { GroundTruthOrder, SimTrade } from './types.js';
import { type WalletSnapshot, Wallets } from './wallets.js';
import { WsHub } from './ws/ws-hub.js';
import { WsTokens } from './ws/ws-tokens.js';

export { DEFAULT_BALANCES, SIMULATOR_DEFAULT_TOKEN, type SimulatorOptions } from './simulator-options.js';

export interface Simulator {
  readonly app: FastifyInstance;
  readonly chaos: ChaosController;
  /** The WebSocket endpoint (`/connection/websocket`, Centrifugo protocol) on the same server. */
  readonly websocket: {
    readonly connectionCount: number;
    dropAll(): void;
    readonly onPublication: WsHub['onPublication'];
  };
  /** Base URL once listening. */
  readonly url: string | undefined;
  listen(options?: { host?: string; port?: number }): Promise<string>;
  close(): Promise<void>;
  groundTruthOrders(): GroundTruthOrder[];
  trades(): SimTrade[];
  wallets(token: string): Record<string, WalletSnapshot>;
  setBalance(token: string, currency: string, amount: string): void;
  /** Moves prices n steps and matches resting orders. */
  tick(n?: number): void;
  lastPrice(symbol: string): string;
  /** Moves a market to a price at once, then triggers stop orders and matches resting ones. */
  setPrice(symbol: string, price: string): void;
}

export function createSimulator(options: SimulatorOptions): Simulator {
  const settings = validateOptions(options);
  const { clock } = settings;
  const logger = (options.logger ?? silentLogger).child({ component: 'simulator' });
  const ctx = assemble(settings);
  const { engine, wallets, chaos } = ctx;
  const hangs = new HangRegistry();
  const groundTruth = () => groundTruthOf(engine.orders);
  const persist = persistence(options.stateFile, ctx);
  const app = buildApp({ ctx, hangs, logger, groundTruth });
  const websocket = new WsHub({
    tokens: ctx.wsTokens,
    chaos,
    timers: systemClock,
    clock,
    pingIntervalSeconds: settings.wsPingIntervalSeconds,
    markets: engine.markets,
  });
  websocket.attach(app.server);
  engine.onEvent((event) => websocket.publish(event));
  // Before any answer leaves: the exchange is never behind what its client has seen.
  app.addHook('onSend', async () => persist());
  let url: string | undefined;
  let timer: TimerHandle | undefined;
  const loop = () => {
    if (ctx.marketFeed === undefined) {
      engine.tick(clock.nowMs());
      persist();
      timer = clock.setTimeout(loop, settings.priceTickMs);
      return;
    }
    void followLiveMarkets(ctx, logger).finally(() => {
      engine.tick(clock.nowMs());
      persist();
      timer = clock.setTimeout(loop, settings.priceTickMs);
    });
  };
  if (settings.priceTickMs > 0) timer = clock.setTimeout(loop, settings.priceTickMs);

  return {
    app,
    chaos,
    websocket,
    get url() {
      return url;
    },
    async listen({ host = '127.0.0.1', port = 0 } = {}) {
      const address = await app.listen({ host, port });
      url = address.replace('[::1]', 'localhost');
      logger.info({ url }, 'simulator listening');
      return url;
    },
    async close() {
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = undefined;
      chaos.dispose();
      hangs.releaseAll();
      websocket.close();
      await app.close();
    },
    groundTruthOrders: groundTruth,
    trades: () => tradesOf(engine.orders),
    wallets: (token) => wallets.snapshot(token),
    setBalance(token, currency, amount) {
      if (!wallets.has(token)) throw new RangeError(`unknown account token, was ${token.slice(0, 6)}…`);
      if (!isCurrency(currency)) throw new RangeError(`unknown currency, was ${currency}`);
      wallets.setBalance(token, currency, parseDecimal(amount, 'amount'));
      persist();
    },
    tick(n = 1) {
      if (!Number.isInteger(n) || n < 0)
        throw new RangeError(`tick count must be a non-negative integer, was ${n}`);
      for (let i = 0; i < n; i++) engine.tick(clock.nowMs());
      persist();
    },
    lastPrice(symbol) {
      const state = engine.markets.get(symbol.toUpperCase());
      if (state === undefined) throw new RangeError(`unknown market, was ${symbol}`);
      return formatDecimal(state.lastPrice);
    },
    setPrice(symbol, price) {
      chaos.apply({ action: 'setPrice', symbol, price });
      persist();
    },
  };
}

type Settings = ReturnType<typeof validateOptions>;

/** Loads the saved state into the simulator, and returns a saver that writes when balances moved. */
function persistence(stateFile: string | undefined, ctx: SimContext): () => void {
  if (stateFile === undefined) return () => {};
  const file = new SimulatorStateFile(stateFile);
  const saved = file.load();
  if (saved !== undefined) {
    ctx.engine.restore(deserializeOrders(saved.orders), saved.nextIds);
    ctx.wallets.importAccounts(saved.accounts);
  }
  let savedRevision = saved === undefined ? -1 : ctx.wallets.revision;
  return () => {
    if (ctx.wallets.revision === savedRevision) return;
    savedRevision = ctx.wallets.revision;
    file.save({
      version: 1,
      nextIds: ctx.engine.nextIds,
      accounts: ctx.wallets.exportAccounts(),
      orders: serializeOrders(ctx.engine.orders),
    });
  };
}

/** Engine, wallets, auth, limits and chaos, each on its own seeded stream and the one clock. */
function assemble(settings: Settings): SimContext {
  const { clock, seed } = settings;
  const wallets = new Wallets();
  for (const account of settings.accounts) wallets.open(account.token, account.balances ?? {});
  const engine = new MatchingEngine({
    markets: settings.markets,
    wallets,
    rng: createRng(seed),
    feeRate: settings.feeRate,
    walkPrices: settings.marketFeed === undefined,
    nowMs: clock.nowMs(),
  });
  // A separate stream for chaos: adding a fault never changes the price path.
  const chaos = new ChaosController(clock, createRng(seed ^ 0x5eed), {
    applyDrift: (rule: DriftRule) => applyDrift(wallets, rule),
    setMarketClosed: (symbol, closed) => {
      const state = engine.markets.get(symbol.toUpperCase());
      if (state === undefined) throw new RangeError(`unknown market, was ${symbol}`);
      state.closed = closed;
    },
    setPrice: (symbol, price) => {
      if (!engine.markets.has(symbol.toUpperCase())) throw new RangeError(`unknown market, was ${symbol}`);
      engine.jumpTo(symbol.toUpperCase(), parseDecimal(price, 'price'), clock.nowMs());
    },
  });
  return {
    engine,
    wallets,
    clock,
    chaos,
    auth: new Authenticator(settings.accounts, clock),
    limiter: new RateLimiter(clock, settings.rateLimitScale),
    feeRate: settings.feeRate,
    wsTokens: new WsTokens(clock, settings.wsTokenTtlMs),
    rawBodies: new WeakMap(),
    marketFeed: settings.marketFeed,
  };
}

function applyDrift(wallets: Wallets, rule: DriftRule): void {
  if (!wallets.has(rule.token) || !isCurrency(rule.currency)) return;
  const entry = wallets.entry(rule.token, rule.currency);
  if (rule.balance !== undefined)
    wallets.setBalance(rule.token, rule.currency, parseDecimal(rule.balance, 'balance'));
  else if (rule.delta !== undefined)
    wallets.setBalance(rule.token, rule.currency, entry.balance.plus(parseDecimal(rule.delta, 'delta')));
}
