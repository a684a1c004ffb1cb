// The redact paths for pino: every secret config path (bare and under `config`), and generic secret
// key names at the top and up to three levels down. Secret instances redact themselves via toJSON.

import { REDACTED } from '../config/secret.js';
import { SECRET_CONFIG_PATHS, SECRET_KEY_NAMES } from '../config/secret-paths.js';

export const REDACTION_CENSOR = REDACTED;

const GENERIC_DEPTH_MAX = 3;

export function redactPaths(): string[] {
  const paths = new Set<string>();
  for (const path of SECRET_CONFIG_PATHS) {
    paths.add(path);
    paths.add(`config.${path}`);
  }
  for (const name of SECRET_KEY_NAMES) {
    for (let depth = 0; depth <= GENERIC_DEPTH_MAX; depth++)
      paths.add([...Array(depth).fill('*'), name].join('.'));
  }
  for (const header of ['authorization', 'Authorization', 'cookie', 'x-api-key', 'X-API-Key']) {
    paths.add(`headers["${header}"]`);
    paths.add(`*.headers["${header}"]`);
  }
  return [...paths];
}
