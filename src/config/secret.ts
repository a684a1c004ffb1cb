// A secret value that cannot be printed by accident: every string form is '[redacted]'.
import { createHash, timingSafeEqual } from 'node:crypto';
import { inspect } from 'node:util';

import { REDACTED } from '../core/redact.js';

export { REDACTED };

const brand = Symbol.for('keel.secret');

export class Secret {
  readonly [brand] = true;
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
    Object.freeze(this);
  }

  /** The real value. Call it only at the point of use (an HTTP header, a signature), never to log. */
  reveal(): string {
    return this.#value;
  }

  /** Compares with a candidate in constant time (digests of equal length), for passphrases and tokens. */
  equals(candidate: Secret | string): boolean {
    const text = typeof candidate === 'string' ? candidate : candidate.reveal();
    return timingSafeEqual(digest(text), digest(this.#value));
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }

  [Symbol.toPrimitive](): string {
    return REDACTED;
  }
}

/** True for Secret instances, also across module copies. */
export const isSecret = (value: unknown): value is Secret =>
  typeof value === 'object' && value !== null && (value as { [brand]?: unknown })[brand] === true;

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
