// Goal (issue 15): a Bale channel speaks Bale's Bot API like Telegram's, within Bale's limits: one
// message per chat cut to 4096 characters, errors named after the channel, the token never shown.
// Method: a fake Bot API on 127.0.0.1; time from FakeClock.
import { afterEach, describe, expect, it } from 'vitest';
import { Secret } from '../../src/config/secret.js';
import { FakeClock } from '../../src/core/clock.js';
import {
  BOT_API_LIMITS,
  TelegramChannel,
} from '../../src/monitoring/alert-system/channels/telegram-channel.js';
import { FakeBotApi } from '../support/fake-bot-api.js';
import { makeAlert, makeNotification, rejectionOf } from './channels-support.js';

const TOKEN = '999:bale-token';

describe('Bale channel', () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  it('cuts a long notification to 4096 characters and names itself in errors', async () => {
    const api = await FakeBotApi.start();
    closers.push(() => api.close());
    const channel = new TelegramChannel({
      kind: 'bale',
      name: 'ops',
      botToken: new Secret(TOKEN),
      chatIds: ['42'],
      apiBaseUrl: api.url,
      timeoutMs: 2_000,
      clock: new FakeClock(),
    });
    closers.push(() => channel.close());
    expect(BOT_API_LIMITS.bale.textCharsMax).toBe(4_096);
    const many = Array.from({ length: 200 }, (_, index) =>
      makeAlert({ id: `a-${index}`, title: 'x'.repeat(60) }),
    );
    const answer = await channel.send(makeNotification({ alerts: many }), new AbortController().signal);
    expect(answer).toContain('chat 42: HTTP 200');
    const [text] = api.messagesTo('42', TOKEN);
    expect(text?.length).toBeLessThanOrEqual(4_096);
    expect(text?.length).toBeGreaterThan(4_000);

    const wrong = new TelegramChannel({
      kind: 'bale',
      name: 'ops',
      botToken: new Secret('1:wrong-token'),
      chatIds: ['42'],
      apiBaseUrl: `${api.url}/nowhere`,
      timeoutMs: 2_000,
      clock: new FakeClock(),
    });
    closers.push(() => wrong.close());
    const error = await rejectionOf(wrong.send(makeNotification(), new AbortController().signal));
    expect(error.message).toMatch(/^ops: /);
    expect(error.message).not.toContain('1:wrong-token');
  });
});
