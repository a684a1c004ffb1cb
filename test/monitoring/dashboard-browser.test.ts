// Goal: a person opening the dashboard sees an open breaker, a firing critical alert and every bulkhead
// (running, queued, limits, refusals), can acknowledge the alert with one click, and sees it
// acknowledged (the source recorded who), with live updates arriving over EventSource; the page's own buttons pass the cross-site check, a login with the token
// becomes an HttpOnly session cookie, and another site's page cannot change anything.
// Method: headless Debian chromium through playwright-core against a real loopback server with a
// FakeStatusSource, and an attacker page on a second server under another site name (localhost vs
// 127.0.0.1); one screenshot to /tmp/keel-dashboard.png for a human look.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserRequired, CHROMIUM, CHROMIUM_ARGS, chromiumAvailable } from '../support/chromium.js';
import { createDashboardApp, type DashboardFixture } from './dashboard-fixture.js';

const available = chromiumAvailable();
const inCi = browserRequired();
const ARGS = CHROMIUM_ARGS;

function seed(fixture: DashboardFixture): void {
  const { source, clock } = fixture;
  const t0 = clock.nowMs();
  source.setBreaker('orders', 'closed');
  source.setBreaker('market-data', 'closed', 0.01);
  source.setBreaker('orders', 'open', 0.62);
  const limits = { concurrentMax: 4, concurrentLimit: 4, queueMax: 100 };
  source.bulkheads = [
    { name: 'exchange.orders', ...limits, running: 4, queued: 100, rejected: 7 },
    { name: 'engine', ...limits, concurrentMax: 8, concurrentLimit: 8, running: 1, queued: 0, rejected: 0 },
    {
      name: 'alertChannel.console',
      ...limits,
      concurrentMax: 1,
      concurrentLimit: 1,
      running: 0,
      queued: 0,
      rejected: 0,
    },
  ];
  source.raiseAlert({
    severity: 'critical',
    source: 'exchange',
    key: 'breaker.orders',
    title: 'Orders breaker open',
  });
  source.raiseAlert({
    severity: 'warning',
    source: 'reconciliation',
    key: 'recon.lag',
    title: 'Reconciliation late',
  });
  source.orderList = [
    {
      id: 'o1',
      signalId: 's1',
      clientOrderId: 'keel-s1',
      exchangeOrderId: '93817',
      market: 'BTCIRT',
      side: 'buy',
      execution: 'limit',
      state: 'UNKNOWN',
      amount: '0.0015',
      filledAmount: '0',
      averagePrice: null,
      createdAtMs: t0 - 60_000,
      updatedAtMs: t0,
      phase: 'verify',
    },
  ];
  source.signalList = [
    { id: 's1', market: 'BTCIRT', side: 'buy', state: 'processing', receivedAtMs: t0 - 61_000, reason: null },
  ];
  source.ledgerView = {
    balanced: false,
    currencies: [
      {
        currency: 'rls',
        ledgerBalance: '1250000000',
        ledgerBlocked: '0',
        exchangeBalance: '1249990000',
        exchangeBlocked: '0',
        difference: '10000',
        action: 'breach',
        lastReconciledAtMs: t0 - 30_000,
      },
      {
        currency: 'btc',
        ledgerBalance: '0.0123',
        ledgerBlocked: '0',
        exchangeBalance: '0.0123',
        exchangeBlocked: '0',
        difference: '0',
        action: 'match',
        lastReconciledAtMs: t0 - 30_000,
      },
    ],
    doubleEntryBalanced: true,
    reconciliation: { runId: 'r1', status: 'breach', finishedAtMs: t0 - 30_000, breachCount: 1 },
  };
  const minutes = Array.from({ length: 30 }, (_, i) => t0 - (30 - i) * 60_000);
  seedTrading(fixture, t0);
  source.timeseriesView = {
    latency: minutes.flatMap((atMs, i) => [
      { atMs, endpoint: 'orders', latencyMs: 80 + ((i * 37) % 50) + (i > 24 ? 400 : 0) },
      { atMs, endpoint: 'market', latencyMs: 40 + ((i * 13) % 20) },
    ]),
    orders: minutes.map((atMs, i) => ({ atMs, count: (i * 7) % 5 })),
    breakerStates: [
      { name: 'market-data', atMs: minutes[0]!, state: 'closed' },
      { name: 'orders', atMs: minutes[0]!, state: 'closed' },
      { name: 'orders', atMs: minutes[25]!, state: 'open' },
      { name: 'orders', atMs: minutes[27]!, state: 'halfOpen' },
      { name: 'orders', atMs: minutes[28]!, state: 'open' },
    ],
  };
}

