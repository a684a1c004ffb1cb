// What every placing request (a first send and a resend after proven absence) must pass right before
// it leaves: the kill switch as stored (a halt set on any instance, the CLI or the dashboard counts),
// the signal's maximum age, and this instance's trading lease, which must outlast the request. The
// checks run before the order is marked SUBMITTING, and the permit runs them again inside each
// attempt, after any rate-limit wait, right before the request is handed to the connection (the lease
// and the age are read last, with no wait between them and the send); the permit's signal aborts the
// request when the lease is lost.
import type { Clock } from '../../core/clock.js';
import type { Disposable } from '../../core/events.js';
import type { LeaderLease } from '../../storage/leadership/leader-lease.js';
import { RequestNotSentError } from '../connection-pool/errors.js';
import type { OrderIntent } from '../order-journal/order-intent.js';

/** send: go, with this permit. hold: not now, ask again later. stale: never send this order. */
export type SendVerdict =
  | { readonly kind: 'send'; readonly permit: SendPermit }
  | { readonly kind: 'hold'; readonly reason: string }
  | { readonly kind: 'stale'; readonly reason: string };

/** Travels with one placing request. */
export interface SendPermit {
  /** Aborted when the lease is lost: a request still queued never leaves. */
  readonly signal: AbortSignal;
  /** Run right before each attempt leaves; rejects with a RequestNotSentError when it must not. */
  check(): Promise<void>;
  /** Releases the lease listener. */
  dispose(): void;
}

export interface SendGuardOptions {
  /** True when the kill switch as stored says HALTED; read on every check, never a cached copy. */
  readonly halted: () => Promise<boolean>;
  /** When the order's signal becomes too old to trade, epoch ms; undefined when it has no limit. */
  readonly staleAtMs: (intent: OrderIntent) => Promise<number | undefined>;
  /** This instance's trading lease; undefined on a single machine (no lease: always the leader). */
  readonly lease?: Pick<LeaderLease, 'leaderInfo' | 'onDemoted'> | undefined;
  /** The longest one placing attempt can take (the adapter's orders timeout), ms. */
  readonly requestTimeoutMs: number;
  readonly clock: Clock;
}

export class SendGuard {
  readonly #o: SendGuardOptions;

  constructor(options: SendGuardOptions) {
    if (!Number.isSafeInteger(options.requestTimeoutMs) || options.requestTimeoutMs < 1)
      throw new RangeError(`requestTimeoutMs must be a positive integer, was ${options.requestTimeoutMs}`);
    this.#o = options;
  }

  /** Asked right before an order is marked SUBMITTING for a first send or a resend. */
  async check(intent: OrderIntent): Promise<SendVerdict> {
    const staleAtMs = await this.#o.staleAtMs(intent);
    const stale = this.#staleReason(staleAtMs);
    if (stale !== undefined) return { kind: 'stale', reason: stale };
    if (await this.#o.halted()) return { kind: 'hold', reason: 'the engine is HALTED' };
    const lease = this.#leaseReason();
    if (lease !== undefined) return { kind: 'hold', reason: lease };
    return { kind: 'send', permit: this.#permit(staleAtMs) };
  }

  #permit(staleAtMs: number | undefined): SendPermit {
    const controller = new AbortController();
    const lost: Disposable | undefined = this.#o.lease?.onDemoted((demotion) =>
      controller.abort(new Error(`trading lease ${demotion.reason}: placing request aborted`)),
    );
    return {
      signal: controller.signal,
      check: async () => {
        const halted = await this.#o.halted();
        const reason = controller.signal.aborted
          ? 'the trading lease was lost'
          : halted
            ? 'the engine is HALTED'
            : (this.#staleReason(staleAtMs) ?? this.#leaseReason());
        if (reason !== undefined) throw new RequestNotSentError(`not sent: ${reason}`, { reason: 'aborted' });
      },
      dispose: () => lost?.dispose(),
    };
  }

  #staleReason(staleAtMs: number | undefined): string | undefined {
    if (staleAtMs === undefined || this.#o.clock.nowMs() < staleAtMs) return undefined;
    return 'the signal is older than its maximum age';
  }

  /** Undefined when the request may leave as far as the lease goes. */
  #leaseReason(): string | undefined {
    const { lease } = this.#o;
    if (lease === undefined) return undefined;
    const info = lease.leaderInfo();
    if (info === undefined) return 'this instance does not hold the trading lease';
    const leftMs = info.expiresAtMs - this.#o.clock.nowMs();
    if (leftMs <= this.#o.requestTimeoutMs)
      return `the trading lease has ${leftMs} ms left, not more than one request (${this.#o.requestTimeoutMs} ms)`;
    return undefined;
  }
}

/** A stale verdict's rejection code, on the order and on its signal. */
export const STALE_CODE = 'Stale';
