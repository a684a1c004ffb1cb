// The three figures a crash campaign against an external simulator is judged by, computed from the
// simulator's ground truth, Keel's database after the process is gone, and a final reconciliation.
import { Decimal } from '../../src/core/decimal.js';
import type { Simulator } from '../../src/exchange/simulator/index.js';
import type { CampaignResult } from './crash-campaign.js';
import type { DbSnapshot } from './keel-process.js';

export interface ReconcileAnswer {
  readonly status?: string;
  readonly error?: string;
  readonly rows?: readonly { currency: string; ledgerTotal: string; exchangeTotal: string }[];
}

export interface CrashFigures {
  /** Exchange orders beyond the first for one clientOrderId or one signal. */
  readonly duplicateOrders: number;
  /** Signals answered 2xx that are missing from the database or did not reach a terminal state. */
  readonly lostSignals: number;
  /** Currencies where the ledger differs from the exchange's wallet after reconciliation. */
  readonly ledgerMismatches: string[];
  readonly exchangeOrders: number;
  readonly journaledOrders: number;
  readonly tradeCount: number;
}

export function crashFigures(input: {
  readonly result: CampaignResult;
  readonly db: DbSnapshot;
  readonly simulator: Simulator;
  readonly token: string;
  readonly reconcile: ReconcileAnswer | undefined;
}): CrashFigures {
  const { result, db, simulator } = input;
  const truth = simulator.groundTruthOrders();
  const clientIds = truth.map((order) => String(order.clientOrderId));
  const signalOf = new Map(db.orders.map((order) => [order.client_order_id, order.signal_id]));
  const perSignal = new Map<string, number>();
  for (const clientId of clientIds) {
    const signalId = signalOf.get(clientId) ?? `unjournaled:${clientId}`;
    perSignal.set(signalId, (perSignal.get(signalId) ?? 0) + 1);
  }
  const duplicateOrders = [...perSignal.values()].reduce((sum, count) => sum + count - 1, 0);
  const states = new Map(db.signals.map((signal) => [signal.id, signal.state]));
  const lostSignals = [...result.accepted.keys()].filter((id) => {
    const state = states.get(id);
    return state !== 'executed' && state !== 'rejected';
  }).length;
  return {
    duplicateOrders,
    lostSignals,
    ledgerMismatches: ledgerMismatches(input.reconcile, simulator.wallets(input.token)),
    exchangeOrders: truth.length,
    journaledOrders: db.orders.length,
    tradeCount: truth.reduce((sum, order) => sum + order.fills.length, 0),
  };
}

function ledgerMismatches(
  reconcile: ReconcileAnswer | undefined,
  wallets: Record<string, { balance: string }>,
): string[] {
  if (reconcile?.rows === undefined) return ['no reconciliation answer'];
  if (reconcile.status === 'error') return [`reconciliation failed: ${reconcile.error ?? 'no reason'}`];
  const mismatches: string[] = [];
  const seen = new Set<string>();
  for (const row of reconcile.rows) {
    seen.add(row.currency);
    const wallet = wallets[row.currency]?.balance ?? '0';
    if (!new Decimal(row.ledgerTotal).eq(new Decimal(wallet)))
      mismatches.push(`${row.currency}: ledger ${row.ledgerTotal}, exchange ${wallet}`);
  }
  for (const [currency, wallet] of Object.entries(wallets))
    if (!seen.has(currency) && !new Decimal(wallet.balance).isZero())
      mismatches.push(`${currency}: not in the ledger, exchange ${wallet.balance}`);
  return mismatches;
}
