// Goal: one alert always gets the same key, keys sort in arrival order (so the dedup index is written
// at its end), and the legacy key is exactly what versions before gave the same alert. Method: pure
// calls; the legacy values were computed by the former dedupKey.
import { describe, expect, it } from 'vitest';
import { dedupKey, legacyDedupKey } from './dedup-key.js';
import type { Signal } from './signal.js';

const base: Signal = {
  symbol: 'BTCIRT',
  base: 'btc',
  quote: 'rls',
  side: 'buy',
  size: { kind: 'base', amount: '0.01' },
  order: { type: 'market' },
  alertAtMs: 1_700_000_000_000,
  alertTimeSource: 'alert',
  receivedAtMs: 1_700_000_000_500,
};

describe('dedupKey', () => {
  it('keys an explicit id by the id alone, and other alerts by content and alert time', () => {
    expect(dedupKey({ ...base, clientId: 'tv-42' })).toBe('cid:tv-42');
    expect(dedupKey({ ...base, clientId: 'tv-42', size: { kind: 'base', amount: '1' } })).toBe('cid:tv-42');
    expect(dedupKey({ ...base, receivedAtMs: 1_700_000_009_000 })).toBe(dedupKey(base));
    expect(dedupKey({ ...base, size: { kind: 'base', amount: '0.02' } })).not.toBe(dedupKey(base));
    expect(dedupKey(base)).toMatch(/^at:001700000000000:[\w-]{43}$/);
  });

  it('sorts keys of later alerts after earlier ones', () => {
    const times = [999, 1_000, 1_700_000_000_000, 1_700_000_000_001, 1_800_000_000_000];
    const keys = times.map((alertAtMs) => dedupKey({ ...base, side: 'sell', alertAtMs }));
    expect([...keys].sort()).toEqual(keys);
  });
});

describe('legacyDedupKey', () => {
  it('is the key versions before gave the same alert', () => {
    expect(legacyDedupKey(base)).toBe(
      'signal:be2e49c7715094bf623fc9461e02dc8e22191a6a5a309f7b733e8292a63c3fe6',
    );
    expect(legacyDedupKey({ ...base, clientId: 'tv-42' })).toBe(
      'id:718aaa64a652853fae65f4d74311bdef2b305f1845712d812a9e127d85072727',
    );
    expect(legacyDedupKey({ ...base, action: 'close', size: { kind: 'target', position: '0' } })).toBe(
      'signal:2cabee3af06ace62a277c5fe2e40b191da2472d1b0665cfe0878c36f71803043',
    );
  });
});
