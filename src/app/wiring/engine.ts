// Stage 3, the engine: takes signals off the bus, decides and sizes each order within the risk limits,
// and hands it to verification. A new engine per trading term (see TradingRole); the first is built
// at start so that intake can wake it.

import type { KeelConfig } from '../../config/index.js';
import type { Clock } from '../../core/clock.js';
import { Decimal } from '../../core/decimal.js';
import type { Disposable } from '../../core/events.js';
import { Engine } from '../../engine/engine.js';
import type { KillSwitch } from '../../engine/kill-switch.js';
import type { Logger } from '../../logging/logger.js';
import type { HealthRegistry } from '../../monitoring/health-registry.js';
import type { Ledger } from '../../position/ledger.js';
import type { LeaderLease } from '../../storage/leadership/leader-lease.js';
import type { ExchangeStack } from '../exchange-stack.js';
import { serverSettings } from '../http-server.js';
import type { ReconciliationLoop } from '../reconciliation-loop.js';
import { TradingRole } from '../trading-role.js';
import type { TradingStack } from '../trading-stack.js';
import type { BusStage } from './bus.js';
import type { VerificationStage } from './verification.js';

/** Above the bus's 1 s poll, which it must exceed. */
const BUS_CLAIM_LEASE_MIN_MS = 2_000;

/** Builds the engine of one trading term. */
export type EngineFactory = () => Engine;

export function wireEngine(options: {
  config: KeelConfig;
  clock: Clock;
  logger: Logger;
  lease: LeaderLease | undefined;
  busStage: BusStage;
  verification: VerificationStage;
  exchange: ExchangeStack;
  ledger: Ledger;
  killSwitch: KillSwitch;
  health: HealthRegistry;
  /** Close and cancel: the strategy's positions and its open orders. */
  trading: TradingStack;
}): EngineFactory {
  const { config, lease, busStage, verification, health } = options;
  return () =>
    new Engine({
      signals: busStage.signals,
      bus: busStage.bus,
      journal: verification.journal,
      verifier: verification.verifier,
      gateway: options.exchange.gateway,
      ledger: options.ledger,
      killSwitch: options.killSwitch,
      clock: options.clock,
      logger: options.logger,
      actions: options.trading.actions,
      setReady: (ready, reason) => health.setReady('startup-recovery', ready, reason),
      ...engineSettings(config, lease !== undefined),
    });
}

/** The engine's limits and waits from the engine settings (and, leased, the cluster's lease). */
export function engineSettings(config: KeelConfig, leased: boolean) {
  return {
    limits: riskLimits(config),
    signalAgeMaxMs: config.engine.signalAgeMaxMs,
    exchangeWaitMaxMs: config.engine.exchangeWaitMaxMs,
    orderHoldMaxMs: config.engine.orderHoldMaxMs,
    ocoStopLimitPercent: config.engine.ocoStopLimitPercent,
    subscribe: {
      // The engine's bulkhead: signals worked on at once, claimed ones waiting, and their longest wait.
      concurrencyMax: config.bulkheads.engine.concurrentMax,
      bufferMax: config.bulkheads.engine.queueMax,
      queueWaitMaxMs: config.bulkheads.engine.queueWaitMaxMs,
      // A signal claimed by a leader that died goes back to the queue about when its lease does.
      ...(leased ? { leaseMs: Math.max(config.cluster.leaseTtlMs, BUS_CLAIM_LEASE_MIN_MS) } : {}),
    },
  };
}

/** The kill switch's mode on a fresh store. */
export const killSwitchSettings = (config: KeelConfig) => ({ initialMode: config.engine.initialMode });

/**
 * Who trades: the lease holder (or, without a lease, this instance) runs an engine per trading term,
 * the first being the one built at start; the others stand by and take webhooks.
 */
export function wireTradingRole(options: {
  config: KeelConfig;
  logger: Logger;
  lease: LeaderLease | undefined;
  ledger: Ledger;
  reconciliation: ReconciliationLoop;
  health: HealthRegistry;
  newEngine: EngineFactory;
  initialEngine: Engine;
  /** The watches of a term's engine, disposed when the term ends. */
  watchEngine: (engine: Engine) => Disposable[];
}): TradingRole {
  const { health, newEngine } = options;
  let spareEngine: Engine | undefined = options.initialEngine;
  return new TradingRole({
    lease: options.lease,
    ledger: options.ledger,
    reconciliation: options.reconciliation,
    stopGraceMs: serverSettings(options.config).shutdownGraceMs,
    logger: options.logger,
    // A standby takes webhooks: the recovery gate of an interrupted start-up must not hold it unready.
    onStandby: () => health.setReady('startup-recovery', true, ''),
    createEngine: () => {
      const engine = spareEngine ?? newEngine();
      spareEngine = undefined;
      const watches = options.watchEngine(engine);
      const dispose = () => {
        for (const watch of watches) watch.dispose();
      };
      return { engine, listeners: { dispose } };
    },
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
