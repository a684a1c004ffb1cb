// One client connection speaking Centrifugo's JSON protocol (v2), as Nobitex's WebSocket does
// (reference 8): connect with a token, subscribe, refresh, server pings `{}` answered by `{}`, and
// publications whose `data` is a JSON-encoded string. Chaos acts on each publication.
import { randomUUID } from 'node:crypto';
import type { WebSocket } from 'ws';
import type { Clock, TimerHandle } from '../../../core/clock.js';
import type { ChaosController } from '../chaos.js';
import type { WsTokens } from './ws-tokens.js';
import { websocketAuthParamOf } from './ws-tokens.js';

/** Commands one frame may carry. */
export const COMMANDS_PER_FRAME_MAX = 100;
/** Subscriptions per connection (reference 7.4). */
export const SUBSCRIPTIONS_MAX = 300;
/** Publications held back for reordering at once; more are sent at once. */
const HELD_MAX = 100;

/** Centrifugo's error and disconnect codes used here. */
const ERROR_PERMISSION_DENIED = { code: 103, message: 'permission denied' };
const ERROR_TOKEN_EXPIRED = { code: 109, message: 'token expired' };
const ERROR_NOT_AVAILABLE = { code: 108, message: 'not available' };
const ERROR_LIMIT_EXCEEDED = { code: 106, message: 'limit exceeded' };
const DISCONNECT_INVALID_TOKEN = { code: 3500, reason: 'invalid token' };
const DISCONNECT_BAD_REQUEST = { code: 3501, reason: 'bad request' };
const DISCONNECT_NO_PONG = { code: 3012, reason: 'no pong' };

export interface WsSessionOptions {
  readonly socket: WebSocket;
  readonly tokens: WsTokens;
  readonly chaos: ChaosController;
  /** Real time: pings, stalls and held publications run on it (the client's timers are real). */
  readonly timers: Clock;
  /** Server ping period, seconds (Nobitex: 25). */
  readonly pingIntervalSeconds: number;
}

export class WsSession {
  readonly #o: WsSessionOptions;
  readonly #clientId = randomUUID();
  #account: string | undefined;
  readonly #channels = new Set<string>();
  readonly #offsets = new Map<string, number>();
  #stalledUntilMs = 0;
  /** Publications held back, each sent after the next one on its channel (or when the timer fires). */
  #held: { readonly channel: string; readonly frame: string }[] = [];
  #heldTimer: TimerHandle | undefined;
  #pingTimer: TimerHandle | undefined;
  /** A ping left and no pong came back yet: at the next ping the client is disconnected. */
  #awaitingPong = false;
  #closed = false;

