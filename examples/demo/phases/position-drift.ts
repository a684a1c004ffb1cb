// Phase 6: the exchange balance moves without a trade (a small fee refund, say). Reconciliation sees
// the ledger differ, corrects it within tolerance with an audited posting, and raises an info alert.
import { Decimal, formatDecimal, parseDecimal } from '../../../src/core/decimal.js';
import type { ReconciliationRow } from '../../../src/position/reconciliation-result.js';
import type { DemoContext } from '../demo-context.js';
import { check } from '../demo-errors.js';
import { waitFor } from '../wait.js';
import type { DemoPhase } from './phase.js';

const ASSET = 'rls';
const DRIFT_RIAL = '7';

export const positionDrift: DemoPhase = {
  title: 'Position drift',
  async run(context: DemoContext) {
    const { progress, simulator, app } = context;
    const corrections: ReconciliationRow[] = [];
    const subscription = app.reconciler.onCorrected(({ row }) => corrections.push(row));
    try {
      await waitFor(async () => ((await app.journal.listNonTerminal(1)).length === 0 ? true : undefined), {
        timeoutMs: 10_000,
        what: 'no order in flight',
      });
      const wallet = simulator.wallets(context.token)[ASSET];
      check(wallet !== undefined, `the simulator has no ${ASSET} wallet`);
      const before = parseDecimal(wallet.balance, 'balance');
      const after = before.plus(new Decimal(DRIFT_RIAL));
      simulator.setBalance(context.token, ASSET, formatDecimal(after));
      progress.narrate(`The exchange's ${ASSET} balance moves by +${DRIFT_RIAL} rial without any trade`);
      const result = await progress.step('Reconciliation compares the ledger with the exchange', () =>
        app.reconciliation.runNow(),
      );
      const row = corrections.find((candidate) => candidate.asset === ASSET);
      check(row !== undefined, `reconciliation (status ${result.status}) did not correct ${ASSET}`);
      check(
        row.totalDifference.eq(new Decimal(DRIFT_RIAL)),
        `the ${ASSET} difference was ${formatDecimal(row.totalDifference)}, expected ${DRIFT_RIAL}`,
      );
      progress.ok(
        `${ASSET}: ledger ${formatDecimal(row.ledgerTotal)} vs exchange ${formatDecimal(row.exchangeTotal)} → ` +
          `difference ${formatDecimal(row.totalDifference)} within tolerance ${formatDecimal(row.tolerance)}`,
      );
      check(row.postingSeq !== undefined, 'the correction has no ledger posting');
      check(
        app.ledger.balances(ASSET).total.eq(after),
        `the ledger ${ASSET} total does not equal the exchange`,
      );
      progress.ok(`corrected with audited ledger posting #${row.postingSeq}; ledger now equals the exchange`);
      const alert = await waitFor(
        () =>
          app.alerts.openAlerts().find((candidate) => candidate.key === `reconciliation.corrected.${ASSET}`),
        { timeoutMs: 5_000, what: 'the correction alert' },
      );
      progress.ok(`alert [${alert.severity}] ${alert.title}`);
    } finally {
      subscription.dispose();
    }
  },
};
