// Goal: decisions read from Redis are validated, never trusted blindly. Method: bad input on purpose.
import { describe, expect, it } from 'vitest';
import { parseBreakerDecision } from './breaker-decision.js';

describe('parseBreakerDecision', () => {
  it('round-trips an open and a close decision', () => {
    const open = {
      kind: 'open',
      name: 'orders',
      instanceId: 'a',
      openedAtMs: 5,
      retryAtMs: 9,
      reopenCount: 1,
    };
    expect(parseBreakerDecision(JSON.stringify(open))).toEqual(open);
    const close = { kind: 'close', name: 'orders', instanceId: 'a' };
    expect(parseBreakerDecision(JSON.stringify(close))).toEqual(close);
  });

  it.each([
    ['not json', '{'],
    ['not an object', '3'],
    ['unknown kind', '{"kind":"halfOpen","name":"o","instanceId":"a"}'],
    ['missing name', '{"kind":"close","instanceId":"a"}'],
    [
      'retry before open',
      '{"kind":"open","name":"o","instanceId":"a","openedAtMs":9,"retryAtMs":5,"reopenCount":0}',
    ],
    [
      'fractional time',
      '{"kind":"open","name":"o","instanceId":"a","openedAtMs":1.5,"retryAtMs":5,"reopenCount":0}',
    ],
  ])('rejects %s', (_label, text) => {
    expect(parseBreakerDecision(text)).toBeUndefined();
  });
});
