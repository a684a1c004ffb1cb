// The bulkheads section: the limits of each core/bulkhead that keeps one component's saturation from
// blocking another. Each has calls running at once, calls waiting, and the longest wait.
import { z } from 'zod';
import { durationMs, intRange } from './fields.js';

const bulkheadSchema = (defaults: { concurrentMax: number; queueMax: number; queueWaitMaxMs: number }) =>
  z
    .strictObject({
      /** Calls running at once (for an exchange group: also its connections per base URL). */
      concurrentMax: intRange(1, 64).default(defaults.concurrentMax),
      /** Calls waiting for a slot; one more is refused at once (0: refuse whenever all slots are busy). */
      queueMax: intRange(0, 10_000).default(defaults.queueMax),
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
  })
  .prefault({});
