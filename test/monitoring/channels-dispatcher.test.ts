// Goal: channels built from config each sit behind their own dispatcher and policy, so a dead peer
// never delays another channel; its outcomes go failed → breaker open → rejected fast → delivered
// after recovery. Secrets stay out of outcomes and logs.
// Method: createAlertChannels on a parsed alerts config; a fake Telegram API that answers and a webhook
// receiver that hangs (then is stopped, then recovers), on 127.0.0.1; time from FakeClock.
import { afterEach, describe, expect, it } from 'vitest';
import { alertsSchema } from '../../src/config/schema-alerts.js';
import { FakeClock } from '../../src/core/clock.js';
import { createRng } from '../../src/core/random.js';
import type { DeliveryOutcome } from '../../src/monitoring/alert-system/channel.js';
import {
  type AlertChannels,
  createAlertChannels,
} from '../../src/monitoring/alert-system/channels/create-alert-channels.js';
import {
  advanceUntil,
  expectNoSecrets,
  HttpPeer,
  makeNotification,
  memoryLogger,
  waitFor,
} from './channels-support.js';

const BOT_TOKEN = '777:dispatcher-bot-token';
const HOOK_PATH = '/hooks/dispatcher-hook-secret';
const HOOK_HEADER = 'hook-header-secret-value';

describe('createAlertChannels with one dead peer', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setup() {
    const telegram = await HttpPeer.start(() => ({ status: 200, body: { ok: true } }));
    const webhook = await HttpPeer.start(() => 'hang');
    cleanups.push(
      () => telegram.stop(),
      () => webhook.stop(),
    );
    const config = alertsSchema.parse({
      channels: {
        console: { enabled: true },
        telegram: { botToken: BOT_TOKEN, chatIds: ['-1001'], apiBaseUrl: telegram.url, timeoutMs: 2_000 },
        webhook: {
          url: `${webhook.url}${HOOK_PATH}`,
          headers: { 'X-Hook-Key': HOOK_HEADER },
          timeoutMs: 2_000,
        },
      },
    });
    const clock = new FakeClock();
    const memory = memoryLogger();
    const channels: AlertChannels = createAlertChannels(config, {
      logger: memory.logger,
      clock,
      rng: createRng(11),
      policy: { failuresMax: 2, attemptsMax: 2, breakDurationMs: 30_000, breakDurationMaxMs: 60_000 },
    });
    cleanups.push(() => channels.close());
    const outcomes: DeliveryOutcome[] = [];
    for (const dispatcher of channels.dispatchers) dispatcher.onOutcome((outcome) => outcomes.push(outcome));
    const of = (channel: string, outcome?: DeliveryOutcome['outcome']) =>
      outcomes.filter(
        (entry) => entry.channel === channel && (outcome === undefined || entry.outcome === outcome),
      );
    const enqueue = (reason: 'initial' | 'update' | 'repeat') => {
      const notification = makeNotification({ reason });
      for (const dispatcher of channels.dispatchers) dispatcher.enqueue(notification);
    };
    return { telegram, webhook, clock, memory, channels, outcomes, of, enqueue };
  }

  it('builds one dispatcher per configured channel, named as in the config', async () => {
    const { channels } = await setup();
    expect(channels.dispatchers.map((dispatcher) => dispatcher.channel.name)).toEqual([
      'console',
      'telegram',
      'webhook',
    ]);
    expect([...channels.entries.values()].map((entry) => entry.policy.timeout.durationMs)).toEqual([
      5_000, 2_000, 2_000,
    ]);
  });

  it('keeps delivering on healthy channels while the webhook hangs, opens its breaker, and recovers', async () => {
    const { telegram, webhook, clock, memory, channels, outcomes, of, enqueue } = await setup();
    const breaker = channels.entries.get('webhook')?.policy.breaker;

    enqueue('initial');
    // Console and Telegram deliver without any time passing, although the webhook peer never answers.
    await waitFor(() => of('telegram', 'delivered').length === 1 && of('console', 'delivered').length === 1);
    await waitFor(() => webhook.requests.length === 1);
    expect(of('webhook')).toHaveLength(0);

    // Two attempts, each cut by the 2 s timeout, then the delivery is recorded as failed.
    await advanceUntil(clock, () => of('webhook').length === 1, 250);
    expect(of('webhook', 'failed')[0]?.error).toMatch(/timed out after 2000 ms/);
    expect(webhook.requests).toHaveLength(2);

    enqueue('update');
    await advanceUntil(clock, () => of('webhook').length === 2, 250);
    expect(breaker?.state).toBe('open');

    // Open: rejected at once, no request reaches the peer, no time needs to pass.
    const requestsWhileOpen = webhook.requests.length;
    webhook.handler = () => ({ status: 200, body: 'ok' });
    enqueue('repeat');
    await waitFor(() => of('webhook').length === 3);
    expect(of('webhook')[2]).toMatchObject({ outcome: 'failed' });
    expect(of('webhook')[2]?.error).toMatch(/open/i);
    expect(webhook.requests).toHaveLength(requestsWhileOpen);
    await advanceUntil(clock, () => of('telegram', 'delivered').length === 3, 250);

    // The peer has recovered; after the break a probe goes through and closes the breaker.
    const retryAtMs = breaker?.metrics().retryAtMs ?? Number.NaN;
    await clock.advance(Math.max(0, retryAtMs - clock.nowMs()));
    enqueue('repeat');
    await waitFor(() => of('webhook', 'delivered').length === 1);
    expect(breaker?.state).toBe('closed');
    expect(webhook.requests.at(-1)?.headers['x-hook-key']).toBe(HOOK_HEADER);
    await advanceUntil(clock, () => of('telegram', 'delivered').length === 4, 250);
    expect(telegram.requests).toHaveLength(4);
    expect(memory.text()).toContain('alert channel breaker opened');
    expect(memory.text()).toContain('alert channel breaker closed');
    expectNoSecrets([memory.text(), JSON.stringify(outcomes)], [BOT_TOKEN, HOOK_PATH, HOOK_HEADER]);
  });

  it('records connection refused as failed and delivers again when the peer listens again', async () => {
    const { webhook, clock, memory, of, enqueue } = await setup();
    await webhook.stop();
    webhook.handler = () => ({ status: 204 });
    enqueue('initial');
    await advanceUntil(clock, () => of('webhook').length === 1, 250);
    expect(of('webhook', 'failed')[0]?.error).toMatch(/ECONNREFUSED/);
    expect(of('telegram', 'delivered')).toHaveLength(1);
    await webhook.listen();
    enqueue('update');
    await advanceUntil(clock, () => of('webhook').length === 2, 250);
    expect(of('webhook')[1]?.outcome).toBe('delivered');
    expectNoSecrets([memory.text()], [BOT_TOKEN, HOOK_PATH, HOOK_HEADER]);
  });
});
