export * from './errors.js';
export * from './leader-lease.js';
export * from './lease-runner.js';
export * from './lease-write-fence.js';
export * from './postgres-leader-lease.js';
export * from './redis-leader-lease.js';
