// From a stored signal to an order intent, or a reasoned refusal. Reads market rules, wallets and
// positions; runs sizing, the exchange's preconditions and the engine's risk limits. No side effects.
import { Decimal, parseDecimal, roundHalfEvenToStep } from '../core/decimal.js';
import { type Currency, isUnknownMarketError, type Market } from '../exchange/markets.js';
import { clientOrderIdFor, GOOD_TILL_CANCELLED } from '../exchange/order-journal/order-intent.js';
import type { PrepareInput } from '../exchange/order-journal/order-journal.js';
import type {
  MarketRules,
  VerificationGateway,
  WalletBalance,
} from '../exchange/transaction-verification/gateway.js';
import { checkPreconditions } from '../exchange/transaction-verification/preconditions.js';
import type { Signal, SignalOrder } from '../market-data/signal.js';
import type { StoredSignal } from '../market-data/signal-store.js';
import type { Ledger } from '../position/ledger.js';
import type { EngineMode } from './kill-switch.js';
import { checkRiskLimits, type RiskLimits } from './risk-limits.js';
import { sizeOrder } from './size-order.js';

export type Decision =
  | { readonly kind: 'order'; readonly input: PrepareInput }
  | { readonly kind: 'refuse'; readonly code: string; readonly message: string }
  | { readonly kind: 'noop'; readonly message: string };

export interface DecideContext {
  readonly gateway: VerificationGateway;
  readonly ledger: Ledger;
  readonly limits: RiskLimits;
  readonly mode: EngineMode;
  readonly ordersInLastMinute: number;
  /** The position a target size is measured from (a close: the strategy's own); default the fills' of all. */
  readonly position?: Decimal;
}

/** Why no new order is placed while the kill switch says HALTED (here, and at the door: halted-door.ts). */
export const HALTED_REFUSAL = {
  code: 'EngineHalted',
  message: 'the engine is halted: no new orders',
} as const;

export const orderIdFor = (signalId: string): string => `ord-${signalId}`;

export async function decideOrder(stored: StoredSignal, context: DecideContext): Promise<Decision> {
  const { signal } = stored;
  const market: Market = { base: signal.base, quote: signal.quote };
  if (context.mode === 'HALTED') return refuse(HALTED_REFUSAL.code, HALTED_REFUSAL.message);
  const allowed = context.limits.allowedSymbols;
  if (allowed !== undefined && !allowed.includes(signal.symbol))
    return refuse('SymbolNotAllowed', `${signal.symbol} is not in the allowed symbols`);
  const rules = await marketRules(context, market);
  if (rules === null)
    return refuse('MarketNotListed', `${signal.symbol} is not an active market on the exchange`);
  // Balances come from the shadow ledger, not from the exchange: Nobitex allows 20 wallet reads per two
  // minutes, and the ledger already knows every fill and block. Reconciliation keeps it honest; should it
  // be behind a drift, the exchange refuses the order (OverValueOrder) and the signal ends rejected.
  const wallets = ledgerWallets(context.ledger, market);
  const { order } = signal;
  const limitPrice =
    order.type === 'limit' || order.type === 'stop_limit' ? parseDecimal(order.price, 'order.price') : null;
  const stopPrice = 'stopPrice' in order ? parseDecimal(order.stopPrice, 'order.stopPrice') : null;
  const available = (currency: Currency) => {
    const wallet = wallets.get(currency);
    return wallet === undefined ? new Decimal(0) : wallet.balance.minus(wallet.blocked);
  };
  const fillsPosition =
    context.position ??
    context.ledger.positions().find((view) => view.base === market.base && view.quote === market.quote)
      ?.position ??
    new Decimal(0);
  const sizing = sizeOrder(signal, {
    referencePrice: limitPrice ?? stopPrice ?? rules.lastPrice,
    available,
    position: fillsPosition,
  });
  if (sizing.kind === 'noop') return { kind: 'noop', message: sizing.reason };
  if (sizing.kind === 'invalid') return refuse('InvalidSize', sizing.reason);
  const execution = signal.order.type;
  const checked = checkPreconditions({
    base: market.base,
    quote: market.quote,
    side: sizing.side,
    execution,
    amount: sizing.amount,
    price: limitPrice,
    rules,
    wallets,
  });
  if (!checked.ok) return refuse(checked.code, checked.message);
  const held = wallets.get(market.base)?.balance ?? new Decimal(0);
  const risk = checkRiskLimits(
    {
      symbol: signal.symbol,
      quote: market.quote,
      side: sizing.side,
      amount: checked.amount,
      valueQuote: checked.valueQuote,
      position: held,
      mode: context.mode,
    },
    context.limits,
    context.ordersInLastMinute,
  );
  if (risk !== null) return refuse(risk.code, risk.message);
  return {
    kind: 'order',
    input: {
      id: orderIdFor(stored.id),
      signalId: stored.id,
      clientOrderId: clientOrderIdFor(stored.id),
      market,
      side: sizing.side,
      execution,
      amount: checked.amount,
      price: checked.price,
      // The quote the decision saw: fill slippage is measured against it. A market with no trades yet has none.
      ...(rules.lastPrice.gt(0) ? { decisionPrice: rules.lastPrice } : {}),
      cause: `signal ${stored.id}${signal.strategy === undefined ? '' : ` (${signal.strategy})`}`,
      ...lifetimeOf(order),
      ...(stopPrice === null ? {} : { stopPrice: roundHalfEvenToStep(stopPrice, rules.priceStep) }),
      ...protectionOf(signal),
    },
  };
}

function lifetimeOf(order: SignalOrder): Pick<PrepareInput, 'lifetimeMs'> {
  if (order.type === 'market' || order.expiresInMs === undefined) return {};
  return { lifetimeMs: order.expiresInMs === 'gtc' ? GOOD_TILL_CANCELLED : order.expiresInMs };
}

/** The entry's exits, journaled with it and placed once it fills. */
function protectionOf(signal: Signal): Pick<PrepareInput, 'protection'> {
  if (signal.stopLoss === undefined && signal.takeProfit === undefined) return {};
  return {
    protection: {
      ...(signal.stopLoss === undefined ? {} : { stopLoss: signal.stopLoss }),
      ...(signal.takeProfit === undefined ? {} : { takeProfit: signal.takeProfit }),
      ...(signal.stopLimitPrice === undefined ? {} : { stopLimitPrice: signal.stopLimitPrice }),
    },
  };
}

const refuse = (code: string, message: string): Decision => ({ kind: 'refuse', code, message });

function ledgerWallets(ledger: Ledger, market: Market): Map<Currency, WalletBalance> {
  const wallets = new Map<Currency, WalletBalance>();
  for (const currency of [market.base, market.quote]) {
    const balances = ledger.balances(currency);
    wallets.set(currency, { balance: balances.total, blocked: balances.blocked });
  }
  return wallets;
}

/** The exchange's rules for the market, or null when the exchange does not list it as active. */
async function marketRules(context: DecideContext, market: Market): Promise<MarketRules | null> {
  try {
    return await context.gateway.getMarketRules(market);
  } catch (error) {
    if (isUnknownMarketError(error)) return null;
    throw error;
  }
}
