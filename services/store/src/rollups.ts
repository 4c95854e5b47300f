import type { Logger } from 'pino';
import type { StoreDialect } from './dialect.js';
import { AdvisoryLock, lockForTransaction } from './locks.js';
import type { Retention } from './options.js';
import { MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE } from './options.js';
import { utcDayStart } from './partitions.js';
import type { SqlClient } from './sql-client.js';

export type RollupView = 'readings_1m' | 'readings_1h';

export interface RollupMaintainerOptions {
  client: SqlClient;
  dialect: StoreDialect;
  logger: Logger;
  /** Wall clock, ms since epoch. */
  now: () => number;
  retention: Retention;
  /** Plain dialect: rows deleted per statement when pruning. @default 10_000 */
  pruneBatchRows?: number;
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

const PLAIN_1M = `
  INSERT INTO readings_1m (bucket, point_id, min, max, avg, last, count)
  SELECT date_bin(INTERVAL '1 minute', ts, ${ORIGIN}), point_id,
         min(value), max(value), avg(value), (array_agg(value ORDER BY ts DESC))[1], count(*)
  FROM readings WHERE ts >= $1 AND ts < $2
  GROUP BY 1, 2
  ${UPSERT_SET}`;

/** Built from readings_1m like the TimescaleDB hierarchical aggregate, so both agree. */
const PLAIN_1H = `
  INSERT INTO readings_1h (bucket, point_id, min, max, avg, last, count)
  SELECT date_bin(INTERVAL '1 hour', bucket, ${ORIGIN}), point_id,
         min(min), max(max), sum(avg * count) / sum(count), (array_agg(last ORDER BY bucket DESC))[1], sum(count)
  FROM readings_1m WHERE bucket >= $1 AND bucket < $2
  GROUP BY 1, 2
  ${UPSERT_SET}`;

/**
 * Keeps readings_1m / readings_1h current for ranges whose raw data changed (late or backfilled
 * readings) and enforces their retention on the plain dialect. On TimescaleDB the same calls drive
 * the continuous aggregates; routine refresh and retention there are background policies.
 */
export class RollupMaintainer {
  readonly #client: SqlClient;
  readonly #dialect: StoreDialect;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #retention: Retention;
  readonly #pruneBatchRows: number;

  constructor(options: RollupMaintainerOptions) {
    this.#client = options.client;
    this.#dialect = options.dialect;
    this.#log = options.logger.child({ component: 'store-rollups', dialect: options.dialect });
    this.#now = options.now;
    this.#retention = options.retention;
    this.#pruneBatchRows = options.pruneBatchRows ?? 10_000;
  }

  /**
   * Recomputes every 1 min and 1 h bucket touching [fromMs, toMs) from the data below it;
   * idempotent. The window is clipped to the days raw data still fully exists for: recomputing a
   * bucket whose raw rows were dropped would, on TimescaleDB, erase the aggregate that must outlive
   * them.
   */
  async refresh(fromMs: number, toMs: number): Promise<void> {
    const oldestIntactMs = utcDayStart(this.#now() - this.#retention.rawRetentionMs);
    const from1m = floorTo(Math.max(fromMs, oldestIntactMs), MS_PER_MINUTE);
    const to1m = ceilTo(toMs, MS_PER_MINUTE);
    if (to1m <= from1m) return;
    const from1h = floorTo(from1m, MS_PER_HOUR);
    const to1h = ceilTo(to1m, MS_PER_HOUR);
    if (this.#dialect === 'timescaledb') {
      // Must run outside a transaction block (TimescaleDB refuses otherwise).
      await this.#refreshCagg('readings_1m', from1m, to1m);
      await this.#refreshCagg('readings_1h', from1h, to1h);
    } else {
      await this.#client.transaction(async (tx) => {
        // Serialised: concurrent upserts of overlapping bucket sets could deadlock.
        await lockForTransaction(tx, AdvisoryLock.rollups);
        // One day per statement bounds memory and lock time on a long backfill.
        for (let start = from1m; start < to1m; start += MS_PER_DAY) {
          await tx.query(PLAIN_1M, [new Date(start), new Date(Math.min(start + MS_PER_DAY, to1m))]);
        }
        await tx.query(PLAIN_1H, [new Date(from1h), new Date(to1h)]);
      });
    }
    this.#log.debug({ fromMs: from1m, toMs: to1m }, 'rollups refreshed');
  }

  async #refreshCagg(view: RollupView, fromMs: number, toMs: number): Promise<void> {
    await this.#client.query(
      `CALL refresh_continuous_aggregate($1::regclass, $2::timestamptz, $3::timestamptz)`,
      [view, new Date(fromMs), new Date(toMs)],
    );
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
