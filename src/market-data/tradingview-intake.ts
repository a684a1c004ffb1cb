// The webhook's decisions, free of HTTP framework: admit (before the body), then process (after).
// Order: shutdown → IP → body read → signature → parse → passphrase → fields → age → dedup+commit.
// A body that cannot be parsed is answered 400 before the passphrase can be checked: that tells an
// outsider only that its own bytes were not an alert.
import { type Clock, systemClock } from '../core/clock.js';
import { EventEmitter } from '../core/events.js';
import { activeTraceparent, addTraceIds, inSpan } from '../core/tracing.js';
import { type Logger, silentLogger } from '../logging/logger.js';
import { passphraseMatches, resolveClientAddress, signatureMatches } from './authenticate.js';
import { dedupKey, legacyDedupKey } from './dedup-key.js';
import { isBodyReadError, isBodyReadTimeoutError, isBodyTooLargeError } from './errors.js';
import { normalizeSignal, type SignalLimits } from './normalize-signal.js';
import { PASSPHRASE_KEY, parseAlert } from './parse-alert.js';
import type { Signal, SignalProblem } from './signal.js';
import type { AcceptResult, SignalIntake } from './signal-store.js';
import {
  type ResolvedIntakeOptions,
  resolveIntakeOptions,
  type TradingViewIntakeOptions,
} from './tradingview-intake-options.js';

export type RejectReason = 'auth' | 'invalid' | 'stale' | 'too_large' | 'timeout' | 'unavailable';

export interface IntakeResponse {
  readonly statusCode: number;
  readonly body: Readonly<Record<string, unknown>>;
}

export interface IntakeRequest {
  readonly rawBody: Buffer;
  /** Media type without parameters, lower case; undefined when the header was missing. */
  readonly mediaType: string | undefined;
  readonly signatureHeader: string | undefined;
  /** X-Keel-Timestamp: epoch ms the sender signed at. */
  readonly timestampHeader: string | undefined;
  /** From admit(). */
  readonly clientAddress: string | undefined;
  readonly receivedAtMs: number;
}

/** A signal's dedup key, and the one versions before gave it when it has one (see SignalIntake). */
type DedupKeys = Pick<SignalIntake, 'dedupKey' | 'legacyDedupKey'>;

const UNAUTHORIZED: IntakeResponse = { statusCode: 401, body: { error: 'unauthorized' } };
const UNAVAILABLE: IntakeResponse = { statusCode: 503, body: { error: 'unavailable' } };

