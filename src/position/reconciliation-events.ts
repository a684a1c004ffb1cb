// Events the Reconciler emits; each fires after the run is on disk.
import type { Posting } from './posting.js';
import type { ExchangeOpenOrder } from './reconciliation-compare.js';
import type { ReconciliationRow } from './reconciliation-result.js';

export interface MatchEvent {
  readonly runId: string;
  readonly row: ReconciliationRow;
}

/** A difference within tolerance was corrected by `posting` (an info event). */
export interface CorrectedEvent {
  readonly runId: string;
  readonly row: ReconciliationRow;
  readonly posting: Posting;
}

/** Differences beyond tolerance (critical): the engine halts until acknowledgeBreach. */
export interface BreachEvent {
  readonly runId: string;
  readonly rows: readonly ReconciliationRow[];
}

export interface UnknownOrdersEvent {
  readonly runId: string;
  readonly orders: readonly ExchangeOpenOrder[];
}

/** A run could not compare (fetch failed, timed out, torn snapshot) or could not be stored. */
export interface ReconciliationErrorEvent {
  /** Undefined when the run could not even be reserved in storage. */
  readonly runId?: string;
  readonly error: unknown;
}
