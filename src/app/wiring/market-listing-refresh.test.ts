// Goal: the exchange's market list is read again each time its cache entry expires (at most once a
// minute), a stale or failed read raises a warning that a fresh one resolves, and stopping ends the
// reads. Method: a scripted adapter (only getOptions and its cache TTL) on a fake clock.
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/clock.js';
import type { EnhancedNobitexAdapter } from '../../exchange/enhanced-nobitex-adapter/enhanced-nobitex-adapter.js';
import { silentLogger } from '../../logging/logger.js';
import { startMarketListingRefresh } from './market-listing-refresh.js';

describe('market list refresh', () => {
  it('reads the options every TTL, warns while stale or failing, resolves when fresh, stops on close', async () => {
    const clock = new FakeClock(0);
    const answers: (() => Promise<unknown>)[] = [
      async () => ({ stale: true, ageMs: 20_000 }),
      async () => {
        throw new Error('503 from /v2/options');
      },
      async () => ({ stale: false, ageMs: 0 }),
    ];
    let reads = 0;
    const adapter = {
      options: { cache: { options: { ttlMs: 600_000 } } },
      getOptions: () => answers[reads++]?.() ?? Promise.resolve({ stale: false, ageMs: 0 }),
    } as unknown as EnhancedNobitexAdapter;
    const events: string[] = [];
    const rules = {
      raise: (input: { key: string; details?: Record<string, unknown> }) =>
        events.push(`raise ${input.key} ${String(input.details?.reason)}`),
      resolve: (key: string) => events.push(`resolve ${key}`),
    };
    const stop = startMarketListingRefresh({ adapter, clock, logger: silentLogger, rules });
    await clock.advance(599_999);
    expect(reads).toBe(0);
    await clock.advance(1);
    await clock.advance(600_000);
    await clock.advance(600_000);
    expect(events).toEqual([
      'raise markets.stale serving the market list from 20 s ago',
      'raise markets.stale 503 from /v2/options',
      'resolve markets.stale',
    ]);
    await stop();
    await clock.advance(3_000_000);
    expect(reads).toBe(3);
  });
});
