export * from './breaker-decision.js';
export * from './redis-availability.js';
export * from './redis-client.js';
export * from './redis-rate-limit-store.js';
export * from './shared-breaker.js';
export * from './shared-breaker-state.js';
