// Goal: a JSON body nested thousands of levels deep is refused with 400 before the passphrase check,
// logs no stack trace, and leaves liveness and the intake health check untouched; the same holds for
// the dashboard API. Method: a whole Keel on loopback, bodies built by repetition.
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SecurityKeel, startSecurityKeel } from './security-fixture.js';

let keel: SecurityKeel;
beforeAll(async () => {
  keel = await startSecurityKeel();
});
afterAll(async () => keel.close());

const deep = (depth: number, open = '[', close = ']') => open.repeat(depth) + close.repeat(depth);
const deepObject = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

async function post(path: string, body: string, contentType = 'application/json') {
  const response = await request(`${keel.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body,
  });
  return { status: response.statusCode, body: await response.body.text() };
}

async function intakeStatus(): Promise<string | undefined> {
  const report = await keel.app.health.report();
  return report.checks.find((check) => check.name === 'webhook-intake')?.status;
}

describe('deeply nested JSON', () => {
  it.each([
    ['arrays, 3000 deep', deep(3_000)],
    ['objects, 3000 deep', deepObject(3_000)],
    ['an object holding arrays 3000 deep', `{"passphrase":"x","a":${deep(3_000)}}`],
  ])('answers 400 to a webhook of %s and stays healthy', async (_name, body) => {
    for (const contentType of ['application/json', 'text/plain']) {
      const response = await post('/webhooks/tradingview', body, contentType);
      expect(response.status).toBe(400);
      expect(response.body).toMatch(/nested deeper than/);
    }
    const health = await request(`${keel.url}/healthz`);
    expect(health.statusCode).toBe(200);
    await health.body.text();
    expect(await intakeStatus()).toBe('healthy');
    expect(keel.logLines.join('')).not.toMatch(/RangeError|Maximum call stack/);
  });

  it('answers 400 to a deep body on the dashboard API', async () => {
    const response = await request(`${keel.url}/api/engine/mode`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: keel.url },
      body: deep(3_000),
    });
    expect(response.statusCode).toBe(400);
    await response.body.text();
    expect(keel.app.killSwitch.mode).toBe('RUNNING');
  });
});
