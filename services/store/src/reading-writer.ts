import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Logger } from 'pino';
import { encodeReadingsBinary, READING_COPY_COLUMNS, readingCopySql } from './copy-binary.js';
import { DeadLetterRepository, type DeadLetterBounds } from './dead-letters.js';
import type { ReadingBuffer } from './reading-buffer.js';
import { PointScales, READINGS_TABLE } from './scaled-values.js';
import { sqlClientFromPg } from './sql-client.js';
import { asConnectionLost, isRetryableStorageError, sqlState } from './storage-errors.js';

/** One rejected message or reading, kept with its raw bytes for later diagnosis. */
export interface DeadLetterRow {
  readonly receivedAtMs: number;
  readonly topic: string;
  readonly enterprise?: string | undefined;
  readonly gateway?: string | undefined;
  readonly reason: string;
  readonly detail?: string | undefined;
  readonly tag?: string | undefined;
  readonly raw?: Buffer | undefined;
}

export interface WriteOutcome {
  /** Rows inserted: new raw readings (the COPY's or the merge's own row count). */
  readonly rows: number;
  /**
   * Rows whose (point_id, ts) was already stored (a redelivered message, a device repeating a
   * reading) or repeated within the batch: not inserted again.
   */
  readonly duplicates: number;
  /** Rows the database refused one by one (data exceptions); dead-lettered as `storage_rejected`. */
  readonly storageRejected: number;
  /** True when a redelivered batch had to take the conflict-tolerant path. */
  readonly deduplicated: boolean;
  /**
   * Dead letters not stored: refused by the database (counted and logged, never retried forever),
   * or more in one batch than the table keeps.
   */
  readonly deadLettersLost: number;
}

export interface ReadingWriterOptions {
  readonly logger: Logger;
  /** Called when a row found no partition (plain dialect); should create partitions covering the range. */
  readonly onMissingPartition?: (fromMs: number, toMs: number) => Promise<void>;
  /** Clock for dead-letter timestamps, ms. */
  readonly now: () => number;
  /**
   * Bounds of the dead-letter table, kept as each batch's letters are appended.
   * @default { maxRows: 20000, maxRawBytes: 4096 }
   */
  readonly deadLetters?: DeadLetterBounds;
  /**
   * Store values that are exact decimals as scaled integers (copy-binary.ts): on TimescaleDB, where
   * compressed chunks then keep ~1 byte per value instead of ~7; readers see the same doubles
   * through the `readings` view either way.
   * @default false
   */
  readonly scaledValues?: boolean;
}

export const DEFAULT_DEAD_LETTER_BOUNDS: DeadLetterBounds = Object.freeze({
  maxRows: 20_000,
  maxRawBytes: 4096,
});

/** SQLSTATE classes whose failure belongs to a row's data rather than to the connection. */
const ROW_LEVEL_CLASSES = new Set(['22', '23']);
const isRowLevel = (error: unknown): boolean => ROW_LEVEL_CLASSES.has(sqlState(error)?.slice(0, 2) ?? '');
const UNIQUE_VIOLATION = '23505';
const CHECK_VIOLATION = '23514';

/**
 * Writes reading batches with binary COPY. The fast path COPYs straight into the raw table
 * (`readings_encoded`, under the `readings` view since schema version 23); when a
 * redelivered batch hits the (point_id, ts) key, the batch is COPYed into a temporary staging
 * table and merged with ON CONFLICT DO NOTHING, so redelivery is idempotent without slowing the
 * common path. A row the database refuses on its own (a data exception) is isolated by bisection
 * and dead-lettered, so it can never hold back the good rows of its batch.
 */
export class PgReadingWriter {
  private readonly log: Logger;
  private readonly deadLetters: DeadLetterRepository;
  private readonly deadLetterBounds: DeadLetterBounds;
  /** Each point's scale across batches (scaledValues): one scale per point compresses best. */
  private readonly scales = new PointScales();

  constructor(
    private readonly pool: pg.Pool,
    private readonly options: ReadingWriterOptions,
  ) {
    this.log = options.logger.child({ component: 'reading-writer' });
    this.deadLetters = new DeadLetterRepository(sqlClientFromPg(pool));
    this.deadLetterBounds = options.deadLetters ?? DEFAULT_DEAD_LETTER_BOUNDS;
  }

