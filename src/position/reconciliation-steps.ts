// The steps of one reconciliation run, apart from scheduling and events: fetch a snapshot, then
// correct or open each currency through the ledger.
import type { Clock } from '../core/clock.js';
import { TimeoutError } from '../core/errors.js';
import { assertAsset } from './accounts.js';
import type { Ledger } from './ledger.js';
import type { Posting } from './posting.js';
import {
  type CurrencyComparison,
  type ExchangeOpenOrder,
  type ExchangeWallet,
  findUnknownOrders,
  type LedgerWallet,
} from './reconciliation-compare.js';
import type { InFlight, ReconcilerOptions } from './reconciliation-options.js';
import type { ReconciliationRow } from './reconciliation-result.js';

export interface Snapshot {
  readonly wallets: ReadonlyMap<string, ExchangeWallet>;
  readonly unknownOrders: readonly ExchangeOpenOrder[];
}

const REASON_LENGTH_MAX = 500;

type Fetchers = Pick<ReconcilerOptions, 'fetchWallets' | 'fetchOpenOrders' | 'knownOrders'>;

export async function fetchSnapshot(fetchers: Fetchers, clock: Clock, timeoutMs: number): Promise<Snapshot> {
  const raw = await withTimeout(clock, fetchers.fetchWallets(), timeoutMs, 'fetchWallets');
  const wallets = new Map<string, ExchangeWallet>();
  for (const [asset, wallet] of raw) wallets.set(assertAsset(asset.toLowerCase()), wallet);
  const { fetchOpenOrders, knownOrders } = fetchers;
  if (fetchOpenOrders === undefined || knownOrders === undefined) return { wallets, unknownOrders: [] };
  const orders = await withTimeout(clock, fetchOpenOrders(), timeoutMs, 'fetchOpenOrders');
  // Only the open orders' ids (and their OCO pairs') are looked up: the journal may hold a year of orders.
  const clientIds = orders.flatMap((order) => (order.clientOrderId ? [order.clientOrderId] : []));
  const ids = [...new Set(orders.flatMap((order) => [order.id, ...(order.pairId ? [order.pairId] : [])]))];
  const [orderIds, clientOrderIds] = await Promise.all([
    withTimeout(clock, knownOrders.knownOrderIds(ids), timeoutMs, 'knownOrderIds'),
    withTimeout(clock, knownOrders.knownClientOrderIds(clientIds), timeoutMs, 'knownClientOrderIds'),
  ]);
  return { wallets, unknownOrders: findUnknownOrders(orders, orderIds, clientOrderIds) };
}

export function ledgerWallets(ledger: Ledger): Map<string, LedgerWallet> {
  const wallets = new Map<string, LedgerWallet>();
  for (const asset of ledger.assets()) wallets.set(asset, ledger.balances(asset));
  return wallets;
}

/** Posts the correction of a within-tolerance row; a failed posting turns the row into a breach. */
export async function correctRow(
  ledger: Ledger,
  runId: string,
  comparison: CurrencyComparison,
): Promise<{ row: ReconciliationRow; posting?: Posting }> {
  if (comparison.action !== 'corrected') return { row: { ...comparison, ...unchanged(comparison) } };
  try {
    const { posting } = await ledger.postAdjustment({
      key: `adjust:${runId}:${comparison.asset}`,
      asset: comparison.asset,
      availableDelta: comparison.availableDifference,
      blockedDelta: comparison.blockedDifference,
      memo: `reconciliation ${runId}: exchange minus ledger ${comparison.totalDifference.toFixed()}`,
      metadata: { runId },
    });
    return { row: { ...comparison, ...after(ledger, comparison.asset), postingSeq: posting.seq }, posting };
  } catch (error) {
    const reason = `correction failed: ${error instanceof Error ? error.message : String(error)}`;
    return { row: { ...comparison, ...unchanged(comparison), action: 'breach', reason } };
  }
}

/** A difference in a currency an order in flight may still move: left alone this run, with why. */
export function skipInFlight(comparison: CurrencyComparison, inFlight: InFlight): ReconciliationRow {
  const reason = `in flight: ${inFlight.reasons.join('; ')}`.slice(0, REASON_LENGTH_MAX);
  return { ...comparison, ...unchanged(comparison), action: 'skipped', reason };
}

/** Opening balance for a currency the ledger has never seen; known currencies are left to runOnce. */
export async function openRow(
  ledger: Ledger,
  runId: string,
  comparison: CurrencyComparison,
): Promise<ReconciliationRow> {
  if (!comparison.unknownToLedger) return { ...comparison, ...unchanged(comparison), action: 'skipped' };
  if (comparison.exchangeTotal.isZero() && comparison.exchangeBlocked.isZero())
    return { ...comparison, ...unchanged(comparison), action: 'match' };
  try {
    const { posting } = await ledger.postOpening({
      asset: comparison.asset,
      available: comparison.exchangeTotal.minus(comparison.exchangeBlocked),
      blocked: comparison.exchangeBlocked,
      metadata: { runId },
    });
    return { ...comparison, ...after(ledger, comparison.asset), action: 'opening', postingSeq: posting.seq };
  } catch (error) {
    const reason = `opening failed: ${error instanceof Error ? error.message : String(error)}`;
    return { ...comparison, ...unchanged(comparison), action: 'breach', reason };
  }
}

export function withTimeout<T>(
  clock: Clock,
  promise: Promise<T>,
  timeoutMs: number,
  name: string,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = clock.setTimeout(
      () => reject(new TimeoutError(`${name} did not answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    promise.then(
      (value) => {
        clock.clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clock.clearTimeout(timer);
        reject(error);
      },
    );
  });
}

const unchanged = (comparison: CurrencyComparison) => ({
  ledgerTotalAfter: comparison.ledgerTotal,
  ledgerBlockedAfter: comparison.ledgerBlocked,
});

function after(ledger: Ledger, asset: string) {
  const balances = ledger.balances(asset);
  return { ledgerTotalAfter: balances.total, ledgerBlockedAfter: balances.blocked };
}