function seedTrading(fixture: DashboardFixture, t0: number): void {
  fixture.trading.positionsView = {
    atMs: t0,
    positions: [
      {
        strategy: 'trend',
        symbol: 'BTCIRT',
        base: 'btc',
        quote: 'rls',
        position: '0.0123',
        averageCost: '10000000000',
        costBasis: '123000000',
        realizedPnl: '-2500000',
        markPrice: '10100000000',
        unrealizedPnl: '1230000',
        fillCount: 3,
      },
    ],
    holdings: [],
  };
  fixture.trading.pnlView = {
    atMs: t0,
    strategies: [
      {
        strategy: 'trend',
        quote: 'rls',
        realizedPnl: '-2500000',
        unrealizedPnl: '1230000',
        totalPnl: '-1270000',
      },
    ],
    equity: [
      {
        atMs: t0 - 600_000,
        strategy: 'trend',
        quote: 'rls',
        realizedPnl: '0',
        unrealizedPnl: '0',
        totalPnl: '0',
      },
      {
        atMs: t0 - 300_000,
        strategy: 'trend',
        quote: 'rls',
        realizedPnl: '-2500000',
        unrealizedPnl: '1000000',
        totalPnl: '-1500000',
      },
    ],
  };
  fixture.trading.orderDetails.set('o1', {
    order: fixture.source.orderList[0]!,
    strategy: 'trend',
    fills: [],
    audit: [
      { seq: 1, fromState: null, toState: 'PREPARED', cause: 'signal s1 (trend)', atMs: t0 - 60_000 },
      { seq: 2, fromState: 'PREPARED', toState: 'SUBMITTING', cause: 'sending', atMs: t0 - 59_000 },
      {
        seq: 3,
        fromState: 'SUBMITTING',
        toState: 'UNKNOWN',
        cause: 'timeout: asking the exchange',
        atMs: t0 - 58_000,
      },
    ],
    postings: [],
  });
}

if (!available && !inCi)
  describe('dashboard in a browser (chromium missing)', () => {
    it(`is skipped locally: ${CHROMIUM} is not installed (apt-get install -y chromium)`, () => {
      expect(available).toBe(false);
    });
  });
