// The bulkheads section: the limits of each core/bulkhead that keeps one component's saturation from
// blocking another. Each has calls running at once, calls waiting, and the longest wait.
import { z } from 'zod';
import { durationMs, intRange } from './fields.js';

const bulkheadSchema = (defaults: {
  concurrentMax: number;
  queueMax: number;
  queueWaitMaxMs: number;
  /** Fewest waiting places allowed; default 0. */
  queueMaxMin?: number;
}) =>
  z
    .strictObject({
      /** Calls running at once (for an exchange group: also its connections per base URL). */
      concurrentMax: intRange(1, 64).default(defaults.concurrentMax),
      /** Calls waiting for a slot; one more is refused at once (0: refuse whenever all slots are busy). */
      queueMax: intRange(defaults.queueMaxMin ?? 0, 10_000).default(defaults.queueMax),
      /** A call waiting longer than this is refused, ms. */
      queueWaitMaxMs: durationMs().default(defaults.queueWaitMaxMs),
    })
    .prefault({});

export const bulkheadsSchema = z
  .strictObject({
    /** One per exchange endpoint group, so slow market data never holds up order placement. */
    exchange: z
      .strictObject({
        orders: bulkheadSchema({ concurrentMax: 4, queueMax: 100, queueWaitMaxMs: 10_000 }),
        account: bulkheadSchema({ concurrentMax: 2, queueMax: 100, queueWaitMaxMs: 10_000 }),
        marketData: bulkheadSchema({ concurrentMax: 4, queueMax: 100, queueWaitMaxMs: 10_000 }),
      })
      .prefault({}),
    /** The operator API's handlers (/api/*): a flood of dashboard calls answers 503, never starves trading. */
    api: bulkheadSchema({ concurrentMax: 16, queueMax: 64, queueWaitMaxMs: 5_000 }),
    /**
     * Each alert channel's own (the same limits for each): notifications sent at once (1 keeps them in
     * order), waiting (a full queue drops its oldest), and the longest wait before one is dropped.
     */
    alertChannels: bulkheadSchema({
      concurrentMax: 1,
      queueMax: 100,
      queueWaitMaxMs: 300_000,
      queueMaxMin: 1,
    }),
    /**
     * The engine's signal handlers: signals worked on at once (at most one per symbol, so more symbols
     * than this wait their turn), claimed signals waiting for a handler, and the longest such wait
     * before a claimed signal goes back to the bus for a later claim.
     */
    engine: bulkheadSchema({ concurrentMax: 8, queueMax: 16, queueWaitMaxMs: 60_000 }),
  })
  .prefault({});
