// Goal: on both backends, an alert stored under the key an earlier version gave it is a duplicate,
// and the store reads back exactly what it was given. Method: describeEachBackend, a fake clock.
import { expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { createRng } from '../../src/core/random.js';
import { dedupKey, legacyDedupKey } from '../../src/market-data/dedup-key.js';
import type { Signal } from '../../src/market-data/signal.js';
import { type SignalIntake, SignalStore } from '../../src/market-data/signal-store.js';
import { describeEachBackend } from '../support/databases.js';

const signal = (clientId: string): Signal => ({
  symbol: 'ETHIRT',
  base: 'eth',
  quote: 'rls',
  side: 'sell',
  size: { kind: 'base', amount: '0.5' },
  order: { type: 'limit', price: '123456789012345678', expiresInMs: 60_000 },
  clientId,
  alertAtMs: 1_700_000_000_000,
  alertTimeSource: 'alert',
  receivedAtMs: 9_007_199_254_740_000,
});
const intake = (clientId: string): SignalIntake => ({
  signal: signal(clientId),
  dedupKey: dedupKey(signal(clientId)),
  legacyDedupKey: legacyDedupKey(signal(clientId)),
  raw: '{"id":"x"}',
  sourceIp: undefined,
  traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
});

describeEachBackend('signal store dedup', (makeDb) => {
  it('takes a key an earlier version stored as a duplicate, and stores a new alert whole', async () => {
    const db = await makeDb();
    const clock = new FakeClock(1_700_000_000_123);
    const store = new SignalStore({ db, clock, rng: createRng(5) });
    await store.migrate();
    const old = await store.accept({ ...intake('a'), dedupKey: legacyDedupKey(signal('a')) });
    expect(await store.accept(intake('a'))).toEqual({ duplicate: true, signalId: old.signalId });
    const [fresh, copy] = await Promise.all([store.accept(intake('b')), store.accept(intake('b'))]);
    expect(fresh?.duplicate).toBe(false);
    expect(copy).toEqual({ duplicate: true, signalId: fresh?.signalId });
    expect(await store.get(String(fresh?.signalId))).toEqual({
      id: fresh?.signalId,
      dedupKey: 'cid:b',
      signal: signal('b'),
      raw: '{"id":"x"}',
      sourceIp: undefined,
      state: 'received',
      attempts: 0,
      lastError: undefined,
      receivedAtMs: 9_007_199_254_740_000,
      updatedAtMs: 1_700_000_000_123,
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    });
    expect(await db.query('SELECT COUNT(*) AS n FROM signals')).toEqual([{ n: 2 }]);
  });
});
