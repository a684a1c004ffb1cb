// Goal: the pacer spaces messages per chat, never across chats, honours server holds and aborts.
// Method: FakeClock; each take() is observed through a flag set when it resolves.
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../core/clock.js';
import { isAbortedError } from '../../../core/errors.js';
import { ChatPacer } from './chat-pacer.js';

function track(promise: Promise<void>): { done: boolean; error: unknown } {
  const state: { done: boolean; error: unknown } = { done: false, error: undefined };
  promise.then(
    () => {
      state.done = true;
    },
    (error: unknown) => {
      state.error = error;
    },
  );
  return state;
}

describe('ChatPacer', () => {
  const signal = new AbortController().signal;

  it('lets the first message of a chat through at once and spaces the next ones intervalMs apart', async () => {
    const clock = new FakeClock();
    const pacer = new ChatPacer({ intervalMs: 1_000, clock });
    const first = track(pacer.take('a', signal));
    const second = track(pacer.take('a', signal));
    const third = track(pacer.take('a', signal));
    await clock.advance(0);
    expect([first.done, second.done, third.done]).toEqual([true, false, false]);
    await clock.advance(1_000);
    expect([second.done, third.done]).toEqual([true, false]);
    await clock.advance(999);
    expect(third.done).toBe(false);
    await clock.advance(1);
    expect(third.done).toBe(true);
  });

  it('does not make one chat wait for another', async () => {
    const clock = new FakeClock();
    const pacer = new ChatPacer({ intervalMs: 1_000, clock });
    await pacer.take('a', signal);
    const other = track(pacer.take('b', signal));
    await clock.advance(0);
    expect(other.done).toBe(true);
  });

  it('holds a chat until a server-given time, never shortening an existing hold', async () => {
    const clock = new FakeClock();
    const pacer = new ChatPacer({ intervalMs: 1_000, clock });
    pacer.holdUntil('a', clock.nowMs() + 5_000);
    pacer.holdUntil('a', clock.nowMs() + 2_000);
    const next = track(pacer.take('a', signal));
    await clock.advance(4_999);
    expect(next.done).toBe(false);
    await clock.advance(1);
    expect(next.done).toBe(true);
  });

  it('rejects a waiting take with AbortedError when its signal aborts', async () => {
    const clock = new FakeClock();
    const pacer = new ChatPacer({ intervalMs: 1_000, clock });
    await pacer.take('a', signal);
    const controller = new AbortController();
    const waiting = track(pacer.take('a', controller.signal));
    controller.abort();
    await clock.advance(0);
    expect(isAbortedError(waiting.error)).toBe(true);
  });

  it('forgets the oldest chat beyond chatsMax instead of growing', async () => {
    const clock = new FakeClock();
    const pacer = new ChatPacer({ intervalMs: 1_000, chatsMax: 2, clock });
    await pacer.take('a', signal);
    await pacer.take('b', signal);
    await pacer.take('c', signal); // evicts a
    const again = track(pacer.take('a', signal));
    await clock.advance(0);
    expect(again.done).toBe(true);
  });

  it('rejects bad options with the value in the message', () => {
    const clock = new FakeClock();
    expect(() => new ChatPacer({ intervalMs: 1.5, clock })).toThrow(
      'intervalMs must be an integer >= 0, was 1.5',
    );
    expect(() => new ChatPacer({ intervalMs: 1, chatsMax: 0, clock })).toThrow(
      'chatsMax must be a positive integer, was 0',
    );
  });
});
