import { type Migration, withSerialKey } from '../../storage/database.js';

const V5_COLUMNS = `id, signal_id, client_order_id, exchange_order_id, base, quote, side, execution, amount, price,
  state, filled_amount, average_price, fee, submit_count, reject_code, last_error, created_at_ms, updated_at_ms,
  lifetime_ms, decision_price`;

// role: entry | stop_loss | take_profit | oco (the take-profit leg, which places both) | oco_stop.
// protection: the entry's stopLoss/takeProfit as JSON; the other columns belong to protective orders.
const PROTECTION_COLUMNS = `role TEXT NOT NULL DEFAULT 'entry',
  parent_order_id TEXT,
  stop_price TEXT,
  stop_limit_price TEXT,
  protection TEXT`;

const PROTECTION_INDEXES = `CREATE UNIQUE INDEX IF NOT EXISTS orders_entry_signal ON orders (signal_id) WHERE role = 'entry';
  CREATE INDEX IF NOT EXISTS orders_signal ON orders (signal_id);
  CREATE INDEX IF NOT EXISTS orders_parent ON orders (parent_order_id)`;

export const journalMigrations: readonly Migration[] = [
  {
    id: 'journal-001-orders',
    sql: `CREATE TABLE IF NOT EXISTS orders (
        id TEXT PRIMARY KEY,
        signal_id TEXT NOT NULL UNIQUE,
        client_order_id TEXT NOT NULL UNIQUE,
        exchange_order_id TEXT,
        base TEXT NOT NULL,
        quote TEXT NOT NULL,
        side TEXT NOT NULL,
        execution TEXT NOT NULL,
        amount TEXT NOT NULL,
        price TEXT,
        state TEXT NOT NULL,
        filled_amount TEXT NOT NULL,
        average_price TEXT,
        fee TEXT NOT NULL,
        submit_count BIGINT NOT NULL,
        reject_code TEXT,
        last_error TEXT,
        created_at_ms BIGINT NOT NULL,
        updated_at_ms BIGINT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS orders_state ON orders (state);
      CREATE INDEX IF NOT EXISTS orders_exchange_order_id ON orders (exchange_order_id)`,
  },
  {
    id: 'journal-002-order-events',
    sql: withSerialKey(
      (serialKey) => `CREATE TABLE IF NOT EXISTS order_events (
          seq ${serialKey},
          order_id TEXT NOT NULL,
          signal_id TEXT NOT NULL,
          from_state TEXT,
          to_state TEXT NOT NULL,
          cause TEXT NOT NULL,
          raw TEXT,
          fencing_token BIGINT,
          at_ms BIGINT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS order_events_order ON order_events (order_id);
        CREATE INDEX IF NOT EXISTS order_events_signal ON order_events (signal_id);
        CREATE INDEX IF NOT EXISTS order_events_at ON order_events (at_ms)`,
    ),
  },
  {
    id: 'journal-003-order-fills',
    sql: `CREATE TABLE IF NOT EXISTS order_fills (
        trade_id TEXT PRIMARY KEY,
        order_id TEXT NOT NULL,
        amount TEXT NOT NULL,
        price TEXT NOT NULL,
        total TEXT NOT NULL,
        fee TEXT NOT NULL,
        fee_currency TEXT NOT NULL,
        at_ms BIGINT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS order_fills_order ON order_fills (order_id)`,
  },
  {
    id: 'journal-004-order-lifetime',
    sql: 'ALTER TABLE orders ADD COLUMN lifetime_ms BIGINT',
  },
  {
    // Exact decimal text, like every price in the journal; null for orders decided before it existed.
    id: 'journal-005-order-decision-price',
    sql: 'ALTER TABLE orders ADD COLUMN decision_price TEXT',
  },
  {
    // /api/orders lists newest first: without this a year of orders is sorted on every request.
    id: 'journal-006-orders-created',
    sql: 'CREATE INDEX IF NOT EXISTS orders_created ON orders (created_at_ms, id)',
  },
  {
    // Orders per state, kept in each transition's transaction: counting a year of orders on every
    // dashboard refresh and metrics scrape took half a second of the one SQLite connection.
    id: 'journal-007-order-state-counts',
    sql: `CREATE TABLE IF NOT EXISTS order_state_counts (state TEXT PRIMARY KEY, order_count BIGINT NOT NULL);
      INSERT INTO order_state_counts (state, order_count) SELECT state, COUNT(*) FROM orders GROUP BY state`,
  },
  {
    // Protective orders (stop-loss, take-profit, OCO legs) are journaled under their entry's signal, so
    // a signal may now own several orders: only its entry is unique per signal.
    id: 'journal-008-protective-orders',
    sql: {
      sqlite: `CREATE TABLE orders_v8 (
          id TEXT PRIMARY KEY,
          signal_id TEXT NOT NULL,
          client_order_id TEXT NOT NULL UNIQUE,
          exchange_order_id TEXT,
          base TEXT NOT NULL,
          quote TEXT NOT NULL,
          side TEXT NOT NULL,
          execution TEXT NOT NULL,
          amount TEXT NOT NULL,
          price TEXT,
          state TEXT NOT NULL,
          filled_amount TEXT NOT NULL,
          average_price TEXT,
          fee TEXT NOT NULL,
          submit_count BIGINT NOT NULL,
          reject_code TEXT,
          last_error TEXT,
          created_at_ms BIGINT NOT NULL,
          updated_at_ms BIGINT NOT NULL,
          lifetime_ms BIGINT,
          decision_price TEXT,
          ${PROTECTION_COLUMNS}
        );
        INSERT INTO orders_v8 (${V5_COLUMNS}) SELECT ${V5_COLUMNS} FROM orders;
        DROP TABLE orders;
        ALTER TABLE orders_v8 RENAME TO orders;
        CREATE INDEX IF NOT EXISTS orders_state ON orders (state);
        CREATE INDEX IF NOT EXISTS orders_exchange_order_id ON orders (exchange_order_id);
        CREATE INDEX IF NOT EXISTS orders_created ON orders (created_at_ms, id);
        ${PROTECTION_INDEXES}`,
      postgres: `ALTER TABLE orders DROP CONSTRAINT IF EXISTS orders_signal_id_key;
        ${PROTECTION_COLUMNS.split(',\n')
          .map((column) => `ALTER TABLE orders ADD COLUMN ${column.trim()}`)
          .join(';\n')};
        ${PROTECTION_INDEXES}`,
    },
  },
  {
    // An OCO's stop leg, named by its pair's placing answer (`pairId`) before Keel journals it: Keel's
    // from that answer on. Indexed: reconciliation asks about the exchange's open orders by id.
    id: 'journal-009-oco-pair',
    sql: `ALTER TABLE orders ADD COLUMN pair_exchange_order_id TEXT;
      CREATE INDEX IF NOT EXISTS orders_pair_exchange_order_id ON orders (pair_exchange_order_id)`,
  },
];
