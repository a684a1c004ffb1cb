// The one rate-limit decision, pure, shared by every store. Sliding log: a grant at `now` is
// allowed when the weight granted in (now - windowMs, now] plus the new weight stays within
// the limit. Since every grant was checked this way, no interval of windowMs ever holds more.
import { assert } from '../assert.js';
import type {
  RateLimitDecision,
  RateLimitGrant,
  RateLimitKeyState,
  RateLimitRequest,
  RateLimitWindow,
} from './rate-limit-store.js';

export const EMPTY_KEY_STATE: RateLimitKeyState = { log: [], penaltyUntilMs: 0 };

export function decideGrant(
  request: RateLimitRequest,
  states: ReadonlyMap<string, RateLimitKeyState>,
): RateLimitDecision {
  let waitMs = 0;
  let blockingKey = '';
  let reason: 'budget' | 'penalty' = 'budget';
  for (const spec of request.keys) {
    const state = states.get(spec.key) ?? EMPTY_KEY_STATE;
    const penaltyMs = state.penaltyUntilMs - request.nowMs;
    if (penaltyMs > 0 && penaltyMs > waitMs) {
      waitMs = penaltyMs;
      blockingKey = spec.key;
      reason = 'penalty';
    }
    for (const window of spec.windows) {
      const windowWaitMs = waitForWindow(state.log, window, request.weight, request.nowMs);
      if (windowWaitMs > waitMs) {
        waitMs = windowWaitMs;
        blockingKey = spec.key;
        reason = 'budget';
      }
    }
  }
  if (waitMs === 0) return { granted: true };
  return { granted: false, retryAfterMs: waitMs, blockingKey, reason };
}

/** Weight granted in (nowMs - windowMs, nowMs]. */
export function usedInWindow(log: readonly RateLimitGrant[], windowMs: number, nowMs: number): number {
  let used = 0;
  for (let index = log.length - 1; index >= 0; index--) {
    const grant = log[index] as RateLimitGrant;
    if (grant.atMs <= nowMs - windowMs) break;
    used += grant.weight;
  }
  return used;
}

/** Drops grants older than every window of the key; the log stays sorted by time. */
export function pruneLog(
  log: readonly RateLimitGrant[],
  windows: readonly RateLimitWindow[],
  nowMs: number,
): RateLimitGrant[] {
  const horizonMs = Math.max(0, ...windows.map((window) => window.windowMs));
  const firstLive = log.findIndex((grant) => grant.atMs > nowMs - horizonMs);
  return firstLive < 0 ? [] : log.slice(firstLive);
}

/** How long until `weight` fits in the window, assuming no new grants: when enough old grants expire. */
function waitForWindow(
  log: readonly RateLimitGrant[],
  window: RateLimitWindow,
  weight: number,
  nowMs: number,
): number {
  assert(weight <= window.limit, `weight ${weight} exceeds limit ${window.limit}: it could never be granted`);
  const used = usedInWindow(log, window.windowMs, nowMs);
  let excess = used + weight - window.limit;
  if (excess <= 0) return 0;
  for (const grant of log) {
    if (grant.atMs <= nowMs - window.windowMs) continue;
    excess -= grant.weight;
    // This grant leaves the window at atMs + windowMs; then enough weight has left.
    if (excess <= 0) return grant.atMs + window.windowMs - nowMs;
  }
  assert(false, 'window excess not covered by its own log');
}
