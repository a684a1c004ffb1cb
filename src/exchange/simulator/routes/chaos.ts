// The simulator-only control surface: POST /_chaos (add/clear/setMarketClosed), GET /_chaos, GET /_chaos/orders.
import type { FastifyInstance } from 'fastify';
import { ZodError } from 'zod';
import type { ChaosController } from '../chaos.js';
import type { GroundTruthOrder } from '../types.js';

export function chaosRoutes(chaos: ChaosController, groundTruth: () => GroundTruthOrder[]) {
  return async (app: FastifyInstance): Promise<void> => {
    app.post('/_chaos', async (request, reply) => {
      try {
        return reply.send({
          status: 'ok',
          ...chaos.apply(request.body as Parameters<ChaosController['apply']>[0]),
        });
      } catch (error) {
        if (error instanceof ZodError || error instanceof RangeError)
          return reply.code(400).send({ status: 'failed', code: 'ParseError', message: error.message });
        throw error;
      }
    });
    app.get('/_chaos', async (_request, reply) =>
      reply.send({ status: 'ok', rules: chaos.rules(), stats: chaos.stats() }),
    );
    app.get('/_chaos/orders', async (_request, reply) => reply.send({ status: 'ok', orders: groundTruth() }));
  };
}
