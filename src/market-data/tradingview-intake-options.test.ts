// Goal: bad intake options fail at construction with a RangeError that names the value; good ones
// resolve to the documented defaults. Method: resolveIntakeOptions on hand-made option objects.
import { describe, expect, it } from 'vitest';
import { resolveIntakeOptions, type TradingViewIntakeOptions } from './tradingview-intake-options.js';

const store = { accept: async () => ({ duplicate: false, signalId: 'x' }) };
const base: TradingViewIntakeOptions = { passphrase: 'p', store };

describe('resolveIntakeOptions', () => {
  it('applies the defaults', () => {
    const resolved = resolveIntakeOptions(base);
    expect(resolved).toMatchObject({
      alertAgeMaxMs: 300_000,
      alertFutureMaxMs: 60_000,
      bodySizeBytesMax: 16_384,
      readTimeoutMs: 2_000,
      hmacRequired: false,
      allowList: undefined,
      allowedSymbols: undefined,
    });
  });

  it('defaults the allow-list to the four TradingView addresses and canonicalizes symbols', () => {
    const resolved = resolveIntakeOptions({
      ...base,
      ipAllowList: { enabled: true },
      allowedSymbols: ['btc-rls', 'NOBITEX:ETHUSDT'],
    });
    expect(resolved.allowList?.has('34.212.75.30')).toBe(true);
    expect(resolved.allowList?.size).toBe(4);
    expect([...(resolved.allowedSymbols ?? [])]).toEqual(['BTCIRT', 'ETHUSDT']);
  });

  it.each<[Partial<TradingViewIntakeOptions>, string]>([
    [{ passphrase: { reveal: () => '' } }, 'passphrase must not be empty'],
    [{ hmacRequired: true }, 'hmacRequired needs hmacSecret'],
    [{ readTimeoutMs: 3_000 }, 'readTimeoutMs must be an integer in [1, 2999], was 3000'],
    [{ bodySizeBytesMax: 1.5 }, 'bodySizeBytesMax must be an integer in [64, 1048576], was 1.5'],
    [{ alertAgeMaxMs: -1 }, 'alertAgeMaxMs must be an integer in [1000, 86400000], was -1'],
    [{ allowedSymbols: ['DOGEEUR'] }, 'allowedSymbols holds an unknown market, was "DOGEEUR"'],
    [{ ipAllowList: { enabled: true, addresses: [] } }, 'ipAllowList.addresses is empty'],
    [
      { ipAllowList: { enabled: false, trustedProxies: ['proxy.local'] } },
      'not an IP address or CIDR range: "proxy.local"',
    ],
  ])('refuses %j', (override, message) => {
    expect(() => resolveIntakeOptions({ ...base, ...override })).toThrow(new RangeError(message));
  });
});
