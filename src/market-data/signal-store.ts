// Durable record of every accepted signal. A signal is committed here before the webhook answers
// 202 (invariant 5); the UNIQUE dedup_key makes a re-sent alert a duplicate, never a second order.
import { assert } from '../core/assert.js';
import { type Clock, systemClock } from '../core/clock.js';
import { throwLater } from '../core/events.js';
import { type Rng, systemRng } from '../core/random.js';
import type { Database, Migration, Queryable, Row } from '../storage/database.js';
import { StorageError } from '../storage/errors.js';
import { IllegalSignalTransitionError, SignalNotFoundError } from './errors.js';
import { checkSignal, type Signal, signalSchema } from './signal.js';
import { createSignalIdSource, type SignalIdSource } from './signal-id.js';
import { assertSignalTransition, type SignalState, TERMINAL_SIGNAL_STATES } from './signal-state.js';

export type { SignalState } from './signal-state.js';

export const SIGNAL_STORE_MIGRATIONS: readonly Migration[] = [
  {
    id: 'market-data-001-signals',
    sql: `CREATE TABLE signals (
      id TEXT PRIMARY KEY,
      dedup_key TEXT NOT NULL UNIQUE,
      symbol TEXT NOT NULL,
      side TEXT,
      payload TEXT NOT NULL,
      raw TEXT NOT NULL,
      source_ip TEXT,
      state TEXT NOT NULL,
      attempts BIGINT NOT NULL DEFAULT 0,
      last_error TEXT,
      received_at_ms BIGINT NOT NULL,
      updated_at_ms BIGINT NOT NULL
    );
    CREATE INDEX signals_state_id ON signals (state, id)`,
  },
  {
    // The webhook's trace context, so the engine's spans continue the signal's trace across the bus.
    id: 'market-data-002-signal-traceparent',
    sql: 'ALTER TABLE signals ADD COLUMN traceparent TEXT',
  },
];

export interface SignalIntake {
  readonly signal: Signal;
  readonly dedupKey: string;
  /** The key an earlier version gave the same signal: a signal stored under it is a duplicate too. */
  readonly legacyDedupKey?: string | undefined;
  /** The body as received, passphrase removed. */
  readonly raw: string;
  readonly sourceIp: string | undefined;
  /** W3C traceparent of the webhook's span; undefined when tracing is off. */
  readonly traceparent?: string | undefined;
}

export interface StoredSignal {
  readonly id: string;
  readonly dedupKey: string;
  readonly signal: Signal;
  readonly raw: string;
  readonly sourceIp: string | undefined;
  readonly state: SignalState;
  readonly attempts: number;
  readonly lastError: string | undefined;
  readonly receivedAtMs: number;
  readonly updatedAtMs: number;
  readonly traceparent: string | undefined;
}

/** A signal's state as an update left it. */
export interface SignalStateChange {
  readonly id: string;
  readonly state: SignalState;
  readonly lastError: string | undefined;
  readonly updatedAtMs: number;
}

export type AcceptResult = {
  readonly duplicate: boolean;
  readonly signalId: string;
  /** Set when the hook ended the signal at once (refused at the door): why. */
  readonly rejected?: string;
};
/** What the hook says of the signals of a commit. */
export interface AcceptOutcome {
  /** Told once the accepting transaction is durable; never after a rollback. */
  readonly afterCommit?: () => void;
  /** The signals it ended at once (rejected), by id, with the reason their accept answers with. */
  readonly rejected?: ReadonlyMap<string, string>;
}
/** An accept's result, and the row it wrote (none for a duplicate). */
type Accepted = { readonly result: AcceptResult; readonly stored: StoredSignal | undefined };

export interface SignalStoreOptions {
  readonly db: Database;
  /** Time source for ids and updated_at_ms. Default: systemClock. */
  readonly clock?: Clock;
  /** Randomness for ids. Default: seeded from the OS. */
  readonly rng?: Rng;
  /** Failed attempts after which a signal is quarantined. Default 3. */
  readonly attemptsMax?: number;
  /**
   * Runs inside the accepting transaction, once per commit with the signals it stores (duplicates not
   * among them): the engine's door publishes them on the bus, or refuses them at once. Throwing rolls
   * back their accepts. Its afterCommit is called once that transaction committed.
   */
  readonly onAccepted?: (
    tx: Queryable,
    stored: readonly StoredSignal[],
  ) => Promise<AcceptOutcome | undefined> | Promise<void> | AcceptOutcome | void;
}

