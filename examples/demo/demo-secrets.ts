// KEEL_DEMO_SECRETS: a JSON object `{ "passphrase": "…", "dashboardToken": "…" }`; both optional.
import type { DemoSecrets } from './demo-app.js';

/** Undefined when the variable is unset or empty; throws RangeError on anything but that object. */
export function parseDemoSecrets(text: string | undefined): DemoSecrets | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new RangeError('KEEL_DEMO_SECRETS must be a JSON object, was not valid JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new RangeError(
      `KEEL_DEMO_SECRETS must be a JSON object, was ${Array.isArray(value) ? 'an array' : typeof value}`,
    );
  const record = value as Record<string, unknown>;
  const secrets: { passphrase?: string; dashboardToken?: string } = {};
  for (const key of ['passphrase', 'dashboardToken'] as const) {
    const field = record[key];
    if (field === undefined) continue;
    // The value itself is never echoed: it is a secret.
    if (typeof field !== 'string' || field.length < 8)
      throw new RangeError(
        `KEEL_DEMO_SECRETS.${key} must be a string of at least 8 characters, was ${typeof field}`,
      );
    secrets[key] = field;
  }
  return secrets;
}
