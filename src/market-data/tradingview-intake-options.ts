// Options of the TradingView intake, their defaults, and the one place they are validated.
import type { Clock } from '../core/clock.js';
import { parseMarket, toSymbol } from '../exchange/markets.js';
import type { Logger } from '../logging/logger.js';
import { AddressSet, revealSecret, type SecretValue, TRADINGVIEW_ADDRESSES } from './authenticate.js';
import type { SignalLimits } from './normalize-signal.js';
import type { SignalStore } from './signal-store.js';

export interface TradingViewIntakeOptions {
  /** Shared secret every alert must carry as `passphrase`. Required, non-empty. */
  readonly passphrase: SecretValue;
  /**
   * Key for `X-Keel-Signature: sha256=<hex>` over `<X-Keel-Timestamp>.<raw body>`; a present header
   * must verify, its timestamp must be recent, and each signed request is accepted once.
   */
  readonly hmacSecret?: SecretValue;
  /** A signature whose timestamp is further than this from now, either way, is refused, ms. Default 300 000. */
  readonly signatureAgeMaxMs?: number;
  /** Refuse alerts without a signature header. Default false (TradingView cannot sign). */
  readonly hmacRequired?: boolean;
  readonly ipAllowList?: {
    /** Default false. */
    readonly enabled: boolean;
    /** Addresses or CIDR ranges allowed. Default: TradingView's four webhook addresses. */
    readonly addresses?: readonly string[];
    /** Proxies whose X-Forwarded-For is believed. Default none. */
    readonly trustedProxies?: readonly string[];
  };
  /** Alerts that fired longer ago than this are refused as replays, ms. Default 300 000. */
  readonly alertAgeMaxMs?: number;
  /** Alerts dated further in the future than this are refused (clock skew allowance), ms. Default 60 000. */
  readonly alertFutureMaxMs?: number;
  /** Largest body accepted, bytes. Default 16 384. */
  readonly bodySizeBytesMax?: number;
  /** Time allowed to receive the whole body, ms; must stay under TradingView's 3 s. Default 2 000. */
  readonly readTimeoutMs?: number;
  /** Symbols accepted (any naming form, e.g. `BTCIRT`, `btc-rls`). Default: every known market. */
  readonly allowedSymbols?: readonly string[];
  /** Size and price limits. Default DEFAULT_SIGNAL_LIMITS. */
  readonly limits?: SignalLimits;
  /** Where accepted signals are committed before the answer. */
  readonly store: Pick<SignalStore, 'accept'>;
  /** Default systemClock. */
  readonly clock?: Clock;
  /** Default silentLogger. */
  readonly logger?: Logger;
  /** False while shutting down: answer 503 and take nothing in. Default: always true. */
  readonly isAccepting?: () => boolean;
}

/** TradingView cancels a webhook after 3 s; reading must end well before. */
export const TRADINGVIEW_TIMEOUT_MS = 3_000;

export const INTAKE_DEFAULTS = Object.freeze({
  alertAgeMaxMs: 300_000,
  alertFutureMaxMs: 60_000,
  signatureAgeMaxMs: 300_000,
  bodySizeBytesMax: 16_384,
  readTimeoutMs: 2_000,
});

export interface ResolvedIntakeOptions {
  readonly passphrase: string;
  readonly hmacSecret: string | undefined;
  readonly hmacRequired: boolean;
  readonly signatureAgeMaxMs: number;
  readonly allowList: AddressSet | undefined;
  readonly trustedProxies: AddressSet;
  readonly alertAgeMaxMs: number;
  readonly alertFutureMaxMs: number;
  readonly bodySizeBytesMax: number;
  readonly readTimeoutMs: number;
  readonly allowedSymbols: ReadonlySet<string> | undefined;
}

export function resolveIntakeOptions(options: TradingViewIntakeOptions): ResolvedIntakeOptions {
  const passphrase = revealSecret(options.passphrase);
  if (passphrase.length === 0) throw new RangeError('passphrase must not be empty');
  const hmacSecret = options.hmacSecret === undefined ? undefined : revealSecret(options.hmacSecret);
  if (hmacSecret !== undefined && hmacSecret.length === 0)
    throw new RangeError('hmacSecret must not be empty');
  const hmacRequired = options.hmacRequired ?? false;
  if (hmacRequired && hmacSecret === undefined) throw new RangeError('hmacRequired needs hmacSecret');
  const signatureAgeMaxMs = checkInteger(
    'signatureAgeMaxMs',
    options.signatureAgeMaxMs ?? INTAKE_DEFAULTS.signatureAgeMaxMs,
    1_000,
    3_600_000,
  );
  const alertAgeMaxMs = checkInteger(
    'alertAgeMaxMs',
    options.alertAgeMaxMs ?? INTAKE_DEFAULTS.alertAgeMaxMs,
    1_000,
    86_400_000,
  );
  const alertFutureMaxMs = checkInteger(
    'alertFutureMaxMs',
    options.alertFutureMaxMs ?? INTAKE_DEFAULTS.alertFutureMaxMs,
    0,
    3_600_000,
  );
  const bodySizeBytesMax = checkInteger(
    'bodySizeBytesMax',
    options.bodySizeBytesMax ?? INTAKE_DEFAULTS.bodySizeBytesMax,
    64,
    1_048_576,
  );
  const readTimeoutMs = checkInteger(
    'readTimeoutMs',
    options.readTimeoutMs ?? INTAKE_DEFAULTS.readTimeoutMs,
    1,
    TRADINGVIEW_TIMEOUT_MS - 1,
  );
  const allowList = options.ipAllowList?.enabled
    ? new AddressSet(options.ipAllowList.addresses ?? TRADINGVIEW_ADDRESSES)
    : undefined;
  if (allowList !== undefined && allowList.size === 0) throw new RangeError('ipAllowList.addresses is empty');
  const trustedProxies = new AddressSet(options.ipAllowList?.trustedProxies ?? []);
  const allowedSymbols =
    options.allowedSymbols === undefined ? undefined : new Set(options.allowedSymbols.map(symbolOf));
  return {
    passphrase,
    hmacSecret,
    hmacRequired,
    signatureAgeMaxMs,
    allowList,
    trustedProxies,
    alertAgeMaxMs,
    alertFutureMaxMs,
    bodySizeBytesMax,
    readTimeoutMs,
    allowedSymbols,
  };
}

function checkInteger(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max)
    throw new RangeError(`${name} must be an integer in [${min}, ${max}], was ${value}`);
  return value;
}

function symbolOf(text: string): string {
  try {
    return toSymbol(parseMarket(text));
  } catch {
    throw new RangeError(`allowedSymbols holds an unknown market, was ${JSON.stringify(text)}`);
  }
}
