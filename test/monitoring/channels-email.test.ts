// Goal: the email channel delivers through a real SMTP conversation with password auth (subject,
// recipients, text and HTML body), fails clearly when the server refuses or is down, recovers, and
// never shows the SMTP password. Method: an smtp-server on 127.0.0.1, port 0, STARTTLS off.
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Secret } from '../../src/config/secret.js';
import { EmailChannel, requireTlsDefault } from '../../src/monitoring/alert-system/channels/email-channel.js';
import { isChannelDeliveryError } from '../../src/monitoring/alert-system/channels/errors.js';
import { startHttpProxy, startSocksProxy } from '../support/proxies.js';
import { expectNoSecrets, makeAlert, makeNotification, rejectionOf } from './channels-support.js';

const USER = 'keel-alerts';
const PASSWORD = 'smtp-password-S3cr3t!';

interface ReceivedMail {
  readonly from: string;
  readonly to: string[];
  readonly raw: string;
}

type Mode = 'accept' | 'tempfail';

class SmtpPeer {
  readonly mails: ReceivedMail[] = [];
  readonly logins: string[] = [];
  mode: Mode = 'accept';
  port = 0;
  #server: SMTPServer | undefined;

  async listen(): Promise<void> {
    const server = new SMTPServer({
      secure: false,
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      authMethods: ['PLAIN', 'LOGIN'],
      logger: false,
      size: 1_000_000,
      onAuth: (auth, _session, callback) => {
        this.logins.push(auth.username ?? '');
        if (auth.username === USER && auth.password === PASSWORD) callback(null, { user: USER });
        else callback(withCode(new Error('Authentication credentials invalid'), 535));
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          if (this.mode === 'tempfail') return callback(withCode(new Error('Try again later'), 451));
          this.mails.push({
            from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
            to: session.envelope.rcptTo.map((address) => address.address),
            raw: Buffer.concat(chunks).toString('utf8'),
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.server.address() as AddressInfo).port;
    this.#server = server;
  }

  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

function withCode(error: Error, responseCode: number): Error {
  return Object.assign(error, { responseCode });
}

/** Undoes quoted-printable soft breaks and escapes, enough to read a short ASCII body. */
function decodeQuotedPrintable(text: string): string {
  return text
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

describe('EmailChannel against a local SMTP server', () => {
  let peer: SmtpPeer;
  const channels: EmailChannel[] = [];

  beforeEach(async () => {
    peer = new SmtpPeer();
    await peer.listen();
  });
  afterEach(async () => {
    for (const channel of channels.splice(0)) channel.close();
    await peer.stop();
  });

  function channel(password = PASSWORD, extra: { requireTls?: boolean; proxy?: string } = {}): EmailChannel {
    const created = new EmailChannel({
      ...(extra.requireTls === undefined ? {} : { requireTls: extra.requireTls }),
      ...(extra.proxy === undefined ? {} : { proxy: new Secret(extra.proxy) }),
      host: '127.0.0.1',
      port: peer.port,
      secure: false,
      user: USER,
      password: new Secret(password),
      from: 'keel@example.test',
      to: ['ops@example.test', 'oncall@example.test'],
      timeoutMs: 2_000,
    });
    channels.push(created);
    return created;
  }

  const notification = makeNotification({
    alerts: [makeAlert(), makeAlert({ id: 'alert-2', severity: 'warning', title: 'Reconciliation <drift>' })],
  });

  it('refuses to log in or send over a plain connection when TLS is required', async () => {
    const sending = channel(PASSWORD, { requireTls: true }).send(notification, new AbortController().signal);
    await expect(sending).rejects.toThrow();
    expect(peer.logins).toEqual([]);
    expect(peer.mails).toEqual([]);
  });

  it('requires TLS by default except for a loopback relay', () => {
    for (const host of ['smtp.example.com', '10.0.0.5', '::2'])
      expect(requireTlsDefault(host), host).toBe(true);
    for (const host of ['127.0.0.1', 'localhost', '::1']) expect(requireTlsDefault(host), host).toBe(false);
  });

  it.each([
    ['SOCKS5', startSocksProxy],
    ['HTTP', startHttpProxy],
  ])('delivers through a %s proxy, which saw the SMTP connection', async (_name, start) => {
    const proxy = await start({ user: 'mail', password: 'proxy-pass-mail' });
    try {
      await channel(PASSWORD, { proxy: proxy.url }).send(notification, new AbortController().signal);
      expect(peer.mails).toHaveLength(1);
      expect(proxy.visits).toEqual([{ target: `127.0.0.1:${peer.port}`, user: 'mail' }]);
    } finally {
      await proxy.close();
    }
  });

  it('authenticates and delivers subject, recipients, a text body and an HTML part', async () => {
    await channel().send(notification, new AbortController().signal);
    expect(peer.logins).toEqual([USER]);
    expect(peer.mails).toHaveLength(1);
    const [mail] = peer.mails;
    expect(mail?.from).toBe('keel@example.test');
    expect(mail?.to).toEqual(['ops@example.test', 'oncall@example.test']);
    const raw = decodeQuotedPrintable(mail?.raw ?? '');
    expect(raw).toContain('Subject: [CRITICAL] Keel exchange: 2 open alert(s)');
    expect(raw).toContain('To: ops@example.test, oncall@example.test');
    expect(raw).toContain(
      '- [critical] Nobitex order placement timed out (firing, seen 2x, key exchange:timeout, id alert-1)',
    );
    expect(raw).toContain('Content-Type: text/html');
    expect(raw).toContain('Reconciliation &lt;drift&gt;');
    expectNoSecrets([mail?.raw ?? ''], [PASSWORD]);
  });

  it('fails on a wrong password as a permanent error that shows neither password', async () => {
    const wrong = 'wrong-password-also-secret';
    const error = await rejectionOf(channel(wrong).send(notification, new AbortController().signal));
    expect(isChannelDeliveryError(error) && !error.retryable).toBe(true);
    expect(error.message).toMatch(/535/);
    expectNoSecrets([error.message, String(error.stack)], [wrong, PASSWORD]);
    expect(peer.mails).toHaveLength(0);
  });

  it('fails retryably while the server defers (451) and delivers once it accepts again', async () => {
    peer.mode = 'tempfail';
    const target = channel();
    const error = await rejectionOf(target.send(notification, new AbortController().signal));
    expect(isChannelDeliveryError(error) && error.retryable).toBe(true);
    expect(error.message).toMatch(/451/);
    expectNoSecrets([error.message], [PASSWORD]);
    peer.mode = 'accept';
    await target.send(notification, new AbortController().signal);
    expect(peer.mails).toHaveLength(1);
  });

  it('fails with connection refused while the server is down and delivers after it returns', async () => {
    const target = channel();
    await peer.stop();
    const error = await rejectionOf(target.send(notification, new AbortController().signal));
    expect(isChannelDeliveryError(error) && error.retryable).toBe(true);
    expect(error.message).toMatch(/ECONNREFUSED/);
    await peer.listen();
    await target.send(notification, new AbortController().signal);
    expect(peer.mails).toHaveLength(1);
  });

  it('stops waiting as soon as the signal aborts', async () => {
    const controller = new AbortController();
    const sending = channel().send(notification, controller.signal);
    controller.abort(new Error('deadline'));
    const error = await rejectionOf(sending);
    expect(error.message).toBe('email: send aborted');
  });
});
