// Refuses state-changing requests another site's page could have sent. A browser sends a cross-site
// POST without asking first only when it is "simple" (form or text/plain body, no custom header), so a
// state-changing request must be JSON or carry X-Keel-Request, and any Origin or Sec-Fetch-Site it
// carries must say it came from Keel's own pages. Clients that are not browsers send neither header.
import type { FastifyReply, FastifyRequest } from 'fastify';

/** Set by Keel's CLI and by scripts for state-changing requests without a JSON body. */
export const REQUEST_HEADER = 'x-keel-request';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface CrossSiteGuardOptions {
  /** Names the dashboard is reached under through a proxy (the Host Keel sees may differ). */
  readonly publicHosts?: readonly string[];
}

export function createCrossSiteGuard(options: CrossSiteGuardOptions = {}) {
  const publicHosts = new Set((options.publicHosts ?? []).map((host) => host.toLowerCase()));
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const problem = crossSiteProblem(request, publicHosts);
    if (problem === undefined) return;
    await reply
      .code(403)
      .header('cache-control', 'no-store')
      .send({ error: 'cross-site request refused', reason: problem });
  };
}

/** Why the request may come from another site, or undefined when it is Keel's own. */
export function crossSiteProblem(
  request: FastifyRequest,
  publicHosts: ReadonlySet<string>,
): string | undefined {
  if (SAFE_METHODS.has(request.method)) return undefined;
  const mediaType = request.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
  if (mediaType !== 'application/json' && request.headers[REQUEST_HEADER] === undefined)
    return `send Content-Type: application/json or an ${REQUEST_HEADER} header`;
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin') return `Sec-Fetch-Site is ${site}, not same-origin`;
  const origin = request.headers.origin;
  if (origin !== undefined && !isOwnOrigin(origin, request.headers.host, publicHosts))
    return 'Origin is not this server';
  return undefined;
}

function isOwnOrigin(origin: string, host: string | undefined, publicHosts: ReadonlySet<string>): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false; // `null` (sandboxed frames, file:) or garbage
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  if (host !== undefined && url.host === host.toLowerCase()) return true;
  return publicHosts.has(url.hostname);
}
