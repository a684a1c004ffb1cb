// Goal: the Telegram channel speaks the Bot API, waits out a 429's retry_after exactly, paces one
// message per second per chat, resumes after failures, and never shows the bot token.
// Method: a fake Bot API on 127.0.0.1 (node:http); time from FakeClock; tiny real waits for loopback I/O.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Secret } from '../../src/config/secret.js';
import { FakeClock } from '../../src/core/clock.js';
import { isRateLimitedError } from '../../src/core/errors.js';
import { createRng } from '../../src/core/random.js';
import { createChannelPolicy } from '../../src/monitoring/alert-system/channels/channel-policy.js';
import { isChannelDeliveryError } from '../../src/monitoring/alert-system/channels/errors.js';
import { TelegramChannel } from '../../src/monitoring/alert-system/channels/telegram-channel.js';
import {
  expectNoSecrets,
  HttpPeer,
  makeNotification,
  memoryLogger,
  type RecordedRequest,
  rejectionOf,
  waitFor,
} from './channels-support.js';

const TOKEN = '123456:AAH-bot-token-never-shown';

/** Answers like the Bot API: 404 for a wrong token, otherwise what `next` says. */
function botApi(next: (request: RecordedRequest) => { status: number; body: unknown }) {
  return (request: RecordedRequest) => {
    if (request.path !== `/bot${TOKEN}/sendMessage`)
      return { status: 404, body: { ok: false, error_code: 404, description: 'Not Found' } };
    return next(request);
  };
}
const ok = () => ({ status: 200, body: { ok: true, result: { message_id: 1 } } });
const chatOf = (request: RecordedRequest) => (JSON.parse(request.body) as { chat_id: string }).chat_id;

