export { AUTH_INVALID_DETAIL, AUTH_MISSING_DETAIL } from './auth.js';
export { ChaosController } from './chaos.js';
export type { ChaosCommand, ChaosKind, ChaosRule, ChaosRuleSpec } from './chaos-rules.js';
export { loadChaosSchedule, parseChaosSchedule } from './chaos-schedule.js';
export { DEFAULT_MARKETS, MIN_ORDER_VALUE } from './market-config.js';
export { ENDPOINT_LIMITS } from './rate-limits.js';
export {
  createSimulator,
  DEFAULT_BALANCES,
  SIMULATOR_DEFAULT_TOKEN,
  type Simulator,
  type SimulatorOptions,
} from './simulator.js';
export { type SimulatorServerOptions, startSimulatorServer } from './start-server.js';
export type { GroundTruthOrder, SimAccountConfig, SimMarketConfig, SimTrade } from './types.js';
export type { WalletSnapshot } from './wallets.js';
export { WS_PATH } from './ws/ws-hub.js';
