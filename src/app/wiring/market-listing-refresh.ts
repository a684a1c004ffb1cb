// Keeps the exchange's market list (`/v2/options`: active currencies, precisions, minimum order values)
// fresh in the adapter's cache: read again every time its cache entry expires, whether or not a signal
// asked. While the exchange fails, the last good answer serves (stale fallback) and a warning says so.
import type { Clock, TimerHandle } from '../../core/clock.js';
import type { EnhancedNobitexAdapter } from '../../exchange/enhanced-nobitex-adapter/enhanced-nobitex-adapter.js';
import type { Logger } from '../../logging/logger.js';
import type { AlertRules } from '../alert-rules.js';

const STALE_KEY = 'markets.stale';
/** Never more often than this, whatever the cache TTL (tests set TTLs of 1 ms). */
const REFRESH_INTERVAL_MIN_MS = 60_000;

/** Starts the periodic refresh; the returned closer stops it. */
export function startMarketListingRefresh(input: {
  readonly adapter: EnhancedNobitexAdapter;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly rules: Pick<AlertRules, 'raise' | 'resolve'>;
}): () => Promise<void> {
  const { adapter, clock, logger, rules } = input;
  const intervalMs = Math.max(adapter.options.cache.options.ttlMs, REFRESH_INTERVAL_MIN_MS);
  let timer: TimerHandle | undefined;
  let stopped = false;
  const refresh = async () => {
    try {
      const options = await adapter.getOptions();
      if (!options.stale) return rules.resolve(STALE_KEY);
      raiseStale(`serving the market list from ${Math.round(options.ageMs / 1_000)} s ago`);
    } catch (error) {
      raiseStale(error instanceof Error ? error.message : String(error));
    }
  };
  const raiseStale = (reason: string) => {
    logger.warn({ reason }, 'market list refresh failed');
    rules.raise({
      severity: 'warning',
      source: 'exchange',
      key: STALE_KEY,
      title: "the exchange's market list (/v2/options) could not be refreshed",
      details: { reason },
    });
  };
  const loop = () => {
    void refresh().finally(() => {
      if (!stopped) timer = clock.setTimeout(loop, intervalMs);
    });
  };
  timer = clock.setTimeout(loop, intervalMs);
  return async () => {
    stopped = true;
    if (timer !== undefined) clock.clearTimeout(timer);
  };
}
