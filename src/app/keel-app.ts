// The composition root: builds every component of one Keel instance from the validated config, wires
// their events, and starts and stops them in the right order. Used by `keel start`, the demo and tests.
import type { FastifyInstance } from 'fastify';
import { busMigrations, MessageBus } from '../bus/index.js';
import { KEEL_VERSION, type KeelConfig } from '../config/index.js';
import { type Clock, systemClock } from '../core/clock.js';
import { Decimal, formatDecimal } from '../core/decimal.js';
import { type Rng, systemRng } from '../core/random.js';
import { Engine } from '../engine/engine.js';
import { KillSwitch, killSwitchMigrations } from '../engine/kill-switch.js';
import { LedgerOrderSink } from '../engine/ledger-sink.js';
import { OrderJournal } from '../exchange/order-journal/order-journal.js';
import { TransactionVerifier } from '../exchange/transaction-verification/transaction-verifier.js';
import type { Logger } from '../logging/logger.js';
import { SignalStore } from '../market-data/signal-store.js';
import { TradingViewIntake } from '../market-data/tradingview-intake.js';
import { AlertManager } from '../monitoring/alert-system/alert-manager.js';
import { alertMigrations } from '../monitoring/alert-system/alert-store.js';
import { createAlertChannels } from '../monitoring/alert-system/channels/create-alert-channels.js';
import { HealthRegistry } from '../monitoring/health-registry.js';
import { createMetrics, type Metrics } from '../monitoring/metrics.js';
import { Ledger } from '../position/ledger.js';
import type { Reconciler } from '../position/reconciliation.js';
import type { ReconciliationResult } from '../position/reconciliation-result.js';
import type { Database } from '../storage/database.js';
import { openDatabase } from '../storage/open-database.js';
import { AlertRules } from './alert-rules.js';
import { AppStatusSource } from './app-status-source.js';
import { createExchangeStack, type ExchangeStack } from './exchange-stack.js';
import { registerHealthChecks } from './health-checks.js';
import { createHttpServer } from './http-server.js';
import { createReconciler, ReconciliationLoop } from './reconciliation-loop.js';
import { Telemetry } from './telemetry.js';
import { resolveWebhookPassphrase } from './webhook-passphrase.js';

export interface KeelAppOptions {
  readonly config: KeelConfig;
  readonly logger: Logger;
  readonly clock?: Clock;
  readonly rng?: Rng;
  /** Replaces the exchange stack (tests: an in-process transport to the simulator). */
  readonly exchange?: (args: {
    config: KeelConfig;
    clock: Clock;
    rng: Rng;
    logger: Logger;
  }) => Promise<ExchangeStack>;
}

