// A Transport that calls the simulator's fastify `app.inject()` instead of opening sockets, so the
// whole stack runs in one process on a fake clock. A dropped connection (reset) and an answer that
// never comes (hang, timed out on the injected clock) are both "maybe sent": the handler may have run.
import type { Clock } from '../../core/clock.js';
import { RequestMaybeSentError, RequestNotSentError } from '../connection-pool/errors.js';
import type { Transport, TransportRequest, TransportResponse } from '../connection-pool/transport.js';
import type { Simulator } from './simulator.js';

export interface InjectTransportOptions {
  readonly simulator: Pick<Simulator, 'app'>;
  readonly clock: Clock;
  /** Longest wait for an answer on the clock, ms; then the request counts as maybe sent. */
  readonly headersTimeoutMs?: number;
  /** Reported as the answering endpoint. */
  readonly baseUrl?: string;
}

type InjectResponse = Awaited<ReturnType<Simulator['app']['inject']>>;
type Outcome =
  | { readonly kind: 'answer'; readonly response: InjectResponse }
  | { readonly kind: 'reset'; readonly error: unknown }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'aborted' };

export class InjectTransport implements Transport {
  readonly #options: Required<InjectTransportOptions>;
  #closed = false;
  #requests = 0;

  constructor(options: InjectTransportOptions) {
    const headersTimeoutMs = options.headersTimeoutMs ?? 5_000;
    if (!Number.isInteger(headersTimeoutMs) || headersTimeoutMs <= 0)
      throw new RangeError(`headersTimeoutMs must be a positive integer, was ${headersTimeoutMs}`);
    this.#options = {
      simulator: options.simulator,
      clock: options.clock,
      headersTimeoutMs,
      baseUrl: options.baseUrl ?? 'http://simulator.inject',
    };
  }

  /** Requests handed to the simulator so far. */
  get requestCount(): number {
    return this.#requests;
  }

  async request(request: TransportRequest): Promise<TransportResponse> {
    const { clock, headersTimeoutMs, baseUrl } = this.#options;
    if (this.#closed) throw new RequestNotSentError('transport closed', { reason: 'closed', baseUrl });
    if (request.signal?.aborted === true)
      throw new RequestNotSentError('aborted before send', { reason: 'aborted', baseUrl });
    this.#requests++;
    const startedAtMs = clock.nowMs();
    const outcome = await this.#send(request, headersTimeoutMs);
    if (outcome.kind === 'timeout')
      throw new RequestMaybeSentError(`no answer within ${headersTimeoutMs} ms`, {
        reason: 'headersTimeout',
        baseUrl,
      });
    if (outcome.kind === 'aborted')
      throw new RequestMaybeSentError('aborted after send', { reason: 'aborted', baseUrl });
    if (outcome.kind === 'reset')
      throw new RequestMaybeSentError('connection reset', {
        reason: 'socketReset',
        baseUrl,
        cause: outcome.error,
      });
    const headers: Record<string, string> = {};
    const { response } = outcome;
    for (const [name, value] of Object.entries(response.headers)) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : String(value);
    }
    return {
      statusCode: response.statusCode,
      headers,
      bodyText: response.body,
      baseUrl,
      durationMs: clock.nowMs() - startedAtMs,
    };
  }

  /** The answer, or why none came: a dropped connection, the clock running out, the caller aborting. */
  async #send(request: TransportRequest, timeoutMs: number): Promise<Outcome> {
    const { simulator, clock } = this.#options;
    const stop = new AbortController();
    const timedOut = clock.sleep(timeoutMs, stop.signal).then(
      (): Outcome => ({ kind: 'timeout' }),
      (): Outcome => ({ kind: 'aborted' }), // never wins: stopped only after the race
    );
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<Outcome>((resolve) => {
      onAbort = () => resolve({ kind: 'aborted' });
      request.signal?.addEventListener('abort', onAbort, { once: true });
    });
    const injected = simulator.app
      .inject({
        method: request.method,
        url: request.path,
        headers: { ...request.headers },
        ...(request.body === undefined ? {} : { payload: request.body }),
      })
      .then(
        (response): Outcome => ({ kind: 'answer', response }),
        (error: unknown): Outcome => ({ kind: 'reset', error }),
      );
    try {
      return await Promise.race([injected, timedOut, aborted]);
    } finally {
      stop.abort();
      if (onAbort !== undefined) request.signal?.removeEventListener('abort', onAbort);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
  }
}
