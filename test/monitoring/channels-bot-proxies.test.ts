// Goal (issue 15): a critical alert reaches a Bale channel and a Telegram channel side by side, each
// through its own proxy (Bale through an HTTP proxy, Telegram through SOCKS5, both with credentials), and
// the proxies saw the requests; the proxy passwords and bot tokens appear in no log line.
// Method: the config is parsed as Keel parses it; channels and the alert manager are the real ones; a
// fake Bot API, an HTTP proxy and a SOCKS5 proxy run on 127.0.0.1; time is a FakeClock.
import { afterEach, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { FakeClock } from '../../src/core/clock.js';
import { createRng } from '../../src/core/random.js';
import { AlertManager } from '../../src/monitoring/alert-system/alert-manager.js';
import { alertMigrations } from '../../src/monitoring/alert-system/alert-store.js';
import { createAlertChannels } from '../../src/monitoring/alert-system/channels/create-alert-channels.js';
import { SqliteDatabase } from '../../src/storage/sqlite-database.js';
import { FakeBotApi } from '../support/fake-bot-api.js';
import { startHttpProxy, startSocksProxy } from '../support/proxies.js';
import { advanceUntil, expectNoSecrets, memoryLogger } from './channels-support.js';

const BALE_TOKEN = '111:bale-token-never-shown';
const TELEGRAM_TOKEN = '222:telegram-token-never-shown';
const PASSWORD = 'proxy-password-never-shown';

describe('Bale and Telegram side by side through proxies', () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  it('delivers a critical alert to both, and each proxy saw its channel requests', async () => {
    const api = await FakeBotApi.start();
    closers.push(() => api.close());
    const httpProxy = await startHttpProxy({ user: 'bale', password: PASSWORD });
    closers.push(() => httpProxy.close());
    const socksProxy = await startSocksProxy({ user: 'tg', password: PASSWORD });
    closers.push(() => socksProxy.close());
    const config = configSchema.parse({
      alerts: {
        groupWaitMs: 1,
        routes: { critical: ['bale-ops', 'telegram-desk'] },
        channels: {
          'bale-ops': {
            kind: 'bale',
            botToken: BALE_TOKEN,
            chatIds: ['42'],
            apiBaseUrl: api.url,
            proxy: httpProxy.url,
          },
          'telegram-desk': {
            kind: 'telegram',
            botToken: TELEGRAM_TOKEN,
            chatIds: ['-100'],
            apiBaseUrl: api.url,
            proxy: socksProxy.url,
          },
        },
      },
    });
    const clock = new FakeClock();
    const memory = memoryLogger();
    const channels = createAlertChannels(config.alerts, { logger: memory.logger, clock, rng: createRng(1) });
    closers.push(() => channels.close());
    const db = new SqliteDatabase({ path: ':memory:' });
    closers.push(() => db.close());
    await db.migrate(alertMigrations);
    const manager = await AlertManager.open({
      db,
      clock,
      logger: memory.logger,
      dedupWindowMs: config.alerts.dedupWindowMs,
      groupWaitMs: config.alerts.groupWaitMs,
      groupIntervalMs: config.alerts.groupIntervalMs,
      repeatIntervalMs: config.alerts.repeatIntervalMs,
      dispatchers: channels.dispatchers,
      routes: {
        info: ['console'],
        warning: ['console'],
        error: ['console'],
        critical: config.alerts.routes.critical,
      },
    });
    closers.push(() => manager.stop());

    await manager.raise({
      severity: 'critical',
      source: 'engine',
      key: 'engine.mode.HALTED',
      title: 'engine HALTED',
    });
    await advanceUntil(clock, () => api.sent.length === 2, 10);

    expect(api.messagesTo('42', BALE_TOKEN)).toEqual([expect.stringContaining('engine HALTED')]);
    expect(api.messagesTo('-100', TELEGRAM_TOKEN)).toEqual([expect.stringContaining('engine HALTED')]);
    const apiHost = new URL(api.url).host;
    expect(httpProxy.visits).toEqual([{ target: apiHost, user: 'bale' }]);
    expect(socksProxy.visits).toEqual([{ target: apiHost, user: 'tg' }]);
    expect([...channels.entries.keys()].sort()).toEqual(['bale-ops', 'console', 'telegram-desk']);
    expectNoSecrets([memory.text()], [BALE_TOKEN, TELEGRAM_TOKEN, PASSWORD]);
  });
});
