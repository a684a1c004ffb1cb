// The package version, read once from package.json (two levels up from both src/config and dist/config).
import { readFileSync } from 'node:fs';

function readVersion(): string {
  const raw: unknown = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  if (typeof raw === 'object' && raw !== null && 'version' in raw && typeof raw.version === 'string')
    return raw.version;
  throw new Error('package.json has no version string');
}

export const KEEL_VERSION: string = readVersion();
