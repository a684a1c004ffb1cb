// What one reconciliation run found and did; persisted and returned by the Reconciler.
import type { Decimal } from '../core/decimal.js';
import type {
  CurrencyComparison,
  ExchangeOpenOrder,
  ReconciliationAction,
} from './reconciliation-compare.js';

export type ReconciliationRunKind = 'reconcile' | 'initialize';

/** `ok`: everything matched (or was opened); `error`: nothing was compared (fetch failed). */
export type ReconciliationStatus = 'ok' | 'corrected' | 'breach' | 'error';

export interface ReconciliationRow extends Omit<CurrencyComparison, 'action'> {
  readonly action: ReconciliationAction;
  /** Ledger wallet after the action (equals the exchange after a correction or an opening). */
  readonly ledgerTotalAfter: Decimal;
  readonly ledgerBlockedAfter: Decimal;
  /** The correction or opening posting. */
  readonly postingSeq?: number;
}

export interface ReconciliationSummary {
  readonly matchCount: number;
  readonly correctedCount: number;
  readonly breachCount: number;
  readonly openingCount: number;
  readonly unknownOrderCount: number;
}

export interface ReconciliationResult {
  readonly runId: string;
  readonly kind: ReconciliationRunKind;
  readonly startedAtMs: number;
  readonly finishedAtMs: number;
  readonly status: ReconciliationStatus;
  readonly rows: readonly ReconciliationRow[];
  /** Open orders on the exchange that the journal does not know: reported, never adopted. */
  readonly unknownOrders: readonly ExchangeOpenOrder[];
  readonly summary: ReconciliationSummary;
  /** Why the run failed, when status is `error`. */
  readonly error?: string;
}

export function summarize(
  rows: readonly ReconciliationRow[],
  unknownOrderCount: number,
): ReconciliationSummary {
  const count = (action: ReconciliationAction) => rows.filter((row) => row.action === action).length;
  return {
    matchCount: count('match'),
    correctedCount: count('corrected'),
    breachCount: count('breach'),
    openingCount: count('opening'),
    unknownOrderCount,
  };
}

export function statusOf(summary: ReconciliationSummary): ReconciliationStatus {
  if (summary.breachCount > 0) return 'breach';
  return summary.correctedCount > 0 ? 'corrected' : 'ok';
}
