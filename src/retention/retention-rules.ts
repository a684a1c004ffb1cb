// What may leave the database, one literal rule per table. A rule selects rows past their horizon
// that nothing live needs: an open order's audit trail and signal, an open alert, a breached or the
// latest reconciliation run, and every ledger posting (the books, and the record that makes each
// trade post once) always stay. The eligibility is checked again inside the deleting transaction.

import { TERMINAL_STATES } from '../exchange/order-journal/order-state.js';
import { TERMINAL_SIGNAL_STATES } from '../market-data/signal-state.js';
import type { SqlValue } from '../storage/database.js';

export interface RetentionRule {
  /** Table the rows leave; also the archive's folder name. */
  readonly table: string;
  /** Unique column that names a row for the delete. */
  readonly keyColumn: string;
  /** Which horizon setting applies. */
  readonly horizon: RetentionHorizon;
  /** SQL condition (no leading WHERE) with `?` for the cutoff, epoch ms, given `cutoffCount` times. */
  readonly eligible: string;
  readonly cutoffCount: number;
  /** Tables whose rows belong to a parent row; archived inside it and deleted before it. */
  readonly children?: readonly { readonly table: string; readonly parentColumn: string }[];
}

export type RetentionHorizon = 'signals' | 'audit' | 'alerts' | 'reconciliation';

const list = (values: Iterable<string>): string => [...values].map((value) => `'${value}'`).join(', ');
const TERMINAL_ORDERS = list(TERMINAL_STATES);

export const RETENTION_RULES: readonly RetentionRule[] = [
  {
    table: 'order_events',
    keyColumn: 'seq',
    horizon: 'audit',
    // A whole trail at once: the order is finished and its last change is past the horizon. EXISTS per
    // row (a key lookup) lets the scan stop at the batch size: an IN list of a year of finished orders
    // took 13 s per batch on 10 M events, this 40 ms.
    eligible: `at_ms < ? AND EXISTS (SELECT 1 FROM orders o WHERE o.id = order_events.order_id
      AND o.state IN (${TERMINAL_ORDERS}) AND o.updated_at_ms < ?)`,
    cutoffCount: 2,
  },
  {
    table: 'signals',
    keyColumn: 'id',
    horizon: 'signals',
    // Quarantined and failed signals wait for a person; a signal whose order is open stays with it.
    eligible: `received_at_ms < ? AND state IN (${list(TERMINAL_SIGNAL_STATES)})
      AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.signal_id = signals.id AND o.state NOT IN (${TERMINAL_ORDERS}))`,
    cutoffCount: 1,
  },
  {
    table: 'alerts',
    keyColumn: 'id',
    horizon: 'alerts',
    eligible: `state = 'resolved' AND last_seen_at_ms < ?`,
    cutoffCount: 1,
  },
  {
    table: 'alert_deliveries',
    keyColumn: 'seq',
    horizon: 'alerts',
    eligible: 'at_ms < ?',
    cutoffCount: 1,
  },
  {
    table: 'reconciliation_runs',
    keyColumn: 'id',
    horizon: 'reconciliation',
    // Only clean comparisons: initialize runs prove the opening balances, breaches await acknowledgement.
    eligible: `started_at_ms < ? AND kind = 'reconcile'
      AND seq < (SELECT MAX(seq) FROM reconciliation_runs)
      AND id IN (SELECT run_id FROM reconciliation_outcomes WHERE status = 'ok' AND breach_count = 0)
      AND id NOT IN (SELECT run_id FROM reconciliation_acknowledgements)`,
    cutoffCount: 1,
    children: [
      { table: 'reconciliation_items', parentColumn: 'run_id' },
      { table: 'reconciliation_outcomes', parentColumn: 'run_id' },
    ],
  },
];

/** The rule's statement parameters for one cutoff. */
export function cutoffParams(rule: RetentionRule, cutoffAtMs: number): SqlValue[] {
  return Array.from({ length: rule.cutoffCount }, () => cutoffAtMs);
}
