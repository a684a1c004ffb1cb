// A plain SMTP server on 127.0.0.1 that accepts every login and mail and records them (no TLS), for
// tests that look at what an email channel sends.
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface RecordedMail {
  readonly login: string | undefined;
  readonly from: string;
  readonly to: readonly string[];
}

export class SmtpRecorder {
  readonly logins: { user: string; password: string }[] = [];
  readonly mails: RecordedMail[] = [];
  readonly #server: SMTPServer;
  #port = 0;

  private constructor() {
    this.#server = new SMTPServer({
      secure: false,
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      authOptional: true,
      authMethods: ['PLAIN', 'LOGIN'],
      logger: false,
      size: 1_000_000,
      onAuth: (auth, _session, callback) => {
        this.logins.push({ user: auth.username ?? '', password: auth.password ?? '' });
        callback(null, { user: auth.username ?? '' });
      },
      onData: (stream, session, callback) => {
        stream.resume();
        stream.on('end', () => {
          this.mails.push({
            login: typeof session.user === 'string' ? session.user : undefined,
            from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
            to: session.envelope.rcptTo.map((address) => address.address),
          });
          callback();
        });
      },
    });
  }

  static async start(): Promise<SmtpRecorder> {
    const recorder = new SmtpRecorder();
    await new Promise<void>((resolve, reject) => {
      recorder.#server.server.once('error', reject);
      recorder.#server.listen(0, '127.0.0.1', () => resolve());
    });
    recorder.#port = (recorder.#server.server.address() as AddressInfo).port;
    return recorder;
  }

  get port(): number {
    return this.#port;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}
