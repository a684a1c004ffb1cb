// Group commit for alert raises: raises that arrive while one commit is under way share the next
// transaction (and its fsync) instead of one each. A burst (every signal refused while halted) then
// costs one commit per batch; a lone raise still starts at once.
import type { Database, Queryable } from '../../storage/database.js';

/** Raises written together at most. */
export const RAISE_BATCH_MAX = 256;

interface Waiting<I, O> {
  readonly item: I;
  readonly resolve: (value: O) => void;
  readonly reject: (error: unknown) => void;
}

export class RaiseQueue<I, O> {
  readonly #waiting: Waiting<I, O>[] = [];
  #draining = false;

  /** `write` runs inside the batch's transaction, in arrival order: a later raise sees an earlier one. */
  constructor(
    private readonly db: Database,
    private readonly write: (tx: Queryable, item: I) => Promise<O>,
  ) {}

  /** Resolves once the transaction holding `item` has committed (durably, as any write). */
  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.#waiting.push({ item, resolve, reject });
      if (!this.#draining) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#draining = true;
    try {
      while (this.#waiting.length > 0) {
        const batch = this.#waiting.splice(0, RAISE_BATCH_MAX);
        try {
          const written = await this.db.transaction(async (tx) => {
            const outputs: { waiting: Waiting<I, O>; output: O }[] = [];
            for (const waiting of batch)
              outputs.push({ waiting, output: await this.write(tx, waiting.item) });
            return outputs;
          });
          for (const { waiting, output } of written) waiting.resolve(output);
        } catch (error) {
          if (batch.length === 1) batch[0]?.reject(error);
          // One raise that fails must not fail the others: each again in a transaction of its own.
          else
            for (const waiting of batch)
              await this.db
                .transaction((tx) => this.write(tx, waiting.item))
                .then(waiting.resolve, waiting.reject);
        }
      }
    } finally {
      this.#draining = false;
    }
  }
}
