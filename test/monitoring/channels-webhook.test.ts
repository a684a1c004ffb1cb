// Goal: the webhook channel posts Keel JSON, Slack and Discord bodies with the configured headers,
// treats only 2xx as delivered, survives a failing or absent receiver, and never shows its secrets.
// Method: a recording receiver on 127.0.0.1 (node:http), stopped and restarted on the same port.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Secret } from '../../src/config/secret.js';
import { isChannelDeliveryError } from '../../src/monitoring/alert-system/channels/errors.js';
import { WebhookChannel } from '../../src/monitoring/alert-system/channels/webhook-channel.js';
import type { WebhookFormat } from '../../src/monitoring/alert-system/channels/webhook-formats.js';
import { expectNoSecrets, HttpPeer, makeAlert, makeNotification, rejectionOf } from './channels-support.js';

const PATH = '/services/T0001/B0002/hook-path-token-XYZ';
const HEADER_SECRET = 'Bearer header-secret-value-123';

describe('WebhookChannel against a local receiver', () => {
  let peer: HttpPeer;
  const channels: WebhookChannel[] = [];

  beforeEach(async () => {
    peer = await HttpPeer.start(() => ({ status: 200, body: 'ok' }));
  });
  afterEach(async () => {
    for (const channel of channels.splice(0)) await channel.close();
    await peer.stop();
  });

  function channel(format: WebhookFormat): WebhookChannel {
    const created = new WebhookChannel({
      url: new Secret(`${peer.url}${PATH}`),
      format,
      headers: { Authorization: new Secret(HEADER_SECRET) },
      timeoutMs: 2_000,
    });
    channels.push(created);
    return created;
  }

  const notification = makeNotification({
    alerts: [
      makeAlert(),
      makeAlert({
        id: 'alert-2',
        key: 'recon:drift',
        severity: 'warning',
        title: 'Ledger <drift> & co',
        details: { asset: 'BTC' },
      }),
    ],
    reason: 'escalation',
  });

  it('posts Keel JSON with group, reason and every alert, plus the secret header', async () => {
    await channel('json').send(notification, new AbortController().signal);
    const [request] = peer.requests;
    expect(request?.path).toBe(PATH);
    expect(request?.headers.authorization).toBe(HEADER_SECRET);
    expect(request?.headers['content-type']).toBe('application/json');
    const body = JSON.parse(request?.body ?? '') as Record<string, unknown>;
    expect(body).toMatchObject({
      group: 'exchange',
      reason: 'escalation',
      severity: 'critical',
      subject: 'ESCALATED [CRITICAL] Keel exchange: 2 open alert(s)',
      alerts: [
        { id: 'alert-1', key: 'exchange:timeout', severity: 'critical', state: 'firing', repeatCount: 2 },
        { id: 'alert-2', key: 'recon:drift', severity: 'warning', details: { asset: 'BTC' } },
      ],
    });
  });

  it('posts a Slack body: text fallback and blocks with escaped mrkdwn', async () => {
    await channel('slack').send(notification, new AbortController().signal);
    const body = JSON.parse(peer.requests[0]?.body ?? '') as {
      text: string;
      blocks: { type: string; text?: { type: string; text: string } }[];
    };
    expect(body.text).toContain('ESCALATED [CRITICAL] Keel exchange');
    expect(body.blocks.map((block) => block.type)).toEqual(['header', 'section', 'context']);
    expect(body.blocks[0]?.text).toEqual({
      type: 'plain_text',
      text: 'ESCALATED [CRITICAL] Keel exchange: 2 open alert(s)',
    });
    expect(body.blocks[1]?.text?.text).toContain('Ledger &lt;drift&gt; &amp; co');
  });

  it('posts a Discord body: content plus one embed coloured by the worst severity, mentions off', async () => {
    await channel('discord').send(notification, new AbortController().signal);
    const body = JSON.parse(peer.requests[0]?.body ?? '') as {
      content: string;
      embeds: { title: string; description: string; color: number; timestamp: string }[];
      allowed_mentions: { parse: string[] };
    };
    expect(body.content).toBe('ESCALATED [CRITICAL] Keel exchange: 2 open alert(s)');
    expect(body.embeds).toHaveLength(1);
    expect(body.embeds[0]).toMatchObject({
      title: 'exchange (escalation)',
      color: 0xe74c3c,
      timestamp: '2026-01-01T00:00:00.000Z',
    });
    expect(body.embeds[0]?.description).toContain('Ledger <drift> & co');
    expect(body.allowed_mentions).toEqual({ parse: [] });
  });

  it('cuts a Discord message that is too long instead of having it refused', async () => {
    const many = Array.from({ length: 200 }, (_, index) =>
      makeAlert({ id: `alert-${index}`, title: 'x'.repeat(60) }),
    );
    await channel('discord').send(makeNotification({ alerts: many }), new AbortController().signal);
    const body = JSON.parse(peer.requests[0]?.body ?? '') as { embeds: { description: string }[] };
    expect(body.embeds[0]?.description.length).toBe(4_096);
    expect(body.embeds[0]?.description.endsWith('…')).toBe(true);
  });

  it('fails on a non-2xx answer with the status, scrubbing an echoed secret, then delivers after recovery', async () => {
    peer.handler = () => ({ status: 503, body: `unavailable for ${PATH} with ${HEADER_SECRET}` });
    const target = channel('json');
    const error = await rejectionOf(target.send(notification, new AbortController().signal));
    expect(isChannelDeliveryError(error) && error.status === 503 && error.retryable).toBe(true);
    expect(error.message).toContain('HTTP 503');
    expect(error.message).toContain('[redacted]');
    expectNoSecrets([error.message], [PATH, HEADER_SECRET, 'hook-path-token-XYZ', 'header-secret-value-123']);
    peer.handler = () => ({ status: 204 });
    await target.send(notification, new AbortController().signal);
    expect(peer.requests).toHaveLength(2);
  });

  it('treats a 4xx as permanent (not retryable)', async () => {
    peer.handler = () => ({ status: 404, body: 'no_service' });
    const error = await rejectionOf(channel('slack').send(notification, new AbortController().signal));
    expect(isChannelDeliveryError(error) && error.status === 404 && !error.retryable).toBe(true);
  });

  it('fails with connection refused while the receiver is down and delivers once it listens again', async () => {
    const target = channel('json');
    await peer.stop();
    const error = await rejectionOf(target.send(notification, new AbortController().signal));
    expect(isChannelDeliveryError(error) && error.retryable).toBe(true);
    expect(error.message).toMatch(/ECONNREFUSED/);
    expectNoSecrets([error.message], [PATH, HEADER_SECRET]);
    await peer.listen();
    await target.send(notification, new AbortController().signal);
    expect(peer.requests).toHaveLength(1);
  });

  it('refuses a header the channel sets itself', () => {
    expect(
      () =>
        new WebhookChannel({
          url: new Secret(`${peer.url}/x`),
          headers: { 'Content-Type': new Secret('text/plain') },
          timeoutMs: 1_000,
        }),
    ).toThrow(/header Content-Type is set by the channel/);
  });
});
