// Per-account balances with blocked amounts, exact decimals. `balance` includes `blocked`, as on Nobitex.
import { assert } from '../../core/assert.js';
import { Decimal, formatDecimal } from '../../core/decimal.js';
import { type Currency, isCurrency } from '../markets.js';

export interface WalletEntry {
  balance: Decimal;
  blocked: Decimal;
}

export interface WalletSnapshot {
  readonly balance: string;
  readonly blocked: string;
  readonly available: string;
}

export class Wallets {
  readonly #accounts = new Map<string, Map<Currency, WalletEntry>>();
  #revision = 0;

  /** Grows with every change of any balance: persistence saves when it moved. */
  get revision(): number {
    return this.#revision;
  }

  open(token: string, balances: Readonly<Partial<Record<Currency, string>>>): void {
    assert(!this.#accounts.has(token), `account opened twice: ${token.slice(0, 6)}…`);
    const entries = new Map<Currency, WalletEntry>();
    for (const [currency, amount] of Object.entries(balances) as [Currency, string][]) {
      entries.set(currency, { balance: new Decimal(amount), blocked: new Decimal(0) });
    }
    this.#accounts.set(token, entries);
  }

  has(token: string): boolean {
    return this.#accounts.has(token);
  }

  entry(token: string, currency: Currency): WalletEntry {
    const account = this.#accounts.get(token);
    assert(account !== undefined, 'unknown account');
    let entry = account.get(currency);
    if (entry === undefined) {
      entry = { balance: new Decimal(0), blocked: new Decimal(0) };
      account.set(currency, entry);
    }
    return entry;
  }

  available(token: string, currency: Currency): Decimal {
    const e = this.entry(token, currency);
    return e.balance.minus(e.blocked);
  }

  block(token: string, currency: Currency, amount: Decimal): void {
    assert(amount.gte(0), `block amount negative: ${formatDecimal(amount)}`);
    this.#revision++;
    this.entry(token, currency).blocked = this.entry(token, currency).blocked.plus(amount);
  }

  release(token: string, currency: Currency, amount: Decimal): void {
    this.#revision++;
    const e = this.entry(token, currency);
    e.blocked = Decimal.max(0, e.blocked.minus(amount));
  }

  /** Adds (or with a negative delta, removes) funds. */
  credit(token: string, currency: Currency, delta: Decimal): void {
    this.#revision++;
    const e = this.entry(token, currency);
    e.balance = e.balance.plus(delta);
  }

  /** Overwrites a balance behind the engine's back (chaos drift, test setup). */
  setBalance(token: string, currency: Currency, amount: Decimal): void {
    this.#revision++;
    this.entry(token, currency).balance = amount;
  }

  /** Every account's balances as exact decimal strings (persistence). */
  exportAccounts(): Record<string, Record<string, { balance: string; blocked: string }>> {
    const result: Record<string, Record<string, { balance: string; blocked: string }>> = {};
    for (const [token, entries] of this.#accounts) {
      const account: Record<string, { balance: string; blocked: string }> = {};
      for (const [currency, entry] of entries)
        account[currency] = { balance: formatDecimal(entry.balance), blocked: formatDecimal(entry.blocked) };
      result[token] = account;
    }
    return result;
  }

  /** Replaces the balances of accounts this simulator knows; unknown tokens are ignored. */
  importAccounts(accounts: Record<string, Record<string, { balance: string; blocked: string }>>): void {
    for (const [token, balances] of Object.entries(accounts)) {
      const entries = this.#accounts.get(token);
      if (entries === undefined) continue;
      entries.clear();
      for (const [currency, entry] of Object.entries(balances)) {
        if (!isCurrency(currency)) continue;
        entries.set(currency, {
          balance: new Decimal(entry.balance),
          blocked: new Decimal(entry.blocked),
        });
      }
    }
    this.#revision++;
  }

  /** Currencies the account has a wallet for: rial and tether first, then by code. */
  currencies(token: string): Currency[] {
    const account = this.#accounts.get(token);
    assert(account !== undefined, 'unknown account');
    return [...account.keys()].sort(byWalletOrder);
  }

  snapshot(token: string): Record<string, WalletSnapshot> {
    const result: Record<string, WalletSnapshot> = {};
    for (const currency of this.currencies(token)) {
      const e = this.entry(token, currency);
      result[currency] = {
        balance: formatDecimal(e.balance),
        blocked: formatDecimal(e.blocked),
        available: formatDecimal(e.balance.minus(e.blocked)),
      };
    }
    return result;
  }
}

const LEADING_CURRENCIES: readonly Currency[] = ['rls', 'usdt'];

function byWalletOrder(a: Currency, b: Currency): number {
  const rank = (c: Currency) => (LEADING_CURRENCIES.includes(c) ? LEADING_CURRENCIES.indexOf(c) : 2);
  return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}
