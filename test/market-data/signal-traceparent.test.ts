// Goal (issue 17): the webhook's trace context is stored with the signal on both backends, so the
// engine's spans continue the signal's trace after the bus and after a restart. Method: SignalStore on
// SQLite and PostgreSQL; accept, then read back.
import { expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { createRng } from '../../src/core/random.js';
import { dedupKey } from '../../src/market-data/dedup-key.js';
import type { Signal } from '../../src/market-data/signal.js';
import { SignalStore } from '../../src/market-data/signal-store.js';
import { describeEachBackend } from '../support/databases.js';

const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

const signal = (amount: string): Signal => ({
  symbol: 'BTCIRT',
  base: 'btc',
  quote: 'rls',
  side: 'buy',
  size: { kind: 'base', amount },
  order: { type: 'market' },
  alertAtMs: 1_000,
  alertTimeSource: 'alert',
  receivedAtMs: 1_000,
});

describeEachBackend('signal trace context', (makeDb) => {
  it('keeps the traceparent it was given, and none when tracing is off', async () => {
    const store = new SignalStore({ db: await makeDb(), clock: new FakeClock(1_000), rng: createRng(5) });
    await store.migrate();
    const traced = await store.accept({
      signal: signal('0.1'),
      dedupKey: dedupKey(signal('0.1')),
      raw: '{}',
      sourceIp: undefined,
      traceparent: TRACEPARENT,
    });
    const untraced = await store.accept({
      signal: signal('0.2'),
      dedupKey: dedupKey(signal('0.2')),
      raw: '{}',
      sourceIp: undefined,
    });
    expect((await store.get(traced.signalId))?.traceparent).toBe(TRACEPARENT);
    expect((await store.get(untraced.signalId))?.traceparent).toBeUndefined();
    const listed = await store.list({ limit: 10 });
    expect(listed.map((stored) => stored.traceparent).sort()).toEqual([TRACEPARENT, undefined]);
  });
});
