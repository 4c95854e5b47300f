import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  compileRetention,
  migrate,
  MS_PER_HOUR as HOUR,
  MS_PER_MINUTE as MIN,
  PartitionMaintainer,
  PgReadingWriter,
  ReadingBuffer,
  TimeRollups,
  sqlClientFromPg,
  type MinuteRollup,
  type SqlClient,
} from '@hazardwatch/store';
import { createTestDatabase, openTestPool, providedServices, type TestDatabase } from '@hazardwatch/testkit';
import { IngestRollups } from '@hazardwatch/ingest';

const logger = pino({ level: 'silent' });

/** The rollups' definition, written the obvious way. */
const REFERENCE_SQL = `
  SELECT (extract(epoch FROM date_bin(INTERVAL '1 minute', ts, TIMESTAMPTZ '1970-01-01 00:00:00+00')) * 1000)::float8 AS bucket,
         point_id, min(value) AS min, max(value) AS max, avg(value) AS avg,
         (array_agg(value ORDER BY ts DESC))[1] AS last, count(*)::int AS count
  FROM readings GROUP BY 1, 2 ORDER BY point_id, bucket`;
const STORED_SQL = `
  SELECT (extract(epoch FROM bucket) * 1000)::float8 AS bucket, point_id, min, max, avg, last, count::int AS count
  FROM readings_1m ORDER BY point_id, bucket`;
const HOURS_SQL = `
  SELECT (extract(epoch FROM bucket) * 1000)::float8 AS bucket, point_id, min, max, count::int AS count
  FROM readings_1h ORDER BY point_id, bucket`;
const REFERENCE_HOURS_SQL = `
  SELECT (extract(epoch FROM date_bin(INTERVAL '1 hour', ts, TIMESTAMPTZ '1970-01-01 00:00:00+00')) * 1000)::float8 AS bucket,
         point_id, min(value) AS min, max(value) AS max, count(*)::int AS count
  FROM readings GROUP BY 1, 2 ORDER BY point_id, bucket`;

interface Row {
  bucket: number;
  point_id: number;
  min: number;
  max: number;
  avg: number;
  last: number;
  count: number;
}

/**
 * The ingest's rollups end to end on the real server: batches written by the production COPY
 * writer, aggregated in memory where the ingest can vouch for a minute, recomputed from the raw
 * rows where it cannot (before it started, a redelivered batch, late readings) — and the result
 * is exactly the rollups' definition over the raw table.
 */
