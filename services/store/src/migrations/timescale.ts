import { actionRequests } from './action-requests.js';
import { alarmTables } from './alarms.js';
import { apiTables } from './api-tables.js';
import { deviceCredentials } from './device-credentials.js';
import { floorPlans } from './floor-plans.js';
import { faultFacts } from './fault-facts.js';
import { gatewayStatus, gatewayStatusSince } from './gateway-status.js';
import { coreTables } from './common.js';
import { userSessions } from './user-sessions.js';
import { monitoringChanges, notificationDeliveries, safetyManagerRole } from './duties.js';
import { warningLoop } from './warning-loop.js';
import { handovers } from './handovers.js';
import { partitionLeases } from './leases.js';
import { regionColours } from './region-colours.js';
import { scaledValues } from './scaled-values.js';
import { siteFileMarks } from './site-file-marks.js';
import type { DialectMigrations, Migration } from './types.js';

/** Needs TimescaleDB ≥ 2.13 (`by_range`, hierarchical continuous aggregates). */
const readings: Migration = {
  version: 2,
  name: 'readings',
  async up(tx) {
    await tx.exec(`
      CREATE TABLE readings (
        point_id integer NOT NULL,
        ts timestamptz NOT NULL,
        value double precision NOT NULL,
        -- 0 good, 1 uncertain, 2 bad
        quality smallint NOT NULL DEFAULT 0 CHECK (quality BETWEEN 0 AND 2),
        -- Readings are idempotent on (point, ts): a redelivered MQTT message must not duplicate.
        PRIMARY KEY (point_id, ts)
      );
      -- 1-day chunks: retention drops whole days, like the plain dialect's daily partitions.
      SELECT create_hypertable('readings', by_range('ts', INTERVAL '1 day'));
      -- History reads one point over a range: segment by point, newest first inside a segment.
      ALTER TABLE readings SET (
        timescaledb.compress,
        timescaledb.compress_segmentby = 'point_id',
        timescaledb.compress_orderby = 'ts DESC'
      );
    `);
  },
};

/**
 * Continuous aggregates with the same names and columns as the plain rollup tables.
 * materialized_only = false: queries add not-yet-materialised raw rows (real-time aggregation), so
 * a trend never misses the last minutes between refresh-policy runs.
 * readings_1h is built on readings_1m (hierarchical): it stays computable after raw is dropped.
 */
const rollups: Migration = {
  version: 3,
  name: 'rollups',
  async up(tx) {
    await tx.exec(`
      CREATE MATERIALIZED VIEW readings_1m
      WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
      SELECT time_bucket(INTERVAL '1 minute', ts) AS bucket,
             point_id,
             min(value) AS min,
             max(value) AS max,
             avg(value) AS avg,
             last(value, ts) AS last,
             count(*) AS count
      FROM readings
      GROUP BY bucket, point_id
      WITH NO DATA;

      CREATE MATERIALIZED VIEW readings_1h
      WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
      SELECT time_bucket(INTERVAL '1 hour', bucket) AS bucket,
             point_id,
             min(min) AS min,
             max(max) AS max,
             sum(avg * count) / sum(count) AS avg,
             last(last, bucket) AS last,
             sum(count)::bigint AS count
      FROM readings_1m
      GROUP BY 1, point_id
      WITH NO DATA;
    `);
  },
};

/**
 * Version 10 indexes raw readings by time in both dialects (rollup refreshes read by time range).
 * create_hypertable already made this index with the table (version 2); it is created here only
 * if a hypertable was made without default indexes, so both dialects reach version 10 alike.
 */
const readingsTimeIndex: Migration = {
  version: 10,
  name: 'readings-ts-index',
  async up(tx) {
    await tx.exec(`CREATE INDEX IF NOT EXISTS readings_ts_idx ON readings (ts DESC);`);
  },
};

