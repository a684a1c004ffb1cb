// Domain operations as pure draft builders. The ledger supplies what is still blocked per order.
import type { Decimal } from '../core/decimal.js';
import { formatDecimal, parseDecimal } from '../core/decimal.js';
import {
  adjustmentAccount,
  assertAsset,
  externalAccount,
  feesAccount,
  tradingAccount,
  walletAvailable,
  walletBlocked,
} from './accounts.js';
import { InvalidPostingError } from './errors.js';
import { dropZeroEntries, type EntryDraft, minorOf, type PostingDraft } from './posting.js';

export type Amount = Decimal | string;

export interface FillInput {
  /** Exchange trade id: the idempotency key is `trade:<tradeId>`. */
  readonly tradeId: string;
  readonly orderId: string;
  readonly signalId?: string;
  /** Lower-case currency codes, `{ base: 'btc', quote: 'rls' }` (exchange/markets `Market` fits). */
  readonly market: { readonly base: string; readonly quote: string };
  readonly side: 'buy' | 'sell';
  /** Base amount traded. */
  readonly amount: Amount;
  /** Quote per base. */
  readonly price: Amount;
  /** Quote amount traded (amount × price as the exchange reports it). */
  readonly total: Amount;
  readonly fee: Amount;
  /** Base or quote; Nobitex charges the received currency (buy → base, sell → quote). */
  readonly feeCurrency: string;
  /** When the exchange executed the trade, epoch ms (kept in metadata; the posting time is the clock's). */
  readonly atMs: number;
}

/** What the ledger knows about funds still blocked for an order. */
export type BlockedLookup = (orderId: string, asset: string) => bigint;

export function buildFill(fill: FillInput, blockedMinor: BlockedLookup): PostingDraft {
  const base = assertAsset(fill.market.base);
  const quote = assertAsset(fill.market.quote);
  if (base === quote) throw new InvalidPostingError(`market base and quote are both ${base}`);
  if (fill.side !== 'buy' && fill.side !== 'sell')
    throw new InvalidPostingError(`side must be buy or sell, was ${fill.side}`);
  if (fill.feeCurrency !== base && fill.feeCurrency !== quote)
    throw new InvalidPostingError(`fee currency must be ${base} or ${quote}, was ${fill.feeCurrency}`);
  const amountMinor = positive(fill.amount, 'amount');
  const totalMinor = positive(fill.total, 'total');
  positive(fill.price, 'price');
  const feeMinor = minorOf(fill.fee, 'fee');
  if (feeMinor < 0n) throw new InvalidPostingError(`fee must not be negative, was ${fill.fee}`);
  const buy = fill.side === 'buy';
  const [spent, received] = buy ? [quote, base] : [base, quote];
  const [spentMinor, receivedMinor] = buy ? [totalMinor, amountMinor] : [amountMinor, totalMinor];
  const feeFromSpent = fill.feeCurrency === spent;
  const spendMinor = spentMinor + (feeFromSpent ? feeMinor : 0n);
  const blockedAvailableMinor = blockedMinor(fill.orderId, spent);
  const fromBlockedMinor = blockedAvailableMinor <= 0n ? 0n : min(blockedAvailableMinor, spendMinor);
  const entries: EntryDraft[] = [
    { account: walletAvailable(received), amountMinor: receivedMinor },
    { account: tradingAccount(received), amountMinor: -receivedMinor },
    { account: walletBlocked(spent), amountMinor: -fromBlockedMinor },
    { account: walletAvailable(spent), amountMinor: -(spendMinor - fromBlockedMinor) },
    { account: tradingAccount(spent), amountMinor: spentMinor },
    { account: feesAccount(fill.feeCurrency), amountMinor: feeMinor },
    { account: walletAvailable(received), amountMinor: feeFromSpent ? 0n : -feeMinor },
  ];
  return {
    idempotencyKey: `trade:${required(fill.tradeId, 'tradeId')}`,
    kind: 'fill',
    memo: `${fill.side} ${text(fill.amount)} ${base} at ${text(fill.price)} ${quote}`,
    metadata: {
      tradeId: fill.tradeId,
      orderId: required(fill.orderId, 'orderId'),
      ...(fill.signalId === undefined ? {} : { signalId: fill.signalId }),
      base,
      quote,
      side: fill.side,
      amount: text(fill.amount),
      price: text(fill.price),
      total: text(fill.total),
      fee: text(fill.fee),
      feeCurrency: fill.feeCurrency,
      tradeAtMs: String(fill.atMs),
    },
    entries: dropZeroEntries(entries),
  };
}

export interface OrderBlockedInput {
  readonly orderId: string;
  readonly asset: string;
  readonly amount: Amount;
}

