// Builds the process logger: pino JSON lines to one stream (stdout by default), optionally also to a
// rotating file (pino-roll), with secrets redacted by path, by key name, and by Secret.toJSON.
import { type DestinationStream, type LevelWithSilent, pino } from 'pino';
import type { KeelConfig } from '../config/load-config.js';
import type { Logger } from './logger.js';
import { REDACTION_CENSOR, redactPaths } from './redaction.js';

export interface LogFileOptions {
  /** File to write; rotated files get a number before the extension. */
  readonly path: string;
  /** Rotate when the active file reaches this size, bytes. */
  readonly sizeBytesMax: number;
  /** Also rotate on a schedule. */
  readonly frequency?: 'daily' | 'hourly';
  /** Rotated files kept besides the active one. */
  readonly filesMax: number;
}

export interface CreateLoggerOptions {
  /** Minimum level written; the profile decides the default (development debug, test warn, production info). */
  readonly level: LevelWithSilent;
  /** Where JSON lines go; default stdout. Tests pass an in-memory stream. */
  readonly stream?: DestinationStream;
  /** Also write to a rotating file. */
  readonly file?: LogFileOptions;
  /** Bindings on every line (instance id). */
  readonly base?: Readonly<Record<string, string | number>>;
}

const LEVELS: readonly LevelWithSilent[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function createLogger(options: CreateLoggerOptions): Logger {
  if (!LEVELS.includes(options.level))
    throw new RangeError(`level must be one of ${LEVELS.join(', ')}, was ${options.level}`);
  // Synchronous stdout: the last lines before a crash are the ones worth having.
  const primary = options.stream ?? pino.destination({ dest: 1, sync: true });
  const destination =
    options.file === undefined
      ? primary
      : pino.multistream([
          { stream: primary, level: 'trace' },
          { stream: rollingFile(options.file), level: 'trace' },
        ]);
  return pino(
    {
      level: options.level,
      base: { pid: process.pid, ...options.base },
      redact: { paths: redactPaths(), censor: REDACTION_CENSOR },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}

/** Logger options from the loaded config. */
export function loggerOptionsFromConfig(config: KeelConfig, stream?: DestinationStream): CreateLoggerOptions {
  const { level, file } = config.logging;
  const base = { instanceId: config.cluster.instanceId };
  const withStream = stream === undefined ? { level, base } : { level, base, stream };
  return file === undefined ? withStream : { ...withStream, file };
}

/** The child logger a component writes with: every line carries `component`. */
export function componentLogger(logger: Logger, component: string): Logger {
  return logger.child({ component });
}

export interface OrderBindings {
  readonly signalId?: string;
  readonly orderId?: string;
  readonly clientOrderId?: string;
}

/** A child logger carrying the ids of the signal and order being handled. */
export function bindOrderIds(logger: Logger, ids: OrderBindings): Logger {
  const bindings = Object.fromEntries(Object.entries(ids).filter(([, value]) => value !== undefined));
  return logger.child(bindings);
}

function rollingFile(file: LogFileOptions): DestinationStream {
  if (!Number.isInteger(file.sizeBytesMax) || file.sizeBytesMax < 1_024)
    throw new RangeError(`file.sizeBytesMax must be an integer >= 1024, was ${file.sizeBytesMax}`);
  if (!Number.isInteger(file.filesMax) || file.filesMax < 1)
    throw new RangeError(`file.filesMax must be a positive integer, was ${file.filesMax}`);
  const sizeKilobytes = Math.floor(file.sizeBytesMax / 1_024);
  return pino.transport({
    target: 'pino-roll',
    options: {
      file: file.path,
      size: `${sizeKilobytes}k`,
      ...(file.frequency === undefined ? {} : { frequency: file.frequency }),
      limit: { count: file.filesMax },
      mkdir: true,
    },
  });
}
