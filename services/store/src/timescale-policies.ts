import type { Retention } from './options.js';
import { msInterval } from './options.js';
import type { SqlClient } from './sql-client.js';

/**
 * Refresh windows of the continuous-aggregate policies. start_offset bounds how late a reading may
 * arrive and still reach the aggregate automatically (older backfill: TimeRollups.refresh);
 * end_offset leaves the open bucket to real-time aggregation.
 */
export const CaggRefresh = Object.freeze({
  readings_1m: { startOffset: '1 day', endOffset: '1 minute', schedule: '1 minute' },
  readings_1h: { startOffset: '3 days', endOffset: '1 hour', schedule: '30 minutes' },
});

/**
 * (Re)registers every TimescaleDB background policy from the configured retention. Runs on every
 * migrate, so a changed retention takes effect on the next start; remove-then-add keeps it
 * idempotent.
 */
export async function applyTimescalePolicies(tx: SqlClient, retention: Retention): Promise<void> {
  // Order 40: electronic records kept ≥ 30 days (compileRetention refuses less).
  await tx.query("SELECT remove_retention_policy('readings', if_exists => true)");
  await tx.query("SELECT add_retention_policy('readings', drop_after => $1::interval)", [
    msInterval(retention.rawRetentionMs),
  ]);
  await tx.query("SELECT remove_compression_policy('readings', if_exists => true)");
  await tx.query("SELECT add_compression_policy('readings', compress_after => $1::interval)", [
    msInterval(retention.compressAfterMs),
  ]);

  const caggRetention = {
    readings_1m: retention.rollup1mRetentionMs,
    readings_1h: retention.rollup1hRetentionMs,
  };
  for (const [view, refresh] of Object.entries(CaggRefresh)) {
    await tx.query('SELECT remove_continuous_aggregate_policy($1::regclass, if_exists => true)', [view]);
    await tx.query(
      `SELECT add_continuous_aggregate_policy($1::regclass,
         start_offset => $2::interval, end_offset => $3::interval, schedule_interval => $4::interval)`,
      [view, refresh.startOffset, refresh.endOffset, refresh.schedule],
    );
    await tx.query('SELECT remove_retention_policy($1::regclass, if_exists => true)', [view]);
    await tx.query('SELECT add_retention_policy($1::regclass, drop_after => $2::interval)', [
      view,
      msInterval(caggRetention[view as keyof typeof caggRetention]),
    ]);
  }
}
