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
import { signalStaleAtMs } from '../engine/signal-age.js';
import { OrderJournal } from '../exchange/order-journal/order-journal.js';
import { SendGuard } from '../exchange/transaction-verification/send-guard.js';
import { TransactionVerifier } from '../exchange/transaction-verification/transaction-verifier.js';
import type { Logger } from '../logging/logger.js';
import { SignalStore } from '../market-data/signal-store.js';
import { TradingViewIntake } from '../market-data/tradingview-intake.js';
import { AlertManager } from '../monitoring/alert-system/alert-manager.js';
import { alertMigrations } from '../monitoring/alert-system/alert-store.js';
import { createAlertChannels } from '../monitoring/alert-system/channels/create-alert-channels.js';
import { createAnomalyMetrics } from '../monitoring/anomaly/anomaly-metrics.js';
import { HealthRegistry } from '../monitoring/health-registry.js';
import { createMetrics, type Metrics } from '../monitoring/metrics.js';
import { Ledger } from '../position/ledger.js';
import type { Reconciler } from '../position/reconciliation.js';
import type { ReconciliationResult } from '../position/reconciliation-result.js';
import type { Database } from '../storage/database.js';
import { LeaseWriteFence } from '../storage/leadership/lease-write-fence.js';
import { openDatabase } from '../storage/open-database.js';
import { PostgresDatabase } from '../storage/postgres-database.js';
import { AlertRules } from './alert-rules.js';
import { AnomalyOrderSink } from './anomaly-order-sink.js';
import { createAnomalyDetector, watchAnomalies } from './anomaly-watch.js';
import { AppStatusSource } from './app-status-source.js';
import { botOperations, createBotPollers } from './bot-pollers.js';
import { type Cluster, createCluster } from './cluster.js';
import { createExchangeStack, type ExchangeStack } from './exchange-stack.js';
import { registerHealthChecks } from './health-checks.js';
import { createHttpServers } from './http-server.js';
import { collectGauges } from './metrics-collector.js';
import { watchPredictive } from './predictive-watch.js';
import { createReconciler, ReconciliationLoop } from './reconciliation-loop.js';
import { Telemetry } from './telemetry.js';
import { TradingRole } from './trading-role.js';
import { resolveWebhookPassphrase } from './webhook-passphrase.js';

export interface KeelAppOptions {
  readonly config: KeelConfig;
  readonly logger: Logger;
  readonly clock?: Clock;
  readonly rng?: Rng;
  /** Replaces the exchange stack (tests: an in-process transport to the simulator). */
  readonly exchange?: (args: ExchangeStackArgs) => Promise<ExchangeStack>;
}

