// Anomaly flags of a chaos run, sorted into explained and false: a flag on a currency's reconciliation
// series is explained when the scenario moved that currency's balance behind Keel's back (a drift or a
// balance step: a real discrepancy the detector should see); any other flag is false.
import type { Observations } from './checker.js';
import type { ChaosWorld } from './world.js';

export interface AnomalyFlagCounts {
  readonly total: number;
  /** Flags nothing in the scenario explains, with their series key and flag kind. */
  readonly falseFlags: readonly string[];
}

export interface StoredFlag {
  readonly seriesKey: string;
  readonly flag: string;
  readonly atMs: number;
}

export async function readFlags(world: ChaosWorld): Promise<StoredFlag[]> {
  const rows = await world.app.db.query<{ series_key: string; flag: string; at_ms: number | string }>(
    'SELECT series_key, flag, at_ms FROM anomaly_flags ORDER BY id',
  );
  return rows.map((row) => ({ seriesKey: row.series_key, flag: row.flag, atMs: Number(row.at_ms) }));
}

export async function countAnomalyFlags(world: ChaosWorld, seen: Observations): Promise<AnomalyFlagCounts> {
  const flags = await readFlags(world);
  const falseFlags = flags
    .filter((f) => {
      const [kind, currency] = f.seriesKey.split(':');
      return kind !== 'reconciliation' || !seen.driftAbs.has(currency ?? '');
    })
    .map((f) => `${f.seriesKey} ${f.flag}`);
  return { total: flags.length, falseFlags };
}
