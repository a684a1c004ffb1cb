// Seeded randomness: every jitter and every simulated fault draws from an injected Rng.
import { assert } from './assert.js';

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
}

/** xoshiro128** seeded through splitmix32: fast, good quality, fully deterministic. */
export function createRng(seed: number): Rng {
  assert(Number.isInteger(seed), `seed must be an integer, was ${seed}`);
  let s = seed >>> 0;
  const splitmix = () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();
  return {
    next() {
      const result = Math.imul(rotl(Math.imul(b, 5) >>> 0, 7), 9) >>> 0;
      const t = (b << 9) >>> 0;
      c ^= a;
      d ^= b;
      b ^= c;
      a ^= d;
      c ^= t;
      d = rotl(d, 11);
      return result / 4_294_967_296;
    },
  };
}

const rotl = (x: number, k: number) => ((x << k) | (x >>> (32 - k))) >>> 0;

/** Integer in [minInclusive, maxInclusive]. */
export function randomInt(rng: Rng, minInclusive: number, maxInclusive: number): number {
  assert(maxInclusive >= minInclusive, `max ${maxInclusive} < min ${minInclusive}`);
  return minInclusive + Math.floor(rng.next() * (maxInclusive - minInclusive + 1));
}

export function pick<T>(rng: Rng, items: readonly T[]): T {
  assert(items.length > 0, 'pick from an empty list');
  return items[Math.floor(rng.next() * items.length)] as T;
}

export function chance(rng: Rng, probability: number): boolean {
  return rng.next() < probability;
}

/** The default for production: seeded from the OS, still an Rng so code paths are the same. */
export function systemRng(): Rng {
  return createRng(Math.floor(Math.random() * 2 ** 31));
}
