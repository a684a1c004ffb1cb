export * from './connection-pool.js';
export * from './connection-pool-options.js';
export * from './endpoint-health.js';
export * from './errors.js';
export * from './request-queue.js';
export * from './transport.js';
