// Options of the Reconciler: defaults in one place, validated once with the value in the message.
import type { Clock } from '../core/clock.js';
import { Decimal, parseDecimal } from '../core/decimal.js';
import type { Logger } from '../logging/logger.js';
import type { Database } from '../storage/database.js';
import type { Ledger } from './ledger.js';
import type { ExchangeOpenOrder, ExchangeWallet, KnownOrdersProvider } from './reconciliation-compare.js';

export interface ReconcilerOptions {
  /** The ledger to compare and correct. */
  readonly ledger: Ledger;
  /** Where runs, items and acknowledgements are stored (normally the ledger's database). */
  readonly database: Database;
  /** Exchange wallets per currency code (any case: Nobitex v2 keys are upper case). */
  readonly fetchWallets: () => Promise<ReadonlyMap<string, ExchangeWallet>>;
  /** Absolute tolerance per currency as decimal strings, e.g. `{ rls: '10', btc: '0.00000001' }`. */
  readonly tolerances?: Readonly<Record<string, string>>;
  /** Tolerance for currencies missing from `tolerances`. Default '0': every difference is a breach. */
  readonly defaultTolerance?: string;
  /** Open orders on the exchange; with `knownOrders`, unknown ones are reported. Default: not checked. */
  readonly fetchOpenOrders?: () => Promise<readonly ExchangeOpenOrder[]>;
  /** The order journal's view of which orders are ours. Required with `fetchOpenOrders`. */
  readonly knownOrders?: KnownOrdersProvider;
  /**
   * Posts the exchange's trades of live orders to the ledger (every page) before each comparison, and
   * returns what it still cannot account for. A difference in those currencies is a fill in flight:
   * skipped, neither corrected nor a breach. Default: nothing in flight.
   */
  readonly catchUp?: () => Promise<InFlight>;
  /** Time between runs once start() is called, ms. Default 60_000. */
  readonly intervalMs?: number;
  /** Longest wait for one fetch function, ms. Default 30_000. */
  readonly fetchTimeoutMs?: number;
  /** Fetch attempts when the ledger moves during a fetch (a snapshot would be torn). Default 3. */
  readonly fetchAttemptsMax?: number;
  /** Default systemClock. */
  readonly clock?: Clock;
  readonly logger?: Logger;
}

/** What the catch-up could not account for: the currencies to leave alone this run, and why. */
export interface InFlight {
  readonly assets: ReadonlySet<string>;
  /** One line per order still in flight. */
  readonly reasons: readonly string[];
}

export const RECONCILER_DEFAULTS = {
  defaultTolerance: '0',
  intervalMs: 60_000,
  fetchTimeoutMs: 30_000,
  fetchAttemptsMax: 3,
} as const;

export interface ResolvedTolerances {
  readonly byAsset: ReadonlyMap<string, Decimal>;
  readonly fallback: Decimal;
}

export function validateReconcilerOptions(options: ReconcilerOptions): ResolvedTolerances {
  const intervalMs = options.intervalMs ?? RECONCILER_DEFAULTS.intervalMs;
  if (!Number.isSafeInteger(intervalMs) || intervalMs <= 0)
    throw new RangeError(`intervalMs must be a positive integer, was ${intervalMs}`);
  const fetchTimeoutMs = options.fetchTimeoutMs ?? RECONCILER_DEFAULTS.fetchTimeoutMs;
  if (!Number.isSafeInteger(fetchTimeoutMs) || fetchTimeoutMs <= 0)
    throw new RangeError(`fetchTimeoutMs must be a positive integer, was ${fetchTimeoutMs}`);
  const attemptsMax = options.fetchAttemptsMax ?? RECONCILER_DEFAULTS.fetchAttemptsMax;
  if (!Number.isSafeInteger(attemptsMax) || attemptsMax < 1 || attemptsMax > 10)
    throw new RangeError(`fetchAttemptsMax must be an integer in [1, 10], was ${attemptsMax}`);
  if ((options.fetchOpenOrders === undefined) !== (options.knownOrders === undefined))
    throw new RangeError('fetchOpenOrders and knownOrders must be given together');
  const byAsset = new Map<string, Decimal>();
  for (const [asset, text] of Object.entries(options.tolerances ?? {}))
    byAsset.set(asset.toLowerCase(), tolerance(text, `tolerances.${asset}`));
  const fallback = tolerance(
    options.defaultTolerance ?? RECONCILER_DEFAULTS.defaultTolerance,
    'defaultTolerance',
  );
  return { byAsset, fallback };
}

function tolerance(text: string, field: string): Decimal {
  let value: Decimal;
  try {
    value = parseDecimal(text, field);
  } catch {
    throw new RangeError(`${field} must be a decimal string, was ${JSON.stringify(text)}`);
  }
  if (value.lt(new Decimal(0))) throw new RangeError(`${field} must not be negative, was ${text}`);
  return value;
}
