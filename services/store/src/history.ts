import type { StoreDialect } from './dialect.js';
import { storeErrors } from './errors.js';
import { MS_PER_HOUR, MS_PER_MINUTE } from './options.js';
import type { SqlClient } from './sql-client.js';

export type HistoryResolution = 'raw' | '1m' | '1h';

export interface HistoryRequest {
  pointIds: readonly number[];
  /** Inclusive start, ms since epoch (UTC). */
  fromMs: number;
  /** Exclusive end, ms since epoch (UTC). */
  toMs: number;
  /** Budget of buckets per point the caller can draw. */
  maxPoints: number;
  /**
   * Assumed raw sampling interval per point, ms, used to estimate raw rows without counting them.
   * @default 1000 (the densest scan rate we expect; sparser points then simply return fewer rows)
   */
  expectedRawIntervalMs?: number;
}

export interface HistoryBucket {
  /** Bucket start (raw: the reading's source timestamp), ms since epoch. */
  ts: number;
  min: number;
  max: number;
  avg: number;
  last: number;
  count: number;
}

export interface HistorySeries {
  pointId: number;
  resolution: HistoryResolution;
  buckets: HistoryBucket[];
}

/**
 * Resolution rule: the finest resolution whose expected bucket count per point fits maxPoints —
 * raw if (toMs − fromMs) / expectedRawIntervalMs ≤ maxPoints, else 1 min if the range holds
 * ≤ maxPoints minutes, else 1 h (the coarsest: it may then exceed maxPoints). All points of one
 * request share a resolution so their trends line up.
 */
export function chooseResolution(
  request: Pick<HistoryRequest, 'fromMs' | 'toMs' | 'maxPoints' | 'expectedRawIntervalMs'>,
): HistoryResolution {
  const rangeMs = request.toMs - request.fromMs;
  const rawIntervalMs = request.expectedRawIntervalMs ?? 1000;
  if (rangeMs / rawIntervalMs <= request.maxPoints) return 'raw';
  if (rangeMs / MS_PER_MINUTE <= request.maxPoints) return '1m';
  return '1h';
}

interface BucketRow {
  point_id: number;
  ts: number;
  min: number;
  max: number;
  avg: number;
  last: number;
  count: number;
}

// Times travel as float8 epoch-ms so node-postgres and PGlite return the same plain numbers.
const EPOCH_MS = (col: string): string => `(extract(epoch FROM ${col}) * 1000)::float8`;

const RAW_SQL = `
  SELECT point_id, ${EPOCH_MS('ts')} AS ts, value AS min, value AS max, value AS avg, value AS last, 1 AS count
  FROM readings
  WHERE point_id = ANY($1::int[]) AND ts >= $2 AND ts < $3
  ORDER BY point_id, ts`;

const rollupSql = (view: 'readings_1m' | 'readings_1h'): string => `
  SELECT point_id, ${EPOCH_MS('bucket')} AS ts, min, max, avg, last, count::float8 AS count
  FROM ${view}
  WHERE point_id = ANY($1::int[]) AND bucket >= $2 AND bucket < $3
  ORDER BY point_id, bucket`;

/**
 * Trend data for several points. Rollup buckets are selected by bucket start in [from, to), with
 * `from` floored to the bucket width so the first partial bucket is included. Both dialects expose
 * the same relations (`readings`, `readings_1m`, `readings_1h`), so `dialect` does not change the
 * SQL today; it stays in the signature for dialect-specific plans.
 */
export async function queryHistory(
  client: SqlClient,
  dialect: StoreDialect,
  request: HistoryRequest,
): Promise<HistorySeries[]> {
  const { fromMs, toMs, maxPoints } = request;
  if (!Number.isFinite(fromMs) || !Number.isFinite(toMs) || toMs <= fromMs || !(maxPoints >= 1)) {
    throw storeErrors.create('HW_STORE_HISTORY_RANGE_INVALID', { fromMs, toMs, maxPoints });
  }
  const pointIds = [...new Set(request.pointIds)];
  if (pointIds.length === 0) return [];
  const resolution = chooseResolution(request);
  const series = new Map<number, HistorySeries>(
    pointIds.map((pointId) => [pointId, { pointId, resolution, buckets: [] }]),
  );

  let sql: string;
  let from = fromMs;
  if (resolution === 'raw') {
    sql = RAW_SQL;
  } else {
    const width = resolution === '1m' ? MS_PER_MINUTE : MS_PER_HOUR;
    from = Math.floor(fromMs / width) * width;
    sql = rollupSql(resolution === '1m' ? 'readings_1m' : 'readings_1h');
  }
  const { rows } = await client.query<BucketRow>(sql, [pointIds, new Date(from), new Date(toMs)]);
  for (const row of rows) {
    series.get(row.point_id)?.buckets.push({
      ts: row.ts,
      min: row.min,
      max: row.max,
      avg: row.avg,
      last: row.last,
      count: Number(row.count),
    });
  }
  return [...series.values()];
}

export interface LatestValue {
  pointId: number;
  /** Source timestamp, ms since epoch. */
  ts: number;
  value: number;
  /** 0 good, 1 uncertain, 2 bad. */
  quality: number;
}

/**
 * Newest stored reading of each point, for a cold start of the live view. One index probe per
 * point (primary key (point_id, ts)), not a scan; points without readings are absent.
 */
export async function latestValues(client: SqlClient, pointIds: readonly number[]): Promise<LatestValue[]> {
  if (pointIds.length === 0) return [];
  const { rows } = await client.query<{ point_id: number; ts: number; value: number; quality: number }>(
    `SELECT p.id AS point_id, ${EPOCH_MS('r.ts')} AS ts, r.value, r.quality::int AS quality
     FROM unnest($1::int[]) AS p(id)
     CROSS JOIN LATERAL (
       SELECT ts, value, quality FROM readings WHERE point_id = p.id ORDER BY ts DESC LIMIT 1
     ) r
     ORDER BY p.id`,
    [[...new Set(pointIds)]],
  );
  return rows.map((r) => ({ pointId: r.point_id, ts: r.ts, value: r.value, quality: r.quality }));
}
