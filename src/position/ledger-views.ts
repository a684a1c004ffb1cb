// Read-only views derived from account sums and stored entries: trial balance and account history.
import type { Decimal } from '../core/decimal.js';
import { type AccountKind, normalBalanceMinor, parseAccount } from './accounts.js';
import type { EntryRow } from './ledger-store.js';
import { decimalOf, type PostingKind } from './posting.js';

export interface TrialBalanceAccount {
  readonly account: string;
  /** The side the balance sits on (an account with a zero balance is listed as debit). */
  readonly side: 'debit' | 'credit';
  readonly balance: Decimal;
}

export interface TrialBalanceRow {
  readonly asset: string;
  /** Sum of the debit balances. */
  readonly debits: Decimal;
  /** Sum of the credit balances. */
  readonly credits: Decimal;
  readonly balanced: boolean;
  readonly accounts: readonly TrialBalanceAccount[];
}

export interface HistoryEntry {
  readonly seq: number;
  readonly atMs: number;
  readonly kind: PostingKind;
  readonly idempotencyKey: string;
  readonly memo: string;
  /** Change of the account on its normal side (a debit raises a wallet, a credit raises trading). */
  readonly change: Decimal;
}

export function trialBalanceOf(accountSums: ReadonlyMap<string, bigint>): TrialBalanceRow[] {
  const byAsset = new Map<
    string,
    { debitsMinor: bigint; creditsMinor: bigint; accounts: TrialBalanceAccount[] }
  >();
  for (const account of [...accountSums.keys()].sort()) {
    const sumMinor = accountSums.get(account) ?? 0n;
    const { asset } = parseAccount(account);
    let row = byAsset.get(asset);
    if (row === undefined) {
      row = { debitsMinor: 0n, creditsMinor: 0n, accounts: [] };
      byAsset.set(asset, row);
    }
    if (sumMinor >= 0n) row.debitsMinor += sumMinor;
    else row.creditsMinor -= sumMinor;
    const side = sumMinor >= 0n ? 'debit' : 'credit';
    row.accounts.push({ account, side, balance: decimalOf(sumMinor >= 0n ? sumMinor : -sumMinor) });
  }
  return [...byAsset.keys()].sort().map((asset) => {
    const row = byAsset.get(asset)!;
    return {
      asset,
      debits: decimalOf(row.debitsMinor),
      credits: decimalOf(row.creditsMinor),
      balanced: row.debitsMinor === row.creditsMinor,
      accounts: row.accounts,
    };
  });
}

export function toHistory(kind: AccountKind, rows: readonly EntryRow[]): HistoryEntry[] {
  return rows.map((row) => {
    const changeMinor = normalBalanceMinor(kind, row.amountMinor);
    return {
      seq: row.seq,
      atMs: row.atMs,
      kind: row.kind,
      idempotencyKey: row.idempotencyKey,
      memo: row.memo,
      change: decimalOf(changeMinor),
    };
  });
}
