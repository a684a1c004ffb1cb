// Keel's config for crash campaigns: short exchange timeouts so verification deadlines (which must
// exceed them) stay short, and quick polls so a final run settles in seconds.
export const CRASH_CONFIG = {
  // Every accepted alert should reach the exchange: the per-minute order cap would refuse most of them.
  engine: { maxOrdersPerMinute: 600 },
  nobitex: { connectTimeoutMs: 500, headersTimeoutMs: 1_000, bodyTimeoutMs: 1_000 },
  verification: {
    absenceGraceMs: 1_000,
    pollIntervalMs: 100,
    pollIntervalMaxMs: 500,
    verifyDeadlineMs: 8_000,
  },
};
