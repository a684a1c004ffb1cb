// Goal: the SMS channel speaks Twilio's and Kavenegar's request formats and a generic JSON POST, sends
// one message per recipient, fails on non-2xx with the status, resumes after failures, never shows a secret.
// Method: a recording gateway on 127.0.0.1 (node:http), stopped and restarted on the same port.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Secret } from '../../src/config/secret.js';
import { isChannelDeliveryError } from '../../src/monitoring/alert-system/channels/errors.js';
import {
  SmsChannel,
  type SmsChannelOptions,
} from '../../src/monitoring/alert-system/channels/sms-channel.js';
import {
  expectNoSecrets,
  HttpPeer,
  makeNotification,
  type RecordedRequest,
  rejectionOf,
} from './channels-support.js';

const TWILIO_TOKEN = 'twilio-auth-token-0123456789';
const KAVENEGAR_KEY = '4A6F6B65-kavenegar-api-key';
const GENERIC_KEY = 'generic-gateway-key-abcdef';
const SECRETS = [
  TWILIO_TOKEN,
  KAVENEGAR_KEY,
  GENERIC_KEY,
  Buffer.from(`AC123:${TWILIO_TOKEN}`).toString('base64'),
];

const form = (request: RecordedRequest | undefined) =>
  Object.fromEntries(new URLSearchParams(request?.body ?? ''));

