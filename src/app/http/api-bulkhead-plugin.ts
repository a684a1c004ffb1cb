// The operator API's handlers run inside one bulkhead (bulkheads.api): a flood of dashboard or script
// calls waits or is answered 503, and never takes more than its share of the process. The event stream
// (/api/events) stays open for long and is left out.
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { BulkheadPolicy } from '../../core/bulkhead.js';
import { isBulkheadRejectedError } from '../../core/errors.js';

export interface ApiBulkheadPluginOptions {
  readonly bulkhead: BulkheadPolicy;
  /** Requests whose path starts with this run in the bulkhead. */
  readonly prefix: string;
  /** Paths left out (long-lived streams). */
  readonly exempt: readonly string[];
}

/** How long a refused caller should wait before trying again, s (Retry-After). */
const RETRY_AFTER_S = 1;

export const apiBulkheadPlugin = fp<ApiBulkheadPluginOptions>(
  async (app: FastifyInstance, options) => {
    const { bulkhead, prefix, exempt } = options;
    const releases = new WeakMap<object, () => void>();
    app.addHook('onRequest', async (request, reply) => {
      const path = request.url.split('?')[0] ?? '';
      if (!path.startsWith(prefix) || exempt.includes(path)) return;
      try {
        // Holds a slot from now until the response is finished (or the connection closes).
        await new Promise<void>((entered, refused) => {
          bulkhead
            .execute(
              () =>
                new Promise<void>((release) => {
                  releases.set(request, release);
                  reply.raw.once('close', release);
                  entered();
                }),
            )
            .catch(refused);
        });
      } catch (error) {
        if (!isBulkheadRejectedError(error)) throw error;
        return reply.code(503).header('retry-after', String(RETRY_AFTER_S)).send({ error: error.message });
      }
    });
    app.addHook('onResponse', async (request) => releases.get(request)?.());
  },
  { name: 'keel-api-bulkhead', fastify: '5.x' },
);
