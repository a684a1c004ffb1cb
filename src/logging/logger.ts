// The logger type every component takes. createLogger (redaction, rotation) lives beside it.
import { pino } from 'pino';

export type Logger = pino.Logger;

/** A logger that drops everything: the default where a component is given none (tests). */
export const silentLogger: Logger = pino({ level: 'silent' });
