// The HTTP side of the SMS, Telegram, Bale and webhook channels: one undici dispatcher per channel (its
// own connections and timeouts, so a slow peer cannot hold another channel's sockets), through the
// channel's proxy when it has one, bounded answers, and errors that say what happened without the URL,
// the headers, the proxy's credentials or anything secret.
import { type Dispatcher, request } from 'undici';
import { AbortedError } from '../../../core/errors.js';
import { createRoutedDispatcher } from '../../../net/proxy-dispatcher.js';
import { chooseProxy, describeProxy, proxySecrets } from '../../../net/proxy-route.js';
import { ChannelDeliveryError, errorText, isRetryableStatus, peerText } from './errors.js';

export interface ChannelHttpClientOptions {
  /** Channel name, the first word of every error message. */
  readonly channel: string;
  /** Connect, headers and body timeout of each request, ms. */
  readonly timeoutMs: number;
  /** Secret values to scrub from every error message (tokens, keys, secret URLs). */
  readonly secrets: readonly string[];
  /** Sockets to the peer at most. Default 2. */
  readonly connectionsMax?: number;
  /** Answer bytes read at most; the rest is discarded. Default 65_536. */
  readonly bodySizeBytesMax?: number;
  /** The peer's origin, to choose the proxy by (NO_PROXY). */
  readonly origin: string;
  /** Proxy setting: `direct`, a proxy URL, or unset to follow HTTPS_PROXY / NO_PROXY. */
  readonly proxy?: string | undefined;
}

export type HttpBody =
  | { readonly kind: 'json'; readonly value: unknown }
  | { readonly kind: 'form'; readonly fields: Readonly<Record<string, string>> };

export interface HttpPost {
  readonly url: string;
  readonly body: HttpBody;
  /** Names the request in error messages instead of the URL, which may hold a secret. */
  readonly target: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly signal: AbortSignal;
}

export interface HttpAnswer {
  readonly status: number;
  /** At most bodySizeBytesMax bytes of the answer, as text. */
  readonly text: string;
}

const defaults = { connectionsMax: 2, bodySizeBytesMax: 65_536 } as const;

export class ChannelHttpClient {
  readonly channel: string;
  readonly #secrets: readonly string[];
  readonly #bodySizeBytesMax: number;
  readonly #agent: Dispatcher;
  /** The proxy in use without credentials (`direct` when none), for logs and the dashboard. */
  readonly proxy: string;

  constructor(options: ChannelHttpClientOptions) {
    if (!(Number.isInteger(options.timeoutMs) && options.timeoutMs > 0))
      throw new RangeError(`timeoutMs must be a positive integer, was ${options.timeoutMs}`);
    const connectionsMax = options.connectionsMax ?? defaults.connectionsMax;
    if (!(Number.isInteger(connectionsMax) && connectionsMax >= 1 && connectionsMax <= 64))
      throw new RangeError(`connectionsMax must be an integer in [1, 64], was ${connectionsMax}`);
    this.#bodySizeBytesMax = options.bodySizeBytesMax ?? defaults.bodySizeBytesMax;
    if (!(Number.isInteger(this.#bodySizeBytesMax) && this.#bodySizeBytesMax >= 1))
      throw new RangeError(`bodySizeBytesMax must be a positive integer, was ${this.#bodySizeBytesMax}`);
    this.channel = options.channel;
    const route = chooseProxy({ setting: options.proxy, target: options.origin });
    this.proxy = describeProxy(route);
    this.#secrets = [...options.secrets, ...proxySecrets(route)];
    this.#agent = createRoutedDispatcher({
      route,
      connectTimeoutMs: options.timeoutMs,
      poolOptions: {
        connections: connectionsMax,
        pipelining: 1,
        connect: { timeout: options.timeoutMs },
        headersTimeout: options.timeoutMs,
        bodyTimeout: options.timeoutMs,
        keepAliveTimeout: 4_000,
        keepAliveMaxTimeout: 60_000,
      },
    });
  }

  /** Resolves with any HTTP answer; rejects with ChannelDeliveryError (no answer) or AbortedError. */
  async post(post: HttpPost): Promise<HttpAnswer> {
    const { contentType, payload } = encode(post.body);
    try {
      const response = await request(post.url, {
        dispatcher: this.#agent,
        method: 'POST',
        headers: { ...post.headers, 'content-type': contentType, accept: 'application/json' },
        body: payload,
        signal: post.signal,
      });
      const text = await readBounded(response.body, this.#bodySizeBytesMax);
      return { status: response.statusCode, text };
    } catch (error) {
      if (post.signal.aborted)
        throw new AbortedError(`${this.channel}: ${post.target} aborted`, { cause: post.signal.reason });
      throw new ChannelDeliveryError(
        `${this.channel}: ${post.target} failed: ${errorText(error, this.#secrets)}`,
        {
          channel: this.channel,
          retryable: true,
        },
      );
    }
  }

  /** Throws ChannelDeliveryError unless the answer is 2xx; the message has the status and a scrubbed excerpt. */
  expectSuccess(answer: HttpAnswer, target: string): void {
    if (answer.status >= 200 && answer.status < 300) return;
    const excerpt = peerText(answer.text, this.#secrets);
    throw new ChannelDeliveryError(
      `${this.channel}: ${target} answered HTTP ${answer.status}${excerpt === '' ? '' : `: ${excerpt}`}`,
      { channel: this.channel, status: answer.status, retryable: isRetryableStatus(answer.status) },
    );
  }

  /** The answer as `HTTP 200: {…}`, scrubbed and shortened, for `keel alerts test`. */
  describe(answer: HttpAnswer): string {
    const excerpt = peerText(answer.text, this.#secrets);
    return `HTTP ${answer.status}${excerpt === '' ? '' : `: ${excerpt}`}`;
  }

  async close(): Promise<void> {
    await this.#agent.close();
  }
}

function encode(body: HttpBody): { contentType: string; payload: string } {
  if (body.kind === 'json') return { contentType: 'application/json', payload: JSON.stringify(body.value) };
  return {
    contentType: 'application/x-www-form-urlencoded',
    payload: new URLSearchParams(Object.entries(body.fields)).toString(),
  };
}

async function readBounded(
  body: AsyncIterable<Buffer> & { destroy(): unknown },
  bytesMax: number,
): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk.subarray(0, bytesMax - size));
    size += chunk.length;
    if (size >= bytesMax) {
      body.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).toString('utf8');
}