describe('TelegramChannel against a fake Bot API', () => {
  let peer: HttpPeer;
  let clock: FakeClock;
  const channels: TelegramChannel[] = [];
  const memory = memoryLogger();

  beforeEach(async () => {
    peer = await HttpPeer.start(botApi(ok));
    clock = new FakeClock();
  });
  afterEach(async () => {
    for (const channel of channels.splice(0)) await channel.close();
    await peer.stop();
    expectNoSecrets([memory.text()], [TOKEN]);
  });

  function channel(chatIds: string[], token = TOKEN): TelegramChannel {
    const created = new TelegramChannel({
      botToken: new Secret(token),
      chatIds,
      apiBaseUrl: peer.url,
      timeoutMs: 2_000,
      clock,
      logger: memory.logger,
    });
    channels.push(created);
    return created;
  }

  it('posts sendMessage to each chat with the token in the path and the subject in the text', async () => {
    await channel(['-100200', '@keel_ops']).send(makeNotification(), new AbortController().signal);
    expect(peer.requests.map((request) => [request.method, request.headers['content-type']])).toEqual([
      ['POST', 'application/json'],
      ['POST', 'application/json'],
    ]);
    const bodies = peer.requests.map(
      (request) => JSON.parse(request.body) as { chat_id: string; text: string },
    );
    expect(bodies.map((body) => body.chat_id)).toEqual(['-100200', '@keel_ops']);
    expect(bodies[0]?.text).toContain('[CRITICAL] Keel exchange: 1 open alert(s)');
    expect(bodies[0]?.text).toContain('Nobitex order placement timed out');
  });

  it('fails on a wrong token with the status but without either token', async () => {
    const wrong = '999999:wrong-token-also-secret';
    const error = await rejectionOf(
      channel(['1'], wrong).send(makeNotification(), new AbortController().signal),
    );
    expect(isChannelDeliveryError(error) && error.status === 404 && !error.retryable).toBe(true);
    expect(error.message).toContain('HTTP 404');
    expectNoSecrets([error.message, String(error.stack)], [wrong, TOKEN]);
  });

  it('turns a 429 into a RateLimitedError carrying retry_after in ms', async () => {
    peer.handler = botApi(() => ({
      status: 429,
      body: { ok: false, error_code: 429, parameters: { retry_after: 7 } },
    }));
    const error = await rejectionOf(channel(['1']).send(makeNotification(), new AbortController().signal));
    expect(isRateLimitedError(error) && error.retryAfterMs === 7_000).toBe(true);
    expectNoSecrets([error.message], [TOKEN]);
  });

  it('waits exactly retry_after under the channel policy, then delivers', async () => {
    let calls = 0;
    peer.handler = botApi(() =>
      ++calls === 1
        ? { status: 429, body: { ok: false, error_code: 429, parameters: { retry_after: 3 } } }
        : ok(),
    );
    const { policy, retry } = createChannelPolicy({ timeoutMs: 2_000, clock, rng: createRng(7) });
    const delays: number[] = [];
    retry.onRetry(({ delayMs }) => delays.push(delayMs));
    const target = channel(['42']);
    const delivery = policy.execute((context) => target.send(makeNotification(), context.signal));
    await waitFor(() => peer.requests.length === 1 && delays.length === 1);
    expect(delays).toEqual([3_000]);
    await clock.advance(2_999);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(peer.requests).toHaveLength(1);
    await clock.advance(1);
    await waitFor(() => peer.requests.length === 2);
    await expect(delivery).resolves.toContain('chat 42: HTTP 200');
  });

  it('paces one message per second per chat, independently for each chat', async () => {
    const target = channel(['a', 'b']);
    const signal = new AbortController().signal;
    await target.send(makeNotification(), signal);
    expect(peer.requests.map(chatOf)).toEqual(['a', 'b']);
    const second = target.send(makeNotification({ reason: 'update' }), signal);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(peer.requests).toHaveLength(2);
    await clock.advance(999);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(peer.requests).toHaveLength(2);
    await clock.advance(1);
    // Chat b's slot is due as well: it follows a without any further wait.
    await waitFor(() => peer.requests.length === 4);
    await second;
    expect(peer.requests.map(chatOf)).toEqual(['a', 'b', 'a', 'b']);
  });

  it('fails while the peer answers 500 and delivers again once it recovers', async () => {
    peer.handler = botApi(() => ({ status: 500, body: { ok: false, description: `boom /bot${TOKEN}` } }));
    const target = channel(['1']);
    const error = await rejectionOf(target.send(makeNotification(), new AbortController().signal));
    expect(isChannelDeliveryError(error) && error.status === 500 && error.retryable).toBe(true);
    expect(error.message).toContain('HTTP 500');
    expectNoSecrets([error.message], [TOKEN]);
    peer.handler = botApi(ok);
    await clock.advance(1_000);
    await target.send(makeNotification(), new AbortController().signal);
    expect(peer.requests).toHaveLength(2);
  });

  it('resends only to the chats that failed when the same notification is retried', async () => {
    let failB = true;
    peer.handler = botApi((request) =>
      chatOf(request) === 'b' && failB ? { status: 502, body: { ok: false } } : ok(),
    );
    const target = channel(['a', 'b']);
    const notification = makeNotification();
    const error = await rejectionOf(target.send(notification, new AbortController().signal));
    expect(error.message).toContain('HTTP 502');
    failB = false;
    await clock.advance(1_000);
    await target.send(notification, new AbortController().signal);
    expect(peer.requests.map(chatOf)).toEqual(['a', 'b', 'b']);
  });

  it('fails with a connection error when the API is down, without the token', async () => {
    await peer.stop();
    const target = channel(['1']);
    const error = await rejectionOf(target.send(makeNotification(), new AbortController().signal));
    expect(isChannelDeliveryError(error) && error.retryable).toBe(true);
    expect(error.message).toMatch(/ECONNREFUSED/);
    expectNoSecrets([error.message], [TOKEN]);
    await peer.listen();
    await clock.advance(1_000);
    await target.send(makeNotification(), new AbortController().signal);
    expect(peer.requests).toHaveLength(1);
  });
});
