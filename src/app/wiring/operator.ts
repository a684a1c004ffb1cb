// The operator's view, built last because it reads every stage: the status source behind the dashboard,
// API and messenger commands, and the HTTP listeners (webhook, probes, dashboard, API, metrics).
import { KEEL_VERSION } from '../../config/index.js';
import { formatDecimal } from '../../core/decimal.js';
import type { TradingViewIntake } from '../../market-data/tradingview-intake.js';
import type { ReconciliationResult } from '../../position/reconciliation-result.js';
import { AppStatusSource } from '../app-status-source.js';
import type { Cluster } from '../cluster.js';
import type { FillStreamWiring } from '../fill-stream-wiring.js';
import { createHttpServers, type HttpServers } from '../http-server.js';
import { collectGauges } from '../metrics-collector.js';
import type { TradingRole } from '../trading-role.js';
import type { TradingStack } from '../trading-stack.js';
import type { BulkheadStage } from './bulkheads.js';
import type { BusStage } from './bus.js';
import type { Monitoring, Observed } from './monitoring.js';
import type { VerificationStage } from './verification.js';

export interface OperatorSurface {
  readonly source: AppStatusSource;
  readonly servers: HttpServers;
}

export async function wireOperatorSurface(parts: {
  observed: Observed;
  monitoring: Monitoring;
  busStage: BusStage;
  verification: VerificationStage;
  intake: TradingViewIntake;
  cluster: Cluster;
  role: TradingRole;
  bulkheads: BulkheadStage;
  trading: TradingStack;
  fillStream: FillStreamWiring | undefined;
}): Promise<OperatorSurface> {
  const { observed, monitoring, cluster, role } = parts;
  const { config, clock, exchange, ledger, reconciliation, metrics } = observed;
  const { journal, verifier } = parts.verification;
  const { bus, signals } = parts.busStage;
  const lease = cluster.lease;
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
    reconciler: observed.reconciler,
    alerts: monitoring.alerts,
    killSwitch: observed.killSwitch,
    health: observed.health,
    bus,
    telemetry: observed.telemetry,
    anomalies: observed.anomalies,
    bulkheads: parts.bulkheads.bulkheads,
    ...(parts.fillStream === undefined ? {} : { fillStream: parts.fillStream }),
  });
  monitoring.bindCommandSource(source);
  const servers = await createHttpServers({
    config,
    intake: parts.intake,
    source,
    health: observed.health,
    metrics,
    beforeScrape: () => collectGauges(metrics, { exchange, bus, journal, reconciliation }),
    apiBulkhead: parts.bulkheads.api,
    clock,
    logger: observed.logger,
    reconcile: async () => {
      // Only the leader corrects the ledger; a standby would write beside it.
      if (!role.isLeader) throw new NotLeaderError(config.cluster.instanceId);
      await ledger.refresh();
      return reconciliationView(await reconciliation.runNow());
    },
    trading: parts.trading.source(() => {
      if (!role.isLeader) throw new NotLeaderError(config.cluster.instanceId);
    }),
    endStuckOrder: async (orderId, input) => {
      if (!role.isLeader) throw new NotLeaderError(config.cluster.instanceId);
      return verifier.endStuckOrder(orderId, input);
    },
    cluster: () => cluster.view(),
    onAuthFailure: ({ clientAddress, throttled }) => {
      metrics.authFailures.inc({ result: throttled ? 'throttled' : 'refused' });
      if (throttled)
        monitoring.rules.raise({
          severity: 'warning',
          source: 'security',
          key: `auth.throttled.${clientAddress}`,
          title: `repeated failed logins from ${clientAddress}: answered 429 for a while`,
          details: { clientAddress, failuresMax: config.dashboard.authFailuresMax },
        });
    },
  });
  return { source, servers };
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
