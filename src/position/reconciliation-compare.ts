// Pure comparison of ledger wallets with exchange wallets, and of exchange orders with the journal.
import { Decimal } from '../core/decimal.js';
import { AMOUNT_SCALE } from './posting.js';

/** One exchange wallet as Nobitex reports it: `balance` is the total, `blocked` is part of it. */
export interface ExchangeWallet {
  readonly balance: Decimal;
  readonly blocked: Decimal;
}

export interface LedgerWallet {
  readonly total: Decimal;
  readonly blocked: Decimal;
}

export type ReconciliationAction = 'match' | 'corrected' | 'breach' | 'opening' | 'skipped';

export interface CurrencyComparison {
  readonly asset: string;
  /** The exchange holds this currency but the ledger has never posted it. */
  readonly unknownToLedger: boolean;
  readonly ledgerTotal: Decimal;
  readonly ledgerBlocked: Decimal;
  readonly exchangeTotal: Decimal;
  readonly exchangeBlocked: Decimal;
  /** Exchange minus ledger. */
  readonly totalDifference: Decimal;
  readonly blockedDifference: Decimal;
  readonly availableDifference: Decimal;
  readonly tolerance: Decimal;
  readonly action: Extract<ReconciliationAction, 'match' | 'corrected' | 'breach'>;
  /** Why a difference could not be corrected, when it is a breach for a reason other than size. */
  readonly reason?: string;
}

export interface CompareInput {
  readonly ledger: ReadonlyMap<string, LedgerWallet>;
  readonly exchange: ReadonlyMap<string, ExchangeWallet>;
  readonly tolerance: (asset: string) => Decimal;
}

/** One row per currency in either source, sorted by asset. A side that lacks the currency counts as zero. */
export function compareWallets(input: CompareInput): CurrencyComparison[] {
  const assets = [...new Set([...input.ledger.keys(), ...input.exchange.keys()])].sort();
  const zero = new Decimal(0);
  return assets.map((asset) => {
    const ledger = input.ledger.get(asset);
    const exchange = input.exchange.get(asset);
    const ledgerTotal = ledger?.total ?? zero;
    const ledgerBlocked = ledger?.blocked ?? zero;
    const exchangeTotal = exchange?.balance ?? zero;
    const exchangeBlocked = exchange?.blocked ?? zero;
    const totalDifference = exchangeTotal.minus(ledgerTotal);
    const blockedDifference = exchangeBlocked.minus(ledgerBlocked);
    const availableDifference = totalDifference.minus(blockedDifference);
    const tolerance = input.tolerance(asset);
    const differences = [totalDifference, blockedDifference, availableDifference];
    const base = {
      asset,
      unknownToLedger: ledger === undefined,
      ledgerTotal,
      ledgerBlocked,
      exchangeTotal,
      exchangeBlocked,
      totalDifference,
      blockedDifference,
      availableDifference,
      tolerance,
    };
    if (differences.every((difference) => difference.isZero())) return { ...base, action: 'match' as const };
    if (differences.some((difference) => difference.decimalPlaces() > AMOUNT_SCALE))
      return {
        ...base,
        action: 'breach' as const,
        reason: `difference has more than ${AMOUNT_SCALE} decimals`,
      };
    const withinTolerance = differences.every((difference) => difference.abs().lte(tolerance));
    return { ...base, action: withinTolerance ? ('corrected' as const) : ('breach' as const) };
  });
}

export interface ExchangeOpenOrder {
  /** Exchange order id. */
  readonly id: string;
  readonly clientOrderId?: string | null;
  /**
   * An OCO leg: the exchange id of its other leg (Nobitex's `pairId`). The order list documents no
   * `pairId` (reference 5.3): used when present, never needed.
   */
  readonly pairId?: string | null;
  /** For the report only, for example `BTC-RLS`. */
  readonly market?: string;
}

/** Tells which orders the order journal knows. Implemented by the journal; kept an interface here. */
export interface KnownOrdersProvider {
  /**
   * Which of these exchange order ids are Keel's: journaled, or the stop leg an OCO's placing answer
   * named (its `pairId`, kept on the OCO's row), which is journaled only later.
   */
  knownOrderIds(among: readonly string[]): Promise<ReadonlySet<string>>;
  /** Which of these client order ids the journal knows. */
  knownClientOrderIds(among: readonly string[]): Promise<ReadonlySet<string>>;
}

/**
 * Orders the journal knows neither by exchange id (an OCO's stop leg, which has no client order id, is
 * known by the id its pair's placing answer named) nor by client order id, nor, when the list shows
 * `pairId`, as a leg of an OCO whose other leg it knows. `knownOrderIds` must answer for the orders'
 * ids and pairIds. Reported, never adopted.
 */
export function findUnknownOrders(
  orders: readonly ExchangeOpenOrder[],
  knownOrderIds: ReadonlySet<string>,
  knownClientOrderIds: ReadonlySet<string>,
): ExchangeOpenOrder[] {
  const known = (order: ExchangeOpenOrder) => {
    if (knownOrderIds.has(order.id)) return true;
    const clientOrderId = order.clientOrderId ?? undefined;
    return clientOrderId !== undefined && knownClientOrderIds.has(clientOrderId);
  };
  // Legs paired with a known open order: its placing answer may not be journaled yet (no exchange id).
  const pairedWithKnown = new Set(orders.filter(known).flatMap((order) => order.pairId ?? []));
  return orders.filter((order) => {
    if (known(order) || pairedWithKnown.has(order.id)) return false;
    const pairId = order.pairId ?? undefined;
    return pairId === undefined || !knownOrderIds.has(pairId);
  });
}