export class KeelApp {
  #accepting = true;
  #started = false;

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
    readonly engine: Engine,
    readonly bus: MessageBus,
    readonly alerts: AlertManager,
    readonly reconciler: Reconciler,
    readonly reconciliation: ReconciliationLoop,
    readonly health: HealthRegistry,
    readonly metrics: Metrics,
    readonly telemetry: Telemetry,
    readonly server: FastifyInstance,
    readonly webhookPassphrase: { value: string; generated: boolean },
    private readonly closers: (() => Promise<void>)[],
  ) {}

  static async create(options: KeelAppOptions): Promise<KeelApp> {
    const { config, logger } = options;
    const clock = options.clock ?? systemClock;
    const rng = options.rng ?? systemRng();
    const closers: (() => Promise<void>)[] = [];
    const webhookPassphrase = resolveWebhookPassphrase(config);
    const db = openDatabase({
      dataDir: config.dataDir,
      sqliteSynchronous: config.storage.sqliteSynchronous,
      ...(config.storage.databaseUrl === undefined
        ? {}
        : { databaseUrl: config.storage.databaseUrl.reveal() }),
    });
    closers.push(() => db.close());
    await db.migrate([
      ...busMigrations,
      ...OrderJournal.migrations,
      ...killSwitchMigrations,
      ...alertMigrations,
    ]);
    const metrics = createMetrics();
    const telemetry = new Telemetry(clock, metrics);
    const health = new HealthRegistry({ clock });
    const exchange = await (options.exchange ?? createExchangeStack)({ config, clock, rng, logger });
    closers.unshift(() => exchange.close());
    const journal = new OrderJournal({ db, clock });
    const ledger = await Ledger.open({ database: db, clock, logger });
    const killSwitch = await KillSwitch.open({ db, clock, initialMode: config.engine.initialMode });
    const verifier = new TransactionVerifier({
      journal,
      gateway: exchange.gateway,
      ledger: new LedgerOrderSink(ledger),
      clock,
      logger,
      canSend: () => killSwitch.mode !== 'HALTED',
      options: {
        submitAttemptsMax: config.verification.submitAttemptsMax,
        absenceGraceMs: config.verification.absenceGraceMs,
        pollIntervalMs: config.verification.pollIntervalMs,
        pollIntervalMaxMs: config.verification.pollIntervalMaxMs,
        orderLifetimeMs: config.verification.verifyDeadlineMs,
      },
    });
    const bus = new MessageBus({ db, clock, logger, instanceId: config.cluster.instanceId });
    let enqueue: Engine['enqueue'] = async () => {
      throw new Error('engine not ready');
    };
    const signals = new SignalStore({
      db,
      clock,
      rng,
      attemptsMax: config.webhook.quarantineAttempts,
      onAccepted: (tx, stored) => enqueue(tx, stored),
    });
    await signals.migrate();
    const engine = new Engine({
      signals,
      bus,
      journal,
      verifier,
      gateway: exchange.gateway,
      ledger,
      killSwitch,
      clock,
      logger,
      limits: riskLimits(config),
      setReady: (ready, reason) => health.setReady('startup-recovery', ready, reason),
    });
    enqueue = engine.enqueue;
    const channels = createAlertChannels(config.alerts, { logger, clock, rng });
    closers.unshift(() => channels.close());
    const routes = config.alerts.routes;
    const alerts = await AlertManager.open({
      db,
      clock,
      logger,
      dedupWindowMs: config.alerts.dedupWindowMs,
      groupWaitMs: config.alerts.groupWaitMs,
      groupIntervalMs: config.alerts.groupIntervalMs,
      repeatIntervalMs: config.alerts.repeatIntervalMs,
      dispatchers: channels.dispatchers,
      routes: {
        info: routes.info,
        warning: routes.warning,
        error: routes.critical,
        critical: routes.critical,
      },
      ...(config.alerts.escalation.channel === undefined
        ? {}
        : {
            escalation: {
              afterMs: config.alerts.escalation.afterMs,
              channel: config.alerts.escalation.channel,
            },
          }),
      secrets: [webhookPassphrase.value],
    });
    closers.unshift(() => alerts.stop());
    const reconciler = await createReconciler({ config, ledger, db, exchange, journal, clock, logger });
    const reconciliation = new ReconciliationLoop({
      reconciler,
      ledger,
      journal,
      clock,
      logger,
      intervalMs: config.reconciliation.intervalMs,
    });
    const rules = new AlertRules({
      alerts,
      killSwitch,
      clock,
      logger,
      metrics,
      haltAfterExchangeFailureMs: config.engine.haltAfterExchangeFailureMs,
      haltOnBreach: config.reconciliation.haltOnBreach,
    });
    rules.watchAdapter(exchange.adapter);
    rules.watchVerifier(verifier);
    rules.watchEngine(engine, bus);
    rules.watchReconciler(reconciler);
    closers.unshift(async () => rules.stop());
    telemetry.watchAdapter(exchange.adapter);
    verifier.onTransition((event) => telemetry.orderTransition(event));
    engine.onSignalOutcome((outcome) => telemetry.emit('signal', outcome));
    alerts.onAlert((alert) => telemetry.emit('alert', alert));
    killSwitch.onChange((change) => {
      metrics.engineMode.set({ RUNNING: 0, REDUCING: 1, HALTED: 2 }[change.to]);
      telemetry.emit('engineMode', change);
    });
    registerHealthChecks({ health, db, exchange, bus, reconciliation, channels, clock });
    const intake = new TradingViewIntake({
      passphrase: webhookPassphrase.value,
      ...(config.webhook.hmacSecret === undefined ? {} : { hmacSecret: config.webhook.hmacSecret }),
      ipAllowList: {
        enabled: config.webhook.ipAllowList.enabled,
        addresses: config.webhook.ipAllowList.addresses,
        trustedProxies: config.webhook.trustedProxies,
      },
      alertAgeMaxMs: config.webhook.alertAgeMaxMs,
      bodySizeBytesMax: config.webhook.bodySizeBytesMax,
      readTimeoutMs: Math.min(config.webhook.readTimeoutMs, 2_500),
      allowedSymbols: config.engine.allowedSymbols,
      store: signals,
      clock,
      logger,
      isAccepting: () => app.accepting,
    });
    intake.onAccepted(() => {
      metrics.signals.inc({ outcome: 'accepted' });
      engine.notify();
    });
    intake.onDuplicate(() => metrics.signals.inc({ outcome: 'duplicate' }));
    intake.onRejected(({ reason }) => metrics.signals.inc({ outcome: `rejected_${reason}` }));
    const source = new AppStatusSource({
      instance: {
        id: config.cluster.instanceId,
        startedAtMs: clock.nowMs(),
        version: KEEL_VERSION,
        mode: config.mode,
      },
      clock,
      exchange,
      journal,
      signals,
      ledger,
      reconciler,
      alerts,
      killSwitch,
      health,
      bus,
      telemetry,
    });
    const server = await createHttpServer({
      config,
      intake,
      source,
      health,
      metrics,
      clock,
      logger,
      reconcile: async () => reconciliationView(await reconciliation.runNow()),
    });
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
      engine,
      bus,
      alerts,
      reconciler,
      reconciliation,
      health,
      metrics,
      telemetry,
      server,
      webhookPassphrase,
      closers,
    );
    return app;
  }

  get accepting(): boolean {
    return this.#accepting;
  }

  /** Listens, then resumes open orders and takes signals in the background; returns the base URL. */
  async start(): Promise<string> {
    const address = await this.server.listen({
      host: this.config.server.host,
      port: this.config.server.port,
    });
    this.#started = true;
    void this.#startTrading();
    return address;
  }

  async #startTrading(): Promise<void> {
    try {
      await this.reconciliation.initialize();
      await this.engine.start();
      this.reconciliation.start();
    } catch (error) {
      this.logger.fatal({ err: error }, 'trading could not start');
    }
  }

  /** Stops intake (503), stops the engine (open orders stay journaled), closes everything. */
  async stop(): Promise<void> {
    this.#accepting = false;
    this.reconciliation.stop();
    await this.engine.stop(this.config.server.shutdownGraceMs);
    if (this.#started) await this.server.close();
    for (const close of this.closers) {
      try {
        await close();
      } catch (error) {
        this.logger.error({ err: error }, 'error while closing');
      }
    }
  }
}

function riskLimits(config: KeelConfig) {
  const { engine } = config;
  return {
    allowedSymbols: engine.allowedSymbols,
    maxOrderValue: { rls: parse(engine.maxOrderValue.rls), usdt: parse(engine.maxOrderValue.usdt) },
    maxPositionPerSymbol: Object.fromEntries(
      Object.entries(engine.maxPositionPerSymbol ?? {}).map(([symbol, value]) => [symbol, parse(value)]),
    ),
    maxOrdersPerMinute: engine.maxOrdersPerMinute,
  };
}

const parse = (value: string) => new Decimal(value);

/** A reconciliation result as plain JSON (decimals as strings). */
function reconciliationView(result: ReconciliationResult) {
  return {
    runId: result.runId,
    status: result.status,
    summary: result.summary,
    error: result.error ?? null,
    unknownOrders: result.unknownOrders,
    rows: result.rows.map((row) => ({
      currency: row.asset,
      action: row.action,
      ledgerTotal: formatDecimal(row.ledgerTotal),
      exchangeTotal: formatDecimal(row.exchangeTotal),
      difference: formatDecimal(row.totalDifference),
      tolerance: formatDecimal(row.tolerance),
    })),
  };
}