/**
 * Version 19 (issue #20): the raw readings' time index becomes BRIN, as in plain PostgreSQL since
 * version 10. create_hypertable had made an ordinary B-tree on ts (kept by version 10): every
 * reading paid a second B-tree insertion beside the primary key's, for an index only the
 * continuous-aggregate refresh reads (a few minutes of one chunk). A BRIN on data that arrives in
 * time order stays a few pages per gigabyte and costs inserts next to nothing; TimeRollups
 * summarises its new ranges every few seconds (summarizeTimeIndex), so a refresh reads only the
 * pages of its minutes. Created on the hypertable: every chunk, present (compressed ones too) and
 * future, gets one.
 */
const readingsTimeBrin: Migration = {
  version: 19,
  name: 'readings-ts-brin',
  async up(tx) {
    await tx.exec(`
      DROP INDEX IF EXISTS readings_ts_idx;
      CREATE INDEX IF NOT EXISTS readings_ts_brin ON readings USING brin (ts) WITH (pages_per_range = 32);
    `);
  },
};

/**
 * Version 21 (issue #20): the 1 min and 1 h rollups become hypertables written by the service, as
 * the plain dialect's tables are, in place of the continuous aggregates of version 3. The 1-minute
 * refresh policy read every minute's raw rows back from the hypertable (at 90,000 readings/s 5.4 M
 * rows a minute, seconds of a database core) and the alarm-latency tail fell in its window; the
 * ingest now aggregates each minute in memory as its batches become durable and writes the minute
 * rows, recomputing from raw readings only what it cannot vouch for (late data, redeliveries), and
 * rolls the hours up from readings_1m — the same code and the same results as plain PostgreSQL
 * (TimeRollups). Same names and columns as before; what the aggregates held, materialised and
 * real-time, is copied over (time proportional to the rollups kept). Dropping the aggregates drops
 * their refresh and retention policies; migrate registers retention on the new hypertables.
 * Chunks: a day of minutes, 30 days of hours, so retention drops whole chunks.
 */
const rollupTables: Migration = {
  version: 21,
  name: 'rollup-tables',
  async up(tx) {
    const columns = `
      bucket timestamptz NOT NULL,
      point_id integer NOT NULL,
      min double precision NOT NULL,
      max double precision NOT NULL,
      avg double precision NOT NULL,
      last double precision NOT NULL,
      count bigint NOT NULL,
      PRIMARY KEY (point_id, bucket)`;
    await tx.exec(`
      ALTER MATERIALIZED VIEW readings_1h RENAME TO readings_1h_cagg;
      ALTER MATERIALIZED VIEW readings_1m RENAME TO readings_1m_cagg;
      CREATE TABLE readings_1m (${columns});
      SELECT create_hypertable('readings_1m', by_range('bucket', INTERVAL '1 day'), create_default_indexes => false);
      CREATE INDEX readings_1m_bucket_idx ON readings_1m (bucket);
      CREATE TABLE readings_1h (${columns});
      SELECT create_hypertable('readings_1h', by_range('bucket', INTERVAL '30 days'), create_default_indexes => false);
      CREATE INDEX readings_1h_bucket_idx ON readings_1h (bucket);
      INSERT INTO readings_1m (bucket, point_id, min, max, avg, last, count)
        SELECT bucket, point_id, min, max, avg, last, count FROM readings_1m_cagg;
      INSERT INTO readings_1h (bucket, point_id, min, max, avg, last, count)
        SELECT bucket, point_id, min, max, avg, last, count FROM readings_1h_cagg;
      DROP MATERIALIZED VIEW readings_1h_cagg;
      DROP MATERIALIZED VIEW readings_1m_cagg;
    `);
  },
};

export const timescaleMigrations: DialectMigrations = {
  dialect: 'timescaledb',
  migrations: [
    coreTables,
    readings,
    rollups,
    alarmTables,
    apiTables,
    deviceCredentials,
    floorPlans,
    actionRequests,
    gatewayStatus,
    readingsTimeIndex,
    faultFacts,
    userSessions,
    safetyManagerRole,
    monitoringChanges,
    notificationDeliveries,
    warningLoop,
    handovers,
    gatewayStatusSince,
    readingsTimeBrin,
    partitionLeases,
    rollupTables,
    regionColours,
    scaledValues,
    siteFileMarks,
  ],
};
