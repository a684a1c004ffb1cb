// A demo check that did not hold: the phase stops, the run reports it and exits non-zero.

export class DemoCheckError extends Error {
  readonly code = 'DEMO_CHECK_FAILED';

  constructor(message: string) {
    super(message);
    this.name = 'DemoCheckError';
  }
}

export function isDemoCheckError(error: unknown): error is DemoCheckError {
  return error instanceof DemoCheckError;
}

/** Throws a DemoCheckError with `message` unless `condition` holds. */
export function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new DemoCheckError(message);
}
