// Goal (issue 6): with the simulator in an outage, a person opening the dashboard sees the circuit
// breaker open and its alert, clicks Acknowledge, and sees the alert acknowledged (recorded with who).
// Method: a whole Keel in paper mode, a chaos outage on the simulator, headless Debian chromium
// through playwright-core. In CI a missing chromium fails the test; locally it reports the skip.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserRequired, CHROMIUM, CHROMIUM_ARGS, chromiumAvailable } from '../support/chromium.js';
import { type Harness, startHarness } from './app-harness.js';

const available = chromiumAvailable();
const inCi = browserRequired();
const ARGS = CHROMIUM_ARGS;
const breaker = {
  failureThreshold: 2,
  breakDurationMs: 60_000,
  breakDurationMaxMs: 60_000,
  halfOpenProbesMax: 1,
};

if (!available && !inCi)
  describe('dashboard during an outage (chromium missing)', () => {
    it(`is skipped locally: ${CHROMIUM} is not installed (apt-get install -y chromium)`, () => {
      expect(available).toBe(false);
    });
  });
else
  describe('dashboard during an exchange outage', () => {
    let harness: Harness;
    let context: BrowserContext;
    let profile: string;

    beforeAll(async () => {
      expect(existsSync(CHROMIUM), `${CHROMIUM} is not installed`).toBe(true);
      harness = await startHarness({
        nobitex: {
          breaker: { orders: breaker, account: breaker, marketData: breaker },
          retry: { attemptsMax: 1 },
          cache: { marketDataTtlMs: 1, walletsTtlMs: 1, optionsTtlMs: 1, staleMaxMs: 1 },
        },
      });
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
      await harness?.close();
      if (profile !== undefined) rmSync(profile, { recursive: true, force: true });
    });

    it('shows the open breaker and its alert, and acknowledges the alert', async () => {
      const { app } = harness;
      app.exchange.simulator?.chaos.add({ kind: 'outage', mode: '503' });
      const sent = await harness.webhook({ symbol: 'BTCIRT', side: 'buy', amount: '0.001' });
      expect(sent.status).toBe(202);
      const group = await harness.waitFor(
        () =>
          (['account', 'marketData', 'orders'] as const).find(
            (name) => app.exchange.adapter.breakerMetrics(name).state === 'open',
          ),
        'a breaker to open',
      );
      const alert = await harness.waitFor(
        () => app.alerts.openAlerts().find((candidate) => candidate.key === `breaker.${group}`),
        'the breaker alert',
      );
      expect(app.exchange.simulator?.groundTruthOrders()).toHaveLength(0);

      const page = await context.newPage();
      const problems: string[] = [];
      page.on('pageerror', (error) => problems.push(error.message));
      await page.goto(`${harness.url}/`);
      await expect
        .poll(() => page.locator(`[data-breaker="${group}"]`).getAttribute('data-state'), { timeout: 15_000 })
        .toBe('open');
      const row = page.locator(`[data-alert="${alert.id}"]`);
      await expect.poll(() => row.getAttribute('data-state'), { timeout: 15_000 }).toBe('firing');
      await row.getByRole('button', { name: 'Acknowledge' }).click();
      await expect.poll(() => row.getAttribute('data-state'), { timeout: 15_000 }).toBe('acknowledged');
      const stored = await app.alerts.store.get(alert.id);
      expect(stored?.state).toBe('acknowledged');
      expect(stored?.acknowledgedBy).toBe('local');
      await page.screenshot({ path: join(tmpdir(), 'keel-dashboard-outage.png'), fullPage: true });
      expect(problems).toEqual([]);
    });
  });