  /** Resolves once rows and dead letters are durable; rejects only with a retryable error. */
  async write(rows: ReadingBuffer, deadLetters: readonly DeadLetterRow[]): Promise<WriteOutcome> {
    const poison: DeadLetterRow[] = [];
    let deduplicated = false;
    let inserted = 0;
    const copy = async (start: number, end: number): Promise<void> => {
      const result = await this.copyRange(rows, start, end);
      inserted += result.inserted;
      deduplicated = result.deduplicated || deduplicated;
    };
    const attempt = async (start: number, end: number): Promise<void> => {
      if (start === end) return;
      try {
        await copy(start, end);
      } catch (firstError) {
        // Only a row's own data can be isolated by splitting the batch; anything else (the
        // connection, a bug) would fail every half alike, so it goes to the caller whole.
        if (!isRowLevel(firstError)) throw firstError;
        let error = firstError;
        if (sqlState(error) === CHECK_VIOLATION && this.options.onMissingPartition) {
          await this.options.onMissingPartition(minTs(rows, start, end), maxTs(rows, start, end));
          try {
            await copy(start, end);
            return;
          } catch (retryError) {
            if (!isRowLevel(retryError)) throw retryError;
            error = retryError;
          }
        }
        if (end - start === 1) {
          poison.push(rowDeadLetter(rows, start, error, this.options.now()));
          return;
        }
        const mid = (start + end) >>> 1;
        await attempt(start, mid);
        await attempt(mid, end);
      }
    };
    await attempt(0, rows.length);
    if (poison.length > 0) this.log.warn({ rows: poison.length }, 'rows refused by the database');
    const letters = poison.length > 0 ? [...deadLetters, ...poison] : deadLetters;
    let deadLettersLost = 0;
    if (letters.length > 0) {
      try {
        deadLettersLost = await this.deadLetters.append(letters, this.deadLetterBounds);
      } catch (error) {
        // Dead letters are diagnostics: one the database refuses must not hold back the readings.
        if (isRetryableStorageError(error)) throw error;
        deadLettersLost = letters.length;
        this.log.error({ err: error, deadLetters: letters.length }, 'dead letters refused by the database');
      }
    }
    return {
      rows: inserted,
      duplicates: rows.length - poison.length - inserted,
      storageRejected: poison.length,
      deduplicated,
      deadLettersLost,
    };
  }

  /** Rows [start, end) in one COPY; `deduplicated` when the conflict-tolerant path was needed. */
  private async copyRange(
    rows: ReadingBuffer,
    start: number,
    end: number,
  ): Promise<{ inserted: number; deduplicated: boolean }> {
    const payload = encodeReadingsBinary(rows, start, end, {
      scaledValues: this.options.scaledValues ?? false,
      scales: this.scales,
    });
    const client = await this.pool.connect().catch((error: unknown) => {
      throw asConnectionLost(error, 'connect');
    });
    let broken: Error | undefined;
    // A connection lost while checked out is reported on the client, not only on the query.
    const onClientError = (error: Error): void => {
      broken = error;
    };
    client.on('error', onClientError);
    try {
      try {
        const copied = await copyInto(client, readingCopySql(), payload);
        return { inserted: copied, deduplicated: false };
      } catch (error) {
        if (sqlState(error) !== UNIQUE_VIOLATION) throw error;
      }
      await client.query('BEGIN');
      try {
        await client.query(
          `CREATE TEMP TABLE IF NOT EXISTS readings_encoded_stage (LIKE ${READINGS_TABLE} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS`,
        );
        await copyInto(client, readingCopySql('readings_encoded_stage'), payload);
        // Its row count is what was new: the rows already stored are the duplicates.
        const merged = await client.query(
          `INSERT INTO ${READINGS_TABLE} ${READING_COPY_COLUMNS}
           SELECT point_id, ts, value, value_int, scale, quality FROM readings_encoded_stage ON CONFLICT DO NOTHING`,
        );
        await client.query('COMMIT');
        return { inserted: merged.rowCount ?? 0, deduplicated: true };
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    } catch (error) {
      const named = asConnectionLost(error, `COPY ${READINGS_TABLE}`);
      if (isRetryableStorageError(named)) broken = error as Error;
      throw named;
    } finally {
      client.off('error', onClientError);
      // A connection that failed mid-COPY is not reusable: let the pool discard it.
      client.release(broken);
    }
  }
}

/** @returns the rows the COPY stored (its command tag's count). */
function copyInto(client: pg.PoolClient, sql: string, payload: Buffer): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const stream = client.query(copyFrom(sql));
    stream.once('error', reject);
    stream.once('finish', () => resolve(stream.rowCount));
    stream.end(payload);
  });
}

function rowDeadLetter(rows: ReadingBuffer, i: number, error: unknown, nowMs: number): DeadLetterRow {
  const row = {
    pointId: rows.pointIds[i],
    ts: rows.ts[i],
    value: rows.values[i],
    quality: rows.qualities[i],
  };
  return {
    receivedAtMs: nowMs,
    topic: '',
    reason: 'storage_rejected',
    detail: `${sqlState(error) ?? ''} ${(error as Error).message}`.trim(),
    raw: Buffer.from(JSON.stringify(row)),
  };
}

function minTs(rows: ReadingBuffer, start: number, end: number): number {
  let min = Infinity;
  for (let i = start; i < end; i++) min = Math.min(min, rows.ts[i]!);
  return min;
}

function maxTs(rows: ReadingBuffer, start: number, end: number): number {
  let max = -Infinity;
  for (let i = start; i < end; i++) max = Math.max(max, rows.ts[i]!);
  return max;
}