describe('SmsChannel against a local gateway', () => {
  let peer: HttpPeer;
  const channels: SmsChannel[] = [];

  beforeEach(async () => {
    peer = await HttpPeer.start(() => ({ status: 201, body: { sid: 'SM1' } }));
  });
  afterEach(async () => {
    for (const channel of channels.splice(0)) await channel.close();
    await peer.stop();
  });

  function channel(options: Partial<SmsChannelOptions> & Pick<SmsChannelOptions, 'provider'>): SmsChannel {
    const created = new SmsChannel({
      url: peer.url,
      to: ['+989120000001', '+989120000002'],
      timeoutMs: 2_000,
      ...options,
    });
    channels.push(created);
    return created;
  }
  const twilio = () =>
    channel({
      provider: 'twilio',
      accountSid: 'AC123',
      authToken: new Secret(TWILIO_TOKEN),
      from: '+15550001111',
    });

  it('sends Twilio form posts with Basic auth, one per recipient', async () => {
    await twilio().send(makeNotification(), new AbortController().signal);
    expect(peer.requests).toHaveLength(2);
    for (const request of peer.requests) {
      expect(request.method).toBe('POST');
      expect(request.path).toBe('/2010-04-01/Accounts/AC123/Messages.json');
      expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded');
      const credentials = Buffer.from(
        (request.headers.authorization ?? '').replace(/^Basic /, ''),
        'base64',
      ).toString();
      expect(credentials).toBe(`AC123:${TWILIO_TOKEN}`);
    }
    expect(peer.requests.map((request) => form(request).To)).toEqual(['+989120000001', '+989120000002']);
    expect(form(peer.requests[0])).toMatchObject({ From: '+15550001111' });
    expect(form(peer.requests[0]).Body).toContain('[CRITICAL] Keel exchange: 1 open alert(s)');
  });

  it('sends Kavenegar form posts with the key in the path', async () => {
    peer.handler = () => ({
      status: 200,
      body: { return: { status: 200, message: 'تایید شد' }, entries: [] },
    });
    await channel({ provider: 'kavenegar', apiKey: new Secret(KAVENEGAR_KEY), from: '10004346' }).send(
      makeNotification(),
      new AbortController().signal,
    );
    expect(peer.requests.map((request) => request.path)).toEqual([
      `/v1/${KAVENEGAR_KEY}/sms/send.json`,
      `/v1/${KAVENEGAR_KEY}/sms/send.json`,
    ]);
    expect(form(peer.requests[1])).toMatchObject({ receptor: '+989120000002', sender: '10004346' });
    expect(form(peer.requests[1]).message).toContain('Nobitex order placement timed out');
  });

  it('fails on a Kavenegar error without showing the key, even when the gateway echoes the path', async () => {
    peer.handler = (request) => ({
      status: 403,
      body: { return: { status: 403, message: `bad key in ${request.path}` } },
    });
    const error = await rejectionOf(
      channel({ provider: 'kavenegar', apiKey: new Secret(KAVENEGAR_KEY), to: ['+989120000001'] }).send(
        makeNotification(),
        new AbortController().signal,
      ),
    );
    expect(isChannelDeliveryError(error) && error.status === 403 && !error.retryable).toBe(true);
    expect(error.message).toContain('HTTP 403');
    expectNoSecrets([error.message, String(error.stack)], SECRETS);
  });

  it('treats a Kavenegar failure inside a 200 body as a failure', async () => {
    peer.handler = () => ({ status: 200, body: { return: { status: 418, message: 'credit' } } });
    const error = await rejectionOf(
      channel({ provider: 'kavenegar', apiKey: new Secret(KAVENEGAR_KEY), to: ['1'] }).send(
        makeNotification(),
        new AbortController().signal,
      ),
    );
    expect(error.message).toContain('return.status 418');
  });

  it('sends a generic JSON post with a Bearer key', async () => {
    await channel({
      provider: 'generic',
      url: `${peer.url}/send`,
      apiKey: new Secret(GENERIC_KEY),
      from: 'keel',
      to: ['+1'],
    }).send(makeNotification(), new AbortController().signal);
    const [request] = peer.requests;
    expect(request?.path).toBe('/send');
    expect(request?.headers.authorization).toBe(`Bearer ${GENERIC_KEY}`);
    expect(JSON.parse(request?.body ?? '')).toMatchObject({ to: '+1', from: 'keel' });
  });

  it('resends only to recipients that failed once the gateway recovers from a 500', async () => {
    let failing = true;
    peer.handler = (request) =>
      failing && form(request).To === '+989120000002'
        ? { status: 500, body: { message: `internal ${TWILIO_TOKEN}` } }
        : { status: 201, body: {} };
    const target = twilio();
    const notification = makeNotification();
    const error = await rejectionOf(target.send(notification, new AbortController().signal));
    expect(isChannelDeliveryError(error) && error.status === 500 && error.retryable).toBe(true);
    expect(error.message).toContain('1 of 2 recipient(s) failed');
    expectNoSecrets([error.message], SECRETS);
    failing = false;
    await target.send(notification, new AbortController().signal);
    expect(peer.requests.map((request) => form(request).To)).toEqual([
      '+989120000001',
      '+989120000002',
      '+989120000002',
    ]);
  });

  it('fails with connection refused while the gateway is down and delivers after it returns', async () => {
    const target = twilio();
    await peer.stop();
    const error = await rejectionOf(target.send(makeNotification(), new AbortController().signal));
    expect(isChannelDeliveryError(error) && error.retryable).toBe(true);
    expect(error.message).toMatch(/ECONNREFUSED/);
    expectNoSecrets([error.message], SECRETS);
    await peer.listen();
    await target.send(makeNotification(), new AbortController().signal);
    expect(peer.requests).toHaveLength(2);
  });

  it('refuses a provider configuration that lacks its credentials', () => {
    expect(() => new SmsChannel({ provider: 'twilio', to: ['1'], timeoutMs: 1_000 })).toThrow(
      /accountSid, authToken and from/,
    );
    expect(() => new SmsChannel({ provider: 'kavenegar', to: ['1'], timeoutMs: 1_000 })).toThrow(
      /needs apiKey/,
    );
    expect(() => new SmsChannel({ provider: 'generic', to: ['1'], timeoutMs: 1_000 })).toThrow(/needs url/);
    expect(
      () => new SmsChannel({ provider: 'generic', url: 'http://127.0.0.1:1', to: [], timeoutMs: 1_000 }),
    ).toThrow(/was 0/);
  });
});
