// Talks to a running Keel's API (loopback by default), for commands that act on the live engine.
import { request } from 'undici';
import { z } from 'zod';
import type { KeelConfig } from '../config/index.js';
import { REQUEST_HEADER } from '../monitoring/api/cross-site-guard.js';

export class ApiCallError extends Error {}

/** Requests to the running server give up after this, ms. */
const API_TIMEOUT_MS = 60_000;

export async function callApi(
  config: KeelConfig,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  baseUrl?: string,
): Promise<unknown> {
  const base = baseUrl ?? defaultBaseUrl(config);
  // X-Keel-Request marks a request no other site's page could have sent (the API refuses one without it or JSON).
  const headers: Record<string, string> = { accept: 'application/json', [REQUEST_HEADER]: 'cli' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (config.dashboard.token !== undefined)
    headers.authorization = `Bearer ${config.dashboard.token.reveal()}`;
  else if (config.dashboard.basicAuth !== undefined)
    headers.authorization = `Basic ${Buffer.from(`${config.dashboard.basicAuth.user}:${config.dashboard.basicAuth.password.reveal()}`).toString('base64')}`;
  let response: Awaited<ReturnType<typeof request>>;
  try {
    response = await request(`${base}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      headersTimeout: API_TIMEOUT_MS,
      bodyTimeout: API_TIMEOUT_MS,
    });
  } catch (error) {
    throw new ApiCallError(
      `cannot reach Keel at ${base} (is \`keel start\` running?): ${(error as Error).message}`,
    );
  }
  const text = await response.body.text();
  const parsed = text.length === 0 ? null : safeJson(text);
  if (response.statusCode >= 400)
    throw new ApiCallError(`${method} ${path}: HTTP ${response.statusCode} ${text.slice(0, 300)}`);
  return parsed;
}

/** The operator listener when it has its own, else the shared one. */
function defaultBaseUrl(config: KeelConfig): string {
  const { server } = config;
  const [bound, port] =
    server.operatorPort === undefined
      ? [server.host, server.port]
      : [server.operatorHost, server.operatorPort];
  const host = ['0.0.0.0', '::', ''].includes(bound) ? '127.0.0.1' : bound;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export const URL_OPTION_FLAGS = '--url <url>';
export const URL_OPTION_DESCRIPTION =
  'base URL of the running Keel (default from server.operatorHost/operatorPort, else server.host and server.port)';
export const baseUrlSchema = z.url({ protocol: /^https?$/ });
