// Goal: `action: close` and `action: cancel` (JSON or the text form) become a signal that acts on the
// strategy's own position and orders; a size or price beside them is refused, not ignored.
// Method: parseAlert then normalizeSignal, as the intake runs them.
import { describe, expect, it } from 'vitest';
import { normalizeSignal } from './normalize-signal.js';
import { parseAlert } from './parse-alert.js';

const RECEIVED_AT_MS = Date.UTC(2026, 0, 1, 12);
const normalizeText = (body: string, mediaType?: string) => {
  const parsed = parseAlert(body, mediaType);
  if (!parsed.ok) throw new Error(parsed.problem.message);
  return normalizeSignal(parsed.alert.fields, { receivedAtMs: RECEIVED_AT_MS });
};

describe('close and cancel alerts', () => {
  it('reads a JSON close with its strategy', () => {
    const result = normalizeText(
      '{"action":"close","symbol":"BTCIRT","strategy":"trend"}',
      'application/json',
    );
    expect(result.ok && result.signal).toMatchObject({
      symbol: 'BTCIRT',
      action: 'close',
      strategy: 'trend',
      size: { kind: 'target', position: '0' },
      order: { type: 'market' },
    });
    expect(result.ok && result.signal.side).toBeUndefined();
  });

  it('reads the text form of cancel', () => {
    const result = normalizeText('cancel BTCIRT strategy=revert');
    expect(result.ok && result.signal).toMatchObject({
      symbol: 'BTCIRT',
      action: 'cancel',
      strategy: 'revert',
    });
  });

  it('refuses a size or a price beside an action', () => {
    const result = normalizeText(
      '{"action":"close","symbol":"BTCIRT","amount":"1","price":"5"}',
      'application/json',
    );
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.problems.map((problem) => problem.field)).toEqual(['amount', 'price']);
  });

  it('still needs a symbol', () => {
    const result = normalizeText('{"action":"cancel"}', 'application/json');
    expect(result.ok ? [] : result.problems.map((problem) => problem.field)).toEqual(['symbol']);
  });
});
