// GET /healthz (the process answers) and GET /readyz (ready to take signals: 200, else 503 with the
// reasons). Unauthenticated, for load balancers and orchestrators.
import type { FastifyInstance } from 'fastify';
import type { HealthRegistry } from '../../monitoring/health-registry.js';

export interface ProbesPluginOptions {
  /** Answers /readyz; without it only /healthz is served. */
  readonly health?: HealthRegistry;
}

export async function probesPlugin(app: FastifyInstance, options: ProbesPluginOptions): Promise<void> {
  app.get('/healthz', async () => ({ status: 'alive' }));
  const { health } = options;
  if (health === undefined) return;
  app.get('/readyz', async (_request, reply) => {
    const readiness = await health.readiness();
    return reply.code(readiness.ready ? 200 : 503).send(readiness);
  });
}
