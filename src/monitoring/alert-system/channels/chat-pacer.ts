// Spaces messages to one chat at least intervalMs apart (Telegram allows about one per second per
// chat). A slot is reserved before the wait, so concurrent senders queue up instead of colliding.
import type { Clock } from '../../../core/clock.js';

export interface ChatPacerOptions {
  /** Minimum time between two messages to the same chat, ms. */
  readonly intervalMs: number;
  /** Chats tracked at most; beyond it the oldest entry is forgotten. Default 1_000. */
  readonly chatsMax?: number;
  readonly clock: Clock;
}

export class ChatPacer {
  readonly intervalMs: number;
  readonly #chatsMax: number;
  readonly #clock: Clock;
  /** Chat → earliest time its next message may start, epoch ms. */
  readonly #nextAtMs = new Map<string, number>();

  constructor(options: ChatPacerOptions) {
    if (!(Number.isInteger(options.intervalMs) && options.intervalMs >= 0))
      throw new RangeError(`intervalMs must be an integer >= 0, was ${options.intervalMs}`);
    this.#chatsMax = options.chatsMax ?? 1_000;
    if (!(Number.isInteger(this.#chatsMax) && this.#chatsMax >= 1))
      throw new RangeError(`chatsMax must be a positive integer, was ${this.#chatsMax}`);
    this.intervalMs = options.intervalMs;
    this.#clock = options.clock;
  }

  /** Waits for the chat's next slot and takes it; rejects with AbortedError when the signal aborts. */
  async take(chat: string, signal: AbortSignal): Promise<void> {
    const nowMs = this.#clock.nowMs();
    const slotAtMs = Math.max(nowMs, this.#nextAtMs.get(chat) ?? nowMs);
    this.#remember(chat, slotAtMs + this.intervalMs);
    if (slotAtMs > nowMs) await this.#clock.sleep(slotAtMs - nowMs, signal);
  }

  /** Pushes the chat's next slot to at least `atMs` (a server-given retry time). */
  holdUntil(chat: string, atMs: number): void {
    this.#remember(chat, Math.max(atMs, this.#nextAtMs.get(chat) ?? atMs));
  }

  #remember(chat: string, atMs: number): void {
    this.#nextAtMs.delete(chat);
    if (this.#nextAtMs.size >= this.#chatsMax) {
      const oldest = this.#nextAtMs.keys().next();
      if (oldest.done !== true) this.#nextAtMs.delete(oldest.value);
    }
    this.#nextAtMs.set(chat, atMs);
  }
}
