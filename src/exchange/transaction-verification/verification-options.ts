export interface VerificationOptions {
  /** How many times one order may be sent in all (first send + resends after proven absence). Default 3. */
  readonly submitAttemptsMax: number;
  /** How long after a send an order must stay invisible before it counts as absent, ms. Default 30 000. */
  readonly absenceGraceMs: number;
  /** First delay between status polls, ms. Default 500. */
  readonly pollIntervalMs: number;
  /** Largest delay between status polls, ms. Default 10 000. */
  readonly pollIntervalMaxMs: number;
  /**
   * A resting limit order still open after this long is cancelled (the signal must end), ms, unless
   * its order carries its own lifetime (the alert's `expiresIn`). Default 120 000.
   */
  readonly orderLifetimeMs: number;
  /**
   * An order still unresolved this long (UNKNOWN or in sending since it was last changed, or open
   * past its lifetime with no confirmed cancel) is overdue: the verifier reports it once, ms.
   * Default 120 000.
   */
  readonly verifyDeadlineMs: number;
  /** A never-sent order older than this expires instead of being sent late, ms. Default 300 000. */
  readonly sendDeadlineMs: number;
  /**
   * How long trades may fail to account for a filled amount before a person is alerted, ms. The order
   * is never finished meanwhile: its fills would stay unbooked. Default 30 000.
   */
  readonly tradesWaitMaxMs: number;
  /** Pages of the trade list (30 trades each, newest first) read per look at one order. Default 20. */
  readonly tradePagesMax: number;
  /**
   * Delay between status polls while pushed order events arrive (the WebSocket is up): polls are then
   * only a safety net, ms. Default 10 000.
   */
  readonly pushedPollIntervalMs: number;
}

export const VERIFICATION_DEFAULTS: VerificationOptions = {
  submitAttemptsMax: 3,
  absenceGraceMs: 30_000,
  pollIntervalMs: 500,
  pollIntervalMaxMs: 10_000,
  orderLifetimeMs: 120_000,
  verifyDeadlineMs: 120_000,
  sendDeadlineMs: 300_000,
  tradesWaitMaxMs: 30_000,
  tradePagesMax: 20,
  pushedPollIntervalMs: 10_000,
};

export function validateVerificationOptions(partial: Partial<VerificationOptions> = {}): VerificationOptions {
  const options = { ...VERIFICATION_DEFAULTS, ...partial };
  for (const [key, value] of Object.entries(options)) {
    if (!Number.isInteger(value) || value < 0)
      throw new RangeError(`${key} must be a non-negative integer, was ${value}`);
  }
  if (options.submitAttemptsMax < 1)
    throw new RangeError(`submitAttemptsMax must be at least 1, was ${options.submitAttemptsMax}`);
  if (options.tradePagesMax < 1 || options.tradePagesMax > 100)
    throw new RangeError(`tradePagesMax must be in [1, 100], was ${options.tradePagesMax}`);
  if (options.pollIntervalMs < 1)
    throw new RangeError(`pollIntervalMs must be positive, was ${options.pollIntervalMs}`);
  if (options.pollIntervalMs > options.pollIntervalMaxMs)
    throw new RangeError(
      `pollIntervalMs ${options.pollIntervalMs} exceeds pollIntervalMaxMs ${options.pollIntervalMaxMs}`,
    );
  return Object.freeze(options);
}
