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

/**
 * Plain PostgreSQL ≥ 14. `readings` is range-partitioned by day on ts; the partitions themselves
 * (`readings_pYYYYMMDD`) are created and dropped by PartitionMaintainer, not here, because which
 * days exist depends on the clock.
 */
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
      ) PARTITION BY RANGE (ts);
    `);
  },
};

const rollupColumns = `
  bucket timestamptz NOT NULL,
  point_id integer NOT NULL,
  min double precision NOT NULL,
  max double precision NOT NULL,
  avg double precision NOT NULL,
  last double precision NOT NULL,
  count bigint NOT NULL,
  PRIMARY KEY (point_id, bucket)
`;

/** Same relation names and columns as the TimescaleDB continuous aggregates. */
const rollups: Migration = {
  version: 3,
  name: 'rollups',
  async up(tx) {
    await tx.exec(`
      CREATE TABLE readings_1m (${rollupColumns});
      CREATE INDEX readings_1m_bucket_idx ON readings_1m (bucket);
      CREATE TABLE readings_1h (${rollupColumns});
      CREATE INDEX readings_1h_bucket_idx ON readings_1h (bucket);
    `);
  },
};

/**
 * Rollup refreshes read raw readings by time range; the primary key leads with point_id, so
 * without this every refresh scanned the whole day's partition (11 s for one minute of a
 * 39-million-row day). BRIN, not B-tree: readings arrive nearly in time order, the index stays a
 * few pages per gigabyte, and inserts pay next to nothing (a B-tree on ts made inserts 40 %
 * slower). Not autosummarize: at 130,000 readings/s a range fills every 30 ms, far more requests
 * than autovacuum's work-item queue holds (each refusal is a log line); TimeRollups
 * summarises new ranges itself every few seconds instead. On the partitioned parent, so every
 * partition, present and future, gets one.
 */
const readingsTimeIndex: Migration = {
  version: 10,
  name: 'readings-ts-brin',
  async up(tx) {
    await tx.exec(`
      CREATE INDEX readings_ts_brin ON readings USING brin (ts) WITH (pages_per_range = 32);
    `);
  },
};

/**
 * Version 19 makes TimescaleDB's time index the BRIN this dialect has had since version 10; here
 * there is nothing to change, and the version is recorded so that both dialects mean the same
 * schema by the same number.
 */
const readingsTimeBrin: Migration = {
  version: 19,
  name: 'readings-ts-brin',
  async up() {},
};

/**
 * Version 21 turns TimescaleDB's continuous aggregates into hypertables the service writes, as
 * this dialect's rollup tables have been since version 3: nothing to change here.
 */
const rollupTables: Migration = {
  version: 21,
  name: 'rollup-tables',
  async up() {},
};

export const plainMigrations: DialectMigrations = {
  dialect: 'postgres',
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
