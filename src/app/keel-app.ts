// The composition root: builds every component of one Keel instance from the validated config, wires
// their events, and starts and stops them in the right order. Used by `keel start`, the demo and tests.
// Each stage of the data flow is wired in its own module under ./wiring: intake → bus → engine →
// verification → ledger, with monitoring observing them all and the operator surface reading them.
import type { FastifyInstance } from 'fastify';
import type { MessageBus } from '../bus/index.js';
import type { KeelConfig } from '../config/index.js';
import type { Clock } from '../core/clock.js';
import type { Engine } from '../engine/engine.js';
import { HaltedDoor } from '../engine/halted-door.js';
import { KillSwitch } from '../engine/kill-switch.js';
import type { OrderJournal } from '../exchange/order-journal/order-journal.js';
import type { Logger } from '../logging/logger.js';
import type { SignalStore } from '../market-data/signal-store.js';
import type { AlertManager } from '../monitoring/alert-system/alert-manager.js';
import type { HealthRegistry } from '../monitoring/health-registry.js';
import type { Metrics } from '../monitoring/metrics.js';
import type { Ledger } from '../position/ledger.js';
import type { Reconciler } from '../position/reconciliation.js';
import type { Database } from '../storage/database.js';
import { createAnomalyDetector } from './anomaly-watch.js';
import type { Cluster } from './cluster.js';
import type { ExchangeStack } from './exchange-stack.js';
import { startFillStream } from './fill-stream-wiring.js';
import { serverSettings } from './http-server.js';
import type { ReconciliationLoop } from './reconciliation-loop.js';
import { startRetention } from './retention-wiring.js';
import type { Telemetry } from './telemetry.js';
import type { TradingRole } from './trading-role.js';
import { createTradingStack } from './trading-stack.js';
import { wireBulkheads } from './wiring/bulkheads.js';
import { wireBus } from './wiring/bus.js';
import { killSwitchSettings, wireEngine, wireTradingRole } from './wiring/engine.js';
import { type FoundationOptions, wireFoundation } from './wiring/foundation.js';
import { wireIntake } from './wiring/intake.js';
import { wireLedger, wireReconciliation } from './wiring/ledger.js';
import { startMarketListingRefresh } from './wiring/market-listing-refresh.js';
import { type Observed, observeStatus, wireMonitoring } from './wiring/monitoring.js';
import { wireOperatorSurface } from './wiring/operator.js';
import { wireVerification } from './wiring/verification.js';

/** The config and logger; optionally the clock, rng, an exchange stack and a span exporter (tests). */
export type KeelAppOptions = FoundationOptions;

export class KeelApp {
  #accepting = true;
  #started = false;
  #operatorUrl: string | undefined;

  private constructor(
    readonly config: KeelConfig,
    readonly logger: Logger,
    readonly clock: Clock,
    readonly db: Database,
    readonly exchange: ExchangeStack,
    readonly journal: OrderJournal,
    readonly ledger: Ledger,
    readonly signals: SignalStore,
    readonly killSwitch: KillSwitch,
    readonly bus: MessageBus,
    readonly alerts: AlertManager,
    readonly reconciler: Reconciler,
    readonly reconciliation: ReconciliationLoop,
    readonly health: HealthRegistry,
    readonly metrics: Metrics,
    readonly telemetry: Telemetry,
    /** The webhook's listener; also the dashboard, API and metrics unless operatorServer exists. */
    readonly server: FastifyInstance,
    /** The dashboard, API and metrics on their own listener (server.operatorPort). */
    readonly operatorServer: FastifyInstance | undefined,
    readonly webhookPassphrase: { value: string; generated: boolean },
    readonly cluster: Cluster,
    readonly role: TradingRole,
    private readonly initialEngine: Engine,
    private readonly closers: (() => Promise<void>)[],
  ) {}

  /** The engine of the current or latest trading term (a new one per term). */
  get engine(): Engine {
    return this.role.engine ?? this.initialEngine;
  }

