export * from './adapter-cache-set.js';
export * from './adapter-events.js';
export * from './adapter-options.js';
export * from './adapter-rate-limiter.js';
export * from './adapter-verification-gateway.js';
export type { BreakerFactory } from './call-pipeline.js';
export * from './create-enhanced-adapter.js';
export * from './enhanced-nobitex-adapter.js';
export * from './error-classes.js';