export function buildOrderBlocked(input: OrderBlockedInput): PostingDraft {
  const amountMinor = positive(input.amount, 'amount');
  return {
    idempotencyKey: `block:${required(input.orderId, 'orderId')}`,
    kind: 'orderBlocked',
    memo: `block ${text(input.amount)} ${input.asset} for order ${input.orderId}`,
    metadata: { orderId: input.orderId },
    entries: [
      { account: walletAvailable(input.asset), amountMinor: -amountMinor },
      { account: walletBlocked(input.asset), amountMinor },
    ],
  };
}

export interface OrderReleasedInput extends OrderBlockedInput {
  /** Release number within the order (1, 2, …): key `release:<orderId>:<seq>`. */
  readonly seq: number;
}

export function buildOrderReleased(input: OrderReleasedInput, blockedMinor: BlockedLookup): PostingDraft {
  if (!Number.isSafeInteger(input.seq) || input.seq < 0)
    throw new InvalidPostingError(`release seq must be a non-negative integer, was ${input.seq}`);
  const amountMinor = positive(input.amount, 'amount');
  const stillBlockedMinor = blockedMinor(input.orderId, input.asset);
  if (amountMinor > stillBlockedMinor)
    throw new InvalidPostingError(
      `release of ${text(input.amount)} ${input.asset} exceeds what order ${input.orderId} still blocks`,
    );
  return {
    idempotencyKey: `release:${required(input.orderId, 'orderId')}:${input.seq}`,
    kind: 'orderReleased',
    memo: `release ${text(input.amount)} ${input.asset} of order ${input.orderId}`,
    metadata: { orderId: input.orderId },
    entries: [
      { account: walletBlocked(input.asset), amountMinor: -amountMinor },
      { account: walletAvailable(input.asset), amountMinor },
    ],
  };
}

export interface ExternalInput {
  /** Idempotency key, for example `deposit:<exchangeTxId>`. */
  readonly key: string;
  readonly asset: string;
  /** Positive for a deposit, negative for a withdrawal. */
  readonly amount: Amount;
  readonly memo: string;
}

export function buildExternal(input: ExternalInput): PostingDraft {
  const amountMinor = minorOf(input.amount, 'amount');
  return {
    idempotencyKey: input.key,
    kind: 'external',
    memo: input.memo,
    metadata: {},
    entries: [
      { account: walletAvailable(input.asset), amountMinor },
      { account: externalAccount(input.asset), amountMinor: -amountMinor },
    ],
  };
}

export interface OpeningInput {
  readonly asset: string;
  readonly available: Amount;
  readonly blocked: Amount;
  readonly metadata?: Readonly<Record<string, string>>;
}

export function buildOpening(input: OpeningInput): PostingDraft {
  const availableMinor = minorOf(input.available, 'available');
  const blockedMinor = minorOf(input.blocked, 'blocked');
  return {
    idempotencyKey: `opening:${assertAsset(input.asset)}`,
    kind: 'opening',
    memo: `opening balance ${text(input.available)} available, ${text(input.blocked)} blocked`,
    metadata: input.metadata ?? {},
    entries: dropZeroEntries([
      { account: walletAvailable(input.asset), amountMinor: availableMinor },
      { account: walletBlocked(input.asset), amountMinor: blockedMinor },
      { account: externalAccount(input.asset), amountMinor: -(availableMinor + blockedMinor) },
    ]),
  };
}

export interface AdjustmentInput {
  /** Idempotency key, for example `adjust:<reconciliationRunId>:<asset>`. */
  readonly key: string;
  readonly asset: string;
  /** Signed change of the available wallet. */
  readonly availableDelta: Amount;
  /** Signed change of the blocked wallet. */
  readonly blockedDelta: Amount;
  readonly memo: string;
  readonly metadata?: Readonly<Record<string, string>>;
}

export function buildAdjustment(input: AdjustmentInput): PostingDraft {
  const availableMinor = minorOf(input.availableDelta, 'availableDelta');
  const blockedMinor = minorOf(input.blockedDelta, 'blockedDelta');
  return {
    idempotencyKey: input.key,
    kind: 'adjustment',
    memo: input.memo,
    metadata: input.metadata ?? {},
    entries: dropZeroEntries([
      { account: walletAvailable(input.asset), amountMinor: availableMinor },
      { account: walletBlocked(input.asset), amountMinor: blockedMinor },
      { account: adjustmentAccount(input.asset), amountMinor: -(availableMinor + blockedMinor) },
    ]),
  };
}

function positive(value: Amount, field: string): bigint {
  const minor = minorOf(value, field);
  if (minor <= 0n) throw new InvalidPostingError(`${field} must be positive, was ${text(value)}`);
  return minor;
}

function required(value: string, field: string): string {
  if (value.length === 0) throw new InvalidPostingError(`${field} must not be empty`);
  return value;
}

const text = (value: Amount): string => formatDecimal(parseDecimal(value, 'amount'));
const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);
