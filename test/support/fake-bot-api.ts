// A fake Telegram/Bale Bot API on 127.0.0.1: sendMessage is recorded per bot token, getUpdates long-polls
// a queue of updates the test pushes (held until one arrives or a short real wait passes), and anything
// else is 404. Several bots share one server, as several channels share api.telegram.org.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SentMessage {
  readonly token: string;
  readonly chatId: string;
  readonly text: string;
}

interface Update {
  readonly update_id: number;
  readonly message: {
    readonly message_id: number;
    readonly chat: { readonly id: number };
    readonly text: string;
  };
}

/** Longest real wait of one getUpdates call here, whatever timeout the client asks for, ms. */
const HOLD_MS_MAX = 200;

export class FakeBotApi {
  readonly sent: SentMessage[] = [];
  /** Every method called, as `token method`. */
  readonly calls: string[] = [];
  readonly #updates = new Map<string, Update[]>();
  readonly #waiters = new Set<() => void>();
  #nextUpdateId = 1;
  #server: Server | undefined;
  #port = 0;

  static async start(): Promise<FakeBotApi> {
    const api = new FakeBotApi();
    const server = createServer((request, response) => void api.#handle(request, response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    api.#server = server;
    api.#port = (server.address() as AddressInfo).port;
    return api;
  }

  get url(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  /** A text message from `chatId` to the bot with `token`, delivered by its next getUpdates. */
  pushMessage(token: string, chatId: number, text: string): void {
    const id = this.#nextUpdateId++;
    const queue = this.#updates.get(token) ?? [];
    queue.push({ update_id: id, message: { message_id: id, chat: { id: chatId }, text } });
    this.#updates.set(token, queue);
    for (const wake of this.#waiters) wake();
  }

  messagesTo(chatId: string, token?: string): string[] {
    return this.sent
      .filter((message) => message.chatId === chatId && (token === undefined || message.token === token))
      .map((message) => message.text);
  }

  async close(): Promise<void> {
    for (const wake of this.#waiters) wake();
    this.#server?.closeAllConnections();
    await new Promise<void>((resolve) => this.#server?.close(() => resolve()) ?? resolve());
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body =
      chunks.length === 0
        ? {}
        : (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>);
    const match = /^\/bot([^/]+)\/(\w+)$/.exec(request.url ?? '');
    const reply = (status: number, value: unknown): void => {
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    };
    if (match === null) return reply(404, { ok: false, error_code: 404, description: 'Not Found' });
    const [, token = '', method = ''] = match;
    this.calls.push(`${token} ${method}`);
    if (method === 'sendMessage') {
      this.sent.push({ token, chatId: String(body['chat_id']), text: String(body['text']) });
      return reply(200, { ok: true, result: { message_id: this.sent.length } });
    }
    if (method === 'getUpdates') return reply(200, { ok: true, result: await this.#take(token, body) });
    return reply(404, { ok: false, error_code: 404, description: 'Not Found: method' });
  }

  async #take(token: string, body: Record<string, unknown>): Promise<Update[]> {
    const offset = typeof body['offset'] === 'number' ? body['offset'] : 0;
    const pending = () => (this.#updates.get(token) ?? []).filter((update) => update.update_id >= offset);
    if (pending().length === 0) {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.#waiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, HOLD_MS_MAX);
        this.#waiters.add(done);
      });
    }
    // Confirmed updates (below offset) are forgotten, as the Bot API does.
    this.#updates.set(token, pending());
    return pending();
  }
}
