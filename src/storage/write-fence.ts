// A guard that every write of a fenced store checks inside its own transaction: the writer's lease
// token must still be the current one, so a paused old leader that wakes up cannot act.
import type { Queryable } from './database.js';

export interface WriteFence {
  readonly token: number;
  /** Throws when the token is no longer current; runs inside the caller's transaction. */
  check(tx: Queryable): Promise<void>;
}
