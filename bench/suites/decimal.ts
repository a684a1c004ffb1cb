// Exact-decimal parsing cost: what every exchange answer pays for never using floats.
import { parseDecimal, parseJsonLossless } from '../../src/core/decimal.js';
import { type BenchSuite, measure, microsPerCall } from '../harness.js';

const ORDER_JSON =
  '{"status":"ok","order":{"id":25,"price":"520000000","amount":"0.6","matchedAmount":0,"fee":"0E-10","averagePrice":"25500000.00000000000000000000"}}';

export const decimalSuite: BenchSuite = {
  name: 'decimal',
  async run() {
    const parse = await measure(5, () =>
      microsPerCall(20_000, async () => parseDecimal('25500000.0000000000')),
    );
    const json = await measure(5, () => microsPerCall(20_000, async () => parseJsonLossless(ORDER_JSON)));
    const native = await measure(5, () => microsPerCall(20_000, async () => JSON.parse(ORDER_JSON)));
    return [
      { suite: 'decimal', name: 'parseDecimal', unit: 'µs/call', ...parse },
      {
        suite: 'decimal',
        name: 'lossless JSON order',
        unit: 'µs/call',
        ...json,
        ratio: json.median / native.median,
        baseline: 'JSON.parse',
      },
      { suite: 'decimal', name: 'JSON.parse order (baseline)', unit: 'µs/call', ...native },
    ];
  },
};
