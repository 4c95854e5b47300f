import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { StoreDialect } from './dialect.js';
import { AdvisoryLock, lockForTransaction } from './locks.js';
import type { Retention } from './options.js';
import { MS_PER_HOUR, MS_PER_MINUTE } from './options.js';
import { utcDayStart } from './partitions.js';
import { READINGS_TABLE } from './scaled-values.js';
import type { SqlClient } from './sql-client.js';

export type RollupView = 'readings_1m' | 'readings_1h';

export interface TimeRollupsOptions {
  client: SqlClient;
  dialect: StoreDialect;
  logger: Logger;
  /** Wall clock, ms since epoch. */
  now: () => number;
  retention: Retention;
  /** Plain dialect: rows deleted per statement when pruning. @default 10_000 */
  pruneBatchRows?: number;
  /** Source rows one slice of a refresh aims at. @default 1_000_000 */
  targetSliceRows?: number;
  /**
   * The share of one database core a paced refresh may keep busy; after each
   * statement it pauses (1 − dutyCycle) / dutyCycle times as long as the statement took. 1: no
   * pauses. @default 0.5
   */
  dutyCycle?: number;
  /** Pause used between statements. @default node's timers/promises setTimeout */
  sleep?: (ms: number) => Promise<void>;
}

/** Folds one slice row into the window's partial aggregates, keyed by bucket index and point. */
function mergeInto(merged: Map<number, Partial>, windowStart: number, bucketMs: number, row: SliceRow): void {
  // Bucket index within the window (< 2^21) above a 32-bit point id: an exact integer key.
  const key = ((row.bucket - windowStart) / bucketMs) * 2 ** 32 + row.point_id;
  const seen = merged.get(key);
  if (!seen) {
    merged.set(key, {
      bucket: row.bucket,
      pointId: row.point_id,
      min: row.min,
      max: row.max,
      sum: row.sum,
      n: row.n,
      lastTs: row.last_ts,
    });
    return;
  }
  if (row.min < seen.min) seen.min = row.min;
  if (row.max > seen.max) seen.max = row.max;
  seen.sum += row.sum;
  seen.n += row.n;
  // Slices are read in time order and do not overlap: a later slice's latest time is later.
  seen.lastTs = row.last_ts;
}

/** The upsert's parameters: one array per column. */
function writeColumns(merged: Map<number, Partial>): unknown[] {
  const rows = [...merged.values()];
  return [
    rows.map((r) => r.bucket),
    rows.map((r) => r.pointId),
    rows.map((r) => r.min),
    rows.map((r) => r.max),
    rows.map((r) => r.sum / r.n),
    rows.map((r) => r.lastTs),
    rows.map((r) => r.n),
  ];
}

const floorTo = (ms: number, step: number): number => Math.floor(ms / step) * step;
const ceilTo = (ms: number, step: number): number => Math.ceil(ms / step) * step;

/**
 * Buckets are aligned to the Unix epoch, UTC. For minute and hour widths this gives the same
 * buckets as time_bucket's default origin (2000-01-03 UTC is a whole number of hours after it).
 */
const ORIGIN = "TIMESTAMPTZ '1970-01-01 00:00:00+00'";

const UPSERT_SET = `ON CONFLICT (point_id, bucket) DO UPDATE SET
  min = EXCLUDED.min, max = EXCLUDED.max, avg = EXCLUDED.avg, last = EXCLUDED.last, count = EXCLUDED.count`;

/**
 * One level of the rollups (both dialects since schema version 21): partial aggregates of a source table over a slice of
 * time, one row per (bucket, point). Hash-aggregated with plain aggregates only: an ordered
 * aggregate for `last` sorted the whole slice (spilling to disk), and max([time, value]) arrays
 * cost 40 % more per row; the slices give the latest time instead, and the write fetches the
 * value there by primary key, once per bucket. A slice inside one bucket groups by point only
 * (the bucket is a parameter): date_bin for every row cost a third of the statement.
 * Times travel as text: exact to the microsecond, so the lookup by time always finds its row.
 */