export const LIST_LIMIT_MAX = 1_000;
/** Accepts waiting for a commit at most; past it the webhook answers 503 at once. */
export const ACCEPT_QUEUE_MAX = 10_000;
/** Accepts committed together at most. */
export const ACCEPT_BATCH_MAX = 256;
/** Fresh ids tried when an id collides; a second collision in a row already means a broken rng. */
const ID_ATTEMPTS_MAX = 3;
const COLUMNS =
  'id, dedup_key, payload, raw, source_ip, state, attempts, last_error, received_at_ms, updated_at_ms, traceparent';
const INSERT_COLUMNS = `id, dedup_key, symbol, side, payload, raw, source_ip, state, attempts, last_error,
  received_at_ms, updated_at_ms, traceparent`;
const INSERT_SQL = `INSERT INTO signals (${INSERT_COLUMNS})
  VALUES (?, ?, ?, ?, ?, ?, ?, 'received', 0, NULL, ?, ?, ?) ON CONFLICT DO NOTHING`;
/** The same row, unless a signal holds the legacy key (a read of the dedup index, no second entry). */
const INSERT_UNLESS_LEGACY_SQL = `INSERT INTO signals (${INSERT_COLUMNS})
  SELECT ?, ?, ?, ?, ?, ?, ?, 'received', 0, NULL, CAST(? AS BIGINT), CAST(? AS BIGINT), ?
  WHERE NOT EXISTS (SELECT 1 FROM signals WHERE dedup_key = ?) ON CONFLICT DO NOTHING`;

