export * from './backoff.js';
export * from './bus-migrations.js';
export * from './message-admin.js';
export * from './message-bus.js';
export type { BusMessage, MessageState, PublishMessage } from './message-store.js';
export * from './subscription.js';
export * from './subscription-options.js';
