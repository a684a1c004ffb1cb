// Goal: a failing Bot API costs a bounded number of polls: waits grow after each failure, the breaker
// opens after five in a row and keeps the poller away for its break, and a success resets both.
// Method: a scripted API and a FakeClock; the poll count is read after each stretch of fake time.
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/clock.js';
import { createRng } from '../../core/random.js';
import { silentLogger } from '../../logging/logger.js';
import type { BotUpdate } from './bot-api-client.js';
import { CommandPoller } from './command-poller.js';

const turn = () => new Promise((resolve) => setTimeout(resolve, 0));

async function advance(clock: FakeClock, totalMs: number, stepMs = 100): Promise<void> {
  for (let elapsed = 0; elapsed < totalMs; elapsed += stepMs) {
    await clock.advance(stepMs);
    await turn();
  }
}

describe('CommandPoller breaker and backoff', () => {
  it('backs off, opens its breaker after five failed polls, and polls again after the break', async () => {
    const clock = new FakeClock();
    let polls = 0;
    let failing = true;
    const poller = new CommandPoller({
      channel: 'ops',
      api: {
        getUpdates: async (_offset: number, signal: AbortSignal): Promise<BotUpdate[]> => {
          polls += 1;
          if (failing) throw new Error('blocked');
          // A healthy long poll: nothing new until the next fake second.
          await clock.sleep(1_000, signal);
          return [];
        },
        sendMessage: async () => undefined,
      },
      commands: { run: async () => '' },
      allowedChatIds: ['1'],
      clock,
      rng: createRng(5),
      logger: silentLogger,
      breakDurationMs: 60_000,
      delayMaxMs: 4_000,
    });
    poller.start();
    await advance(clock, 30_000);
    expect(polls).toBe(5);
    expect(poller.breaker.state).toBe('open');
    await advance(clock, 25_000);
    expect(polls).toBe(5);
    failing = false;
    await advance(clock, 40_000);
    expect(polls).toBeGreaterThan(5);
    expect(poller.breaker.state).toBe('closed');
    await poller.stop();
  });
});
