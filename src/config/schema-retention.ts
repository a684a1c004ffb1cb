// The retention section: how long rows stay in the database before they are archived to gzip JSON
// lines under `<dataDir>/archive` and deleted. Rows an open order, a live signal or an open alert
// needs are never eligible, whatever their age; ledger postings are never deleted (they are the books).
import { z } from 'zod';
import { bool, durationMs, intRange } from './fields.js';

export const retentionSchema = z
  .strictObject({
    /** Archive and delete rows past their horizon. */
    enabled: bool().default(true),
    /** Finished signals (executed, rejected) received longer ago than this many days. */
    signalsKeepDays: intRange(1, 3_650).default(90),
    /** Audit trails of finished orders last updated longer ago than this many days. */
    auditKeepDays: intRange(1, 3_650).default(180),
    /** Resolved alerts, and alert delivery records, older than this many days. */
    alertsKeepDays: intRange(1, 3_650).default(90),
    /** Reconciliation runs that found no breach, older than this many days. */
    reconciliationKeepDays: intRange(1, 3_650).default(30),
    /** Time between two retention runs. */
    intervalMs: durationMs().default(3_600_000),
    /** Rows archived and deleted per run at most, over all tables, so one run stays short. */
    rowsPerRunMax: intRange(1, 10_000_000).default(100_000),
    /** Rows per archive file and per delete transaction. */
    batchRows: intRange(1, 5_000).default(1_000),
  })
  .prefault({} as never);
