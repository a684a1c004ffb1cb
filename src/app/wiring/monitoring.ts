// Monitoring observes every stage and changes none of them (except that its rules may halt the engine):
// alert channels and the alert manager, the alert rules watching the adapter, verifier, bus,
// reconciliation, anomalies and predictive recovery, telemetry for the dashboard's stream, the health
// checks, and the messenger command pollers that run while this instance trades.
import type { MessageBus } from '../../bus/index.js';
import type { KeelConfig } from '../../config/index.js';
import type { Disposable } from '../../core/events.js';
import type { Engine } from '../../engine/engine.js';
import type { HaltedDoor } from '../../engine/halted-door.js';
import type { KillSwitch } from '../../engine/kill-switch.js';
import type { TransactionVerifier } from '../../exchange/transaction-verification/transaction-verifier.js';
import { AlertManager } from '../../monitoring/alert-system/alert-manager.js';
import {
  type AlertChannels,
  createAlertChannels,
} from '../../monitoring/alert-system/channels/create-alert-channels.js';
import type { AnomalyDetector } from '../../monitoring/anomaly/anomaly-detector.js';
import { createAnomalyMetrics } from '../../monitoring/anomaly/anomaly-metrics.js';
import type { StatusSource } from '../../monitoring/api/status-source.js';
import type { Ledger } from '../../position/ledger.js';
import type { Reconciler } from '../../position/reconciliation.js';
import { AlertRules } from '../alert-rules.js';
import { watchAnomalies } from '../anomaly-watch.js';
import { type BotPollers, botOperations, createBotPollers } from '../bot-pollers.js';
import { registerHealthChecks } from '../health-checks.js';
import { ENGINE_MODE_VALUES, seedMetricSeries } from '../metrics-series.js';
import { watchPredictive } from '../predictive-watch.js';
import type { ReconciliationLoop } from '../reconciliation-loop.js';
import type { Base } from './foundation.js';

export interface Monitoring {
  readonly channels: AlertChannels;
  readonly alerts: AlertManager;
  readonly rules: AlertRules;
  readonly botPollers: BotPollers;
  /** The watches of one trading term's engine (and the command pollers, which only the leader runs). */
  watchEngine(engine: Engine): Disposable[];
  /** Names the status source the messenger commands act through (built after monitoring). */
  bindCommandSource(source: StatusSource): void;
}

/** What monitoring observes: the foundation and every stage. */
export interface Observed extends Omit<Base, 'lease'> {
  readonly bus: MessageBus;
  readonly verifier: TransactionVerifier;
  readonly ledger: Ledger;
  readonly killSwitch: KillSwitch;
  /** Refuses signals arriving while HALTED as they are stored: alerted on every instance. */
  readonly door: HaltedDoor;
  readonly anomalies: AnomalyDetector;
  readonly reconciler: Reconciler;
  readonly reconciliation: ReconciliationLoop;
}

export async function wireMonitoring(
  observed: Observed,
  options: { secrets: string[]; closers: (() => Promise<void>)[] },
): Promise<Monitoring> {
  const { config, clock, logger, closers } = { ...observed, ...options };
  const channels = createAlertChannels(config.alerts, {
    logger,
    clock,
    rng: observed.rng,
    ...alertChannelSettings(config),
  });
  closers.unshift(() => channels.close());
  const alerts = await openAlertManager(observed, channels, options.secrets);
  closers.unshift(() => alerts.stop());
  const rules = watchWithRules(observed, alerts);
  closers.unshift(async () => rules.stop());
  const { telemetry } = observed;
  // Every instance's intake refuses at the door, leader or not: its refusals are alerted for good.
  rules.watchDoor(observed.door);
  observed.door.onSignalOutcome((outcome) => telemetry.emit('signal', outcome));
  telemetry.watchAdapter(observed.exchange.adapter);
  observed.verifier.onTransition((event) => telemetry.orderTransition(event));
  // Commands from the messenger act through the same operations as the dashboard (bound later).
  let commandSource: StatusSource | undefined;
  const botPollers = createBotPollers({
    config,
    clock,
    rng: observed.rng,
    logger,
    operations: botOperations({
      source: () => commandSource,
      ledger: observed.ledger,
      reconciliation: observed.reconciliation,
      alerts,
    }),
  });
  closers.unshift(() => botPollers.close());
  return {
    channels,
    alerts,
    rules,
    botPollers,
    watchEngine: (engine) => [
      // Only the leader polls the messengers, so a command runs once in a cluster.
      botPollers.start(),
      rules.watchEngine(engine),
      engine.onSignalOutcome((outcome) => telemetry.emit('signal', outcome)),
    ],
    bindCommandSource: (source) => {
      commandSource = source;
    },
  };
}

