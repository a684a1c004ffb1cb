// The in-memory view of the journal: account sums, blocked funds per order, positions.
// Rebuilt from the stored entries on open and advanced by each committed posting, never by a draft.
import { assert } from '../core/assert.js';
import { parseAccount } from './accounts.js';
import { type FillFacts, PositionBook } from './positions.js';
import { minorOf, type Posting } from './posting.js';

export class LedgerState {
  /** Signed sum (debit positive) per account. */
  readonly accountSums = new Map<string, bigint>();
  /** Funds still blocked per order and asset (`orderId` + NUL + asset). */
  readonly #blockedByOrder = new Map<string, bigint>();
  readonly positions = new PositionBook();
  #lastSeq = 0;

  get lastSeq(): number {
    return this.#lastSeq;
  }

  apply(posting: Posting): void {
    assert(posting.seq === this.#lastSeq + 1, `posting ${posting.seq} applied after ${this.#lastSeq}`);
    const orderId = posting.metadata.orderId;
    for (const entry of posting.entries) {
      this.accountSums.set(entry.account, (this.accountSums.get(entry.account) ?? 0n) + entry.amountMinor);
      if (orderId !== undefined && parseAccount(entry.account).kind === 'walletBlocked') {
        const key = orderKey(orderId, entry.asset);
        this.#blockedByOrder.set(key, (this.#blockedByOrder.get(key) ?? 0n) + entry.amountMinor);
      }
    }
    if (posting.kind === 'fill') this.positions.apply(fillFacts(posting));
    this.#lastSeq = posting.seq;
  }

  blockedForOrderMinor(orderId: string, asset: string): bigint {
    return this.#blockedByOrder.get(orderKey(orderId, asset)) ?? 0n;
  }

  accountMinor(account: string): bigint {
    return this.accountSums.get(account) ?? 0n;
  }

  /** Signed sum of all entries per asset: zero for every asset in a balanced ledger. */
  assetSums(): Map<string, bigint> {
    const sums = new Map<string, bigint>();
    for (const [account, sumMinor] of this.accountSums) {
      const { asset } = parseAccount(account);
      sums.set(asset, (sums.get(asset) ?? 0n) + sumMinor);
    }
    return sums;
  }
}

const orderKey = (orderId: string, asset: string): string => `${orderId}\u0000${asset}`;

/** The facts of a fill posting, from its metadata. */
export function fillFacts(posting: Posting): FillFacts {
  const { base, quote, side, amount, total, fee, feeCurrency } = posting.metadata;
  assert(base !== undefined && quote !== undefined, `fill ${posting.idempotencyKey} lacks its market`);
  assert(side === 'buy' || side === 'sell', `fill ${posting.idempotencyKey} has side ${side}`);
  assert(amount !== undefined && total !== undefined && fee !== undefined, 'fill lacks amounts');
  assert(feeCurrency !== undefined, `fill ${posting.idempotencyKey} lacks its fee currency`);
  return {
    base,
    quote,
    side,
    amountMinor: minorOf(amount, 'amount'),
    totalMinor: minorOf(total, 'total'),
    feeMinor: minorOf(fee, 'fee'),
    feeCurrency,
  };
}
