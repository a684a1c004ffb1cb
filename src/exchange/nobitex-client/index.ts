export * from './auth.js';
export * from './endpoints.js';
export * from './nobitex-client.js';
export * from './requests.js';
export * from './types.js';
