// Goal: the reliability demo runs every phase against a real Keel (HTTP webhooks, simulator chaos,
// reconciliation) and its verification table passes; it leaves its logs and data dir for a secret scan
// and no listening port behind. Method: runDemo in quick mode with known secrets, output collected.
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type DemoResult, runDemo } from '../../examples/demo/run-demo.js';

const secrets = {
  passphrase: 'demo-test-passphrase-5f2c9a',
  dashboardToken: 'demo-test-dashboard-token-81be',
};
let result: DemoResult | undefined;
const lines: string[] = [];

afterAll(() => {
  if (result?.dataDir !== undefined) rmSync(result.dataDir, { recursive: true, force: true });
});

describe('high-reliability demo', () => {
  it('runs all six phases and passes every row of the verification table', async () => {
    result = await runDemo({ output: { write: (text: string) => lines.push(text) }, quick: true, secrets });
    const output = lines.join('');
    expect(result.phases.map((phase) => [phase.title, phase.ok, phase.error])).toEqual(
      [
        'Normal trading',
        'Exchange outage',
        'Recovery',
        'Ambiguous order',
        'Rate-limit storm',
        'Position drift',
      ].map((title) => [title, true, undefined]),
    );
    const rows = Object.fromEntries(result.verification.map((row) => [row.label, row]));
    expect(rows['duplicate orders']?.value).toBe('0');
    expect(rows['signals not in a terminal state']?.value).toBe('0');
    expect(rows['ledger balanced']?.value).toBe('yes');
    expect(rows['ledger equals exchange']?.value).toBe('yes');
    expect(rows['signals received']?.value).toBe('7');
    expect(result.verification.every((row) => row.ok)).toBe(true);
    expect(result.passed).toBe(true);
    expect(output).toMatch(/Dashboard: .*http:\/\/127\.0\.0\.1:\d+\//);
    expect(output).toContain('UNKNOWN');
    expect(output).toContain('All checks passed');
  }, 90_000);

  it('keeps its structured log and database for inspection, without the secrets in its own output', () => {
    expect(result?.logPath).toBeDefined();
    expect(result?.dataDir).toBeDefined();
    const logPath = result?.logPath ?? '';
    expect(statSync(logPath).size).toBeGreaterThan(0);
    const firstLine = readFileSync(logPath, 'utf8').split('\n')[0] ?? '';
    expect(JSON.parse(firstLine)).toHaveProperty('level');
    expect(existsSync(join(result?.dataDir ?? '', 'keel.db'))).toBe(true);
    const output = lines.join('');
    expect(output).not.toContain(secrets.passphrase);
    expect(output).not.toContain(secrets.dashboardToken);
  });

  it('leaves no listening port behind', async () => {
    const url = result?.dashboardUrl;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    await expect(fetch(`${url}api/status`)).rejects.toThrow();
  });
});
