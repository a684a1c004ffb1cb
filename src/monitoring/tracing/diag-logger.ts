// OpenTelemetry's own complaints (an export that failed, a full span queue) into Keel's log.
import type { DiagLogger } from '@opentelemetry/api';
import type { Logger } from '../../logging/logger.js';

export function createDiagLogger(logger: Logger): DiagLogger {
  const log = logger.child({ component: 'tracing' });
  const write =
    (level: 'error' | 'warn' | 'debug') =>
    (message: string, ...args: unknown[]) =>
      log[level]({ details: args.map(describe) }, message);
  return {
    error: write('error'),
    warn: write('warn'),
    info: write('debug'),
    debug: write('debug'),
    verbose: write('debug'),
  };
}

function describe(value: unknown): string {
  if (value instanceof Error) return value.message;
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
