import { describe, expect, it } from 'vitest';
import { memoBounded } from './memo.js';

describe('memoBounded', () => {
  it('computes once per argument, remembers no failure, and starts over when full', () => {
    const computed: string[] = [];
    const upper = memoBounded((text: string) => {
      computed.push(text);
      if (text === 'bad') throw new Error('bad input');
      return { text: text.toUpperCase() };
    }, 2);
    const first = upper('a');
    expect(upper('a')).toBe(first);
    expect(() => upper('bad')).toThrow('bad input');
    expect(() => upper('bad')).toThrow('bad input');
    upper('b');
    upper('c'); // the table held 2: it starts over
    upper('a');
    expect(computed).toEqual(['a', 'bad', 'bad', 'b', 'c', 'a']);
  });
});
