// The dashboard page: `app.register(dashboardPlugin, { access })` serves GET / and GET /static/<file>, in a
// scope guarded by operatorAccessPlugin. A visitor without credentials gets the login page (401); a
// login by token or basic auth becomes a session cookie. Files come from an in-memory table (see
// static-files.ts); security headers come from @fastify/helmet, with a CSP that allows only the pages'
// own inline scripts, by hash.
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import fastifyHelmet from '@fastify/helmet';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { type AccessControl, LOGIN_PAGE_CONFIG } from '../api/access-control.js';
import { assertOperatorAccess } from '../api/operator-access-plugin.js';
import { defaultStaticDirectory, type StaticFile, StaticFiles, type VendorFile } from './static-files.js';

export interface DashboardPluginOptions {
  /** The one operatorAccessPlugin guards this scope with. */
  readonly access: AccessControl;
  /** Folder with index.html, login.html, app.js, style.css; defaults to `static/` beside this module. */
  readonly staticDirectory?: string;
}

export const STATIC_PREFIX = '/static/';

// uPlot (charts) from node_modules, served by the static route like our own files: no CDN.
const requireFromHere = createRequire(import.meta.url);
const CHART_LIBRARY_FILES: readonly VendorFile[] = [
  { name: 'uPlot.iife.min.js', path: requireFromHere.resolve('uplot/dist/uPlot.iife.min.js') },
  { name: 'uPlot.min.css', path: requireFromHere.resolve('uplot/dist/uPlot.min.css') },
];

export const dashboardPlugin: FastifyPluginAsync<DashboardPluginOptions> = async (app, options) => {
  assertOperatorAccess(app, 'dashboardPlugin');
  const { access } = options;
  const files = new StaticFiles(options.staticDirectory ?? defaultStaticDirectory(), CHART_LIBRARY_FILES);
  const index = page(files, 'index.html');
  const login = page(files, 'login.html');
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: { useDefaults: false, directives: directives([index, login]) },
    frameguard: { action: 'deny' },
    hsts: { maxAge: 15_552_000, includeSubDomains: false },
    referrerPolicy: { policy: 'no-referrer' },
  });

  app.get('/', { config: LOGIN_PAGE_CONFIG }, async (request, reply) => {
    if (access.principal(request) === undefined) {
      if (access.basicAuthConfigured) reply.header('www-authenticate', 'Basic realm="keel", charset="UTF-8"');
      return send(reply.code(401).header('cache-control', 'no-store'), login);
    }
    access.startSession(request, reply);
    return send(reply, index);
  });

  app.get(`${STATIC_PREFIX}*`, async (request, reply) => {
    // The raw path, still encoded: the router's decoded parameter would hide `%2F` and `%2e%2e`.
    const path = request.url.split('?', 1)[0] ?? '';
    const found = path.startsWith(STATIC_PREFIX) ? files.lookup(path.slice(STATIC_PREFIX.length)) : undefined;
    if (found === undefined || found.kind === 'invalid') return reply.code(400).send({ error: 'bad path' });
    if (found.kind === 'missing') return reply.code(404).send({ error: 'not found' });
    return send(reply, found.file);
  });
};

function page(files: StaticFiles, name: string): StaticFile {
  const found = files.lookup(name);
  if (found.kind !== 'found') throw new RangeError(`dashboard ${name} missing`);
  return found.file;
}

function send(reply: FastifyReply, file: StaticFile): FastifyReply {
  if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-cache');
  return reply.header('content-type', file.contentType).send(file.body);
}

/** Only the pages' own inline scripts, by hash, and nothing else inline. */
function directives(pages: readonly StaticFile[]): Record<string, string[]> {
  const hashes = pages.flatMap((file) =>
    [...file.body.toString('utf8').matchAll(/<script>([\s\S]*?)<\/script>/g)].map(
      (match) =>
        `'sha256-${createHash('sha256')
          .update(match[1] ?? '', 'utf8')
          .digest('base64')}'`,
    ),
  );
  return {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'", ...hashes],
    styleSrc: ["'self'"],
    imgSrc: ["'self'", 'data:'],
    connectSrc: ["'self'"],
    frameAncestors: ["'none'"],
    baseUri: ["'none'"],
    formAction: ["'none'"],
  };
}
