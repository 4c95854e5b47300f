import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import {
  encodeReadingsBinary,
  readingCopySql,
  ReadingBuffer,
  type ReadingEncodingOptions,
} from '@hazardwatch/store';

/**
 * One binary COPY of `batch` into the raw readings table, straight (no conflict handling: fresh
 * keys only), encoded as the service's writer would with the same options.
 */
export function copyReadings(
  client: pg.PoolClient,
  batch: ReadingBuffer,
  encoding: ReadingEncodingOptions = {},
): Promise<void> {
  const payload = encodeReadingsBinary(batch, 0, batch.length, encoding);
  return new Promise<void>((resolve, reject) => {
    const stream = client.query(copyFrom(readingCopySql()));
    stream.once('error', reject);
    stream.once('finish', () => resolve());
    stream.end(payload);
  });
}

/**
 * The storage ceiling: raw binary COPY of as many rows as the pipeline stored, shaped the same
 * (same point ids in the same order, one tick of 1 ms per round), into a fresh database with the
 * same `readings` layout, two concurrent writers, and nothing else running in the process.
 */
export async function measureCopyCeiling(
  pool: pg.Pool,
  pointIds: readonly number[],
  startTs: number,
  totalRows: number,
  batchRows: number,
  writers: number,
): Promise<{ rowsPerSec: number; rows: number }> {
  let tick = 0;
  let cursor = 0;
  let remaining = totalRows;
  const nextBatch = (): ReadingBuffer => {
    const n = Math.min(batchRows, remaining);
    remaining -= n;
    const buf = new ReadingBuffer(n);
    for (let i = 0; i < n; i++) {
      buf.push(pointIds[cursor]!, startTs + tick, Math.sin(i) * 100, 0);
      if (++cursor === pointIds.length) {
        cursor = 0;
        tick++;
      }
    }
    return buf;
  };
  let rows = 0;
  const started = performance.now();
  const writer = async (): Promise<void> => {
    const client = await pool.connect();
    try {
      while (remaining > 0) {
        const batch = nextBatch();
        await copyReadings(client, batch);
        rows += batch.length;
      }
    } finally {
      client.release();
    }
  };
  await Promise.all(Array.from({ length: writers }, () => writer()));
  const seconds = (performance.now() - started) / 1000;
  return { rowsPerSec: Math.round(rows / seconds), rows };
}
