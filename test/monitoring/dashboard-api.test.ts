// Goal: every JSON API route answers with the right status and shape, validates its input with a
// list of problems, and passes who/why through to the source. Method: app.inject() over a FakeStatusSource.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDashboardApp, type DashboardFixture } from './dashboard-fixture.js';

let fixture: DashboardFixture;
beforeEach(async () => {
  fixture = await createDashboardApp();
});
afterEach(async () => {
  await fixture.app.close();
});

const get = (url: string) => fixture.app.inject({ method: 'GET', url });
const post = (url: string, payload?: unknown) =>
  fixture.app.inject({
    method: 'POST',
    url,
    // As the CLI does: a marker no other site's page could set, so bodiless POSTs pass the cross-site check.
    headers: { 'x-keel-request': 'test' },
    ...(payload === undefined ? {} : { payload: payload as object }),
  });

function order(id: string, state: string) {
  return {
    id,
    signalId: `sig-${id}`,
    clientOrderId: `cid-${id}`,
    exchangeOrderId: null,
    market: 'BTCIRT',
    side: 'buy' as const,
    execution: 'limit' as const,
    state,
    amount: '0.0015',
    filledAmount: '0',
    averagePrice: null,
    createdAtMs: 1,
    updatedAtMs: 2,
    phase: 'verify' as const,
  };
}

describe('GET /api/status', () => {
  it('returns the snapshot with breakers, pool, rate limits, verification and bus', async () => {
    fixture.source.setBreaker('orders', 'closed');
    fixture.source.setBreaker('orders', 'open', 0.6);
    const response = await get('/api/status');
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    const body = response.json();
    expect(body.instance).toMatchObject({ id: 'keel-test-1', mode: 'paper' });
    expect(body.engineMode.mode).toBe('RUNNING');
    expect(body.breakers[0]).toMatchObject({ name: 'orders', state: 'open', failureRate: 0.6 });
    expect(body.breakers[0].recentTransitions).toEqual([
      { from: 'closed', to: 'open', atMs: fixture.clock.nowMs() },
    ]);
    expect(body.health.status).toBe('degraded');
    expect(Object.keys(body)).toEqual(
      expect.arrayContaining(['pool', 'rateLimits', 'verification', 'bus', 'health', 'instance']),
    );
  });
});

describe('GET /api/orders and /api/signals', () => {
  it('lists orders with their phase, filtered by state and limited', async () => {
    fixture.source.orderList = [order('1', 'ACCEPTED'), order('2', 'FILLED'), order('3', 'ACCEPTED')];
    const response = await get('/api/orders?state=ACCEPTED&limit=1');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual([order('1', 'ACCEPTED')]);
  });

  it('rejects a limit out of range with the problem named', async () => {
    const response = await get('/api/orders?limit=5000');
    expect(response.statusCode).toBe(400);
    expect(response.json().problems).toEqual([expect.stringMatching(/^limit: /)]);
  });

  it('lists signals', async () => {
    fixture.source.signalList = [
      { id: 's1', market: 'BTCIRT', side: 'sell', state: 'executed', receivedAtMs: 5, reason: null },
    ];
    expect((await get('/api/signals')).json()).toEqual(fixture.source.signalList);
  });
});

describe('GET /api/ledger', () => {
  it('returns balances as decimal strings and whether they agree', async () => {
    fixture.source.ledgerView = {
      balanced: false,
      currencies: [
        {
          currency: 'rls',
          ledgerBalance: '1000000000',
          ledgerBlocked: '0',
          exchangeBalance: '999999990',
          exchangeBlocked: '0',
          difference: '10',
          action: 'breach',
          lastReconciledAtMs: 7,
        },
      ],
      doubleEntryBalanced: true,
      reconciliation: { runId: 'r1', status: 'breach', finishedAtMs: 7, breachCount: 1 },
    };
    const body = (await get('/api/ledger')).json();
    expect(body.balanced).toBe(false);
    expect(body.currencies[0].difference).toBe('10');
  });
});