  static async create(options: KeelAppOptions): Promise<KeelApp> {
    const closers: (() => Promise<void>)[] = [];
    // Tracing, storage, metrics, health, the cluster and the exchange stack: what every stage is built from.
    const { base, cluster, webhookPassphrase } = await wireFoundation(options, closers);
    const { config, db, clock, logger, metrics, telemetry, health, exchange } = base;
    // The stages, built downstream first so that each is given the stage it feeds:
    // intake → bus → engine → verification → ledger; monitoring observes them all.
    const anomalies = await createAnomalyDetector(base);
    const { ledger, sink } = await wireLedger({ ...base, anomalies });
    const killSwitch = await KillSwitch.open({ db, clock, ...killSwitchSettings(config) });
    const busStage = await wireBus(base);
    const { bus, signals } = busStage;
    const fillStream = startFillStream(base);
    if (fillStream !== undefined) closers.unshift(() => fillStream.close());
    const verification = wireVerification({ ...base, sink, killSwitch, signals, fillStream });
    const { journal, verifier } = verification;
    const trading = createTradingStack({ ...base, journal, signals, ledger, gateway: exchange.gateway });
    const newEngine = wireEngine({ ...base, busStage, verification, ledger, killSwitch, trading });
    // The door publishes through the first engine's enqueue, which only writes to the shared bus:
    // every instance, leader or not, takes signals.
    const initialEngine = newEngine();
    const door = new HaltedDoor({
      killSwitch,
      signals,
      publish: initialEngine.enqueue,
      wake: (symbol) => initialEngine.notify(symbol), // this process's bus consumer, whichever engine it serves
    });
    busStage.admitWith(door);
    const { reconciler, reconciliation } = await wireReconciliation({ ...base, ledger, journal });
    const stages = { bus, verifier, ledger, killSwitch, door, anomalies, reconciler, reconciliation };
    const observed: Observed = { ...base, ...stages };
    const monitoring = await wireMonitoring(observed, { secrets: [webhookPassphrase.value], closers });
    const role = wireTradingRole({
      ...base,
      ledger,
      reconciliation,
      newEngine,
      initialEngine,
      watchEngine: monitoring.watchEngine,
    });
    observeStatus(observed, monitoring);
    const isLeader = () => role.isLeader;
    closers.unshift(startRetention({ ...base, rules: monitoring.rules, isLeader }));
    closers.unshift(
      startMarketListingRefresh({ ...base, adapter: exchange.adapter, rules: monitoring.rules }),
    );
    const intake = wireIntake({
      ...base,
      signals,
      passphrase: webhookPassphrase.value,
      isAccepting: () => app.accepting,
    });
    const engine = () => role.engine ?? initialEngine;
    const bulkheads = wireBulkheads({ ...base, channels: monitoring.channels, engine });
    const operator = {
      ...{ observed, monitoring, busStage, verification, intake, cluster, role, bulkheads },
      ...{ trading, fillStream },
    };
    const { servers } = await wireOperatorSurface(operator);
    const app = new KeelApp(
      config,
      logger,
      clock,
      db,
      exchange,
      journal,
      ledger,
      signals,
      killSwitch,
      bus,
      monitoring.alerts,
      reconciler,
      reconciliation,
      health,
      metrics,
      telemetry,
      servers.webhook,
      servers.operator,
      webhookPassphrase,
      cluster,
      role,
      initialEngine,
      closers,
    );
    return app;
  }

  /** Base URL of the dashboard, API and metrics once started. */
  get operatorUrl(): string | undefined {
    return this.#operatorUrl;
  }

  get accepting(): boolean {
    return this.#accepting;
  }

  /** Listens, then resumes open orders and takes signals in the background; returns the webhook's base URL. */
  async start(): Promise<string> {
    const listen = serverSettings(this.config);
    const address = await this.server.listen(listen.webhook);
    this.#started = true;
    if (this.operatorServer !== undefined && listen.operator !== undefined)
      this.#operatorUrl = await this.operatorServer.listen(listen.operator);
    else this.#operatorUrl = address;
    // The lease holder (or, without a lease, this instance) trades; the others stand by.
    this.role.start();
    return address;
  }

  /** Stops intake (503), stops the engine (open orders stay journaled), closes everything. */
  async stop(): Promise<void> {
    this.#accepting = false;
    this.reconciliation.stop();
    await this.role.stop();
    // Also an engine started by hand (tests drive start-up without listening).
    await this.engine.stop(serverSettings(this.config).shutdownGraceMs);
    if (this.#started) {
      await this.server.close();
      await this.operatorServer?.close();
    }
    for (const close of this.closers) {
      try {
        await close();
      } catch (error) {
        this.logger.error({ err: error }, 'error while closing');
      }
    }
  }
}

export { NotLeaderError } from './wiring/operator.js';
