// How long a signal may wait before it trades: its alert's own `ageMaxMs`, else the configured
// default, counted from the earlier of the alert time and the receipt (a sender's clock running
// ahead of ours must not make an old signal look young).
import type { Signal } from '../market-data/signal.js';

export type AgedSignal = Pick<Signal, 'alertAtMs' | 'receivedAtMs' | 'ageMaxMs'>;

/** The first instant at which the signal is too old to trade, epoch ms. */
export function signalStaleAtMs(signal: AgedSignal, defaultAgeMaxMs: number): number {
  return Math.min(signal.alertAtMs, signal.receivedAtMs) + (signal.ageMaxMs ?? defaultAgeMaxMs);
}
