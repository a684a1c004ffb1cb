// One chaos world: a FakeClock, the simulator, and a KeelApp on a SQLite file in a temp folder, wired
// through the in-process InjectTransport. The simulator outlives restarts of the app, as the real
// exchange outlives restarts of Keel; the data folder is the only thing a restarted app inherits.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExchangeStack } from '../../src/app/exchange-stack.js';
import { KeelApp } from '../../src/app/keel-app.js';
import { loadConfig } from '../../src/config/index.js';
import { type Clock, FakeClock } from '../../src/core/clock.js';
import { createRng, type Rng } from '../../src/core/random.js';
import type { ConnectionPoolStats } from '../../src/exchange/connection-pool/connection-pool.js';
import { AdapterVerificationGateway } from '../../src/exchange/enhanced-nobitex-adapter/adapter-verification-gateway.js';
import { EnhancedNobitexAdapter } from '../../src/exchange/enhanced-nobitex-adapter/enhanced-nobitex-adapter.js';
import { NobitexClient } from '../../src/exchange/nobitex-client/nobitex-client.js';
import {
  createSimulator,
  SIMULATOR_DEFAULT_TOKEN,
  type Simulator,
} from '../../src/exchange/simulator/index.js';
import { InjectTransport } from '../../src/exchange/simulator/inject-transport.js';
import { type Logger, silentLogger } from '../../src/logging/logger.js';
import { ChaosPushNetwork } from './push-world.js';
import { WEBHOOK_PASSPHRASE } from './scenario.js';

/** Fake time a start-up or a stop may take before the harness calls it stuck, ms. */
export const DRIVE_LIMIT_MS = 30 * 60_000;
const DRIVE_STEP_MS = 250;

const emptyPoolStats = (): ConnectionPoolStats => ({
  groups: {
    orders: { queueDepth: 0, running: 0 },
    account: { queueDepth: 0, running: 0 },
    marketData: { queueDepth: 0, running: 0 },
  },
  hosts: [],
  endpoints: [],
});

export class ChaosWorld {
  readonly clock = new FakeClock(Date.UTC(2026, 0, 1));
  readonly simulator: Simulator;
  readonly dataDir: string;
  readonly problems: string[] = [];
  #app: KeelApp | undefined;
  #starting: Promise<void> | undefined;
  #generation = 0;
  #stoppedAtMs: number | undefined;
  /** Fake-time spans when no app ran (between a stop and the next start). */
  readonly downtimes: { readonly fromMs: number; readonly toMs: number }[] = [];
  /** With `pushedFills`: the in-process WebSocket under every app's fill stream (push-world.ts). */
  readonly push: ChaosPushNetwork | undefined;

  /**
   * `config`: a keel.config.json for every app of this world (the anomaly runs set tolerances).
   * `pushedFills`: every app runs the fill stream (nobitex.websocket) on the world's in-process link.
   */
  constructor(
    readonly seed: number,
    options: { readonly config?: Readonly<Record<string, unknown>>; readonly pushedFills?: boolean } = {},
  ) {
    this.simulator = createSimulator({ seed, clock: this.clock, priceTickMs: 0 });
    this.dataDir = mkdtempSync(join(scratchDir(), `keel-chaos-${seed}-`));
    if (options.pushedFills === true)
      this.push = new ChaosPushNetwork(this.simulator, this.clock, createRng(seed * 7_919 + 61));
    const config = options.pushedFills === true ? withPushedFills(options.config ?? {}) : options.config;
    if (config !== undefined) writeFileSync(join(this.dataDir, 'keel.config.json'), JSON.stringify(config));
  }

