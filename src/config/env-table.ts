// The one table of environment variables: variable → config path, how the string is read, and what it means.
// Every `secret` variable is also read from `<NAME>_FILE` (the file's content, trailing newline trimmed).

export type EnvKind = 'string' | 'integer' | 'number' | 'boolean' | 'list' | 'secret';

export interface EnvVariable {
  readonly variable: string;
  readonly path: string;
  readonly kind: EnvKind;
  readonly description: string;
}

const entry = (variable: string, path: string, kind: EnvKind, description: string): EnvVariable => ({
  variable,
  path,
  kind,
  description,
});

export const ENV_TABLE: readonly EnvVariable[] = [
  entry('KEEL_ENV', 'env', 'string', 'profile: development (default), test, production'),
  entry('KEEL_MODE', 'mode', 'string', 'paper (simulator, default) or live (Nobitex)'),
  entry('KEEL_HOST', 'server.host', 'string', 'address the HTTP server binds'),
  entry('KEEL_PORT', 'server.port', 'integer', 'HTTP port; 0 picks a free one'),
  entry('KEEL_OPERATOR_HOST', 'server.operatorHost', 'string', 'address of the dashboard/API listener'),
  entry('KEEL_OPERATOR_PORT', 'server.operatorPort', 'integer', 'own port for dashboard, API and metrics'),
  entry(
    'KEEL_PUBLIC_HOSTS',
    'server.publicHosts',
    'list',
    'host names Keel answers to, e.g. keel.example.com',
  ),
  entry('KEEL_DATA_DIR', 'dataDir', 'string', 'directory for the SQLite database and local state'),
  entry('KEEL_DATABASE_URL', 'storage.databaseUrl', 'secret', 'postgres:// URL; unset uses SQLite'),
  entry('KEEL_SQLITE_SYNCHRONOUS', 'storage.sqliteSynchronous', 'string', 'FULL or NORMAL'),
  entry('KEEL_REDIS_URL', 'redis.url', 'secret', 'redis:// URL for shared breaker state and the lease'),
  entry('KEEL_NOBITEX_BASE_URL', 'nobitex.baseUrls', 'list', 'comma-separated Nobitex base URLs'),
  entry('KEEL_NOBITEX_NETWORK', 'nobitex.network', 'string', 'mainnet or testnet (the default base URL)'),
  entry('KEEL_NOBITEX_TOKEN', 'nobitex.token', 'secret', 'Nobitex session token'),
  entry('KEEL_NOBITEX_API_KEY', 'nobitex.apiKey.publicKey', 'secret', 'Nobitex API public key'),
  entry('KEEL_NOBITEX_API_SECRET', 'nobitex.apiKey.privateKey', 'secret', 'Nobitex API private key'),
  entry('KEEL_NOBITEX_USER_AGENT', 'nobitex.userAgent', 'string', 'User-Agent sent to Nobitex'),
  entry('KEEL_NOBITEX_WEBSOCKET', 'nobitex.websocket.enabled', 'boolean', 'fills pushed over the WebSocket'),
  entry('KEEL_WEBHOOK_PASSPHRASE', 'webhook.passphrase', 'secret', 'passphrase TradingView alerts carry'),
  entry('KEEL_WEBHOOK_HMAC_SECRET', 'webhook.hmacSecret', 'secret', 'key for webhook body signatures'),
  entry(
    'KEEL_SIMULATOR_LIVE_MARKET_DATA',
    'simulator.liveMarketData',
    'boolean',
    'paper trading on live prices (--paper-live)',
  ),
  entry('KEEL_WEBHOOK_HMAC_REQUIRED', 'webhook.hmacRequired', 'boolean', 'refuse unsigned webhooks'),
  entry(
    'KEEL_WEBHOOK_IP_ALLOW_LIST',
    'webhook.ipAllowList.enabled',
    'boolean',
    'accept only TradingView IPs',
  ),
  entry('KEEL_WEBHOOK_TRUSTED_PROXIES', 'webhook.trustedProxies', 'list', 'comma-separated proxy IPs/CIDRs'),
  entry('KEEL_ENGINE_INITIAL_MODE', 'engine.initialMode', 'string', 'RUNNING, REDUCING or HALTED at start'),
  entry('KEEL_SIGNAL_AGE_MAX_MS', 'engine.signalAgeMaxMs', 'integer', 'older signals are rejected (Stale)'),
  entry(
    'KEEL_EXCHANGE_WAIT_MAX_MS',
    'engine.exchangeWaitMaxMs',
    'integer',
    'wait for an unreachable exchange',
  ),
  entry('KEEL_NOBITEX_ORDERS_TIMEOUT_MS', 'nobitex.ordersTimeoutMs', 'integer', 'one orders request attempt'),
  entry('KEEL_DASHBOARD_TOKEN', 'dashboard.token', 'secret', 'bearer token for the dashboard'),
  entry('KEEL_DASHBOARD_USER', 'dashboard.basicAuth.user', 'string', 'dashboard basic-auth user'),
  entry('KEEL_DASHBOARD_PASSWORD', 'dashboard.basicAuth.password', 'secret', 'dashboard basic-auth password'),
  entry('KEEL_SMTP_PASSWORD', 'alerts.channels.email.password', 'secret', 'SMTP password for email alerts'),
  entry('KEEL_SMS_AUTH_TOKEN', 'alerts.channels.sms.authToken', 'secret', 'SMS provider auth token (Twilio)'),
  entry('KEEL_SMS_API_KEY', 'alerts.channels.sms.apiKey', 'secret', 'SMS provider API key (Kavenegar)'),
  entry('KEEL_TELEGRAM_BOT_TOKEN', 'alerts.channels.telegram.botToken', 'secret', 'Telegram bot token'),
  entry('KEEL_BALE_BOT_TOKEN', 'alerts.channels.bale.botToken', 'secret', 'Bale bot token'),
  entry(
    'KEEL_NOBITEX_PROXY',
    'nobitex.proxy',
    'secret',
    'proxy to Nobitex: socks5://… or http://… or direct',
  ),
  entry('KEEL_ALERT_WEBHOOK_URL', 'alerts.channels.webhook.url', 'secret', 'Slack/Discord/JSON webhook URL'),
  entry('KEEL_LOG_LEVEL', 'logging.level', 'string', 'fatal, error, warn, info, debug, trace, silent'),
  entry('KEEL_LOG_FILE', 'logging.file.path', 'string', 'also write logs to this rotating file'),
  entry('KEEL_ANOMALY_HALT_ON_FLAG', 'anomaly.haltOnFlag', 'boolean', 'an anomaly flag halts the engine'),
  entry('KEEL_ANOMALY_FEE_TIER_RATE', 'anomaly.feeTierRate', 'number', 'account fee tier as a rate (0.0015)'),
  entry('KEEL_SIM_SEED', 'simulator.seed', 'integer', 'seed of the simulator randomness'),
  entry('KEEL_SIM_PORT', 'simulator.port', 'integer', 'simulator HTTP port; 0 picks a free one'),
  entry('KEEL_OTLP_ENDPOINT', 'tracing.otlpEndpoint', 'string', 'OTLP/HTTP traces URL; unset: no tracing'),
  entry('KEEL_INSTANCE_ID', 'cluster.instanceId', 'string', 'name of this instance (default host-pid)'),
  entry('KEEL_EXPECTED_INSTANCES', 'cluster.expectedInstances', 'integer', 'instances sharing rate budgets'),
  entry('KEEL_LEASE_TTL_MS', 'cluster.leaseTtlMs', 'integer', 'trading lease expiry after last renewal'),
  entry('KEEL_LEASE_RENEW_INTERVAL_MS', 'cluster.leaseRenewIntervalMs', 'integer', 'lease renewal pause'),
  entry('KEEL_DATABASE_SCHEMA', 'storage.databaseSchema', 'string', 'PostgreSQL schema for all tables'),
  entry('KEEL_REDIS_KEY_PREFIX', 'redis.keyPrefix', 'string', 'prefix of every Redis key'),
];