export class SignalStore {
  readonly #db: Database;
  readonly #clock: Clock;
  readonly #ids: SignalIdSource;
  readonly #attemptsMax: number;
  readonly #onAccepted: SignalStoreOptions['onAccepted'];
  readonly #queue: {
    intake: SignalIntake;
    resolve: (result: AcceptResult) => void;
    reject: (error: unknown) => void;
  }[] = [];
  #draining = false;

  constructor(options: SignalStoreOptions) {
    const attemptsMax = options.attemptsMax ?? 3;
    if (!Number.isInteger(attemptsMax) || attemptsMax < 1 || attemptsMax > 1_000)
      throw new RangeError(`attemptsMax must be an integer in [1, 1000], was ${attemptsMax}`);
    this.#db = options.db;
    this.#clock = options.clock ?? systemClock;
    this.#ids = createSignalIdSource(this.#clock, options.rng ?? systemRng());
    this.#attemptsMax = attemptsMax;
    this.#onAccepted = options.onAccepted;
  }

  /** Creates the table if needed. */
  migrate(): Promise<void> {
    return this.#db.migrate(SIGNAL_STORE_MIGRATIONS);
  }

  /**
   * Commits the signal (state 'received') or reports the first copy's id. Resolves only after the
   * commit. Concurrent calls share one transaction (group commit: one fsync for the batch); one
   * failure never takes the others with it (see #commitBatch).
   */
  async accept(intake: SignalIntake): Promise<AcceptResult> {
    // A signal that breaks the schema is a caller bug: refuse it before it becomes a stored row (one
    // the normalizer checked and nobody changed since is not parsed again).
    checkSignal(intake.signal);
    if (this.#queue.length >= ACCEPT_QUEUE_MAX)
      throw new StorageError(`signal intake queue full (${ACCEPT_QUEUE_MAX} waiting)`);
    return await new Promise<AcceptResult>((resolve, reject) => {
      this.#queue.push({ intake, resolve, reject });
      if (!this.#draining) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#draining = true;
    try {
      while (this.#queue.length > 0) {
        // One turn of the event loop lets requests arriving together join the same commit.
        await new Promise<void>((resolve) => setImmediate(resolve));
        const batch = this.#queue.splice(0, ACCEPT_BATCH_MAX);
        let outcomes: PromiseSettledResult<AcceptResult>[];
        try {
          outcomes = await this.#commitBatch(batch.map((item) => item.intake));
        } catch (error) {
          for (const item of batch) item.reject(error);
          continue;
        }
        batch.forEach((item, index) => {
          const outcome = outcomes[index];
          if (outcome?.status === 'fulfilled') item.resolve(outcome.value);
          else item.reject(outcome?.reason ?? new StorageError('accept lost its outcome'));
        });
      }
    } finally {
      this.#draining = false;
    }
  }

  /**
   * One transaction for the batch. Optimistic first: every accept in it as is, then the hook once
   * with every new signal, which almost always succeeds. When an accept or the hook throws, that
   * transaction rolls back whole and the batch runs again with each accept (and the hook for its
   * signal alone) in a savepoint of its own, so the failing one is refused alone. (A savepoint per
   * accept every time would cost two statements and a statement journal for each signal.) A failed
   * commit fails the batch: it is not tried again.
   */
  async #commitBatch(batch: readonly SignalIntake[]): Promise<PromiseSettledResult<AcceptResult>[]> {
    let acceptFailed = false;
    try {
      const { results, outcome } = await this.#db.transaction(async (tx) => {
        try {
          const accepted: Accepted[] = [];
          for (const intake of batch) accepted.push(await this.#acceptOne(tx, intake));
          const fresh = accepted.flatMap((one) => (one.stored === undefined ? [] : [one.stored]));
          return { results: accepted, outcome: await this.#hook(tx, fresh) };
        } catch (error) {
          acceptFailed = true;
          throw error;
        }
      });
      tellCommitted(outcome);
      return results.map((one) => ({ status: 'fulfilled', value: resultOf(one, outcome) }));
    } catch (error) {
      if (!acceptFailed) throw error; // the commit itself failed: the whole batch did
      if (batch.length === 1) return [{ status: 'rejected', reason: error }];
      const settled = await this.#db.transaction(async (tx) => {
        const outcomes: PromiseSettledResult<Accepted & { outcome: AcceptOutcome | undefined }>[] = [];
        for (const intake of batch) outcomes.push(await this.#acceptInSavepoint(tx, intake));
        return outcomes;
      });
      // Committed: what the hook asked to be told, in the batch's order.
      return settled.map((one): PromiseSettledResult<AcceptResult> => {
        if (one.status === 'rejected') return one;
        tellCommitted(one.value.outcome);
        return { status: 'fulfilled', value: resultOf(one.value, one.value.outcome) };
      });
    }
  }

  async #acceptInSavepoint(
    tx: Queryable,
    intake: SignalIntake,
  ): Promise<PromiseSettledResult<Accepted & { outcome: AcceptOutcome | undefined }>> {
    await tx.execute('SAVEPOINT keel_accept');
    try {
      const accepted = await this.#acceptOne(tx, intake);
      const outcome = await this.#hook(tx, accepted.stored === undefined ? [] : [accepted.stored]);
      await tx.execute('RELEASE SAVEPOINT keel_accept');
      return { status: 'fulfilled', value: { ...accepted, outcome } };
    } catch (reason) {
      await tx.execute('ROLLBACK TO SAVEPOINT keel_accept');
      await tx.execute('RELEASE SAVEPOINT keel_accept');
      return { status: 'rejected', reason };
    }
  }

  async #hook(tx: Queryable, fresh: readonly StoredSignal[]): Promise<AcceptOutcome | undefined> {
    if (fresh.length === 0 || this.#onAccepted === undefined) return undefined;
    return (await this.#onAccepted(tx, fresh)) ?? undefined;
  }

  async #acceptOne(tx: Queryable, intake: SignalIntake): Promise<Accepted> {
    for (let attempt = 1; attempt <= ID_ATTEMPTS_MAX; attempt++) {
      const id = this.#ids.next();
      const nowMs = this.#clock.nowMs();
      if (await this.#insert(tx, id, intake, nowMs)) {
        // The row as just written (no read back: it costs a SELECT, a JSON parse and a schema check).
        const stored: StoredSignal = {
          id,
          dedupKey: intake.dedupKey,
          signal: intake.signal,
          raw: intake.raw,
          sourceIp: intake.sourceIp,
          state: 'received',
          attempts: 0,
          lastError: undefined,
          receivedAtMs: intake.signal.receivedAtMs,
          updatedAtMs: nowMs,
          traceparent: intake.traceparent,
        };
        return { result: { duplicate: false, signalId: id }, stored };
      }
      const [first] =
        intake.legacyDedupKey === undefined
          ? await tx.query<{ id: string }>('SELECT id FROM signals WHERE dedup_key = ?', [intake.dedupKey])
          : await tx.query<{ id: string }>('SELECT id FROM signals WHERE dedup_key IN (?, ?) LIMIT 1', [
              intake.dedupKey,
              intake.legacyDedupKey,
            ]);
      if (first !== undefined) return { result: { duplicate: true, signalId: first.id }, stored: undefined };
      // The id itself collided (another instance, or a restart with a reused seed): draw again.
    }
    throw new StorageError(`no free signal id after ${ID_ATTEMPTS_MAX} attempts`);
  }

  /** True when the row went in; false on any conflict (dedup key, legacy dedup key or id). */
  async #insert(tx: Queryable, id: string, intake: SignalIntake, nowMs: number): Promise<boolean> {
    const row = [
      id,
      intake.dedupKey,
      intake.signal.symbol,
      intake.signal.side ?? null,
      JSON.stringify(intake.signal),
      intake.raw,
      intake.sourceIp ?? null,
      intake.signal.receivedAtMs,
      nowMs,
      intake.traceparent ?? null,
    ];
    const { changes } =
      intake.legacyDedupKey === undefined
        ? await tx.execute(INSERT_SQL, row)
        : await tx.execute(INSERT_UNLESS_LEGACY_SQL, [...row, intake.legacyDedupKey]);
    return changes === 1;
  }

  get(id: string): Promise<StoredSignal | undefined> {
    return selectOne(this.#db, id);
  }

  /** Newest first; `beforeId` pages further back. */
  async list(options: { state?: SignalState; limit: number; beforeId?: string }): Promise<StoredSignal[]> {
    if (!Number.isInteger(options.limit) || options.limit < 1 || options.limit > LIST_LIMIT_MAX)
      throw new RangeError(`limit must be an integer in [1, ${LIST_LIMIT_MAX}], was ${options.limit}`);
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (options.state !== undefined) {
      where.push('state = ?');
      params.push(options.state);
    }
    if (options.beforeId !== undefined) {
      where.push('id < ?');
      params.push(options.beforeId);
    }
    const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const rows = await this.#db.query(`SELECT ${COLUMNS} FROM signals ${clause} ORDER BY id DESC LIMIT ?`, [
      ...params,
      options.limit,
    ]);
    return rows.map(toStoredSignal);
  }

  /**
   * Moves a signal along one edge of the state table; throws on an illegal edge. With `tx`, inside
   * the caller's transaction (which then commits it); else in a transaction of its own.
   */
  updateState(id: string, state: SignalState, error?: string, tx?: Queryable): Promise<SignalStateChange> {
    if (tx !== undefined) return this.#updateState(tx, id, state, error);
    return this.#db.transaction((own) => this.#updateState(own, id, state, error));
  }

  /**
   * Ends signals just accepted (still `received`) as `rejected`, inside the accepting transaction:
   * one statement for a batch refused at the door.
   */
  async rejectReceived(tx: Queryable, ids: readonly string[], reason: string): Promise<void> {
    assert(ids.length <= ACCEPT_BATCH_MAX, `at most ${ACCEPT_BATCH_MAX} signals at once, got ${ids.length}`);
    if (ids.length === 0) return;
    const { changes } = await tx.execute(
      `UPDATE signals SET state = 'rejected', last_error = ?, updated_at_ms = ?
        WHERE state = 'received' AND id IN (${ids.map(() => '?').join(', ')})`,
      [reason, this.#clock.nowMs(), ...ids],
    );
    // Inside the accepting transaction nothing else has seen these rows.
    assert(changes === ids.length, `rejected ${changes} of ${ids.length} signals just accepted`);
  }

  async #updateState(
    tx: Queryable,
    id: string,
    state: SignalState,
    error: string | undefined,
  ): Promise<SignalStateChange> {
    // The state alone: reading the whole row would parse and check its payload for nothing.
    const [current] = await tx.query<{ state: string; last_error: string | null }>(
      'SELECT state, last_error FROM signals WHERE id = ?',
      [id],
    );
    if (current === undefined) throw new SignalNotFoundError(`no signal ${id}`);
    const from = current.state as SignalState;
    assertSignalTransition(id, from, state);
    const nowMs = this.#clock.nowMs();
    const { changes } = await tx.execute(
      'UPDATE signals SET state = ?, last_error = COALESCE(?, last_error), updated_at_ms = ? WHERE id = ? AND state = ?',
      [state, error ?? null, nowMs, id, from],
    );
    // Inside the transaction nothing else writes the row: the update is exactly what it now holds.
    assert(changes === 1, 'state update lost inside its transaction');
    return { id, state, lastError: error ?? current.last_error ?? undefined, updatedAtMs: nowMs };
  }

  /**
   * Counts one failed attempt. At attemptsMax the signal is quarantined so one poisonous signal
   * cannot stall the rest; `quarantined: true` tells the caller to raise an alert.
   */
  markAttempt(id: string, error: string): Promise<{ attempts: number; quarantined: boolean }> {
    return this.#db.transaction(async (tx) => {
      const current = await selectOne(tx, id);
      if (current === undefined) throw new SignalNotFoundError(`no signal ${id}`);
      if (TERMINAL_SIGNAL_STATES.includes(current.state) || current.state === 'quarantined')
        throw new IllegalSignalTransitionError(`signal ${id} is ${current.state}: no attempt can be counted`);
      const attempts = current.attempts + 1;
      const quarantined = attempts >= this.#attemptsMax;
      await tx.execute(
        'UPDATE signals SET attempts = ?, last_error = ?, state = ?, updated_at_ms = ? WHERE id = ?',
        [attempts, error, quarantined ? 'quarantined' : current.state, this.#clock.nowMs(), id],
      );
      return { attempts, quarantined };
    });
  }
}