describe('GET /api/alerts', () => {
  it('passes validated filters to the source, numbers coerced', async () => {
    fixture.source.raiseAlert({
      severity: 'critical',
      source: 'exchange',
      key: 'k1',
      title: 'Orders breaker open',
    });
    fixture.source.raiseAlert({ severity: 'info', source: 'engine', key: 'k2', title: 'Started' });
    const response = await get(
      '/api/alerts?severity=critical&source=exchange&state=firing&text=breaker&fromMs=0&toMs=99&limit=5',
    );
    expect(response.statusCode).toBe(200);
    expect(response.json().map((alert: { key: string }) => alert.key)).toEqual(['k1']);
    expect(fixture.source.alertQueries).toEqual([
      {
        severity: 'critical',
        source: 'exchange',
        state: 'firing',
        text: 'breaker',
        fromMs: 0,
        toMs: 99,
        limit: 5,
      },
    ]);
  });

  it('answers 400 listing every problem', async () => {
    const response = await get('/api/alerts?severity=loud&state=asleep&fromMs=abc&limit=0&colour=red');
    expect(response.statusCode).toBe(400);
    const problems: string[] = response.json().problems;
    expect(problems.map((problem) => problem.split(':')[0])).toEqual(
      expect.arrayContaining(['severity', 'state', 'fromMs', 'limit', '(root)']),
    );
    expect(fixture.source.alertQueries).toEqual([]);
  });

  it('refuses a time range that ends before it starts', async () => {
    const response = await get('/api/alerts?fromMs=10&toMs=5');
    expect(response.statusCode).toBe(400);
    expect(response.json().problems).toEqual(['fromMs: fromMs must not be after toMs']);
  });
});

describe('alert acknowledge and resolve', () => {
  it('acknowledges then resolves, recording who and when', async () => {
    const alert = fixture.source.raiseAlert({
      severity: 'critical',
      source: 'exchange',
      key: 'k',
      title: 'Down',
    });
    await fixture.clock.advance(1_000);
    const ack = await post(`/api/alerts/${alert.id}/ack`, {});
    expect(ack.statusCode).toBe(200);
    expect(ack.json()).toMatchObject({
      state: 'acknowledged',
      acknowledgedBy: 'local',
      acknowledgedAtMs: fixture.clock.nowMs(),
    });
    await fixture.clock.advance(1_000);
    const resolved = await post(`/api/alerts/${alert.id}/resolve`);
    expect(resolved.json()).toMatchObject({
      state: 'resolved',
      resolvedBy: 'local',
      resolvedAtMs: fixture.clock.nowMs(),
    });
    expect(fixture.source.alertActions.map(({ action, by }) => `${action}:${by}`)).toEqual([
      'ack:local',
      'resolve:local',
    ]);
  });

  it('answers 404 for an unknown alert', async () => {
    const response = await post('/api/alerts/nope/ack', {});
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: 'alert not found' });
  });

  it('rejects an unexpected body field', async () => {
    const alert = fixture.source.raiseAlert({ severity: 'info', source: 'x', key: 'k', title: 't' });
    const response = await post(`/api/alerts/${alert.id}/ack`, { by: 'a', sneaky: true });
    expect(response.statusCode).toBe(400);
    expect(fixture.source.alertActions).toEqual([]);
  });

  it('answers malformed JSON with 400, not 500', async () => {
    const response = await fixture.app.inject({
      method: 'POST',
      url: '/api/alerts/x/ack',
      headers: { 'content-type': 'application/json' },
      payload: '{"by":',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toBe('invalid');
  });
});

describe('POST /api/engine/mode', () => {
  it('halts the engine with who and why', async () => {
    const response = await post('/api/engine/mode', { mode: 'HALTED', reason: 'exchange misbehaving' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      mode: 'HALTED',
      changedBy: 'local',
      reason: 'exchange misbehaving',
    });
    expect(fixture.source.modeChanges).toEqual([
      { mode: 'HALTED', by: 'local', reason: 'exchange misbehaving' },
    ]);
  });

  it('requires a known mode and a reason', async () => {
    const response = await post('/api/engine/mode', { mode: 'PAUSED', reason: '  ' });
    expect(response.statusCode).toBe(400);
    expect(
      response
        .json()
        .problems.map((problem: string) => problem.split(':')[0])
        .sort(),
    ).toEqual(['mode', 'reason']);
    expect(fixture.source.modeChanges).toEqual([]);
  });

  it('answers 409 when the kill switch refuses the change', async () => {
    fixture.source.refuseModeChange = 'HALTED -> RUNNING';
    const response = await post('/api/engine/mode', { mode: 'RUNNING', reason: 'try' });
    expect(response.statusCode).toBe(409);
    expect(response.json()).toEqual({ error: 'mode change refused', reason: 'HALTED -> RUNNING' });
  });
});

describe('errors', () => {
  it('answers 500 without details when the source fails', async () => {
    fixture.source.ledger = async () => {
      throw new Error('db password=hunter2 unreachable');
    };
    const response = await get('/api/ledger');
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain('hunter2');
  });

  it('answers unknown API paths with 404 JSON', async () => {
    const response = await get('/api/nothing-here');
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: 'not found' });
  });

  it('serves the timeseries for the charts', async () => {
    fixture.source.timeseriesView = {
      latency: [{ atMs: 1, endpoint: 'orders', latencyMs: 40 }],
      orders: [{ atMs: 1, count: 2 }],
      breakerStates: [{ name: 'orders', atMs: 1, state: 'open' }],
    };
    expect((await get('/api/timeseries')).json()).toEqual(fixture.source.timeseriesView);
  });
});
