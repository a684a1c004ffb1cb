// Goal: tracing.otlpEndpoint is off by default, read from KEEL_OTLP_ENDPOINT, and refused clearly when it
// is not an http(s) URL. Method: loadConfig on injected env objects.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Environment, loadConfig } from './index.js';

let cwd: string;
beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), 'keel-config-'));
});
afterEach(() => {
  rmSync(cwd, { recursive: true, force: true });
});

const load = (env: Environment) => loadConfig({ env, cwd });

describe('tracing settings', () => {
  it('leaves tracing off by default', () => {
    const result = load({});
    expect(result.ok && result.config.tracing.otlpEndpoint).toBeUndefined();
  });

  it('reads the OTLP endpoint from KEEL_OTLP_ENDPOINT', () => {
    const result = load({ KEEL_OTLP_ENDPOINT: 'http://127.0.0.1:4318/v1/traces' });
    expect(result.ok && result.config.tracing.otlpEndpoint).toBe('http://127.0.0.1:4318/v1/traces');
  });

  it('refuses an endpoint that is not an http(s) URL, naming the setting', () => {
    const result = load({ KEEL_OTLP_ENDPOINT: 'grpc://127.0.0.1:4317' });
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.problems[0]).toMatchObject({
        path: 'tracing.otlpEndpoint',
        expected: 'http(s) URL',
        source: 'env',
      });
  });
});
