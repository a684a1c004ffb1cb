// The engine's trading mode: RUNNING, REDUCING (only position-reducing orders) or HALTED.
// Every change is persisted with who and why; an automatic halt is lifted only by a person.
import { type Clock, systemClock } from '../core/clock.js';
import { isKeelError, KeelError } from '../core/errors.js';
import { EventEmitter } from '../core/events.js';
import {
  type Database,
  type Migration,
  type Queryable,
  type Row,
  withSerialKey,
} from '../storage/database.js';

export type EngineMode = 'RUNNING' | 'REDUCING' | 'HALTED';
export const ENGINE_MODES: readonly EngineMode[] = ['RUNNING', 'REDUCING', 'HALTED'];

/** Who asked: a person (CLI, API, dashboard) or the engine itself (reconciliation, exchange failure). */
export type ModeSource = 'operator' | 'reconciliation' | 'exchange-failure' | 'startup' | 'anomaly';

export interface ModeChange {
  readonly from: EngineMode;
  readonly to: EngineMode;
  readonly source: ModeSource;
  readonly by: string;
  readonly reason: string;
  readonly atMs: number;
}

const TRANSITIONS: ReadonlySet<string> = new Set([
  'RUNNING>REDUCING',
  'RUNNING>HALTED',
  'REDUCING>RUNNING',
  'REDUCING>HALTED',
  'HALTED>RUNNING', // only an operator: see set()
  'HALTED>REDUCING', // only an operator
]);

export class ModeChangeRefusedError extends KeelError {
  readonly code = 'KEEL_ERR_MODE_CHANGE_REFUSED';
}
export const isModeChangeRefusedError = (e: unknown): e is ModeChangeRefusedError =>
  isKeelError(e) && e.code === 'KEEL_ERR_MODE_CHANGE_REFUSED';

export const killSwitchMigrations: readonly Migration[] = [
  {
    id: 'engine-001-mode-changes',
    sql: withSerialKey(
      (serialKey) => `CREATE TABLE IF NOT EXISTS engine_mode_changes (
          seq ${serialKey}, from_mode TEXT NOT NULL, to_mode TEXT NOT NULL,
          source TEXT NOT NULL, changed_by TEXT NOT NULL, reason TEXT NOT NULL, at_ms BIGINT NOT NULL)`,
    ),
  },
];

export class KillSwitch {
  #mode: EngineMode;
  #lastChange: ModeChange | undefined;
  readonly #db: Database;
  readonly #clock: Clock;
  readonly #changeEmitter = new EventEmitter<ModeChange>();
  readonly onChange = this.#changeEmitter.addListener;

  private constructor(db: Database, clock: Clock, mode: EngineMode, lastChange: ModeChange | undefined) {
    this.#db = db;
    this.#clock = clock;
    this.#mode = mode;
    this.#lastChange = lastChange;
  }

  /** Restores the last persisted mode; a fresh store starts in `initialMode`. */
  static async open(options: { db: Database; clock?: Clock; initialMode?: EngineMode }): Promise<KillSwitch> {
    const last = await lastChangeIn(options.db);
    return new KillSwitch(
      options.db,
      options.clock ?? systemClock,
      last?.to ?? options.initialMode ?? 'RUNNING',
      last,
    );
  }

  /**
   * Re-reads the last change from storage: another instance (a standby's API, the CLI) may have
   * switched the mode. Cheap: one indexed row.
   */
  async refresh(): Promise<EngineMode> {
    const last = await lastChangeIn(this.#db);
    if (last !== undefined && last.to !== this.#mode) {
      this.#mode = last.to;
      this.#lastChange = last;
      this.#changeEmitter.emit(last);
    }
    return this.#mode;
  }

  /**
   * The mode as stored, read inside the caller's transaction (intake's, which refuses a signal that
   * arrives while HALTED in the transaction that stores it). Does not update this copy.
   */
  async modeIn(tx: Queryable): Promise<EngineMode> {
    const [last] = await tx.query<{ to_mode: string }>(
      'SELECT to_mode FROM engine_mode_changes ORDER BY seq DESC LIMIT 1',
    );
    return last === undefined ? this.#mode : (last.to_mode as EngineMode);
  }

  get mode(): EngineMode {
    return this.#mode;
  }

  get lastChange(): ModeChange | undefined {
    return this.#lastChange;
  }

  /** Changes the mode. Leaving HALTED needs a person; a repeat of the current mode is a no-op. */
  async set(
    to: EngineMode,
    change: { source: ModeSource; by: string; reason: string },
  ): Promise<ModeChange | null> {
    // From the mode as stored: another instance or the CLI may have changed it since this copy was read.
    const from = await this.refresh();
    if (from === to) return null;
    if (!TRANSITIONS.has(`${from}>${to}`)) throw new ModeChangeRefusedError(`${from} -> ${to}`);
    if (from === 'HALTED' && change.source !== 'operator')
      throw new ModeChangeRefusedError(
        `${from} -> ${to}: only an operator may lift a halt (asked by ${change.source})`,
      );
    const event: ModeChange = { from, to, ...change, atMs: this.#clock.nowMs() };
    await this.#db.execute(
      'INSERT INTO engine_mode_changes (from_mode, to_mode, source, changed_by, reason, at_ms) VALUES (?, ?, ?, ?, ?, ?)',
      [from, to, change.source, change.by, change.reason, event.atMs],
    );
    this.#mode = to;
    this.#lastChange = event;
    this.#changeEmitter.emit(event);
    return event;
  }

  async history(limit = 100): Promise<ModeChange[]> {
    const rows = await this.#db.query('SELECT * FROM engine_mode_changes ORDER BY seq DESC LIMIT ?', [
      Math.min(limit, 10_000),
    ]);
    return rows.map(changeFromRow);
  }
}

async function lastChangeIn(db: Database): Promise<ModeChange | undefined> {
  const rows = await db.query('SELECT * FROM engine_mode_changes ORDER BY seq DESC LIMIT 1');
  return rows[0] === undefined ? undefined : changeFromRow(rows[0]);
}

function changeFromRow(row: Row): ModeChange {
  return {
    from: String(row.from_mode) as EngineMode,
    to: String(row.to_mode) as EngineMode,
    source: String(row.source) as ModeSource,
    by: String(row.changed_by),
    reason: String(row.reason),
    atMs: Number(row.at_ms),
  };
}
