import { actionRequests } from './action-requests.js';
import { alarmTables } from './alarms.js';
import { apiTables } from './api-tables.js';
import { deviceCredentials } from './device-credentials.js';
import { floorPlans } from './floor-plans.js';
import { gatewayStatus } from './gateway-status.js';
import { coreTables } from './common.js';
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
  ],
};
