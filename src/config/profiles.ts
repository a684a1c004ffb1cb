// Defaults that differ per profile (KEEL_ENV). They sit above the schema defaults and below the file.
import type { Profile } from './schema.js';

export type RawObject = { [key: string]: unknown };

export const PROFILE_DEFAULTS: Readonly<Record<Profile, RawObject>> = {
  development: {
    logging: { level: 'debug' },
  },
  test: {
    logging: { level: 'warn' },
    // Tests listen on port 0 and read the assigned port, so parallel files never collide.
    server: { port: 0, shutdownGraceMs: 1_000 },
    simulator: { port: 0 },
    // Throwaway databases: crash safety is enough, power-loss safety only costs time.
    storage: { sqliteSynchronous: 'NORMAL' },
  },
  production: {
    logging: { level: 'info' },
    storage: { sqliteSynchronous: 'FULL' },
  },
};