interface PlainLevel {
  readonly view: RollupView;
  readonly bucketMs: number;
  /** Slice lengths, each dividing a day; below bucketMs each also divides the bucket. */
  readonly stepsMs: readonly number[];
  /** Slice length before any rate has been seen. */
  readonly initialStepMs: number;
  /** Slice within one bucket: $1 from, $2 to, $3 the bucket (epoch ms). */
  readonly oneBucketSql: string;
  /** Slice over whole buckets: $1 from, $2 to. */
  readonly bucketsSql: string;
  /** Upserts a window's merged rows, `last` looked up at each row's latest time. */
  readonly writeSql: string;
}

/**
 * The window's rows as arrays; `last` from the source row at the latest time ($6), searched only
 * inside the window ($8, $9) so partitions are pruned whatever plan is chosen.
 */
const writeSql = (view: RollupView, source: string, valueColumn: string, timeColumn: string): string => `
  WITH written AS (
  INSERT INTO ${view} (bucket, point_id, min, max, avg, last, count)
  SELECT to_timestamp(u.bucket / 1000.0), u.point_id, u.min, u.max, u.avg, s.${valueColumn}, u.n
  FROM unnest($1::float8[], $2::int[], $3::float8[], $4::float8[], $5::float8[], $6::timestamptz[], $7::bigint[])
    AS u(bucket, point_id, min, max, avg, last_ts, n)
  JOIN ${source} s ON s.point_id = u.point_id AND s.${timeColumn} = u.last_ts
  WHERE s.${timeColumn} >= $8 AND s.${timeColumn} < $9
  ORDER BY u.point_id, u.bucket
  ${UPSERT_SET}
  RETURNING 1)
  SELECT count(*)::int AS n FROM written`;

const rawSlice = (bucket: string, groupBy: string): string => `
  SELECT ${bucket} AS bucket, point_id, min(value) AS min, max(value) AS max, sum(value) AS sum,
         count(*)::float8 AS n, max(ts)::text AS last_ts, count(*)::float8 AS source_rows
  FROM readings WHERE ts >= $1 AND ts < $2
  GROUP BY ${groupBy}`;

const RAW_TO_1M: PlainLevel = {
  view: 'readings_1m',
  bucketMs: MS_PER_MINUTE,
  stepsMs: [1, 2, 5, 10, 15, 20, 30, 60, 120, 300, 600, 900, 1800, 3600].map((s) => s * 1000),
  initialStepMs: 5_000,
  oneBucketSql: rawSlice('$3::float8', 'point_id'),
  bucketsSql: rawSlice(
    `date_part('epoch', date_bin(INTERVAL '1 minute', ts, ${ORIGIN})) * 1000`,
    `date_bin(INTERVAL '1 minute', ts, ${ORIGIN}), point_id`,
  ),
  writeSql: writeSql('readings_1m', 'readings', 'value', 'ts'),
};

const minuteSlice = (bucket: string, groupBy: string): string => `
  SELECT ${bucket} AS bucket, point_id, min(min) AS min, max(max) AS max, sum(avg * count) AS sum,
         sum(count)::float8 AS n, max(bucket)::text AS last_ts, count(*)::float8 AS source_rows
  FROM readings_1m WHERE bucket >= $1 AND bucket < $2
  GROUP BY ${groupBy}`;

/** Built from readings_1m, so an hour stays computable after its raw readings are dropped. */
const MINUTE_TO_1H: PlainLevel = {
  view: 'readings_1h',
  bucketMs: MS_PER_HOUR,
  stepsMs: [1, 2, 5, 10, 15, 20, 30, 60, 120, 180, 360, 720, 1440].map((m) => m * MS_PER_MINUTE),
  initialStepMs: 5 * MS_PER_MINUTE,
  oneBucketSql: minuteSlice('$3::float8', 'point_id'),
  bucketsSql: minuteSlice(
    `date_part('epoch', date_bin(INTERVAL '1 hour', bucket, ${ORIGIN})) * 1000`,
    `date_bin(INTERVAL '1 hour', bucket, ${ORIGIN}), point_id`,
  ),
  writeSql: writeSql('readings_1h', 'readings_1m', 'last', 'bucket'),
};

/** Minute aggregates per statement of storeMinutes. */
const STORE_MINUTES_CHUNK = 50_000;

/** A span of time [fromMs, toMs), epoch ms. */
export interface TimeSpan {
  readonly fromMs: number;
  readonly toMs: number;
}

/** The whole hours a span touches. */
const hourSpan = (fromMs: number, toMs: number): TimeSpan => ({
  fromMs: floorTo(fromMs, MS_PER_HOUR),
  toMs: ceilTo(toMs, MS_PER_HOUR),
});