export class TradingViewIntake {
  readonly options: ResolvedIntakeOptions;
  readonly clock: Clock;
  readonly #store: TradingViewIntakeOptions['store'];
  readonly #logger: Logger;
  readonly #isAccepting: () => boolean;
  readonly #limits: SignalLimits | undefined;
  readonly #receivedEmitter = new EventEmitter<{ readonly clientAddress: string | undefined }>();
  readonly #acceptedEmitter = new EventEmitter<{ readonly signalId: string; readonly signal: Signal }>();
  readonly #duplicateEmitter = new EventEmitter<{ readonly signalId: string }>();
  readonly #rejectedEmitter = new EventEmitter<{
    readonly reason: RejectReason;
    readonly statusCode: number;
  }>();

  /** A request arrived (before any check). */
  readonly onReceived = this.#receivedEmitter.addListener;
  /** A signal was committed and answered 202. */
  readonly onAccepted = this.#acceptedEmitter.addListener;
  /** A copy of a committed signal arrived and was answered 200. */
  readonly onDuplicate = this.#duplicateEmitter.addListener;
  /** A request was refused; `reason` is a low-cardinality metric label. */
  readonly onRejected = this.#rejectedEmitter.addListener;

  constructor(options: TradingViewIntakeOptions) {
    this.options = resolveIntakeOptions(options);
    this.clock = options.clock ?? systemClock;
    this.#store = options.store;
    this.#logger = (options.logger ?? silentLogger).child({ component: 'tradingview-intake' });
    this.#isAccepting = options.isAccepting ?? (() => true);
    this.#limits = options.limits;
  }

  /** Checks that need no body. Returns a refusal, or the client address to carry to process(). */
  admit(
    peerAddress: string | undefined,
    forwardedFor: string | string[] | undefined,
  ): IntakeResponse | { clientAddress: string | undefined } {
    const clientAddress = resolveClientAddress(peerAddress, forwardedFor, this.options.trustedProxies);
    this.#receivedEmitter.emit({ clientAddress });
    if (!this.#isAccepting()) return this.#reject('unavailable', UNAVAILABLE);
    const allowList = this.options.allowList;
    if (allowList !== undefined && (clientAddress === undefined || !allowList.has(clientAddress))) {
      this.#logger.warn({ clientAddress, peerAddress }, 'webhook from an address not on the allow-list');
      return this.#reject('auth', UNAUTHORIZED);
    }
    return { clientAddress };
  }

  /** The answer to an error fastify caught: a body that could not be read, or our own bug. */
  rejectError(error: unknown): IntakeResponse {
    if (isBodyTooLargeError(error))
      return this.#reject('too_large', {
        statusCode: 413,
        body: { error: 'payload too large', message: error.message },
      });
    if (isBodyReadTimeoutError(error))
      return this.#reject('timeout', {
        statusCode: 408,
        body: { error: 'request timeout', message: error.message },
      });
    const statusCode = (error as { statusCode?: unknown } | undefined)?.statusCode;
    if (isBodyReadError(error) || (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500)) {
      this.#logger.warn({ err: error }, 'webhook request could not be read');
      return this.#reject('invalid', { statusCode: 400, body: { error: 'bad request' } });
    }
    this.#logger.error({ err: error }, 'webhook handler failed');
    return this.#reject('unavailable', { statusCode: 500, body: { error: 'internal error' } });
  }

  /** One span per request (the root of the signal's trace); the answer's status is its attribute. */
  process(request: IntakeRequest): Promise<IntakeResponse> {
    return inSpan('keel.webhook', { kind: 'server' }, async (span) => {
      const response = await this.#process(request);
      span.setAttribute('http.response.status_code', response.statusCode);
      return response;
    });
  }

  async #process(request: IntakeRequest): Promise<IntakeResponse> {
    const options = this.options;
    const signature = request.signatureHeader;
    let signedKey: string | undefined;
    if (options.hmacSecret !== undefined && (signature !== undefined || options.hmacRequired)) {
      const timestamp = request.timestampHeader ?? '';
      if (!signatureMatches(options.hmacSecret, { rawBody: request.rawBody, timestamp }, signature))
        return this.#unauthorized('signature');
      if (!this.#recent(timestamp, request.receivedAtMs)) return this.#unauthorized('signature-age');
      // A replayed signed request is a duplicate of the first, whatever its body says.
      signedKey = `signature:${(signature ?? '').trim().toLowerCase().slice('sha256='.length)}`;
    }
    const text = decodeUtf8(request.rawBody);
    if (text === undefined) return this.#invalid([{ field: 'body', message: 'the body is not valid UTF-8' }]);
    const parsed = parseAlert(text, request.mediaType);
    if (!parsed.ok) return this.#invalid([parsed.problem]);
    if (!passphraseMatches(options.passphrase, parsed.alert.fields.get(PASSPHRASE_KEY)))
      return this.#unauthorized('passphrase');
    const normalized = normalizeSignal(parsed.alert.fields, {
      receivedAtMs: request.receivedAtMs,
      ...(options.allowedSymbols === undefined ? {} : { allowedSymbols: options.allowedSymbols }),
      ...(this.#limits === undefined ? {} : { limits: this.#limits }),
    });
    if (!normalized.ok) return this.#invalid(normalized.problems);
    // A careless template may repeat the passphrase in a kept field (strategy, id): never store it.
    const signal = scrubPassphrase(normalized.signal, options.passphrase);
    const stale = this.#staleMessage(signal);
    if (stale !== undefined)
      return this.#reject('stale', { statusCode: 400, body: { error: 'stale alert', message: stale } });
    const raw = redact(parsed.alert.redacted, options.passphrase);
    // An explicit id still wins: the sender may sign the same alert twice, at two times.
    const keys: DedupKeys =
      signal.clientId === undefined && signedKey !== undefined
        ? { dedupKey: signedKey }
        : { dedupKey: dedupKey(signal), legacyDedupKey: legacyDedupKey(signal) };
    return this.#commit(signal, keys, raw, request.clientAddress);
  }

  async #commit(
    signal: Signal,
    keys: DedupKeys,
    raw: string,
    clientAddress: string | undefined,
  ): Promise<IntakeResponse> {
    let result: AcceptResult;
    try {
      const traceparent = activeTraceparent();
      result = await this.#store.accept({ signal, ...keys, raw, sourceIp: clientAddress, traceparent });
    } catch (error) {
      this.#logger.error({ err: error, symbol: signal.symbol }, 'signal could not be stored');
      return this.#reject('unavailable', UNAVAILABLE);
    }
    const { duplicate, signalId, rejected } = result;
    addTraceIds({ signalId });
    // Built only when written: at the usual warn level, an accepted signal logs nothing.
    const logged = this.#logger.isLevelEnabled('info');
    if (duplicate) {
      if (logged) this.#logger.info({ signalId, symbol: signal.symbol }, 'duplicate signal ignored');
      this.#duplicateEmitter.emit({ signalId });
      return { statusCode: 200, body: { status: 'duplicate', signalId } };
    }
    if (logged)
      this.#logger.info(
        { signalId, symbol: signal.symbol, side: signal.side, size: signal.size },
        'signal accepted',
      );
    this.#acceptedEmitter.emit({ signalId, signal });
    // Stored, so still 202; a signal refused as it was stored (the engine is HALTED) says so and why.
    if (rejected !== undefined)
      return { statusCode: 202, body: { status: 'accepted', signalId, state: 'rejected', reason: rejected } };
    return { statusCode: 202, body: { status: 'accepted', signalId } };
  }

  #staleMessage(signal: Signal): string | undefined {
    const ageMs = signal.receivedAtMs - signal.alertAtMs;
    if (ageMs > this.options.alertAgeMaxMs)
      return `the alert fired ${ageMs} ms ago, more than the ${this.options.alertAgeMaxMs} ms allowed`;
    if (-ageMs > this.options.alertFutureMaxMs)
      return `the alert is dated ${-ageMs} ms in the future, more than the ${this.options.alertFutureMaxMs} ms allowed`;
    return undefined;
  }

  /** The signed timestamp is an integer of epoch ms within signatureAgeMaxMs of now, either way. */
  #recent(timestamp: string, receivedAtMs: number): boolean {
    if (!/^\d{1,16}$/.test(timestamp)) return false;
    return Math.abs(receivedAtMs - Number(timestamp)) <= this.options.signatureAgeMaxMs;
  }

  #unauthorized(check: 'signature' | 'signature-age' | 'passphrase'): IntakeResponse {
    // Which check failed goes to our log only, never to the sender.
    this.#logger.warn({ check }, 'webhook failed authentication');
    return this.#reject('auth', UNAUTHORIZED);
  }

  #invalid(problems: readonly SignalProblem[]): IntakeResponse {
    this.#logger.info({ problems }, 'invalid signal refused');
    return this.#reject('invalid', { statusCode: 400, body: { error: 'invalid signal', problems } });
  }

  #reject(reason: RejectReason, response: IntakeResponse): IntakeResponse {
    this.#rejectedEmitter.emit({ reason, statusCode: response.statusCode });
    return response;
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeUtf8(bytes: Buffer): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** The text with every copy of the passphrase replaced. */
const redact = (text: string, passphrase: string): string =>
  text.includes(passphrase) ? text.split(passphrase).join('[redacted]') : text;

/** Replaces the passphrase inside the free-text fields a signal keeps. */
function scrubPassphrase(signal: Signal, passphrase: string): Signal {
  const strategy = signal.strategy === undefined ? undefined : redact(signal.strategy, passphrase);
  const clientId = signal.clientId === undefined ? undefined : redact(signal.clientId, passphrase);
  if (strategy === signal.strategy && clientId === signal.clientId) return signal;
  return {
    ...signal,
    ...(strategy === undefined ? {} : { strategy }),
    ...(clientId === undefined ? {} : { clientId }),
  };
}
