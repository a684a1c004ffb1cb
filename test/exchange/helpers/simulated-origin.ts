// An undici-shaped dispatcher for one base URL that answers from the simulator's fastify app after a
// latency chosen per request on the FakeClock, and times out like undici when that latency reaches the
// headers timeout. It announces the headers as written (undici's diagnostics channel), as a socket
// would, so a timeout counts as "maybe sent" exactly as it does on the wire.
import diagnosticsChannel from 'node:diagnostics_channel';
import { Readable } from 'node:stream';
import type { Pool } from 'undici';
import type { FakeClock } from '../../../src/core/clock.js';
import { REQUEST_ID_HEADER } from '../../../src/exchange/connection-pool/sent-tracker.js';
import type { Simulator } from '../../../src/exchange/simulator/index.js';

const sendHeaders = diagnosticsChannel.channel('undici:client:sendHeaders');

interface DispatchOptions {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string | null;
  readonly headersTimeout: number;
}

export function simulatedOrigin(options: {
  readonly simulator: Simulator;
  readonly clock: FakeClock;
  /** Latency of a request sent at `nowMs`, ms. */
  readonly latencyMs: (nowMs: number) => number;
}): Pool {
  const { simulator, clock } = options;
  const origin = {
    destroyed: false,
    closed: false,
    stats: { connected: 1, free: 1, pending: 0, queued: 0, running: 0 },
    async request(request: DispatchOptions) {
      sendHeaders.publish({ headers: `${REQUEST_ID_HEADER}: ${request.headers[REQUEST_ID_HEADER]}\r\n` });
      const latencyMs = options.latencyMs(clock.nowMs());
      if (latencyMs >= request.headersTimeout) {
        await clock.sleep(request.headersTimeout);
        throw Object.assign(new Error('Headers Timeout Error'), { code: 'UND_ERR_HEADERS_TIMEOUT' });
      }
      await clock.sleep(latencyMs);
      const response = await simulator.app.inject({
        method: request.method as 'GET',
        url: request.path,
        headers: request.headers,
        ...(request.body === null ? {} : { payload: request.body }),
      });
      return {
        statusCode: response.statusCode,
        headers: response.headers,
        // A stream, as undici's body is.
        body: Readable.from([response.rawPayload]),
      };
    },
    async destroy() {
      origin.destroyed = true;
    },
    async close() {
      origin.closed = true;
    },
  };
  return origin as unknown as Pool;
}