/** Spans sorted and merged where they overlap or touch: each time in one span, once. */
function mergeSpans(spans: readonly TimeSpan[]): TimeSpan[] {
  const sorted = [...spans].sort((a, b) => a.fromMs - b.fromMs);
  const merged: TimeSpan[] = [];
  for (const span of sorted) {
    const last = merged[merged.length - 1];
    if (last && span.fromMs <= last.toMs)
      merged[merged.length - 1] = { fromMs: last.fromMs, toMs: Math.max(last.toMs, span.toMs) };
    else merged.push(span);
  }
  return merged;
}

/** SQLSTATE of a lock_timeout. */
const LOCK_NOT_AVAILABLE = '55P03';

/** Slices whose rate a refresh remembers when sizing the next. */
const RATE_MEMORY = 16;

interface SliceRow {
  bucket: number;
  point_id: number;
  min: number;
  max: number;
  sum: number;
  n: number;
  /** The latest time in the group (timestamptz as text). */
  last_ts: string;
  /** Rows of the source table behind this row (readings, or readings_1m rows). */
  source_rows: number;
}

/** A bucket's aggregate merged over slices: min, max and sum/count combine; the latest wins. */
interface Partial {
  bucket: number;
  pointId: number;
  min: number;
  max: number;
  sum: number;
  n: number;
  lastTs: string;
}

/**
 * A complete 1-minute aggregate of one point, computed where the readings were ingested (instead
 * of reading the minute back from `readings`).
 */
export interface MinuteRollup {
  /** Start of the minute, epoch ms (a whole minute). */
  readonly bucketMs: number;
  readonly pointId: number;
  readonly min: number;
  readonly max: number;
  readonly sum: number;
  readonly count: number;
  /** The value at the latest time in the minute. */
  readonly last: number;
}

const STORE_MINUTES_SQL = `
  INSERT INTO readings_1m (bucket, point_id, min, max, avg, last, count)
  SELECT to_timestamp(u.bucket / 1000.0), u.point_id, u.min, u.max, u.sum / u.n, u.last, u.n
  FROM unnest($1::float8[], $2::int[], $3::float8[], $4::float8[], $5::float8[], $6::float8[], $7::bigint[])
    AS u(bucket, point_id, min, max, sum, last, n)
  ORDER BY u.point_id, u.bucket
  ${UPSERT_SET}`;

/** What one refresh did, for logs and benchmarks. */
export interface RollupRefreshStats {
  /** SELECT statements over slices of the source. */
  slices: number;
  /** Source rows (raw readings, then 1-minute rows) aggregated. */
  sourceRows: number;
  /** Rollup rows written (both levels). */
  buckets: number;
  /** Time spent in statements, ms (pauses excluded). */
  busyMs: number;
}

/**
 * Keeps readings_1m / readings_1h current — minutes aggregated by the ingest stored, ranges whose
 * raw data changed (late or backfilled readings) recomputed — and enforces their retention on the
 * plain dialect. The same tables and the same code on both dialects (TimescaleDB from schema
 * version 21: hypertables in place of continuous aggregates, whose retention is a background
 * policy there).
 *
 * A recomputed range is read in time slices sized to about `targetSliceRows` source rows
 * (the slice length adapts to the data rate seen), partial aggregates are merged here, and each
 * window of whole buckets is written with one upsert. Between statements the maintainer pauses so
 * that it keeps at most `dutyCycle` of one database core: a minute of readings at 130,000/s
 * (~7.8 M rows) is seconds of CPU, and done in one statement it took a core from ingestion and
 * alarm commits for that long.
 */
export class TimeRollups {
  readonly #client: SqlClient;
  readonly #dialect: StoreDialect;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #retention: Retention;
  readonly #pruneBatchRows: number;
  readonly #targetSliceRows: number;
  readonly #dutyCycle: number;
  readonly #sleep: (ms: number) => Promise<void>;
  /** Source rows per ms of source time in the last slices read, per level (newest last). */
  readonly #rates = new Map<RollupView, number[]>();
  /** Slice length last used, per level (growth is bounded by it). */
  readonly #lastStep = new Map<RollupView, number>();

