// Transport errors say precisely whether the request may have reached the server.
import { isKeelError, KeelError } from '../../core/errors.js';

/** Why a request never left this process. */
export type NotSentReason =
  | 'queueFull'
  | 'queueDeadline'
  | 'aborted'
  | 'noHealthyEndpoint'
  | 'connectRefused'
  | 'connectTimeout'
  | 'dns'
  | 'closedBeforeWrite'
  | 'proxyFailed'
  | 'closed';

/** Why a request that was written has no definite outcome. */
export type MaybeSentReason =
  | 'socketReset'
  | 'headersTimeout'
  | 'bodyTimeout'
  | 'aborted'
  | 'failedAfterWrite';

export class RequestNotSentError extends KeelError {
  readonly code = 'KEEL_ERR_REQUEST_NOT_SENT';
  readonly reason: NotSentReason;
  readonly baseUrl: string | null;
  constructor(message: string, options: { reason: NotSentReason; baseUrl?: string | null; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.reason = options.reason;
    this.baseUrl = options.baseUrl ?? null;
  }
}
export const isRequestNotSentError = (e: unknown): e is RequestNotSentError =>
  isKeelError(e) && e.code === 'KEEL_ERR_REQUEST_NOT_SENT';

export class RequestMaybeSentError extends KeelError {
  readonly code = 'KEEL_ERR_REQUEST_MAYBE_SENT';
  readonly reason: MaybeSentReason;
  readonly baseUrl: string;
  constructor(message: string, options: { reason: MaybeSentReason; baseUrl: string; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.reason = options.reason;
    this.baseUrl = options.baseUrl;
  }
}
export const isRequestMaybeSentError = (e: unknown): e is RequestMaybeSentError =>
  isKeelError(e) && e.code === 'KEEL_ERR_REQUEST_MAYBE_SENT';
