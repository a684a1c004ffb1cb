export { configToJson, type DatabaseTarget, databaseTarget, summarizeConfig } from './describe-config.js';
export { ENV_TABLE, type EnvKind, type EnvVariable } from './env-table.js';
export { type DeepReadonly, deepFreeze } from './freeze.js';
export {
  DEFAULT_CONFIG_FILE,
  type KeelConfig,
  type LoadConfigOptions,
  type LoadConfigResult,
  loadConfig,
} from './load-config.js';
export { type ConfigProblem, formatProblem, type ProblemSource } from './problems.js';
export { PROFILE_DEFAULTS } from './profiles.js';
export type { Environment } from './read-env.js';
export { isLoopback } from './relations.js';
export {
  type ConfigInput,
  configSchema,
  LOG_LEVELS,
  type ParsedConfig,
  PROFILES,
  type Profile,
} from './schema.js';
export {
  ALERT_SEVERITIES,
  type AlertSeverity,
  BOT_API_BASE_URLS,
  CHANNEL_KINDS,
  type ChannelConfig,
  type ChannelKind,
} from './schema-alerts.js';
export { isSecret, REDACTED, Secret } from './secret.js';
export { isSecretPath, SECRET_CONFIG_PATHS, SECRET_KEY_NAMES } from './secret-paths.js';
export { KEEL_VERSION } from './version.js';
