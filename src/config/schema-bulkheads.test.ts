// Goal: the bulkheads section has a finite default for every limit and refuses limits that would
// disable a bulkhead. Method: parse the section alone.
import { describe, expect, it } from 'vitest';
import { bulkheadsSchema } from './schema-bulkheads.js';

describe('bulkheads settings', () => {
  it('defaults every bulkhead to finite limits', () => {
    const parsed = bulkheadsSchema.parse(undefined);
    expect(parsed.exchange.orders).toEqual({ concurrentMax: 4, queueMax: 100, queueWaitMaxMs: 10_000 });
    expect(parsed.exchange.account.concurrentMax).toBe(2);
    expect(parsed.api).toEqual({ concurrentMax: 16, queueMax: 64, queueWaitMaxMs: 5_000 });
    expect(parsed.alertChannels).toEqual({ concurrentMax: 1, queueMax: 100, queueWaitMaxMs: 300_000 });
    expect(parsed.engine).toEqual({ concurrentMax: 8, queueMax: 16, queueWaitMaxMs: 60_000 });
  });

  it('keeps given fields and defaults the rest', () => {
    const parsed = bulkheadsSchema.parse({ exchange: { marketData: { queueMax: 0 } } });
    expect(parsed.exchange.marketData).toEqual({ concurrentMax: 4, queueMax: 0, queueWaitMaxMs: 10_000 });
  });

  it.each([
    [{ api: { concurrentMax: 0 } }, ['api', 'concurrentMax']],
    [{ exchange: { orders: { concurrentMax: 65 } } }, ['exchange', 'orders', 'concurrentMax']],
    [{ api: { queueMax: -1 } }, ['api', 'queueMax']],
    [{ api: { queueWaitMaxMs: 0 } }, ['api', 'queueWaitMaxMs']],
    [{ api: { slots: 3 } }, ['api']],
    // A channel with no queue would drop every notification raised while one is being sent.
    [{ alertChannels: { queueMax: 0 } }, ['alertChannels', 'queueMax']],
    [{ engine: { concurrentMax: 0 } }, ['engine', 'concurrentMax']],
  ])('refuses %j', (input, path) => {
    const result = bulkheadsSchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(path);
  });
});
