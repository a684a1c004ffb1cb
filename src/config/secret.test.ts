// Goal: a Secret can never be printed by accident. Method: every string conversion path, plus reveal/equals.
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { isSecret, Secret } from './secret.js';

describe('Secret', () => {
  const secret = new Secret('hunter2');

  it('reveals the value only through reveal()', () => {
    expect(secret.reveal()).toBe('hunter2');
  });

  it('prints as [redacted] through String, template, JSON.stringify and util.inspect', () => {
    expect(String(secret)).toBe('[redacted]');
    expect(`${secret}`).toBe('[redacted]');
    expect(JSON.stringify({ secret })).toBe('{"secret":"[redacted]"}');
    expect(inspect({ nested: { secret } }, { depth: 5 })).not.toContain('hunter2');
    expect(inspect(secret)).toBe('[redacted]');
  });

  it('has no enumerable field that holds the value', () => {
    expect(Object.values(secret)).not.toContain('hunter2');
    expect(Object.isFrozen(secret)).toBe(true);
  });

  it('compares with candidates in constant time without revealing', () => {
    expect(secret.equals('hunter2')).toBe(true);
    expect(secret.equals('hunter3')).toBe(false);
    expect(secret.equals(new Secret('hunter2'))).toBe(true);
  });

  it('is recognized by the guard and nothing else is', () => {
    expect(isSecret(secret)).toBe(true);
    expect(isSecret('hunter2')).toBe(false);
    expect(isSecret({ reveal: () => 'x' })).toBe(false);
  });
});
