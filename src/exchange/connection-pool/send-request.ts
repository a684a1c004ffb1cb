// One request on one undici pool, with failures sorted into "never sent" and "maybe sent".
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { isProxyConnectError } from '../../net/errors.js';
import { RequestMaybeSentError, RequestNotSentError } from './errors.js';
import { REQUEST_ID_HEADER, trackSending } from './sent-tracker.js';
import type { TransportRequest } from './transport.js';

export interface SendOptions {
  readonly baseUrl: string;
  readonly headersTimeoutMs: number;
  readonly bodyTimeoutMs: number;
  readonly bodySizeBytesMax: number;
}

export interface RawResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly bodyText: string;
}

export async function sendRequest(
  dispatcher: Dispatcher,
  request: Pick<TransportRequest, 'method' | 'path' | 'body' | 'headers' | 'signal'>,
  options: SendOptions,
): Promise<RawResponse> {
  const tracking = trackSending();
  try {
    const response = await dispatcher.request({
      // A pool ignores it; a proxy's dispatcher routes by it.
      origin: options.baseUrl,
      method: request.method,
      path: request.path,
      headers: { ...request.headers, [REQUEST_ID_HEADER]: tracking.id },
      body: request.body ?? null,
      headersTimeout: options.headersTimeoutMs,
      bodyTimeout: options.bodyTimeoutMs,
      // Undici takes any EventTarget as a signal: an AbortSignalLike listens and aborts alike.
      signal: (request.signal ?? null) as AbortSignal | null,
    });
    const bodyText = await readBody(response.body, options.bodySizeBytesMax);
    return { statusCode: response.statusCode, headers: flattenHeaders(response.headers), bodyText };
  } catch (error) {
    throw classifyFailure(error, tracking.wasWritten(), options.baseUrl);
  } finally {
    tracking.release();
  }
}

/**
 * The body as text, refused past bodySizeBytesMax. Read with listeners rather than `for await`: the
 * async iterator costs several µs per answer. The stream's own error (timeout, reset, abort) rejects.
 */
function readBody(body: Readable, bodySizeBytesMax: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let sizeBytes = 0;
    body.on('data', (chunk: Buffer | string) => {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      sizeBytes += buffer.length;
      if (sizeBytes > bodySizeBytesMax)
        body.destroy(new BodyTooLargeError(`response body exceeds ${bodySizeBytesMax} bytes`));
      else chunks.push(buffer);
    });
    let settled = false;
    body.on('error', (error) => {
      settled = true;
      reject(error);
    });
    body.on('end', () => {
      settled = true;
      const [only] = chunks;
      resolve((chunks.length === 1 && only !== undefined ? only : Buffer.concat(chunks)).toString('utf8'));
    });
    // Closed with neither an end nor an error: the answer was cut short.
    body.on('close', () => {
      if (!settled) reject(new BodyClosedError('response body closed before its end'));
    });
  });
}

class BodyClosedError extends Error {}

class BodyTooLargeError extends Error {}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

const errorCode = (error: unknown): string => {
  const code = (error as { code?: unknown } | null)?.code;
  const name = (error as { name?: unknown } | null)?.name;
  return typeof code === 'string' ? code : typeof name === 'string' ? name : '';
};

function classifyFailure(error: unknown, written: boolean, baseUrl: string): Error {
  const code = errorCode(error);
  const detail = `${baseUrl}: ${error instanceof Error ? error.message : String(error)}`;
  if (!written) {
    const reason = isProxyConnectError(error)
      ? 'proxyFailed'
      : code === 'ECONNREFUSED'
        ? 'connectRefused'
        : code === 'UND_ERR_CONNECT_TIMEOUT'
          ? 'connectTimeout'
          : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
            ? 'dns'
            : code === 'UND_ERR_ABORTED' || code === 'AbortError'
              ? 'aborted'
              : code === 'UND_ERR_DESTROYED' || code === 'UND_ERR_CLOSED'
                ? 'closed'
                : 'closedBeforeWrite';
    return new RequestNotSentError(`not sent: ${detail}`, { reason, baseUrl, cause: error });
  }
  const reason =
    code === 'UND_ERR_HEADERS_TIMEOUT'
      ? 'headersTimeout'
      : code === 'UND_ERR_BODY_TIMEOUT'
        ? 'bodyTimeout'
        : code === 'UND_ERR_ABORTED' || code === 'AbortError'
          ? 'aborted'
          : code === 'UND_ERR_SOCKET' || code === 'ECONNRESET' || code === 'EPIPE'
            ? 'socketReset'
            : 'failedAfterWrite';
  return new RequestMaybeSentError(`sent, outcome unknown: ${detail}`, { reason, baseUrl, cause: error });
}
