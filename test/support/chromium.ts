// Debian's chromium for browser tests, started headless with the flags this closed network needs.
import { existsSync } from 'node:fs';

export const CHROMIUM = '/usr/bin/chromium';
export const chromiumAvailable = (): boolean => existsSync(CHROMIUM);
/** In CI a missing browser must fail the test; elsewhere the test reports why it did not run. */
export const browserRequired = (): boolean => process.env.CI === 'true';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