  constructor(options: TimeRollupsOptions) {
    this.#client = options.client;
    this.#dialect = options.dialect;
    this.#log = options.logger.child({ component: 'store-rollups', dialect: options.dialect });
    this.#now = options.now;
    this.#retention = options.retention;
    this.#pruneBatchRows = options.pruneBatchRows ?? 10_000;
    this.#targetSliceRows = options.targetSliceRows ?? 1_000_000;
    this.#dutyCycle = options.dutyCycle ?? 0.5;
    if (!(this.#targetSliceRows >= 1)) throw new RangeError('targetSliceRows must be at least 1');
    if (!(this.#dutyCycle > 0 && this.#dutyCycle <= 1))
      throw new RangeError(`dutyCycle must be in (0, 1], got ${this.#dutyCycle}`);
    this.#sleep = options.sleep ?? ((ms) => sleep(ms));
  }

  /**
   * Recomputes every 1 min and 1 h bucket touching [fromMs, toMs) from the data below it;
   * idempotent. The window is clipped to the days raw data still fully exists for: recomputing a
   * bucket whose raw rows were dropped would erase the aggregate that must outlive them. `pace: false` skips the pauses (shutdown).
   */
  async refresh(fromMs: number, toMs: number, options: { pace?: boolean } = {}): Promise<RollupRefreshStats> {
    return this.rollUp({ minutes: [], recompute: [{ fromMs, toMs }] }, options);
  }

  /**
   * Stores complete 1-minute aggregates computed at ingestion (MinuteRollup), then
   * recomputes the hours they fall in from readings_1m. Replaces what the minutes held (like a
   * refresh), so it is idempotent and, for a point whose readings all pass through the caller,
   * gives what `refresh` would — without reading the minute's raw rows back: at 130,000 readings/s
   * that read was ~8 M rows a minute, seconds of a database core.
   */
  async storeMinutes(
    minutes: readonly MinuteRollup[],
    options: { pace?: boolean } = {},
  ): Promise<RollupRefreshStats> {
    return this.rollUp({ minutes, recompute: [] }, options);
  }

  /**
   * One rollup cycle of an ingest: the minutes it aggregated itself stored as by `storeMinutes`,
   * the spans it cannot vouch for recomputed from the data below as by `refresh` (the time index
   * summarised once for all of them), and then every hour any of them touches recomputed once
   * (scattered late minutes of one hour cost one hour, not one each). A minute in both is written
   * twice, the raw rows last: give each minute to one of them.
   */
  async rollUp(
    work: { readonly minutes: readonly MinuteRollup[]; readonly recompute: readonly TimeSpan[] },
    options: { pace?: boolean } = {},
  ): Promise<RollupRefreshStats> {
    const stats: RollupRefreshStats = { slices: 0, sourceRows: 0, buckets: 0, busyMs: 0 };
    const spans = mergeSpans(work.recompute)
      .map((span) => this.#intactMinutes(span))
      .filter((s) => s !== undefined);
    const hours = mergeSpans([
      ...[...new Set(work.minutes.map((m) => m.bucketMs))].map((b) => hourSpan(b, b + MS_PER_MINUTE)),
      ...spans.map((span) => hourSpan(span.fromMs, span.toMs)),
    ]);
    const pace = options.pace ?? true;
    // In chunks: one statement's arrays stay bounded for sites of a million points.
    for (let i = 0; i < work.minutes.length; i += STORE_MINUTES_CHUNK) {
      const chunk = work.minutes.slice(i, i + STORE_MINUTES_CHUNK);
      const began = performance.now();
      await this.#client.transaction(async (tx) => {
        await lockForTransaction(tx, AdvisoryLock.rollups);
        await tx.query(STORE_MINUTES_SQL, [
          chunk.map((m) => m.bucketMs),
          chunk.map((m) => m.pointId),
          chunk.map((m) => m.min),
          chunk.map((m) => m.max),
          chunk.map((m) => m.sum),
          chunk.map((m) => m.last),
          chunk.map((m) => m.count),
        ]);
      });
      stats.buckets += chunk.length;
      stats.sourceRows += chunk.reduce((n, m) => n + m.count, 0);
      await this.#paced(performance.now() - began, pace, stats);
    }
    if (spans.length > 0) await this.summarizeTimeIndex();
    for (const span of spans) await this.#refreshPlain(RAW_TO_1M, span.fromMs, span.toMs, pace, stats);
    for (const span of hours) await this.#refreshPlain(MINUTE_TO_1H, span.fromMs, span.toMs, pace, stats);
    if (hours.length > 0)
      this.#log.debug(
        { minutes: work.minutes.length, spans: spans.length, hours: hours.length, ...stats },
        'rollups refreshed',
      );
    return stats;
  }

  /** The whole minutes of a span whose raw rows still fully exist (see `refresh`), if any. */
  #intactMinutes(span: TimeSpan): TimeSpan | undefined {
    const oldestIntactMs = utcDayStart(this.#now() - this.#retention.rawRetentionMs);
    const fromMs = floorTo(Math.max(span.fromMs, oldestIntactMs), MS_PER_MINUTE);
    const toMs = ceilTo(span.toMs, MS_PER_MINUTE);
    return toMs > fromMs ? { fromMs, toMs } : undefined;
  }

  /**
   * Summarises the raw readings' time index (BRIN) over pages written since the last call, in
   * every partition (plain) or every chunk (TimescaleDB, schema version 19);
   * returns the page ranges summarised. A BRIN scan reads every unsummarised range, so without
   * this a refresh (ours, or a continuous aggregate's) would read all data since the last vacuum;
   * called every few seconds, each call costs a few seconds' worth of new pages. Skipped (0)
   * while a vacuum holds a partition: that vacuum summarises it too.
   */
  async summarizeTimeIndex(): Promise<number> {
    const indexes =
      this.#dialect === 'timescaledb'
        ? // Every chunk's BRIN (the catalog that pairs chunk and hypertable indexes differs
          // between TimescaleDB versions; show_chunks and pg_index do not).
          `SELECT i.indexrelid::regclass AS ix
           FROM show_chunks('${READINGS_TABLE}') AS chunk
           JOIN pg_index i ON i.indrelid = chunk
           JOIN pg_class ic ON ic.oid = i.indexrelid
           JOIN pg_am am ON am.oid = ic.relam AND am.amname = 'brin'`
        : `SELECT inhrelid::regclass AS ix FROM pg_inherits
           WHERE inhparent = 'readings_ts_brin'::regclass`;
    try {
      return await this.#client.transaction(async (tx) => {
        await tx.exec(`SET LOCAL lock_timeout = '200ms'`);
        const { rows } = await tx.query<{ n: number }>(
          `SELECT coalesce(sum(brin_summarize_new_values(ix)), 0)::int AS n FROM (${indexes}) i`,
        );
        return rows[0]?.n ?? 0;
      });
    } catch (error) {
      if ((error as { code?: unknown }).code === LOCK_NOT_AVAILABLE) return 0;
      throw error;
    }
  }

