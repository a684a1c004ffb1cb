// The composition root: builds every component of one Keel instance from the validated config, wires
// their events, and starts and stops them in the right order. Used by `keel start`, the demo and tests.
// Each stage of the data flow is wired in its own module under ./wiring: intake → bus → engine →
// verification → ledger, with monitoring observing them all and the operator surface reading them.
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { FastifyInstance } from 'fastify';
import type { MessageBus } from '../bus/index.js';
import type { KeelConfig } from '../config/index.js';
import { type Clock, systemClock } from '../core/clock.js';
import { type Rng, systemRng } from '../core/random.js';
import type { Engine } from '../engine/engine.js';
import { KillSwitch } from '../engine/kill-switch.js';
import type { OrderJournal } from '../exchange/order-journal/order-journal.js';
import type { Logger } from '../logging/logger.js';
import type { SignalStore } from '../market-data/signal-store.js';
import type { AlertManager } from '../monitoring/alert-system/alert-manager.js';
import { HealthRegistry } from '../monitoring/health-registry.js';
import { createMetrics, type Metrics } from '../monitoring/metrics.js';
import { startAppTracing } from '../monitoring/tracing/app-tracing.js';
import type { Ledger } from '../position/ledger.js';
import type { Reconciler } from '../position/reconciliation.js';
import type { Database } from '../storage/database.js';
import { createAnomalyDetector } from './anomaly-watch.js';
import { type Cluster, createCluster } from './cluster.js';
import { createExchangeStack, type ExchangeStack } from './exchange-stack.js';
import type { ReconciliationLoop } from './reconciliation-loop.js';
import { startRetention } from './retention-wiring.js';
import { Telemetry } from './telemetry.js';
import type { TradingRole } from './trading-role.js';
import { createTradingStack } from './trading-stack.js';
import { resolveWebhookPassphrase } from './webhook-passphrase.js';
import { wireBulkheads } from './wiring/bulkheads.js';
import { wireBus } from './wiring/bus.js';
import { wireEngine, wireTradingRole } from './wiring/engine.js';
import { wireIntake } from './wiring/intake.js';
import { wireLedger, wireReconciliation } from './wiring/ledger.js';
import { startMarketListingRefresh } from './wiring/market-listing-refresh.js';
import { type Observed, observeStatus, wireMonitoring } from './wiring/monitoring.js';
import { wireOperatorSurface } from './wiring/operator.js';
import { openStorage } from './wiring/storage.js';
import { wireVerification } from './wiring/verification.js';

export interface KeelAppOptions {
  readonly config: KeelConfig;
  readonly logger: Logger;
  readonly clock?: Clock;
  readonly rng?: Rng;
  /** Replaces the exchange stack (tests: an in-process transport to the simulator). */
  readonly exchange?: (args: ExchangeStackArgs) => Promise<ExchangeStack>;
  /** Records spans even without tracing.otlpEndpoint (tests: an in-memory exporter). */
  readonly spanExporter?: SpanExporter;
}

type ExchangeStackArgs = Parameters<typeof createExchangeStack>[0];

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
    const { config, logger } = options;
    const clock = options.clock ?? systemClock;
    const rng = options.rng ?? systemRng();
    const closers: (() => Promise<void>)[] = [];
    const tracing = await startAppTracing(config, logger, options.spanExporter);
    closers.push(() => tracing.close()); // last: flushes the spans of the whole shutdown
    const webhookPassphrase = resolveWebhookPassphrase(config);
    const db = await openStorage(config, closers);
    const metrics = createMetrics();
    const telemetry = new Telemetry(clock, metrics);
    const health = new HealthRegistry({ clock });
    // Not ready until the opening balances are taken and every open order is resolved.
    health.setReady('startup-recovery', false, 'starting');
    const cluster = await createCluster({ config, db, clock, logger });
    closers.unshift(() => cluster.close());
    const exchange = await (options.exchange ?? createExchangeStack)({
      config,
      clock,
      rng,
      logger,
      ...(cluster.rateLimitStore === undefined ? {} : { rateLimitStore: cluster.rateLimitStore }),
      ...(cluster.breakerFactory === undefined ? {} : { breakerFactory: cluster.breakerFactory }),
    });
    closers.unshift(() => exchange.close());
    await cluster.start();
    const bulkheads = wireBulkheads({ config, clock, exchange, metrics });
    // What every stage is built from.
    const base = {
      config,
      db,
      clock,
      rng,
      logger,
      metrics,
      telemetry,
      health,
      exchange,
      lease: cluster.lease,
    };
    // The stages, built downstream first so that each is given the stage it feeds:
    // intake → bus → engine → verification → ledger; monitoring observes them all.
    const anomalies = await createAnomalyDetector(base);
    const { ledger, sink } = await wireLedger({ ...base, anomalies });
    const killSwitch = await KillSwitch.open({ db, clock, initialMode: config.engine.initialMode });
    const busStage = await wireBus(base);
    const { bus, signals } = busStage;
    const verification = wireVerification({ ...base, sink, killSwitch, signals });
    const { journal, verifier } = verification;
    const trading = createTradingStack({ ...base, journal, signals, ledger, gateway: exchange.gateway });
    const newEngine = wireEngine({ ...base, busStage, verification, ledger, killSwitch, trading });
    // enqueue only publishes on the shared bus: every instance, leader or not, takes signals.
    const initialEngine = newEngine();
    busStage.publishWith(initialEngine);
    const { reconciler, reconciliation } = await wireReconciliation({ ...base, ledger, journal });
    const stages = { bus, verifier, ledger, killSwitch, anomalies, reconciler, reconciliation };
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
      notify: () => initialEngine.notify(), // wakes this process's bus consumer, whichever engine it serves
    });
    const operator = {
      observed,
      monitoring,
      busStage,
      verification,
      intake,
      cluster,
      role,
      bulkheads,
      trading,
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
    const address = await this.server.listen({
      host: this.config.server.host,
      port: this.config.server.port,
    });
    this.#started = true;
    const { operatorPort } = this.config.server;
    if (this.operatorServer !== undefined && operatorPort !== undefined)
      this.#operatorUrl = await this.operatorServer.listen({
        host: this.config.server.operatorHost,
        port: operatorPort,
      });
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
    await this.engine.stop(this.config.server.shutdownGraceMs);
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
