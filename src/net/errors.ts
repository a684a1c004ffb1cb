// Errors of outbound connections through a proxy.
import { isKeelError, KeelError } from '../core/errors.js';

/** The proxy refused, failed or could not reach the peer: nothing was sent to the peer. */
export class ProxyConnectError extends KeelError {
  readonly code = 'KEEL_ERR_PROXY_CONNECT';
}
export const isProxyConnectError = (e: unknown): e is ProxyConnectError =>
  isKeelError(e) && e.code === 'KEEL_ERR_PROXY_CONNECT';
