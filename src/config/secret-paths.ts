// Every config path that holds a secret ('*' matches one key). The logger's redaction and the
// problem reporter both read this list; a test checks it covers every Secret in a full config.

export const SECRET_CONFIG_PATHS: readonly string[] = [
  'storage.databaseUrl',
  'redis.url',
  'nobitex.token',
  'nobitex.apiKey.publicKey',
  'nobitex.apiKey.privateKey',
  'webhook.passphrase',
  'webhook.hmacSecret',
  'dashboard.token',
  'dashboard.basicAuth.password',
  'nobitex.proxy',
  'nobitex.proxy.*',
  // Channels are named by the operator: their secrets sit one name deep.
  'alerts.channels.*.password',
  'alerts.channels.*.authToken',
  'alerts.channels.*.apiKey',
  'alerts.channels.*.botToken',
  'alerts.channels.*.url',
  'alerts.channels.*.headers.*',
  'alerts.channels.*.proxy',
];

/** Key names that hold secrets wherever they appear (log objects, headers, unknown config keys). */
export const SECRET_KEY_NAMES: readonly string[] = [
  'token',
  'password',
  'passphrase',
  'authorization',
  'Authorization',
  'apiKey',
  'privateKey',
  'botToken',
  'authToken',
  'secret',
  'hmacSecret',
  'cookie',
  'proxy',
];

/** True when a dotted config path is a secret, or ends in a key named like one. */
export function isSecretPath(path: string): boolean {
  const parts = path.split('.');
  const last = parts[parts.length - 1] ?? '';
  if (SECRET_KEY_NAMES.some((name) => name.toLowerCase() === last.toLowerCase())) return true;
  return SECRET_CONFIG_PATHS.some((pattern) => matches(pattern.split('.'), parts));
}

function matches(pattern: readonly string[], parts: readonly string[]): boolean {
  if (parts.length < pattern.length) return false;
  // A path inside a secret (a malformed object given for it) is secret too.
  return pattern.every((key, index) => key === '*' || key === parts[index]);
}