/** An accept's answer, with the reason when the hook ended its signal at once. */
function resultOf(accepted: Accepted, outcome: AcceptOutcome | undefined): AcceptResult {
  const rejected = accepted.stored === undefined ? undefined : outcome?.rejected?.get(accepted.stored.id);
  return rejected === undefined ? accepted.result : { ...accepted.result, rejected };
}

/** A hook's after-commit function; its bug must not turn a committed accept into a failed one. */
function tellCommitted(outcome: AcceptOutcome | undefined): void {
  try {
    outcome?.afterCommit?.();
  } catch (error) {
    throwLater(error);
  }
}

async function selectOne(db: Queryable, id: string): Promise<StoredSignal | undefined> {
  const [row] = await db.query(`SELECT ${COLUMNS} FROM signals WHERE id = ?`, [id]);
  return row === undefined ? undefined : toStoredSignal(row);
}

function toStoredSignal(row: Row): StoredSignal {
  return {
    id: String(row['id']),
    dedupKey: String(row['dedup_key']),
    signal: signalSchema.parse(JSON.parse(String(row['payload']))),
    raw: String(row['raw']),
    sourceIp: row['source_ip'] === null ? undefined : String(row['source_ip']),
    state: String(row['state']) as SignalState,
    attempts: Number(row['attempts']),
    lastError: row['last_error'] === null ? undefined : String(row['last_error']),
    receivedAtMs: Number(row['received_at_ms']),
    updatedAtMs: Number(row['updated_at_ms']),
    traceparent: row['traceparent'] === null ? undefined : String(row['traceparent']),
  };
}
