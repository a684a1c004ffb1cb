// A posting set (journal entry): one idempotency key, entries whose signed amounts sum to zero per asset.
// Sign convention: debit is positive, credit is negative, in minor units of AMOUNT_SCALE decimals.
import { type Decimal, fromMinorUnits, parseDecimal, toMinorUnits } from '../core/decimal.js';
import { parseAccount } from './accounts.js';
import { InvalidPostingError } from './errors.js';

/** Decimals of every asset in the ledger: Nobitex shows up to 10 ("0E-10"). */
export const AMOUNT_SCALE = 10;
/** Entries per posting set: a fill needs 6; anything near this limit is a bug. */
export const ENTRIES_PER_POSTING_MAX = 64;
export const IDEMPOTENCY_KEY_LENGTH_MAX = 200;
export const MEMO_LENGTH_MAX = 500;
export const METADATA_KEYS_MAX = 32;

export type PostingKind = 'fill' | 'orderBlocked' | 'orderReleased' | 'external' | 'opening' | 'adjustment';
export const POSTING_KINDS: readonly PostingKind[] = [
  'fill',
  'orderBlocked',
  'orderReleased',
  'external',
  'opening',
  'adjustment',
];

/** Free-form string facts; `orderId`, `tradeId` and `signalId` are also indexed. */
export type PostingMetadata = Readonly<Record<string, string>>;

export interface EntryDraft {
  readonly account: string;
  /** Signed minor units: debit positive, credit negative. Never zero. */
  readonly amountMinor: bigint;
}

export interface PostingDraft {
  readonly idempotencyKey: string;
  readonly kind: PostingKind;
  readonly memo: string;
  readonly metadata: PostingMetadata;
  readonly entries: readonly EntryDraft[];
}

export interface Entry extends EntryDraft {
  readonly asset: string;
}

export interface Posting {
  /** Position in the journal, 1-based, gap-free per database. */
  readonly seq: number;
  readonly idempotencyKey: string;
  readonly kind: PostingKind;
  /** When it was posted, epoch ms (injected clock). */
  readonly atMs: number;
  readonly memo: string;
  readonly metadata: PostingMetadata;
  readonly entries: readonly Entry[];
}

export interface PostResult {
  readonly posting: Posting;
  /** False when the idempotency key was already posted: nothing was written. */
  readonly created: boolean;
}

/** Decimal or decimal string → minor units; refuses more than AMOUNT_SCALE decimals. */
export function minorOf(value: Decimal | string, field: string): bigint {
  const decimal = parseDecimal(value, field);
  try {
    return toMinorUnits(decimal, AMOUNT_SCALE);
  } catch (error) {
    throw new InvalidPostingError(`${field} has more than ${AMOUNT_SCALE} decimals, was ${value}`, {
      cause: error,
    });
  }
}

export const decimalOf = (minor: bigint): Decimal => fromMinorUnits(minor, AMOUNT_SCALE);

/** Checks a draft and returns its entries with their assets; throws InvalidPostingError. */
export function validateDraft(draft: PostingDraft): Entry[] {
  const key = draft.idempotencyKey;
  if (key.length === 0 || key.length > IDEMPOTENCY_KEY_LENGTH_MAX)
    throw new InvalidPostingError(
      `idempotency key must be 1..${IDEMPOTENCY_KEY_LENGTH_MAX} chars, was ${key.length}`,
    );
  if (!POSTING_KINDS.includes(draft.kind))
    throw new InvalidPostingError(`unknown posting kind ${draft.kind}`);
  if (draft.memo.length > MEMO_LENGTH_MAX)
    throw new InvalidPostingError(`memo longer than ${MEMO_LENGTH_MAX} chars, was ${draft.memo.length}`);
  if (Object.keys(draft.metadata).length > METADATA_KEYS_MAX)
    throw new InvalidPostingError(`metadata has more than ${METADATA_KEYS_MAX} keys`);
  if (draft.entries.length < 2 || draft.entries.length > ENTRIES_PER_POSTING_MAX)
    throw new InvalidPostingError(
      `a posting needs 2..${ENTRIES_PER_POSTING_MAX} entries, had ${draft.entries.length}`,
    );
  const entries = draft.entries.map((entry) => {
    if (entry.amountMinor === 0n) throw new InvalidPostingError(`zero entry on ${entry.account} in ${key}`);
    return { ...entry, asset: parseAccount(entry.account).asset };
  });
  for (const [asset, sumMinor] of sumsByAsset(entries)) {
    if (sumMinor !== 0n)
      throw new InvalidPostingError(
        `posting ${key} unbalanced in ${asset} by ${decimalOf(sumMinor).toFixed()}`,
      );
  }
  return entries;
}

export function sumsByAsset(entries: readonly Entry[]): Map<string, bigint> {
  const sums = new Map<string, bigint>();
  for (const entry of entries) sums.set(entry.asset, (sums.get(entry.asset) ?? 0n) + entry.amountMinor);
  return sums;
}

/** Drops zero entries (for example the blocked part of a fill when nothing was blocked). */
export function dropZeroEntries(entries: readonly EntryDraft[]): EntryDraft[] {
  return entries.filter((entry) => entry.amountMinor !== 0n);
}