/** The alerts and engine-mode events on the stream and in metrics; one health check per component. */
export function observeStatus(observed: Observed, monitoring: Monitoring): void {
  const { metrics, telemetry, health } = observed;
  monitoring.alerts.onAlert((alert) => telemetry.emit('alert', alert));
  observed.killSwitch.onChange((change) => {
    metrics.engineMode.set(ENGINE_MODE_VALUES[change.to]);
    telemetry.emit('engineMode', change);
  });
  registerHealthChecks({
    health,
    db: observed.db,
    exchange: observed.exchange,
    bus: observed.bus,
    reconciliation: observed.reconciliation,
    channels: monitoring.channels,
    clock: observed.clock,
  });
  monitoring.botPollers.registerHealth(health);
}

function openAlertManager(observed: Observed, channels: AlertChannels, secrets: string[]) {
  return AlertManager.open({
    db: observed.db,
    clock: observed.clock,
    logger: observed.logger,
    ...alertManagerSettings(observed.config),
    dispatchers: channels.dispatchers,
    secrets,
  });
}

/** How the alert manager dedups, groups, routes and escalates, from the alerts settings. */
/** Each alert channel's bulkhead. */
export const alertChannelSettings = (config: KeelConfig) => ({ limits: config.bulkheads.alertChannels });

export function alertManagerSettings(config: KeelConfig) {
  const { alerts } = config;
  const { routes } = alerts;
  return {
    dedupWindowMs: alerts.dedupWindowMs,
    groupWaitMs: alerts.groupWaitMs,
    groupIntervalMs: alerts.groupIntervalMs,
    repeatIntervalMs: alerts.repeatIntervalMs,
    routes: {
      info: routes.info,
      warning: routes.warning,
      error: routes.error ?? routes.critical,
      critical: routes.critical,
    },
    ...(alerts.escalation.channel === undefined
      ? {}
      : { escalation: { afterMs: alerts.escalation.afterMs, channel: alerts.escalation.channel } }),
  };
}

/** When the rules halt the engine: a long exchange failure, a reconciliation breach, an anomaly flag. */
export function haltSettings(config: KeelConfig) {
  return {
    haltAfterExchangeFailureMs: config.engine.haltAfterExchangeFailureMs,
    haltOnBreach: config.reconciliation.haltOnBreach,
    haltOnFlag: config.anomaly.haltOnFlag,
  };
}

/** The rules that raise alerts (and may halt the engine) on what the adapter, verifier, bus, reconciler, anomalies and predictive recovery report. */
function watchWithRules(observed: Observed, alerts: AlertManager): AlertRules {
  const { config, reconciler } = observed;
  const { haltOnFlag, ...halts } = haltSettings(config);
  const rules = new AlertRules({
    alerts,
    killSwitch: observed.killSwitch,
    clock: observed.clock,
    logger: observed.logger,
    metrics: observed.metrics,
    ...halts,
  });
  rules.watchAdapter(observed.exchange.adapter);
  rules.watchVerifier(observed.verifier);
  rules.watchBus(observed.bus);
  rules.watchReconciler(reconciler);
  const anomalyMetrics = createAnomalyMetrics(observed.metrics.registry);
  seedMetricSeries(observed.metrics, anomalyMetrics, {
    config,
    baseUrls: observed.exchange.baseUrls,
    engineMode: observed.killSwitch.mode,
  });
  watchAnomalies({
    detector: observed.anomalies,
    reconciler,
    rules,
    killSwitch: observed.killSwitch,
    metrics: anomalyMetrics,
    haltOnFlag,
    logger: observed.logger,
  });
  watchPredictive({
    onPredictiveAction: observed.exchange.pool.onPredictiveAction,
    metrics: anomalyMetrics,
    telemetry: observed.telemetry,
    rules,
  });
  return rules;
}