describe('IngestRollups (plain PostgreSQL)', () => {
  const T = Math.floor(Date.now() / HOUR) * HOUR - 2 * HOUR + 50 * MIN; // crosses an hour
  let db: TestDatabase;
  let pool: ReturnType<typeof openTestPool>;
  let client: SqlClient;

  beforeAll(async () => {
    db = await createTestDatabase(providedServices().postgresAdminUrl);
    pool = openTestPool(db.url);
    client = sqlClientFromPg(pool);
    const { retention } = await migrate(client, { logger, dialect: 'postgres' });
    await new PartitionMaintainer({ client, logger, now: Date.now, retention }).ensureCovering(
      T,
      T + 2 * HOUR,
    );
  });
  const plainMaintainer = (): TimeRollups =>
    new TimeRollups({
      client,
      dialect: 'postgres',
      logger,
      now: Date.now,
      retention: compileRetention(),
    });
  afterAll(async () => {
    await pool.end();
    await db.drop();
  });

  it('stores minutes aggregated at ingestion and recomputes only the ones it cannot vouch for', async () => {
    const maintainer = plainMaintainer();
    const stored: MinuteRollup[] = [];
    const refreshed: Array<[number, number]> = [];
    const rollups = {
      rollUp: (work: Parameters<TimeRollups['rollUp']>[0], o?: { pace?: boolean }) => {
        stored.push(...work.minutes);
        for (const span of work.recompute) refreshed.push([span.fromMs, span.toMs]);
        return maintainer.rollUp(work, o);
      },
    };
    // Started 30 s into minute T: minute T is not wholly its own.
    const ingest = new IngestRollups({ rollups, aggregateMinutes: true, coverFromMs: T + 30 * 1000 });
    const writer = new PgReadingWriter(pool, { logger, now: Date.now });
    let seed = 5;
    const random = (): number => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const used = new Set<string>();
    const batchOf = (fromMs: number, toMs: number, n: number): ReadingBuffer => {
      const rows = new ReadingBuffer(n);
      for (let i = 0; i < n; i++) {
        const pointId = 1 + Math.floor(random() * 20);
        const ts = fromMs + Math.floor(random() * (toMs - fromMs));
        if (used.has(`${pointId}/${ts}`)) continue;
        used.add(`${pointId}/${ts}`);
        rows.push(pointId, ts, Math.round((random() - 0.5) * 1e5) / 100, 0);
      }
      return rows;
    };
    const write = async (rows: ReadingBuffer): Promise<void> => {
      ingest.stored(rows, await writer.write(rows, []));
    };

    // Minutes T .. T+5: batches in time order, a little overlap between them.
    for (let t = T; t < T + 5 * MIN; t += 20_000) await write(batchOf(t, t + 25_000, 150));
    // A redelivery: a batch stored before comes again with new rows (conflict-tolerant path).
    const again = batchOf(T + 3 * MIN, T + 3 * MIN + 30_000, 100);
    await write(again);
    const redelivered = batchOf(T + 3 * MIN, T + 3 * MIN + 30_000, 40);
    for (let i = 0; i < again.length; i++)
      redelivered.push(again.pointIds[i]!, again.ts[i]!, again.values[i]!, again.qualities[i]!);
    await write(redelivered);

    await ingest.rollUp(T + 4 * MIN, false);
    // Minute T (before it started) and T+3 (the redelivery) from the raw rows; T+1, T+2 from memory.
    expect(refreshed).toEqual([
      [T, T + MIN],
      [T + 3 * MIN, T + 4 * MIN],
    ]);
    expect(new Set(stored.map((m) => m.bucketMs))).toEqual(new Set([T + MIN, T + 2 * MIN]));

    // Later: more minutes, and late readings for T+1 (already stored from memory).
    for (let t = T + 5 * MIN; t < T + 14 * MIN; t += 30_000) await write(batchOf(t, t + 30_000, 120));
    await write(batchOf(T + MIN, T + 2 * MIN, 30));
    refreshed.length = 0;
    stored.length = 0;
    await ingest.rollUp(Infinity, false);
    expect(refreshed).toEqual([[T + MIN, T + 2 * MIN]]);
    expect(new Set(stored.map((m) => m.bucketMs)).size).toBe(10); // T+4 … T+13

    const actual = (await client.query<Row>(STORED_SQL)).rows;
    const expected = (await client.query<Row>(REFERENCE_SQL)).rows;
    expect(actual.length).toBe(expected.length);
    actual.forEach((row, i) => {
      expect({ ...row, avg: 0 }).toEqual({ ...expected[i]!, avg: 0 });
      expect(row.avg).toBeCloseTo(expected[i]!.avg, 9);
    });
    expect((await client.query(HOURS_SQL)).rows).toEqual((await client.query(REFERENCE_HOURS_SQL)).rows);
  });

  it('keeps what failed to store dirty, and stores it from the raw rows next time', async () => {
    await client.exec('TRUNCATE readings_encoded, readings_1m, readings_1h');
    const maintainer = plainMaintainer();
    let fail = true;
    const rollups = {
      rollUp: (work: Parameters<TimeRollups['rollUp']>[0], o?: { pace?: boolean }) =>
        fail ? Promise.reject(new Error('database away')) : maintainer.rollUp(work, o),
    };
    const ingest = new IngestRollups({ rollups, aggregateMinutes: true, coverFromMs: T });
    const writer = new PgReadingWriter(pool, { logger, now: Date.now });
    const rows = new ReadingBuffer(4);
    rows.push(1, T + 1_000, 5, 0);
    rows.push(1, T + MIN + 1_000, 7, 0);
    ingest.stored(rows, await writer.write(rows, []));
    await expect(ingest.rollUp(Infinity, false)).rejects.toThrow('database away');
    expect(ingest.dirty.size).toBe(2);
    fail = false;
    await ingest.rollUp(Infinity, false);
    expect(ingest.dirty.size).toBe(0);
    const actual = (await client.query<Row>(STORED_SQL)).rows;
    expect(actual.map((r) => [r.bucket, r.count, r.last])).toEqual([
      [T, 1, 5],
      [T + MIN, 1, 7],
    ]);
  });
});
