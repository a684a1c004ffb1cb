// Stage 1, intake: the TradingView webhook checks each alert (passphrase, signature, source address,
// age, size, symbol) and stores what it accepts, which publishes it on the bus (stage 2). Its outcomes
// are counted, and a store failure shows as degraded health for a minute.
import type { KeelConfig } from '../../config/index.js';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../logging/logger.js';
import type { SignalStore } from '../../market-data/signal-store.js';
import { TradingViewIntake } from '../../market-data/tradingview-intake.js';
import type { HealthRegistry } from '../../monitoring/health-registry.js';
import type { Metrics } from '../../monitoring/metrics.js';

/** How long one failed store keeps the intake's health degraded. */
const STORE_FAILURE_DEGRADED_MS = 60_000;

export function wireIntake(options: {
  config: KeelConfig;
  passphrase: string;
  signals: SignalStore;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  health: HealthRegistry;
  /** False once shutdown began: the webhook answers 503. */
  isAccepting: () => boolean;
}): TradingViewIntake {
  const { config, clock, metrics, isAccepting } = options;
  const intake = new TradingViewIntake({
    passphrase: options.passphrase,
    ...intakeSettings(config),
    store: options.signals,
    clock,
    logger: options.logger,
    isAccepting,
  });
  intake.onAccepted(() => metrics.signals.inc({ outcome: 'accepted' }));
  intake.onReceived(() => metrics.signals.inc({ outcome: 'received' }));
  intake.onDuplicate(() => metrics.signals.inc({ outcome: 'duplicate' }));
  let storeFailedAtMs: number | undefined;
  intake.onRejected(({ reason }) => {
    metrics.signals.inc({ outcome: `rejected_${reason}` });
    if (reason === 'unavailable' && isAccepting()) storeFailedAtMs = clock.nowMs();
  });
  options.health.register({
    name: 'webhook-intake',
    component: 'market-data',
    check: () => {
      if (!isAccepting()) return { status: 'unhealthy', reason: 'intake stopped (shutting down)' };
      if (storeFailedAtMs !== undefined && clock.nowMs() - storeFailedAtMs < STORE_FAILURE_DEGRADED_MS)
        return {
          status: 'degraded',
          reason: 'a signal could not be stored in the last minute (answered 503)',
        };
      return { status: 'healthy' };
    },
  });
  return intake;
}

/** The intake's checks from the webhook settings (and the engine's allowed symbols). */
export function intakeSettings(config: KeelConfig) {
  const { webhook } = config;
  return {
    ...(webhook.hmacSecret === undefined ? {} : { hmacSecret: webhook.hmacSecret }),
    hmacRequired: webhook.hmacRequired,
    signatureAgeMaxMs: webhook.signatureAgeMaxMs,
    ipAllowList: {
      enabled: webhook.ipAllowList.enabled,
      addresses: webhook.ipAllowList.addresses,
      trustedProxies: webhook.trustedProxies,
    },
    alertAgeMaxMs: webhook.alertAgeMaxMs,
    bodySizeBytesMax: webhook.bodySizeBytesMax,
    readTimeoutMs: Math.min(webhook.readTimeoutMs, 2_500),
    allowedSymbols: config.engine.allowedSymbols,
  };
}
