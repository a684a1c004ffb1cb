// Goal (issue 17): `keel sim` listens where the config says (simulator.port, KEEL_SIM_PORT), with the
// configured seed and rate-limit scale, and --port / --seed override them. Method: the command's own
// settings function over configs loaded from an injected environment.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/index.js';
import { simServerSettings } from './sim.js';

const configFrom = (env: Record<string, string>) => {
  const result = loadConfig({ env, cwd: '/nonexistent-keel-dir' });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.config;
};

describe('keel sim settings', () => {
  it('takes port and seed from the config (KEEL_SIM_PORT, KEEL_SIM_SEED)', () => {
    const config = configFrom({ KEEL_SIM_PORT: '18123', KEEL_SIM_SEED: '9' });
    expect(simServerSettings(config, { host: '127.0.0.1' })).toEqual({
      host: '127.0.0.1',
      port: 18_123,
      seed: 9,
      rateLimitScale: 1,
    });
  });

  it('lets --port and --seed override the config, and refuses a bad --port', () => {
    const config = configFrom({ KEEL_SIM_PORT: '18123' });
    expect(simServerSettings(config, { host: '127.0.0.1', port: '0', seed: '4' })).toMatchObject({
      port: 0,
      seed: 4,
    });
    expect(simServerSettings(config, { host: '127.0.0.1', port: '70000' })).toBe(
      '--port must be 0..65535 and --seed a non-negative integer, was 70000, undefined',
    );
  });
});
