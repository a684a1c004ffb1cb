// The seam between the Nobitex client and the network. Tests and paper mode supply their own.
import type { AbortSignalLike } from '../../core/policy.js';

/** Bulkhead groups: each has its own connections and queue, so market data never starves orders. */
export type EndpointGroup = 'orders' | 'account' | 'marketData';
export const ENDPOINT_GROUPS: readonly EndpointGroup[] = ['orders', 'account', 'marketData'];

/** Queue order within a group: 'high' (place/cancel) before 'normal' before 'low' (market data). */
export type RequestPriority = 'high' | 'normal' | 'low';
export const REQUEST_PRIORITIES: readonly RequestPriority[] = ['high', 'normal', 'low'];

export interface TransportRequest {
  readonly group: EndpointGroup;
  readonly method: 'GET' | 'POST';
  /** Path with the query string, e.g. `/market/orders/list?details=2`. */
  readonly path: string;
  /** The exact body bytes to send (it is what the signature covers). */
  readonly body?: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly priority: RequestPriority;
  /** Longest wait in the queue before the request is rejected unsent, ms from the call. */
  readonly deadlineMs?: number;
  readonly signal?: AbortSignalLike;
}

export interface TransportResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly bodyText: string;
  /** Which endpoint answered, e.g. `https://apiv2.nobitex.ir`. */
  readonly baseUrl: string;
  readonly durationMs: number;
}

/**
 * Sends one HTTP request. Rejects with RequestNotSentError when nothing reached the wire and
 * RequestMaybeSentError when the request was written but no complete answer came back.
 */
export interface Transport {
  request(request: TransportRequest): Promise<TransportResponse>;
}
