/** Thrown when an invariant fails: a programmer error, never an operating error. */
export class AssertionError extends Error {
  override readonly name = 'AssertionError';
}

/** Crash on a broken invariant. Operating errors (timeouts, 5xx, 429) are typed errors instead. */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionError(message);
}

/** Marks a branch the type system proves unreachable. */
export function assertNever(value: never, message = 'unexpected value'): never {
  throw new AssertionError(`${message}: ${JSON.stringify(value)}`);
}
