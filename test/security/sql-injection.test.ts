// Goal: no text that reaches storage is ever executed as SQL: webhook fields (strategy, id, symbol,
// side), the alert search text, the order/signal state filters and alert ids.
// Method: classic injection payloads through every entry point of an in-process Keel; afterwards
// every table still exists with its row count intact, and each payload is stored verbatim or refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSPHRASE, type SecurityKeel, startSecurityKeel } from './security-fixture.js';

const PAYLOADS = [
  "'; DROP TABLE signals; --",
  "x' OR '1'='1",
  '" OR ""="',
  "1; DELETE FROM orders WHERE '1'='1",
  "') ; UPDATE ledger_entries SET amount_minor = '1'; --",
  "%' UNION SELECT name, sql FROM sqlite_master --",
  "\\'; DROP TABLE alerts; --",
  "Robert'); DROP TABLE bus_messages;--",
];

let keel: SecurityKeel;
beforeAll(async () => {
  keel = await startSecurityKeel();
});
afterAll(async () => keel.close());

async function tables(): Promise<Map<string, number>> {
  const names = await keel.app.db.query<{ name: string }>(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
  );
  const counts = new Map<string, number>();
  for (const { name } of names)
    counts.set(
      name,
      Number((await keel.app.db.query<{ n: number }>(`SELECT COUNT(*) AS n FROM "${name}"`))[0]?.n),
    );
  return counts;
}

/** Same tables; no row lost (the engine and reconciliation may add rows in the background). */
function expectIntact(before: Map<string, number>, after: Map<string, number>): void {
  expect([...after.keys()]).toEqual([...before.keys()]);
  for (const [name, count] of before) expect(after.get(name) ?? -1, name).toBeGreaterThanOrEqual(count);
  expect(after.get('alerts')).toBe(before.get('alerts'));
}

const inject = (method: 'GET' | 'POST', url: string, payload?: unknown) =>
  keel.app.server.inject({
    method,
    url,
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  });

describe('SQL injection through every text field that reaches storage', () => {
  it('stores a hostile strategy verbatim, refuses hostile id, symbol and side, and keeps every table', async () => {
    const before = await tables();
    expect(before.get('signals')).toBe(0);
    let stored = 0;
    for (const [index, payload] of PAYLOADS.entries()) {
      const accepted = await inject('POST', '/webhooks/tradingview', {
        passphrase: PASSPHRASE,
        symbol: 'BTCIRT',
        side: 'buy',
        amount: '0.001',
        strategy: payload,
        id: `sqli-${index}`,
      });
      expect(accepted.statusCode).toBe(202);
      stored++;
      const signalId = String(accepted.json<{ signalId: string }>().signalId);
      const rows = await keel.app.db.query<{ raw: string; payload: string }>(
        'SELECT raw, payload FROM signals WHERE id = ?',
        [signalId],
      );
      expect(rows).toHaveLength(1);
      const raw = JSON.parse(rows[0]?.raw ?? '{}') as Record<string, unknown>;
      expect(raw.strategy).toBe(payload);
      expect(raw.id).toBe(`sqli-${index}`);
      expect(JSON.parse(rows[0]?.payload ?? '{}')).toMatchObject({ strategy: payload });
      // Ids are restricted to letters, digits and . _ : - ; symbol and side to known values.
      for (const field of ['id', 'symbol', 'side']) {
        const refused = await inject('POST', '/webhooks/tradingview', {
          passphrase: PASSPHRASE,
          symbol: 'BTCIRT',
          side: 'buy',
          amount: '0.001',
          id: `refused-${field}-${index}`,
          [field]: payload,
        });
        expect(refused.statusCode, `${field}=${payload}`).toBe(400);
      }
    }
    const after = await tables();
    expect([...after.keys()]).toEqual([...before.keys()]);
    expect(after.get('signals')).toBe(stored);
    // The engine works in the background: rows may be added, none removed.
    for (const [name, count] of before) expect(after.get(name) ?? -1, name).toBeGreaterThanOrEqual(count);
  });

  it('treats alert search text and list state filters as data', async () => {
    await keel.app.alerts.raise({
      severity: 'warning',
      source: 'security-test',
      key: 'sqli',
      title: 'an alert to find',
    });
    const before = await tables();
    for (const payload of PAYLOADS) {
      const search = await inject('GET', `/api/alerts?text=${encodeURIComponent(payload)}`);
      expect(search.statusCode).toBe(200);
      expect(search.json()).toEqual([]);
      for (const list of ['orders', 'signals']) {
        const response = await inject('GET', `/api/${list}?state=${encodeURIComponent(payload)}`);
        expect([200, 400]).toContain(response.statusCode);
        if (response.statusCode === 200) expect(response.json()).toEqual([]);
      }
    }
    // The wildcard characters of LIKE are data too.
    expect((await inject('GET', `/api/alerts?text=${encodeURIComponent('%')}`)).json()).toEqual([]);
    expect((await inject('GET', `/api/alerts?text=${encodeURIComponent('to find')}`)).json()).toHaveLength(1);
    expectIntact(before, await tables());
  });

  it('refuses an alert ack `by` field and looks up injected alert ids as plain text', async () => {
    for (const [index, payload] of PAYLOADS.entries()) {
      const alert = await keel.app.alerts.raise({
        severity: 'warning',
        source: 'security-test',
        key: `ack-${index}`,
        title: `ack ${index}`,
      });
      const before = await tables();
      // Who acknowledged is the authenticated principal; a body cannot name anyone.
      expect((await inject('POST', `/api/alerts/${alert.id}/ack`, { by: payload })).statusCode).toBe(400);
      const unknown = await inject('POST', `/api/alerts/${encodeURIComponent(payload)}/ack`, {});
      expect(unknown.statusCode).toBe(404);
      const rows = await keel.app.db.query<{ acknowledged_by: string | null }>(
        'SELECT acknowledged_by FROM alerts WHERE id = ?',
        [alert.id],
      );
      expect(rows[0]?.acknowledged_by ?? null).toBeNull();
      expectIntact(before, await tables());
    }
  });
});