  constructor(options: WsSessionOptions) {
    this.#o = options;
    options.socket.on('message', (data) => this.#onFrame(String(data)));
    options.socket.on('close', () => this.#dispose());
    options.socket.on('error', () => this.#dispose());
  }

  /** The account this connection authenticated as, once connected. */
  get account(): string | undefined {
    return this.#account;
  }

  /** Sends a publication if the client subscribed to the channel; chaos may drop, lose, stall, double or hold it. */
  publish(channel: string, payload: Record<string, unknown>): void {
    if (this.#closed || !this.#channels.has(channel)) return;
    const offset = (this.#offsets.get(channel) ?? 0) + 1;
    this.#offsets.set(channel, offset);
    const frame = JSON.stringify({ push: { channel, pub: { data: JSON.stringify(payload), offset } } });
    const faults = this.#o.chaos.forPublication(channel);
    if (faults.drop) {
      this.close();
      return;
    }
    if (faults.lose) return;
    if (faults.stallMs > 0)
      this.#stalledUntilMs = Math.max(this.#stalledUntilMs, this.#o.timers.nowMs() + faults.stallMs);
    const frames = faults.duplicate ? [frame, frame] : [frame];
    if (faults.holdMs > 0 && this.#held.length < HELD_MAX) {
      for (const frame of frames) this.#held.push({ channel, frame });
      this.#heldTimer ??= this.#o.timers.setTimeout(() => {
        this.#heldTimer = undefined;
        this.#flushHeld();
      }, faults.holdMs);
      return;
    }
    for (const each of frames) this.#send(each);
    this.#flushHeld(channel);
  }

  close(): void {
    this.#o.socket.terminate();
    this.#dispose();
  }

  #onFrame(text: string): void {
    const lines = text.split('\n').filter((line) => line.trim() !== '');
    if (lines.length > COMMANDS_PER_FRAME_MAX) {
      this.#disconnect(DISCONNECT_BAD_REQUEST);
      return;
    }
    for (const line of lines) {
      const answer = this.#handle(parseCommand(line));
      if (answer === undefined) continue;
      if ('disconnect' in answer) {
        this.#disconnect(answer.disconnect);
        return;
      }
      this.#send(JSON.stringify(answer.reply));
    }
  }

  #handle(command: Record<string, unknown> | undefined): Answer {
    if (command === undefined) return { disconnect: DISCONNECT_BAD_REQUEST };
    const id = command.id;
    if (id === undefined) {
      this.#awaitingPong = false; // `{}`: the client's pong
      return undefined;
    }
    if (typeof id !== 'number') return { disconnect: DISCONNECT_BAD_REQUEST };
    if ('connect' in command) return this.#connect(id, command.connect);
    if (this.#account === undefined) return { disconnect: DISCONNECT_BAD_REQUEST };
    if ('subscribe' in command) return this.#subscribe(id, command.subscribe);
    if ('unsubscribe' in command) {
      this.#channels.delete(String((command.unsubscribe as { channel?: unknown })?.channel));
      return { reply: { id, unsubscribe: {} } };
    }
    if ('refresh' in command) return this.#refresh(id, command.refresh);
    return { reply: { id, error: ERROR_NOT_AVAILABLE } };
  }

  #connect(id: number, body: unknown): Answer {
    const check = this.#o.tokens.check((body as { token?: unknown } | null)?.token);
    if (check.kind === 'expired') return { reply: { id, error: ERROR_TOKEN_EXPIRED } };
    if (check.kind === 'invalid') return { disconnect: DISCONNECT_INVALID_TOKEN };
    this.#account = check.account;
    this.#schedulePing();
    return {
      reply: {
        id,
        connect: {
          client: this.#clientId,
          version: 'keel-simulator',
          expires: true,
          ttl: ttlSeconds(check.ttlMs),
          ping: this.#o.pingIntervalSeconds,
          pong: true,
        },
      },
    };
  }

  #subscribe(id: number, body: unknown): Answer {
    const channel = (body as { channel?: unknown } | null)?.channel;
    if (typeof channel !== 'string' || !this.#allowed(channel))
      return { reply: { id, error: ERROR_PERMISSION_DENIED } };
    if (this.#channels.size >= SUBSCRIPTIONS_MAX) return { reply: { id, error: ERROR_LIMIT_EXCEEDED } };
    this.#channels.add(channel);
    return { reply: { id, subscribe: {} } };
  }

  /** Public channels for anyone; private ones only with this account's websocketAuthParam. */
  #allowed(channel: string): boolean {
    if (channel.startsWith('public:')) return true;
    const param = websocketAuthParamOf(this.#account ?? '');
    return channel === `private:orders#${param}` || channel === `private:trades#${param}`;
  }

  #refresh(id: number, body: unknown): Answer {
    const check = this.#o.tokens.check((body as { token?: unknown } | null)?.token);
    if (check.kind !== 'valid' || check.account !== this.#account)
      return { reply: { id, error: ERROR_TOKEN_EXPIRED } };
    const ttl = ttlSeconds(check.ttlMs);
    return {
      reply: { id, refresh: { client: this.#clientId, version: 'keel-simulator', expires: true, ttl } },
    };
  }

  #schedulePing(): void {
    if (this.#closed) return;
    this.#pingTimer = this.#o.timers.setTimeout(() => {
      // Nobitex disconnects a client that does not answer a ping before the next one (reference 8).
      if (this.#awaitingPong) {
        this.#disconnect(DISCONNECT_NO_PONG);
        return;
      }
      this.#awaitingPong = this.#send('{}');
      this.#schedulePing();
    }, this.#o.pingIntervalSeconds * 1000);
  }

  /** Sends what was held back on `channel`, or everything held when no channel is given. */
  #flushHeld(channel?: string): void {
    const due = this.#held.filter((entry) => channel === undefined || entry.channel === channel);
    this.#held = this.#held.filter((entry) => !due.includes(entry));
    if (this.#held.length === 0 && this.#heldTimer !== undefined) {
      this.#o.timers.clearTimeout(this.#heldTimer);
      this.#heldTimer = undefined;
    }
    for (const entry of due) this.#send(entry.frame);
  }

  /** While stalled nothing leaves, not even pings: the client sees a silent, open connection. */
  #send(frame: string): boolean {
    if (this.#closed || this.#o.timers.nowMs() < this.#stalledUntilMs) return false;
    this.#o.socket.send(frame);
    return true;
  }

  #disconnect(reason: { code: number; reason: string }): void {
    this.#o.socket.close(reason.code, reason.reason);
    this.#dispose();
  }

  #dispose(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#pingTimer !== undefined) this.#o.timers.clearTimeout(this.#pingTimer);
    if (this.#heldTimer !== undefined) this.#o.timers.clearTimeout(this.#heldTimer);
    this.#held = [];
  }
}

/** What one command gets: a reply frame, a disconnect, or nothing (a pong). */
type Answer =
  | { readonly reply: Record<string, unknown> }
  | { readonly disconnect: { readonly code: number; readonly reason: string } }
  | undefined;

function parseCommand(line: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Centrifugo counts ttl in whole seconds; at least one. */
const ttlSeconds = (ttlMs: number): number => Math.max(1, Math.floor(ttlMs / 1000));