/** Above the bus's 1 s poll, which it must exceed. */
const BUS_CLAIM_LEASE_MIN_MS = 2_000;

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
    const webhookPassphrase = resolveWebhookPassphrase(config);
    const db = openAppDatabase(config);
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
    const { lease } = cluster;
    // Every journal write re-checks the lease in its own transaction: a paused old leader cannot act.
    const journal = new OrderJournal({
      db,
      clock,
      ...(lease === undefined ? {} : { fence: new LeaseWriteFence(lease) }),
    });
    const ledger = await Ledger.open({ database: db, clock, logger });
    const killSwitch = await KillSwitch.open({ db, clock, initialMode: config.engine.initialMode });
    const anomalies = await createAnomalyDetector({ config, db, clock, logger });
    const verifier = new TransactionVerifier({
      journal,
      gateway: exchange.gateway,
      ledger: new AnomalyOrderSink(new LedgerOrderSink(ledger), anomalies, logger),
      clock,
      logger,
      sendGuard: new SendGuard({
        // The mode as stored, not this process's copy: a halt set on any instance or by the CLI counts.
        halted: async () => (await killSwitch.refresh()) === 'HALTED',
        staleAtMs: async (intent) => {
          if (intent.role !== 'entry') return undefined; // a protective exit is never too old to place
          const stored = await signals.get(intent.signalId);
          return stored && signalStaleAtMs(stored.signal, config.engine.signalAgeMaxMs);
        },
        lease,
        requestTimeoutMs: exchange.adapter.options.timeoutMs.orders,
        clock,
      }),
      options: {
        submitAttemptsMax: config.verification.submitAttemptsMax,
        absenceGraceMs: config.verification.absenceGraceMs,
        pollIntervalMs: config.verification.pollIntervalMs,
        pollIntervalMaxMs: config.verification.pollIntervalMaxMs,
        orderLifetimeMs: config.verification.limitOrderLifetimeMs,
        verifyDeadlineMs: config.verification.verifyDeadlineMs,
        tradesWaitMaxMs: config.verification.tradesWaitMaxMs,
        tradePagesMax: config.verification.tradePagesMax,
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
    const newEngine = () =>
      new Engine({
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
        signalAgeMaxMs: config.engine.signalAgeMaxMs,
        exchangeWaitMaxMs: config.engine.exchangeWaitMaxMs,
        orderHoldMaxMs: config.engine.orderHoldMaxMs,
        setReady: (ready, reason) => health.setReady('startup-recovery', ready, reason),
        // A signal claimed by a leader that died goes back to the queue about when its lease does.
        ...(lease === undefined
          ? {}
          : { subscribe: { leaseMs: Math.max(config.cluster.leaseTtlMs, BUS_CLAIM_LEASE_MIN_MS) } }),
      });
    // enqueue only publishes on the shared bus: every instance, leader or not, takes signals.
    const initialEngine = newEngine();
    enqueue = initialEngine.enqueue;
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
        error: routes.error ?? routes.critical,
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
    rules.watchBus(bus);
    rules.watchReconciler(reconciler);
    const anomalyMetrics = createAnomalyMetrics(metrics.registry);
    watchAnomalies({
      detector: anomalies,
      reconciler,
      rules,
      killSwitch,
      metrics: anomalyMetrics,
      haltOnFlag: config.anomaly.haltOnFlag,
      logger,
    });
    watchPredictive({
      onPredictiveAction: exchange.pool.onPredictiveAction,
      metrics: anomalyMetrics,
      telemetry,
      rules,
    });
    closers.unshift(async () => rules.stop());
    telemetry.watchAdapter(exchange.adapter);
    verifier.onTransition((event) => telemetry.orderTransition(event));
    // Commands from the messenger act through the same operations as the dashboard (bound below).
    let commandSource: AppStatusSource | undefined;
    const botPollers = createBotPollers({
      config,
      clock,
      rng,
      logger,
      operations: botOperations({ source: () => commandSource, ledger, reconciliation, alerts }),
    });
    closers.unshift(() => botPollers.close());
    let spareEngine: Engine | undefined = initialEngine;
    const role = new TradingRole({
      lease,
      ledger,
      reconciliation,
      stopGraceMs: config.server.shutdownGraceMs,
      logger,
      // A standby takes webhooks: the recovery gate of an interrupted start-up must not hold it unready.
      onStandby: () => health.setReady('startup-recovery', true, ''),
      createEngine: () => {
        const engine = spareEngine ?? newEngine();
        spareEngine = undefined;
        const watches = [
          // Only the leader polls the messengers, so a command runs once in a cluster.
          botPollers.start(),
          rules.watchEngine(engine),
          engine.onSignalOutcome((outcome) => telemetry.emit('signal', outcome)),
        ];
        const dispose = () => {
          for (const watch of watches) watch.dispose();
        };
        return { engine, listeners: { dispose } };
      },
    });
    alerts.onAlert((alert) => telemetry.emit('alert', alert));
    killSwitch.onChange((change) => {
      metrics.engineMode.set({ RUNNING: 0, REDUCING: 1, HALTED: 2 }[change.to]);
      telemetry.emit('engineMode', change);
    });
    registerHealthChecks({ health, db, exchange, bus, reconciliation, channels, clock });
    botPollers.registerHealth(health);
    const intake = new TradingViewIntake({
      passphrase: webhookPassphrase.value,
      ...(config.webhook.hmacSecret === undefined ? {} : { hmacSecret: config.webhook.hmacSecret }),
      hmacRequired: config.webhook.hmacRequired,
      signatureAgeMaxMs: config.webhook.signatureAgeMaxMs,
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
      initialEngine.notify(); // wakes this process's bus consumer, whichever engine it serves
    });
    intake.onReceived(() => metrics.signals.inc({ outcome: 'received' }));
    intake.onDuplicate(() => metrics.signals.inc({ outcome: 'duplicate' }));
    let storeFailedAtMs: number | undefined;
    intake.onRejected(({ reason }) => {
      metrics.signals.inc({ outcome: `rejected_${reason}` });
      if (reason === 'unavailable' && app.accepting) storeFailedAtMs = clock.nowMs();
    });
    health.register({
      name: 'webhook-intake',
      component: 'market-data',
      check: () => {
        if (!app.accepting) return { status: 'unhealthy', reason: 'intake stopped (shutting down)' };
        if (storeFailedAtMs !== undefined && clock.nowMs() - storeFailedAtMs < 60_000)
          return {
            status: 'degraded',
            reason: 'a signal could not be stored in the last minute (answered 503)',
          };
        return { status: 'healthy' };
      },
    });
    const source = new AppStatusSource({
      instance: {
        id: config.cluster.instanceId,
        startedAtMs: clock.nowMs(),
        version: KEEL_VERSION,
        mode: config.mode,
        ...(lease === undefined ? {} : { leader: () => role.isLeader }),
      },
      leaderId: () => cluster.leaderId(),
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
      anomalies,
    });
    commandSource = source;
    const servers = await createHttpServers({
      config,
      intake,
      source,
      health,
      metrics,
      beforeScrape: () => collectGauges(metrics, { exchange, bus, journal, reconciliation }),
      clock,
      logger,
      reconcile: async () => {
        // Only the leader corrects the ledger; a standby would write beside it.
        if (!role.isLeader) throw new NotLeaderError(config.cluster.instanceId);
        await ledger.refresh();
        return reconciliationView(await reconciliation.runNow());
      },
      endStuckOrder: async (orderId, input) => {
        if (!role.isLeader) throw new NotLeaderError(config.cluster.instanceId);
        return verifier.endStuckOrder(orderId, input);
      },
      cluster: () => cluster.view(),
      onAuthFailure: ({ clientAddress, throttled }) => {
        metrics.authFailures.inc({ result: throttled ? 'throttled' : 'refused' });
        if (throttled)
          rules.raise({
            severity: 'warning',
            source: 'security',
            key: `auth.throttled.${clientAddress}`,
            title: `repeated failed logins from ${clientAddress}: answered 429 for a while`,
            details: { clientAddress, failuresMax: config.dashboard.authFailuresMax },
          });
      },
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
      bus,
      alerts,
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

/** POST /api/reconcile on a standby: 409, the leader reconciles. */
export class NotLeaderError extends Error {
  readonly code = 'NOT_LEADER';
  readonly statusCode = 409;

  constructor(instanceId: string) {
    super(`instance ${instanceId} is not the trading leader; ask the leader to reconcile`);
    this.name = 'NotLeaderError';
  }
}

function openAppDatabase(config: KeelConfig): Database {
  const url = config.storage.databaseUrl?.reveal();
  const schema = config.storage.databaseSchema;
  if (url !== undefined && schema !== undefined) return new PostgresDatabase({ url, schema });
  return openDatabase({
    dataDir: config.dataDir,
    sqliteSynchronous: config.storage.sqliteSynchronous,
    ...(url === undefined ? {} : { databaseUrl: url }),
  });
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