  get app(): KeelApp {
    if (this.#app === undefined) throw new Error('no app running');
    return this.#app;
  }

  async startApp(): Promise<void> {
    const loaded = loadConfig({
      env: {
        KEEL_ENV: 'test',
        KEEL_DATA_DIR: this.dataDir,
        KEEL_PORT: '0',
        KEEL_WEBHOOK_PASSPHRASE: WEBHOOK_PASSPHRASE,
        KEEL_SIM_SEED: String(this.seed),
      },
      cwd: this.dataDir,
    });
    if (!loaded.ok) throw new Error(`config: ${JSON.stringify(loaded.problems)}`);
    this.#generation++;
    const app = await KeelApp.create({
      config: loaded.config,
      logger: silentLogger,
      clock: this.clock,
      rng: createRng(this.seed * 31 + this.#generation),
      exchange: async ({ config, clock, rng, logger }) =>
        this.#exchange(clock, rng, logger, config.nobitex.headersTimeoutMs),
    });
    await app.server.ready();
    this.#app = app;
    if (this.#stoppedAtMs !== undefined)
      this.downtimes.push({ fromMs: this.#stoppedAtMs, toMs: this.clock.nowMs() });
    this.#stoppedAtMs = undefined;
    const generation = this.#generation;
    this.#starting = startTrading(app)
      .then(() => void this.push?.tradingSince.set(generation, this.clock.nowMs()))
      .catch((error: unknown) => {
        this.problems.push(`trading could not start: ${String(error)}`);
      });
  }

  /** Stops the app and starts a new one on the same data folder, as a deploy or a crash-restart does. */
  async restart(options: { duringStartUp?: boolean } = {}): Promise<void> {
    await this.stopApp(options);
    await this.startApp();
  }

  /** Stops the app; by default only after its start-up finished, else possibly in the middle of it. */
  async stopApp(options: { duringStartUp?: boolean } = {}): Promise<void> {
    const app = this.#app;
    if (app === undefined) return;
    const starting = this.#starting;
    if (starting !== undefined && options.duringStartUp !== true) await this.drive(starting, 'start-up');
    this.#app = undefined;
    await this.drive(app.stop(), 'stop');
    this.#stoppedAtMs = this.clock.nowMs();
    // A start-up cut short must end with the stop, not linger on a closed database.
    if (starting !== undefined) await this.drive(starting, 'start-up after stop');
  }

  /** Advances fake time until the promise settles; a promise still pending after the limit is a problem. */
  async drive<T>(promise: Promise<T>, what: string): Promise<T | undefined> {
    let settled = false;
    let value: T | undefined;
    let failure: unknown;
    const watched = promise.then(
      (v) => {
        settled = true;
        value = v;
      },
      (error: unknown) => {
        settled = true;
        failure = error;
      },
    );
    for (let spentMs = 0; !settled && spentMs < DRIVE_LIMIT_MS; spentMs += DRIVE_STEP_MS)
      await this.clock.advance(DRIVE_STEP_MS);
    if (!settled) {
      this.problems.push(`${what} still pending after ${DRIVE_LIMIT_MS} ms of fake time`);
      return undefined;
    }
    await watched;
    if (failure !== undefined) throw failure;
    return value;
  }

  async close(): Promise<void> {
    try {
      await this.stopApp();
    } finally {
      await this.simulator.close();
      rmSync(this.dataDir, { recursive: true, force: true });
    }
  }

  #exchange(clock: Clock, rng: Rng, logger: Logger, headersTimeoutMs: number): ExchangeStack {
    // A hang ends when the configured headers timeout runs out on the fake clock, as on a socket.
    const transport = new InjectTransport({ simulator: this.simulator, clock, headersTimeoutMs });
    const client = new NobitexClient({
      transport,
      auth: { kind: 'token', token: SIMULATOR_DEFAULT_TOKEN },
      userAgent: 'TraderBot/keel-chaos',
      clock,
    });
    const adapter = new EnhancedNobitexAdapter({ client, clock, rng, logger });
    const gateway =
      this.push?.recordingGateway({ adapter, clock }) ?? new AdapterVerificationGateway({ adapter, clock });
    return {
      adapter,
      pool: { stats: emptyPoolStats },
      gateway,
      simulator: this.simulator,
      baseUrls: ['http://simulator.inject'],
      ...(this.push === undefined ? {} : { pushLink: this.push.linkFor(this.#generation) }),
      async close() {
        // The simulator is the exchange: it outlives the app.
        await adapter.close();
        await transport.close();
      },
    };
  }
}

/** The app's trading role when it has one (lease-aware start-up), else what KeelApp.start() did inline. */
interface RoleLike {
  start(): void;
  settled(): Promise<void>;
}

/** What KeelApp.start() runs after listen, without the socket. Resolves once trading has started. */
async function startTrading(app: KeelApp): Promise<void> {
  const role = (app as unknown as { role?: RoleLike }).role;
  if (role !== undefined) {
    role.start();
    await role.settled();
    return;
  }
  await app.reconciliation.initialize();
  await app.engine.start();
  app.reconciliation.start();
}

/**
 * The fill stream on; its safety-net poll slowed to minutes so that, while the link is up, only pushes
 * and the catch-up after a gap resolve orders quickly, and the fallback during gaps is what is tested.
 */
function withPushedFills(config: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const nobitex = (config.nobitex ?? {}) as Record<string, unknown>;
  return {
    ...config,
    nobitex: { ...nobitex, websocket: { enabled: true, pollIntervalMs: 180_000 } },
  };
}

/** A memory-backed folder when the machine has one: SQLite files there cost no disk writes. */
function scratchDir(): string {
  return existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
}
