// The webhook passphrase: from the config, or in paper mode without one, a random one kept in the data
// folder (mode 0600) so that it survives restarts and the printed curl keeps working.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KeelConfig } from '../config/index.js';

export const PASSPHRASE_FILE = 'webhook-passphrase';

export function resolveWebhookPassphrase(config: KeelConfig): { value: string; generated: boolean } {
  const configured = config.webhook.passphrase;
  if (configured !== undefined) return { value: configured.reveal(), generated: false };
  if (config.mode !== 'paper')
    throw new RangeError('webhook.passphrase (KEEL_WEBHOOK_PASSPHRASE) is required outside paper mode');
  const file = join(config.dataDir, PASSPHRASE_FILE);
  if (existsSync(file)) {
    const stored = readFileSync(file, 'utf8').trim();
    if (stored.length >= 16) return { value: stored, generated: true };
  }
  mkdirSync(config.dataDir, { recursive: true });
  const value = randomBytes(18).toString('base64url');
  writeFileSync(file, `${value}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return { value, generated: true };
}
