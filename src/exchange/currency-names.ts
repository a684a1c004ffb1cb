// Nobitex shows display names, not codes, in the srcCurrency/dstCurrency of order and trade objects
// (API reference, section 3). These are names only, for reading and for the simulator to write them:
// which currencies exist is the exchange's answer (`/v2/options`), never this table.
import type { Currency } from './markets.js';

const KNOWN_DISPLAY_NAMES: Readonly<Record<string, string>> = {
  rls: '﷼',
  usdt: 'Tether',
  btc: 'Bitcoin',
  eth: 'Ethereum',
  ltc: 'Litecoin',
  xrp: 'Ripple',
  doge: 'Dogecoin',
  ada: 'Cardano',
  trx: 'Tron',
  sol: 'Solana',
};

/** `Bitcoin` for `btc`; a code without a known name shows as itself, capitalised (`Pepe`). */
export function displayNameOf(currency: Currency): string {
  return KNOWN_DISPLAY_NAMES[currency] ?? `${currency.charAt(0).toUpperCase()}${currency.slice(1)}`;
}

/** Lower-cased display name → code, for the names above and the other spellings of rial. */
export const DISPLAY_NAME_TO_CODE: ReadonlyMap<string, Currency> = new Map([
  ...Object.entries(KNOWN_DISPLAY_NAMES).map(([code, name]) => [name.toLowerCase(), code] as const),
  ['ریال', 'rls'],
  ['rial', 'rls'],
  ['irt', 'rls'],
]);
