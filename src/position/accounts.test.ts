// Goal: account names round-trip through parseAccount, and a bad name or asset fails with its value.
// Method: every kind formatted and parsed back; malformed names listed.
import { describe, expect, it } from 'vitest';
import {
  ACCOUNT_KINDS,
  type AccountKind,
  accountName,
  normalBalanceMinor,
  parseAccount,
} from './accounts.js';

describe('accounts', () => {
  it.each(Object.keys(ACCOUNT_KINDS) as AccountKind[])('round-trips the %s kind', (kind) => {
    const name = accountName(kind, '1m_btt');
    expect(parseAccount(name)).toEqual({ kind, asset: '1m_btt', name });
  });

  it.each(['wallet:btc', 'wallet:btc:frozen', 'fees:BTC', 'equity:btc', 'trading:', 'fees:btc:x', ''])(
    'rejects %j',
    (name) => {
      expect(() => parseAccount(name)).toThrow(/unknown account/);
    },
  );

  it('names the bad asset', () => {
    expect(() => accountName('fees', 'BTC')).toThrow(/was "BTC"/);
  });

  it('shows credit-normal accounts with the sign flipped', () => {
    expect(normalBalanceMinor('walletAvailable', 5n)).toBe(5n);
    expect(normalBalanceMinor('trading', -5n)).toBe(5n);
    expect(normalBalanceMinor('external', 5n)).toBe(-5n);
  });
});
