// The operator's actions under /api beside the dashboard API: POST /reconcile, POST /orders/:id/end
// (an UNKNOWN order checked by hand) and GET /cluster. Register it behind the operator access guard.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { isStuckOrderError } from '../../exchange/transaction-verification/transaction-verifier.js';
import type { AccessControl } from '../../monitoring/api/access-control.js';

export interface OperationsPluginOptions {
  readonly access: AccessControl;
  /** Runs one reconciliation now (POST /api/reconcile, `keel reconcile`). */
  readonly reconcile: () => Promise<unknown>;
  /** Ends an UNKNOWN order an operator checked by hand (POST /api/orders/:id/end, `keel orders end`). */
  readonly endStuckOrder: (orderId: string, input: { by: string; reason: string }) => Promise<unknown>;
  /** GET /api/cluster: leadership and shared-state modes of this instance. */
  readonly cluster?: () => Promise<unknown>;
}

export async function operationsPlugin(
  app: FastifyInstance,
  options: OperationsPluginOptions,
): Promise<void> {
  const { access } = options;
  app.post('/reconcile', async () => options.reconcile());
  app.post('/orders/:id/end', { bodyLimit: 4_096 }, async (request, reply) => {
    const parsed = endOrderSchema.safeParse({ params: request.params, body: request.body ?? {} });
    if (!parsed.success) return reply.code(400).send({ error: 'expected :id, and a body { reason }' });
    const { params, body } = parsed.data;
    const by = access.principal(request);
    if (by === undefined) throw new Error('request reached the API without a principal');
    try {
      return await options.endStuckOrder(params.id, {
        by,
        reason: body.reason ?? 'checked on the exchange by an operator',
      });
    } catch (error) {
      if (isStuckOrderError(error)) return reply.code(409).send({ error: error.message });
      throw error;
    }
  });
  const { cluster } = options;
  if (cluster !== undefined) app.get('/cluster', async () => cluster());
}

/** Who ends the order is the authenticated principal: a body naming someone (`by`) is refused. */
const endOrderSchema = z.object({
  params: z.object({ id: z.string().min(1).max(200) }),
  body: z.strictObject({ reason: z.string().min(1).max(500).optional() }),
});
