// Account names and kinds. Every account belongs to exactly one asset; the kind fixes its normal side.
import { InvalidPostingError } from './errors.js';

export type NormalSide = 'debit' | 'credit';

export type AccountKind =
  | 'walletAvailable'
  | 'walletBlocked'
  | 'fees'
  | 'trading'
  | 'external'
  | 'adjustment';

/** The one table of account kinds: name prefix and normal side (the side that increases it). */
export const ACCOUNT_KINDS: Readonly<
  Record<AccountKind, { readonly prefix: string; readonly normalSide: NormalSide }>
> = {
  walletAvailable: { prefix: 'wallet:%:available', normalSide: 'debit' }, // asset we hold, free
  walletBlocked: { prefix: 'wallet:%:blocked', normalSide: 'debit' }, // asset we hold, locked in orders
  fees: { prefix: 'fees:%', normalSide: 'debit' }, // expense: fees paid to the exchange
  trading: { prefix: 'trading:%', normalSide: 'credit' }, // counterparty of trades: equity / realized flows
  external: { prefix: 'external:%', normalSide: 'credit' }, // deposits, withdrawals, opening balances
  adjustment: { prefix: 'adjustment:%', normalSide: 'credit' }, // reconciliation corrections
};

export interface AccountRef {
  readonly kind: AccountKind;
  readonly asset: string;
  readonly name: string;
}

/** Lowercase codes as Nobitex writes them, including scaled tickers such as `1m_btt`. */
const ASSET_PATTERN = /^[a-z0-9_]{1,32}$/;

export function assertAsset(asset: string): string {
  if (!ASSET_PATTERN.test(asset))
    throw new InvalidPostingError(
      `asset must match ${ASSET_PATTERN}, was ${JSON.stringify(asset).slice(0, 50)}`,
    );
  return asset;
}

export function accountName(kind: AccountKind, asset: string): string {
  return ACCOUNT_KINDS[kind].prefix.replace('%', assertAsset(asset));
}

export const walletAvailable = (asset: string): string => accountName('walletAvailable', asset);
export const walletBlocked = (asset: string): string => accountName('walletBlocked', asset);
export const feesAccount = (asset: string): string => accountName('fees', asset);
export const tradingAccount = (asset: string): string => accountName('trading', asset);
export const externalAccount = (asset: string): string => accountName('external', asset);
export const adjustmentAccount = (asset: string): string => accountName('adjustment', asset);

/** Parses `wallet:btc:available`, `fees:rls`, …; throws InvalidPostingError on anything else. */
export function parseAccount(name: string): AccountRef {
  const parts = name.split(':');
  const [head, asset, tail] = parts;
  if (head === 'wallet' && parts.length === 3 && asset !== undefined && ASSET_PATTERN.test(asset)) {
    if (tail === 'available') return { kind: 'walletAvailable', asset, name };
    if (tail === 'blocked') return { kind: 'walletBlocked', asset, name };
  }
  if (parts.length === 2 && asset !== undefined && ASSET_PATTERN.test(asset)) {
    for (const kind of ['fees', 'trading', 'external', 'adjustment'] as const) {
      if (head === kind) return { kind, asset, name };
    }
  }
  throw new InvalidPostingError(`unknown account ${JSON.stringify(name).slice(0, 80)}`);
}

/** Balance of an account on its normal side, from the signed sum of its entries (debit positive). */
export function normalBalanceMinor(kind: AccountKind, signedSumMinor: bigint): bigint {
  return ACCOUNT_KINDS[kind].normalSide === 'debit' ? signedSumMinor : -signedSumMinor;
}