  /**
   * One level, window by window. A window is one bucket (read in several slices when the data is
   * dense) or one slice of several buckets (sparse data); each is read and written in one
   * transaction under the rollups lock, so a concurrent refresh by another instance can never
   * overwrite a newer result with one computed from older reads.
   */
  async #refreshPlain(
    level: PlainLevel,
    fromMs: number,
    toMs: number,
    pace: boolean,
    stats: RollupRefreshStats,
  ): Promise<void> {
    for (let cursor = fromMs; cursor < toMs;) {
      const step = this.#chooseStep(level);
      const span = Math.max(step, level.bucketMs);
      const windowStart = cursor;
      const windowEnd = Math.min(floorTo(cursor, span) + span, toMs);
      await this.#client.transaction(async (tx) => {
        await lockForTransaction(tx, AdvisoryLock.rollups);
        // Bounded work per statement: no JIT compilation (hundreds of ms for a plan run once),
        // no parallel workers (they would take the cores the pauses leave to ingestion), and a
        // slice of time read through the time index: a partition without statistics (today's,
        // until autovacuum first analyses it, or always where autovacuum is off) is otherwise
        // planned as a scan of the whole partition for every slice — at 90,000 readings/s an
        // empty 5-s slice of the start-up lookback took 0.3–0.5 s and a dense one 1.6 s.
        await tx.exec(
          'SET LOCAL jit = off; SET LOCAL max_parallel_workers_per_gather = 0; SET LOCAL enable_seqscan = off',
        );
        const merged = new Map<number, Partial>();
        for (let start = windowStart; start < windowEnd;) {
          const end = Math.min(floorTo(start, step) + step, windowEnd);
          const began = performance.now();
          const { rows } =
            step < level.bucketMs
              ? await tx.query<SliceRow>(level.oneBucketSql, [
                  new Date(start),
                  new Date(end),
                  floorTo(start, level.bucketMs),
                ])
              : await tx.query<SliceRow>(level.bucketsSql, [new Date(start), new Date(end)]);
          let n = 0;
          for (const row of rows) {
            n += row.source_rows;
            mergeInto(merged, windowStart, level.bucketMs, row);
          }
          stats.slices++;
          stats.sourceRows += n;
          this.#observeRate(level.view, n / (end - start));
          await this.#paced(performance.now() - began, pace, stats);
          start = end;
        }
        if (merged.size === 0) return;
        const began = performance.now();
        const { rows: written } = await tx.query<{ n: number }>(level.writeSql, [
          ...writeColumns(merged),
          new Date(windowStart),
          new Date(windowEnd),
        ]);
        const n = written[0]?.n ?? 0;
        stats.buckets += n;
        // Only if source rows went while the window was read (retention dropped their partition).
        if (n < merged.size)
          this.#log.warn(
            { view: level.view, fromMs: windowStart, toMs: windowEnd, expected: merged.size, written: n },
            'rollup rows skipped: their latest source row is gone',
          );
        await this.#paced(performance.now() - began, pace, stats);
      });
      this.#lastStep.set(level.view, step);
      cursor = windowEnd;
    }
  }

  #observeRate(view: RollupView, rowsPerMs: number): void {
    const rates = this.#rates.get(view) ?? [];
    rates.push(rowsPerMs);
    if (rates.length > RATE_MEMORY) rates.shift();
    this.#rates.set(view, rates);
  }

  /**
   * The longest slice expected to hold at most targetSliceRows at the highest rate of the last
   * slices (a short quiet stretch does not make the next dense one a huge slice); growth is also
   * bounded to 4× the last slice.
   */
  #chooseStep(level: PlainLevel): number {
    const rates = this.#rates.get(level.view);
    const last = this.#lastStep.get(level.view);
    if (rates === undefined || last === undefined) return level.initialStepMs;
    const rate = Math.max(...rates);
    let chosen = level.stepsMs[0]!;
    for (const step of level.stepsMs) {
      if (step > last * 4) break;
      if (rate * step <= this.#targetSliceRows) chosen = step;
    }
    return chosen;
  }

  async #paced(busyMs: number, pace: boolean, stats: RollupRefreshStats): Promise<void> {
    stats.busyMs += busyMs;
    if (!pace || this.#dutyCycle >= 1) return;
    const pauseMs = (busyMs * (1 - this.#dutyCycle)) / this.#dutyCycle;
    if (pauseMs >= 1) await this.#sleep(pauseMs);
  }

  /**
   * Plain dialect: deletes rollup rows older than their retention, in bounded batches. TimescaleDB:
   * a no-op (its retention policies drop whole chunks). Returns rows deleted per view.
   */
  async prune(): Promise<Record<RollupView, number>> {
    const deleted: Record<RollupView, number> = { readings_1m: 0, readings_1h: 0 };
    if (this.#dialect === 'timescaledb') return deleted;
    const now = this.#now();
    deleted.readings_1m = await this.#pruneView('readings_1m', now - this.#retention.rollup1mRetentionMs);
    deleted.readings_1h = await this.#pruneView('readings_1h', now - this.#retention.rollup1hRetentionMs);
    if (deleted.readings_1m > 0 || deleted.readings_1h > 0) this.#log.info({ deleted }, 'rollups pruned');
    return deleted;
  }

  async #pruneView(view: RollupView, cutoffMs: number): Promise<number> {
    let total = 0;
    for (;;) {
      const { rows } = await this.#client.query<{ n: number }>(
        `WITH gone AS (
           DELETE FROM ${view} WHERE ctid = ANY (ARRAY(
             SELECT ctid FROM ${view} WHERE bucket < $1 LIMIT $2))
           RETURNING 1)
         SELECT count(*)::int AS n FROM gone`,
        [new Date(cutoffMs), this.#pruneBatchRows],
      );
      const n = rows[0]?.n ?? 0;
      total += n;
      if (n < this.#pruneBatchRows) return total;
    }
  }
}
