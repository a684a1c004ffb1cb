// Some Nobitex fields are bare JSON numbers (UDF candles, rialBalance). They are written from exact
// decimal text with lossless-json, so no float ever touches the value.
import type { FastifyReply } from 'fastify';
import { LosslessNumber, stringify } from 'lossless-json';
import { type Decimal, formatDecimal } from '../../core/decimal.js';

/** A value that serialises as a bare JSON number with exactly these digits. */
export const jsonNumber = (value: Decimal): LosslessNumber => new LosslessNumber(formatDecimal(value));

/** Sends a body that may hold LosslessNumbers. */
export function sendJson(reply: FastifyReply, body: unknown): FastifyReply {
  return reply.type('application/json; charset=utf-8').send(stringify(body) ?? 'null');
}