else
  describe('dashboard in a browser', () => {
    let fixture: DashboardFixture;
    let context: BrowserContext;
    let profile: string;
    let url: string;

    beforeAll(async () => {
      // In CI a missing browser must fail, not pass quietly.
      expect(existsSync(CHROMIUM), `${CHROMIUM} is not installed`).toBe(true);
      fixture = await createDashboardApp();
      seed(fixture);
      await fixture.app.listen({ host: '127.0.0.1', port: 0 });
      url = `http://127.0.0.1:${(fixture.app.server.address() as AddressInfo).port}/`;
      profile = mkdtempSync(join(tmpdir(), 'keel-chromium-'));
      context = await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM,
        headless: true,
        args: ARGS,
        viewport: { width: 1400, height: 900 },
      });
    });

    afterAll(async () => {
      await context?.close();
      await fixture?.app.close();
      if (profile !== undefined) rmSync(profile, { recursive: true, force: true });
    });

    it('shows the open breaker and the critical alert, acknowledges it, and updates live', async () => {
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(message.text());
      });
      page.on('pageerror', (error) => problems.push(error.message));
      await page.goto(url);

      const breaker = page.locator('[data-breaker="orders"]');
      await expect.poll(() => breaker.getAttribute('data-state')).toBe('open');
      expect(await breaker.locator('.breaker-state').textContent()).toBe('open');
      const alert = page.locator('[data-alert="alert-1"]');
      expect(await alert.locator('.title').textContent()).toBe('Orders breaker open');
      expect(await alert.getAttribute('data-state')).toBe('firing');
      await expect.poll(() => page.locator('#connection').textContent()).toBe('live');

      // Every bulkhead: running of its limit, queued of its queue, refusals; a full queue stands out.
      const orders = page.locator('[data-bulkhead="exchange.orders"]');
      expect(await orders.locator('td').allTextContents()).toEqual([
        'exchange.orders',
        '4/4',
        '100/100',
        '7',
      ]);
      expect(await orders.getAttribute('class')).toBe('full');
      expect(await page.locator('[data-bulkhead="engine"] td').allTextContents()).toEqual([
        'engine',
        '1/8',
        '0/100',
        '0',
      ]);
      expect(await page.locator('[data-bulkhead]').count()).toBe(3);

      await alert.getByRole('button', { name: 'Acknowledge' }).click();
      await expect.poll(() => alert.getAttribute('data-state')).toBe('acknowledged');
      expect(await alert.locator('.meta').textContent()).toContain('acknowledged by local');
      expect(fixture.source.alertActions).toEqual([
        { action: 'ack', id: 'alert-1', by: 'local', atMs: fixture.clock.nowMs() },
      ]);

      // Pushed over the event stream, not fetched.
      const pushed = fixture.source.raiseAlert({
        severity: 'error',
        source: 'engine',
        key: 'k9',
        title: 'Pushed live',
      });
      fixture.source.emit({ type: 'alert', data: pushed });
      await expect
        .poll(() => page.locator(`[data-alert="${pushed.id}"] .title`).textContent())
        .toBe('Pushed live');

      await page.screenshot({ path: '/tmp/keel-dashboard.png', fullPage: true });
      expect(problems).toEqual([]);
    });

    it('logs in with the token once: the session cookie carries page, assets, API calls and events', async () => {
      const guarded = await createDashboardApp({
        access: { host: '0.0.0.0', token: { reveal: () => 'browser-t0ken' } },
      });
      try {
        seed(guarded);
        await guarded.app.listen({ host: '127.0.0.1', port: 0 });
        const base = `http://127.0.0.1:${(guarded.app.server.address() as AddressInfo).port}/`;
        const page = await context.newPage();
        expect((await page.goto(base))?.status()).toBe(401);
        await page.locator('#token').fill('wrong-token');
        await page.getByRole('button', { name: 'Log in' }).click();
        await expect.poll(() => page.locator('#message').textContent()).toBe('Wrong credentials.');
        await page.locator('#token').fill('browser-t0ken');
        await page.getByRole('button', { name: 'Log in' }).click();
        await expect
          .poll(() => page.locator('[data-breaker="orders"]').getAttribute('data-state'))
          .toBe('open');
        await expect.poll(() => page.locator('#connection').textContent()).toBe('live');
        expect(page.url()).toBe(base);
        const [cookie] = await context.cookies(base);
        expect(cookie).toMatchObject({ name: 'keel_session', httpOnly: true, sameSite: 'Strict' });
        expect(await page.evaluate('document.cookie')).toBe('');
        await page.locator('[data-alert="alert-1"]').getByRole('button', { name: 'Acknowledge' }).click();
        await expect.poll(() => guarded.source.alertActions.length).toBe(1);
        expect(guarded.source.alertActions[0]?.by).toBe('token');
        await context.clearCookies();
      } finally {
        await guarded.app.close();
      }
    });

    it('refuses what another site’s page sends: a form post, a no-cors fetch and a JSON fetch', async () => {
      const target = url.replace(/\/$/, '');
      const attacker = Fastify({ logger: false, forceCloseConnections: true });
      attacker.get('/', async (_request, reply) =>
        reply.type('text/html').send(`<!doctype html><html><body>
<form id="csrf" method="POST" enctype="text/plain" action="${target}/api/engine/mode">
<input name='{"mode":"HALTED","reason":"csrf","x":"' value='"}'>
</form></body></html>`),
      );
      await attacker.listen({ host: '127.0.0.1', port: 0 });
      try {
        // Another site: `localhost` is not `127.0.0.1`, though both reach this machine.
        const evil = `http://localhost:${(attacker.server.address() as AddressInfo).port}/`;
        const page = await context.newPage();
        await page.goto(evil);
        const answers = await page.evaluate(async (keel) => {
          const plain = await fetch(`${keel}/api/engine/mode`, {
            method: 'POST',
            mode: 'no-cors',
            headers: { 'content-type': 'text/plain' },
            body: JSON.stringify({ mode: 'HALTED', reason: 'no-cors' }),
          }).then((response) => response.type);
          const json = await fetch(`${keel}/api/alerts/alert-2/ack`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: '{}',
          }).then(
            (response) => String(response.status),
            (error: Error) => error.name,
          );
          return { plain, json };
        }, target);
        expect(answers).toEqual({ plain: 'opaque', json: 'TypeError' });
        const statuses: number[] = [];
        page.on('response', (answer) => {
          if (answer.url().endsWith('/api/engine/mode')) statuses.push(answer.status());
        });
        await page.locator('#csrf').evaluate((form) => (form as unknown as { submit(): void }).submit());
        await expect.poll(() => statuses).toEqual([403]);
        expect(fixture.source.modeChanges).toEqual([]);
        expect(fixture.source.alertActions.filter((action) => action.id === 'alert-2')).toEqual([]);
        await page.close();
      } finally {
        await attacker.close();
      }
    });

    it('shows positions, P&L, uPlot charts, the breach, and an order with its audit trail', async () => {
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('pageerror', (error) => problems.push(error.message));
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(message.text());
      });
      await page.goto(url);
      const position = page.locator('[data-position="trend BTCIRT"]');
      await expect.poll(() => position.locator('td').nth(2).textContent()).toBe('0.0123');
      expect(await position.locator('td').nth(6).textContent()).toBe('1230000');
      expect(await page.locator('[data-pnl="trend rls"] td').nth(4).textContent()).toBe('-1270000');
      // uPlot draws on canvas: no hand-drawn SVG left in any chart.
      for (const chart of ['chart-equity', 'chart-latency', 'chart-orders', 'chart-breakers'])
        await expect.poll(() => page.locator(`#${chart} .uplot canvas`).count(), { message: chart }).toBe(1);
      expect(await page.locator('.chart svg').count()).toBe(0);
      expect(await page.locator('#chart-equity').getAttribute('data-points')).toBe('2');
      // The seeded ledger has a 10000 rial difference from a breached run: never "balanced".
      expect(await page.locator('#ledger-status').textContent()).toBe('breach');

      await page.locator('[data-order="o1"]').click();
      await expect.poll(() => page.locator('#order-detail [data-audit]').count()).toBe(3);
      expect(await page.locator('#order-detail [data-audit="3"]').textContent()).toContain(
        'timeout: asking the exchange',
      );
      expect(await page.locator('#order-detail-card').isVisible()).toBe(true);
      await page.screenshot({ path: '/tmp/keel-dashboard-trading.png', fullPage: true });
      expect(problems).toEqual([]);
    });

    it('halts the engine from the page only with a reason', async () => {
      const page = await context.newPage();
      await page.goto(url);
      await expect.poll(() => page.locator('#engine-mode').textContent()).toBe('RUNNING');
      await page.getByRole('button', { name: 'Halt' }).click();
      expect(await page.locator('#engine-message').textContent()).toContain('Give a reason');
      expect(fixture.source.modeChanges).toEqual([]);

      await page.locator('#engine-reason').fill('exchange answering garbage');
      await page.getByRole('button', { name: 'Halt' }).click();
      await expect.poll(() => page.locator('#engine-mode').textContent()).toBe('HALTED');
      expect(fixture.source.modeChanges).toEqual([
        { mode: 'HALTED', by: 'local', reason: 'exchange answering garbage' },
      ]);
      expect(await page.getByRole('button', { name: 'Halt' }).isDisabled()).toBe(true);
    });
  });
