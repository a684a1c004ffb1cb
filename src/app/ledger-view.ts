// The ledger as the dashboard and `/api/ledger` show it: the ledger's wallets beside the exchange's as
// the last reconciliation that compared them saw them, with its difference and verdict told truthfully.
import { formatDecimal } from '../core/decimal.js';
import type { LedgerView } from '../monitoring/api/status-source.js';
import type { Ledger } from '../position/ledger.js';
import type { ReconciliationResult, ReconciliationRow } from '../position/reconciliation-result.js';

/** Actions after which the ledger equals the exchange in that currency. */
const AGREEING_ACTIONS: ReadonlySet<ReconciliationRow['action']> = new Set(['match', 'corrected', 'opening']);

export function ledgerViewOf(
  ledger: Ledger,
  run: ReconciliationResult | undefined,
): Omit<LedgerView, 'anomalies'> {
  const rows = new Map((run?.rows ?? []).map((row) => [row.asset, row]));
  const assets = [...new Set([...ledger.assets(), ...rows.keys()])].sort();
  const doubleEntryBalanced = assets.every((asset) => ledger.isBalanced(asset));
  const disagreeing = [...rows.values()].filter((row) => !AGREEING_ACTIONS.has(row.action));
  return {
    currencies: assets.map((asset) => {
      const balances = ledger.balances(asset);
      const row = rows.get(asset);
      return {
        currency: asset,
        ledgerBalance: formatDecimal(balances.total),
        ledgerBlocked: formatDecimal(balances.blocked),
        exchangeBalance: row === undefined ? null : formatDecimal(row.exchangeTotal),
        exchangeBlocked: row === undefined ? null : formatDecimal(row.exchangeBlocked),
        difference: row === undefined ? null : formatDecimal(differenceOf(row)),
        action: row?.action ?? null,
        lastReconciledAtMs: run?.finishedAtMs ?? null,
      };
    }),
    balanced: doubleEntryBalanced && disagreeing.length === 0,
    doubleEntryBalanced,
    reconciliation:
      run === undefined
        ? null
        : {
            runId: run.runId,
            status: run.status,
            finishedAtMs: run.finishedAtMs,
            breachCount: run.summary.breachCount,
          },
  };
}

/**
 * Ledger minus exchange as the run left it: zero once a correction or opening made them agree, the
 * difference it found otherwise (a breach or a skipped currency keeps its difference).
 */
function differenceOf(row: ReconciliationRow) {
  return AGREEING_ACTIONS.has(row.action)
    ? row.ledgerTotalAfter.minus(row.exchangeTotal)
    : row.totalDifference.neg();
}
