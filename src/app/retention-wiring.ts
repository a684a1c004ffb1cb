// Builds the retention runner from the retention settings and starts it: archives and deletes rows
// past their horizon on the trading leader, raising a warning while runs fail.
import type { KeelConfig } from '../config/index.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../logging/logger.js';
import { ArchiveWriter } from '../retention/archive-writer.js';
import { RetentionRunner } from '../retention/retention-runner.js';
import type { Database } from '../storage/database.js';
import type { AlertRules } from './alert-rules.js';

const FAILURE_KEY = 'retention.failed';

/** Starts periodic retention when enabled; the returned closer stops it. */
export function startRetention(input: {
  readonly config: KeelConfig;
  readonly db: Database;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly rules: Pick<AlertRules, 'raise' | 'resolve'>;
  readonly isLeader: () => boolean;
}): () => Promise<void> {
  const options = retentionOptions(input.config);
  if (options === undefined) return async () => undefined;
  const runner = new RetentionRunner({
    db: input.db,
    archive: new ArchiveWriter(input.config.dataDir),
    clock: input.clock,
    logger: input.logger,
    options,
    // One instance prunes: standbys would archive the same rows into their own folders.
    shouldRun: input.isLeader,
    onRunEnded: (error) => {
      if (error === undefined) return input.rules.resolve(FAILURE_KEY);
      input.rules.raise({
        severity: 'warning',
        source: 'storage',
        key: FAILURE_KEY,
        title: 'retention run failed: old rows are not being archived',
        details: { error: error instanceof Error ? error.message : String(error) },
      });
    },
  });
  runner.start();
  return async () => runner.stop();
}

/** The runner's horizons and pace from the retention settings; undefined when retention is off. */
export function retentionOptions(config: KeelConfig) {
  const { retention } = config;
  if (!retention.enabled) return undefined;
  return {
    keepDays: {
      signals: retention.signalsKeepDays,
      audit: retention.auditKeepDays,
      alerts: retention.alertsKeepDays,
      reconciliation: retention.reconciliationKeepDays,
    },
    intervalMs: retention.intervalMs,
    rowsPerRunMax: retention.rowsPerRunMax,
    batchRows: retention.batchRows,
  };
}
