// The dashboard page: `app.register(dashboardPlugin, { access })` serves GET / and GET /static/<file>.
// Files come from an in-memory table (see static-files.ts); the page talks to the API under /api.
import { createHash } from 'node:crypto';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { AccessControl } from '../api/access-control.js';
import { defaultStaticDirectory, type StaticFile, StaticFiles } from './static-files.js';

export interface DashboardPluginOptions {
  /** From createAccessControl(); the same one guards the API. */
  readonly access: AccessControl;
  /** Folder with index.html, app.js, style.css; defaults to `static/` beside this module. */
  readonly staticDirectory?: string;
}

export const STATIC_PREFIX = '/static/';

export const dashboardPlugin: FastifyPluginAsync<DashboardPluginOptions> = async (app, options) => {
  const files = new StaticFiles(options.staticDirectory ?? defaultStaticDirectory());
  const index = files.lookup('index.html');
  if (index.kind !== 'found') throw new RangeError('dashboard index.html missing');
  const policy = contentSecurityPolicy(index.file.body.toString('utf8'));

  app.addHook('onRequest', options.access.guard);

  app.get('/', async (_request, reply) => send(reply.header('content-security-policy', policy), index.file));

  app.get(`${STATIC_PREFIX}*`, async (request, reply) => {
    // The raw path, still encoded: the router's decoded parameter would hide `%2F` and `%2e%2e`.
    const path = request.url.split('?', 1)[0] ?? '';
    const found = path.startsWith(STATIC_PREFIX) ? files.lookup(path.slice(STATIC_PREFIX.length)) : undefined;
    if (found === undefined || found.kind === 'invalid') return reply.code(400).send({ error: 'bad path' });
    if (found.kind === 'missing') return reply.code(404).send({ error: 'not found' });
    return send(reply, found.file);
  });
};

function send(reply: FastifyReply, file: StaticFile): FastifyReply {
  return reply
    .header('content-type', file.contentType)
    .header('cache-control', 'no-cache')
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('x-frame-options', 'DENY')
    .send(file.body);
}

/** Allows the page's own inline loader script by its hash, and nothing else inline. */
function contentSecurityPolicy(html: string): string {
  const hashes = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map(
    (match) =>
      `'sha256-${createHash('sha256')
        .update(match[1] ?? '', 'utf8')
        .digest('base64')}'`,
  );
  return [
    "default-src 'self'",
    `script-src 'self' ${hashes.join(' ')}`.trim(),
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}
