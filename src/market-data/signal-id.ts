// Sortable unique ids (ULID layout): 48 bits of epoch ms then 80 random bits, Crockford base32,
// 26 characters. Sorting the text sorts by time, so `list({ beforeId })` pages by arrival.
import { assert } from '../core/assert.js';
import type { Clock } from '../core/clock.js';
import type { Rng } from '../core/random.js';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const RANDOM_BITS = 80n;
const RANDOM_MAX = (1n << RANDOM_BITS) - 1n;
export const SIGNAL_ID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;

export interface SignalIdSource {
  next(): string;
}

/**
 * Within one millisecond (or when the clock steps back) the previous random part is incremented,
 * so ids from one source are strictly increasing.
 */
export function createSignalIdSource(clock: Clock, rng: Rng): SignalIdSource {
  let lastMs = -1;
  let lastRandom = 0n;
  return {
    next() {
      const nowMs = clock.nowMs();
      if (nowMs > lastMs) {
        lastMs = nowMs;
        lastRandom = randomBits(rng);
      } else {
        lastRandom += 1n;
        // 2^80 ids in one millisecond cannot happen; if it did, move time forward rather than wrap.
        if (lastRandom > RANDOM_MAX) {
          lastMs += 1;
          lastRandom = 0n;
        }
      }
      assert(lastMs >= 0 && lastMs < 2 ** 48, `id time out of range, was ${lastMs}`);
      return encode(BigInt(lastMs), 10) + encode(lastRandom, 16);
    },
  };
}

function randomBits(rng: Rng): bigint {
  let value = 0n;
  // 16 bits per draw keeps each draw well inside the 32 bits the Rng provides.
  for (let index = 0; index < 5; index++) value = (value << 16n) | BigInt(Math.floor(rng.next() * 65_536));
  // Leave headroom so increments within one millisecond rarely carry into the time part.
  return value >> 1n;
}

function encode(value: bigint, length: number): string {
  let text = '';
  let rest = value;
  for (let index = 0; index < length; index++) {
    text = ALPHABET[Number(rest & 31n)] + text;
    rest >>= 5n;
  }
  assert(rest === 0n, 'value does not fit the id width');
  return text;
}
