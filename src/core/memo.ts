// A pure function's answers remembered by argument, for values read again and again off a hot path
// (market names, currency names, decimals in exchange answers). Bounded: once `entriesMax` distinct
// arguments are held, the table starts over, so a flood of distinct inputs costs memory once.
import { assert } from './assert.js';

/** `compute`, remembered per argument; a call that throws remembers nothing and throws as `compute` does. */
export function memoBounded<K, V>(compute: (key: K) => V, entriesMax: number): (key: K) => V {
  assert(
    Number.isInteger(entriesMax) && entriesMax > 0,
    'memoBounded: entriesMax must be a positive integer',
  );
  const known = new Map<K, V>();
  return (key) => {
    const hit = known.get(key);
    if (hit !== undefined) return hit;
    const value = compute(key);
    if (known.size >= entriesMax) known.clear();
    known.set(key, value);
    return value;
  };
}
