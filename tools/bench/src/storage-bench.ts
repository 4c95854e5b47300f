import type pg from 'pg';
import type { Logger } from 'pino';
import {
  compileRetention,
  PartitionMaintainer,
  PointScales,
  ensurePointIds,
  pointKey,
  queryHistory,
  ReadingBuffer,
  sqlClientFromPg,
  TimeRollups,
  READINGS_TABLE,
  type DialectPreference,
  type ReadingEncodingOptions,
  type SqlClient,
  type StoreDialect,
} from '@hazardwatch/store';
import {
  generateSite,
  NormalOperation,
  simulatedSiteFrom,
  type SimulatedPoint,
} from '@hazardwatch/simulators';
import { createBenchDatabase } from './bench-database.js';
import { copyReadings } from './copy-ceiling.js';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

export interface StorageBenchOptions {
  readonly adminDatabaseUrl: string;
  readonly logger: Logger;
  /** Dialect of the scratch database (HW_DB_DIALECT). @default 'auto' */
  readonly dialect?: DialectPreference;
  /** Points of the dense set (bytes per reading): the simulators' mix of kinds. */
  readonly points: number;
  /** Hours of the dense set at 1 Hz, ending at the start of yesterday (UTC). */
  readonly hours: number;
  /** Points of the trend set (the 30-day trend query). */
  readonly trendPoints: number;
  readonly trendDays: number;
  /** Sampling interval of the trend set, ms (its raw density; the query reads the 1 h rollup). */
  readonly trendIntervalMs: number;
  /** Timed runs of the trend query (after three untimed ones). */
  readonly queries: number;
}

export interface StorageSize {
  readonly totalBytes: number;
  readonly heapBytes: number;
  readonly indexBytes: number;
  readonly bytesPerReading: number;
}

export interface StorageBenchResult {
  readonly bench: 'storage';
  readonly dialect: StoreDialect;
  readonly serverVersion: string;
  readonly timescaledb: string | null;
  readonly points: number;
  readonly hours: number;
  readonly readings: number;
  readonly writeReadingsPerSec: number;
  /** Raw readings on disk as written (table, indexes, TOAST). */
  readonly raw: StorageSize;
  /** After compressing every chunk (TimescaleDB only). */
  readonly compressed: StorageSize | null;
  readonly compressionRatio: number | null;
  readonly compressSeconds: number | null;
  readonly trend: {
    readonly points: number;
    readonly days: number;
    readonly intervalMs: number;
    readonly readings: number;
    readonly rollupSeconds: number;
    readonly resolution: string;
    readonly bucketsPerPoint: number;
    readonly p50Ms: number;
    readonly p95Ms: number;
    readonly maxMs: number;
  };
}

/** Points of the simulators' generated site (the realistic mix of kinds, ranges, resolutions). */
function simulatedPoints(count: number, seed: number): SimulatedPoint[] {
  const site = simulatedSiteFrom(
    generateSite({ cities: 1, enterprises: Math.max(1, Math.ceil(count / 60)), points: count, seed }),
  );
  return site.points.filter((p) => p.enabled).slice(0, count);
}

/** Writes the simulators' normal operation of `points` at `intervalMs` over [fromMs, toMs), encoded as told. */
async function writeSeries(
  pool: pg.Pool,
  points: readonly SimulatedPoint[],
  ids: readonly number[],
  fromMs: number,
  toMs: number,
  intervalMs: number,
  seed: string,
  encoding: ReadingEncodingOptions,
): Promise<number> {
  const model = new NormalOperation(seed);
  const ticksPerBatch = Math.max(1, Math.floor(50_000 / points.length));
  let written = 0;
  const client = await pool.connect();
  try {
    for (let t = fromMs; t < toMs;) {
      const ticks = Math.min(ticksPerBatch, Math.ceil((toMs - t) / intervalMs));
      const buf = new ReadingBuffer(ticks * points.length);
      for (let k = 0; k < ticks; k++, t += intervalMs) {
        for (let i = 0; i < points.length; i++) buf.push(ids[i]!, t, model.valueAt(points[i]!, t), 0);
      }
      await copyReadings(client, buf, encoding);
      written += buf.length;
    }
  } finally {
    client.release();
  }
  return written;
}

/** Raw readings' size: the hypertable's chunks or the plain dialect's partitions. */
async function readingsSize(
  client: SqlClient,
  dialect: StoreDialect,
  readings: number,
): Promise<StorageSize> {
  const relations =
    dialect === 'timescaledb'
      ? // Compressed data lives in the internal compressed chunks: count them with their parents.
        `SELECT c AS rel FROM show_chunks('${READINGS_TABLE}') c
         UNION ALL
         SELECT format('%I.%I', cc.schema_name, cc.table_name)::regclass
         FROM _timescaledb_catalog.chunk ch
         JOIN _timescaledb_catalog.hypertable h ON h.id = ch.hypertable_id AND h.table_name = '${READINGS_TABLE}'
         JOIN _timescaledb_catalog.chunk cc ON cc.id = ch.compressed_chunk_id
         WHERE NOT ch.dropped`
      : `SELECT relid AS rel FROM pg_partition_tree('${READINGS_TABLE}') WHERE isleaf`;
  const { rows } = await client.query<{ total: string; heap: string; idx: string }>(
    `SELECT coalesce(sum(pg_total_relation_size(rel)), 0)::text AS total,
            coalesce(sum(pg_table_size(rel)), 0)::text AS heap,
            coalesce(sum(pg_indexes_size(rel)), 0)::text AS idx
     FROM (${relations}) r`,
  );
  const total = Number(rows[0]!.total);
  return {
    totalBytes: total,
    heapBytes: Number(rows[0]!.heap),
    indexBytes: Number(rows[0]!.idx),
    bytesPerReading: Number((total / Math.max(1, readings)).toFixed(2)),
  };
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/**
 * Storage on disk and the long trend query, on realistic data: the plant simulators' normal
 * operation (mean-reverting walk, measurement noise, the instrument's quantisation) for a
 * generated site's mix of kinds. Dense set: `points` at 1 Hz for `hours`, measured as written and,
 * on TimescaleDB, after compressing every chunk. Trend set: `trendPoints` over `trendDays`, rolled
 * up to 1 min and 1 h as the service (plain) or the continuous aggregates (TimescaleDB) do, then
 * the history query of a 30-day trend timed.
 */
export async function runStorageBench(options: StorageBenchOptions): Promise<StorageBenchResult> {
  const db = await createBenchDatabase(
    options.adminDatabaseUrl,
    options.logger,
    2,
    options.dialect ?? 'auto',
  );
  try {
    const client = sqlClientFromPg(db.pool);
    const dialect = db.dialect;
    const { rows: versions } = await client.query<{ server: string; ts: string | null }>(
      `SELECT current_setting('server_version') AS server,
              (SELECT extversion FROM pg_extension WHERE extname = 'timescaledb') AS ts`,
    );

    const dayStart = Math.floor(Date.now() / DAY_MS) * DAY_MS;
    // Dense set: whole hours ending at the start of yesterday, so no chunk is the open one.
    const denseTo = dayStart - DAY_MS;
    const denseFrom = denseTo - options.hours * HOUR_MS;
    // Plain PostgreSQL: the days written need their partitions (the maintainer makes only today's
    // and the days ahead; the service stores older readings as late data into existing ones).
    if (dialect === 'postgres') {
      await new PartitionMaintainer({
        client,
        logger: options.logger,
        now: Date.now,
        retention: compileRetention(),
      }).ensureCovering(Math.min(denseFrom, Date.now() - options.trendDays * DAY_MS), Date.now());
    }
    // As the ingest writes them: exact decimals as scaled integers where chunks are compressed,
    // each point's scale kept across batches as PgReadingWriter keeps it.
    const encoding: ReadingEncodingOptions = {
      scaledValues: dialect === 'timescaledb',
      scales: new PointScales(),
    };
    const dense = simulatedPoints(options.points, 11);
    const denseIds = await idsOf(client, dense, 'S');
    const started = performance.now();
    const readings = await writeSeries(
      db.pool,
      dense,
      denseIds,
      denseFrom,
      denseTo,
      1000,
      'storage',
      encoding,
    );
    const writeSeconds = (performance.now() - started) / 1000;
    await client.query(`ANALYZE ${READINGS_TABLE}`);
    const raw = await readingsSize(client, dialect, readings);

    let compressed: StorageSize | null = null;
    let compressSeconds: number | null = null;
    if (dialect === 'timescaledb') {
      const t0 = performance.now();
      await client.query(
        `SELECT count(compress_chunk(c, if_not_compressed => true))
         FROM show_chunks('${READINGS_TABLE}', older_than => $1::timestamptz) c`,
        [new Date(denseTo)],
      );
      compressSeconds = Number(((performance.now() - t0) / 1000).toFixed(1));
      compressed = await readingsSize(client, dialect, readings);
    }

    // Trend set: written up to now, rolled up over its whole span.
    const trend = simulatedPoints(options.trendPoints, 12);
    const trendIds = await idsOf(client, trend, 'T');
    const trendTo = Math.floor(Date.now() / options.trendIntervalMs) * options.trendIntervalMs;
    const trendFrom = trendTo - options.trendDays * DAY_MS;
    const trendReadings = await writeSeries(
      db.pool,
      trend,
      trendIds,
      trendFrom,
      trendTo,
      options.trendIntervalMs,
      'trend',
      encoding,
    );
    const r0 = performance.now();
    const rollups = new TimeRollups({
      client,
      dialect,
      logger: options.logger,
      now: Date.now,
      retention: compileRetention(),
    });
    await rollups.refresh(Math.floor(trendFrom / HOUR_MS) * HOUR_MS, trendTo, { pace: false });
    const rollupSeconds = Number(((performance.now() - r0) / 1000).toFixed(1));
    await client.query('ANALYZE');

    const request = { pointIds: trendIds, fromMs: trendTo - 30 * DAY_MS, toMs: trendTo, maxPoints: 1000 };
    let resolution = '';
    let buckets = 0;
    for (let i = 0; i < 3; i++) await queryHistory(client, dialect, request);
    const times: number[] = [];
    for (let i = 0; i < options.queries; i++) {
      const q0 = performance.now();
      const series = await queryHistory(client, dialect, request);
      times.push(performance.now() - q0);
      resolution = series[0]?.resolution ?? '';
      buckets = Math.round(series.reduce((n, s) => n + s.buckets.length, 0) / Math.max(1, series.length));
    }
    times.sort((a, b) => a - b);
    const ms = (v: number): number => Number(v.toFixed(1));

    return {
      bench: 'storage',
      dialect,
      serverVersion: versions[0]!.server,
      timescaledb: versions[0]!.ts,
      points: dense.length,
      hours: options.hours,
      readings,
      writeReadingsPerSec: Math.round(readings / writeSeconds),
      raw,
      compressed,
      compressionRatio: compressed ? Number((raw.totalBytes / compressed.totalBytes).toFixed(1)) : null,
      compressSeconds,
      trend: {
        points: trend.length,
        days: options.trendDays,
        intervalMs: options.trendIntervalMs,
        readings: trendReadings,
        rollupSeconds,
        resolution,
        bucketsPerPoint: buckets,
        p50Ms: ms(quantile(times, 0.5)),
        p95Ms: ms(quantile(times, 0.95)),
        maxMs: ms(times[times.length - 1] ?? 0),
      },
    };
  } finally {
    await db.drop();
  }
}

/** Point ids for `points` under enterprise codes prefixed by `prefix` (the two sets never share). */
async function idsOf(
  client: SqlClient,
  points: readonly SimulatedPoint[],
  prefix: string,
): Promise<number[]> {
  const keys = points.map((p) => ({ enterprise: `${prefix}${p.enterprise}`, tag: p.tag }));
  const ids = await ensurePointIds(client, keys);
  return keys.map((k) => ids.get(pointKey(k.enterprise, k.tag))!);
}
