import { openTestPool } from '@hazardwatch/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MinuteRollup, SqlClient } from '@hazardwatch/store';
import {
  MS_PER_DAY,
  MS_PER_HOUR as HOUR,
  MS_PER_MINUTE as MIN,
  PartitionMaintainer,
  TimeRollups,
  compileRetention,
  migrate,
  sqlClientFromPg,
} from '@hazardwatch/store';
import { ManualClock } from './support/clock.js';
import type { TestDatabase } from './support/db.js';
import { createTestDatabase } from './support/db.js';
import { silentLogger } from './support/logger.js';
import type { TestReading } from './support/readings.js';
import { insertReadings } from './support/readings.js';

const NOW = Date.UTC(2025, 6, 1);

describe('TimeRollups.prune (plain PostgreSQL server)', () => {
  let db: TestDatabase;
  let client: SqlClient;
  const clock = new ManualClock(NOW);

  beforeAll(async () => {
    db = await createTestDatabase();
    client = sqlClientFromPg(db.pool());
    await migrate(client, { logger: silentLogger, dialect: 'postgres' });
    const row = (view: string, ageDays: number, pointId: number): Promise<unknown> =>
      client.query(`INSERT INTO ${view} VALUES ($1, $2, 1, 1, 1, 1, 1)`, [
        new Date(NOW - ageDays * MS_PER_DAY),
        pointId,
      ]);
    for (let p = 1; p <= 5; p += 1) {
      await row('readings_1m', 181, p);
      await row('readings_1m', 179, p);
      await row('readings_1h', 1830, p);
      await row('readings_1h', 181, p);
    }
  });
  afterAll(async () => {
    await db.drop();
  });

  it('deletes rollups older than their retention in bounded batches, keeping the rest', async () => {
    const rollups = new TimeRollups({
      client,
      dialect: 'postgres',
      logger: silentLogger,
      now: clock.now,
      retention: compileRetention(),
      pruneBatchRows: 2,
    });
    expect(await rollups.prune()).toEqual({ readings_1m: 5, readings_1h: 5 });
    expect(await rollups.prune()).toEqual({ readings_1m: 0, readings_1h: 0 });
    const { rows } = await client.query<{ n1m: number; n1h: number }>(
      'SELECT (SELECT count(*)::int FROM readings_1m) AS n1m, (SELECT count(*)::int FROM readings_1h) AS n1h',
    );
    expect(rows[0]).toEqual({ n1m: 5, n1h: 5 });
  });
});

/** The rollups' definition, written the obvious way (one ordered-aggregate statement per level). */
const REFERENCE_SQL = `
  CREATE TABLE ref_1m AS
  SELECT date_bin(INTERVAL '1 minute', ts, TIMESTAMPTZ '1970-01-01 00:00:00+00') AS bucket, point_id,
         min(value) AS min, max(value) AS max, avg(value) AS avg,
         (array_agg(value ORDER BY ts DESC))[1] AS last, count(*) AS count
  FROM readings GROUP BY 1, 2;
  CREATE TABLE ref_1h AS
  SELECT date_bin(INTERVAL '1 hour', bucket, TIMESTAMPTZ '1970-01-01 00:00:00+00') AS bucket, point_id,
         min(min) AS min, max(max) AS max, sum(avg * count) / sum(count) AS avg,
         (array_agg(last ORDER BY bucket DESC))[1] AS last, sum(count) AS count
  FROM ref_1m GROUP BY 1, 2;`;

interface RollupRow {
  bucket: number;
  point_id: number;
  min: number;
  max: number;
  avg: number;
  last: number;
  count: number;
}

const rowsOf = async (client: SqlClient, table: string): Promise<RollupRow[]> =>
  (
    await client.query<RollupRow>(
      `SELECT (extract(epoch FROM bucket) * 1000)::float8 AS bucket, point_id, min, max, avg, last,
              count::int AS count
       FROM ${table} ORDER BY point_id, bucket`,
    )
  ).rows;

/** Equal to the reference; avg within float rounding (partial sums add in another order). */
function expectSameRollups(actual: RollupRow[], expected: RollupRow[]): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((row, i) => {
    const want = expected[i]!;
    expect({ ...row, avg: 0 }).toEqual({ ...want, avg: 0 });
    expect(row.avg).toBeCloseTo(want.avg, 9);
  });
}

describe('TimeRollups.refresh (plain PostgreSQL server: sliced, paced)', () => {
  const T0 = Date.UTC(2025, 5, 30, 22, 0); // two hours that cross a day (and partition) boundary
  let db: TestDatabase;
  let client: SqlClient;
  const clock = new ManualClock(NOW);
  const maintainer = (options: Partial<ConstructorParameters<typeof TimeRollups>[0]> = {}) =>
    new TimeRollups({
      client,
      dialect: 'postgres',
      logger: silentLogger,
      now: clock.now,
      retention: compileRetention(),
      ...options,
    });

  beforeAll(async () => {
    db = await createTestDatabase();
    client = sqlClientFromPg(db.pool());
    const { retention } = await migrate(client, { logger: silentLogger, dialect: 'postgres' });
    await new PartitionMaintainer({ client, logger: silentLogger, now: clock.now, retention }).ensureCovering(
      T0,
      T0 + 3 * HOUR,
    );
    await client.exec(
      'ALTER TABLE readings_p20250630 SET (autovacuum_enabled = false); ALTER TABLE readings_p20250701 SET (autovacuum_enabled = false)',
    );
    // 20 points every 10 s with jittered times, one point at 20 Hz for five minutes (dense: many
    // slices per minute), one reading of point 30 at the very last millisecond of a minute, and a
    // gap of ten quiet minutes (slices grow over it, and must not swallow the dense stretch after).
    let seed = 7;
    const random = (): number => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const readings: TestReading[] = [];
    for (let p = 1; p <= 20; p++)
      for (let t = T0; t < T0 + 2 * HOUR; t += 10_000) {
        if (t >= T0 + 40 * MIN && t < T0 + 50 * MIN) continue;
        readings.push({ pointId: p, ts: t + Math.floor(random() * 9_000), value: (random() - 0.5) * 1e3 });
      }
    for (let t = T0 + 50 * MIN; t < T0 + 55 * MIN; t += 50)
      readings.push({ pointId: 21, ts: t, value: Math.sin(t / 1e4) * 50 });
    readings.push({ pointId: 30, ts: T0 + 7 * MIN - 1, value: 99 });
    await insertReadings(client, readings);
    await client.exec(REFERENCE_SQL);
  });
  afterAll(async () => {
    await db.drop();
  });

  it('writes what one ordered-aggregate statement per level computes, read in many small slices', async () => {
    const sleeps: number[] = [];
    const stats = await maintainer({
      targetSliceRows: 200,
      sleep: (ms) => Promise.resolve(void sleeps.push(ms)),
    }).refresh(T0, T0 + 2 * HOUR);
    expectSameRollups(await rowsOf(client, 'readings_1m'), await rowsOf(client, 'ref_1m'));
    expectSameRollups(await rowsOf(client, 'readings_1h'), await rowsOf(client, 'ref_1h'));
    // 20 points × 720 + 6,000 + 1 raw rows, then their 1-minute rows, each read exactly once.
    const minuteRows = (await rowsOf(client, 'ref_1m')).length;
    expect(stats.sourceRows).toBe(20 * 720 - 20 * 60 + 6_000 + 1 + minuteRows);
    expect(stats.buckets).toBe(minuteRows + (await rowsOf(client, 'ref_1h')).length);
    // ~200 rows a slice: about one a minute at the normal rate, 5-second slices in the dense part.
    expect(stats.slices).toBeGreaterThan(150);
    // Paced at the default half of a core: the pauses add up to the statements' time.
    const paused = sleeps.reduce((a, b) => a + b, 0);
    expect(paused).toBeLessThanOrEqual(stats.busyMs + 1e-6);
    expect(paused).toBeGreaterThan(stats.busyMs - (stats.slices + 2 * 130));
  });

  it('gives the same result with one slice per window, and again after a late reading (idempotent)', async () => {
    await client.exec('TRUNCATE readings_1m, readings_1h');
    const sleeps: number[] = [];
    const big = maintainer({ targetSliceRows: 1e9, sleep: (ms) => Promise.resolve(void sleeps.push(ms)) });
    const stats = await big.refresh(T0, T0 + 2 * HOUR, { pace: false });
    // Slices grow to whole windows when the target allows (from 5 s, at most 4× per slice).
    expect(stats.slices).toBeLessThan(50);
    expect(sleeps).toEqual([]);
    expectSameRollups(await rowsOf(client, 'readings_1m'), await rowsOf(client, 'ref_1m'));

    await insertReadings(client, [{ pointId: 21, ts: T0 + 52 * MIN + 25, value: 1e6 }]);
    await client.exec('DROP TABLE ref_1m, ref_1h');
    await client.exec(REFERENCE_SQL);
    await big.refresh(T0 + 52 * MIN + 25, T0 + 52 * MIN + 26, { pace: false });
    await big.refresh(T0 + 52 * MIN + 25, T0 + 52 * MIN + 26, { pace: false });
    const minute = await rowsOf(client, 'readings_1m');
    expectSameRollups(minute, await rowsOf(client, 'ref_1m'));
    expect(minute.find((r) => r.point_id === 21 && r.bucket === T0 + 52 * MIN)?.max).toBe(1e6);
    expectSameRollups(await rowsOf(client, 'readings_1h'), await rowsOf(client, 'ref_1h'));
  });

  it('storeMinutes: minute aggregates computed outside the database give the same rollups, idempotently', async () => {
    await client.exec('TRUNCATE readings_1m, readings_1h');
    // Aggregated here from the raw rows, in shuffled order (a batch need not be in time order).
    const { rows: raw } = await client.query<{ point_id: number; ts: number; value: number }>(
      `SELECT point_id, (extract(epoch FROM ts) * 1000)::float8 AS ts, value FROM readings`,
    );
    let seed = 11;
    const random = (): number => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    for (let i = raw.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [raw[i], raw[j]] = [raw[j]!, raw[i]!];
    }
    const byKey = new Map<string, MinuteRollup & { lastTs: number }>();
    for (const r of raw) {
      const bucketMs = Math.floor(r.ts / MIN) * MIN;
      const key = `${r.point_id}/${bucketMs}`;
      const m = byKey.get(key);
      if (!m) {
        byKey.set(key, {
          bucketMs,
          pointId: r.point_id,
          min: r.value,
          max: r.value,
          sum: r.value,
          count: 1,
          last: r.value,
          lastTs: r.ts,
        });
        continue;
      }
      byKey.set(key, {
        ...m,
        min: Math.min(m.min, r.value),
        max: Math.max(m.max, r.value),
        sum: m.sum + r.value,
        count: m.count + 1,
        ...(r.ts > m.lastTs ? { last: r.value, lastTs: r.ts } : {}),
      });
    }
    const minutes = [...byKey.values()];
    const sleeps: number[] = [];
    const m = maintainer({ sleep: (ms) => Promise.resolve(void sleeps.push(ms)) });
    const stats = await m.storeMinutes(minutes);
    expectSameRollups(await rowsOf(client, 'readings_1m'), await rowsOf(client, 'ref_1m'));
    expectSameRollups(await rowsOf(client, 'readings_1h'), await rowsOf(client, 'ref_1h'));
    expect(stats.sourceRows).toBe(raw.length + minutes.length);
    expect(sleeps.length).toBeGreaterThan(0);
    // Again, with one minute's value changed: replaced, not added to; its hour follows.
    const changed = minutes.find((x) => x.pointId === 21)!;
    await m.storeMinutes([{ ...changed, max: 2e6 }], { pace: false });
    const minute = await rowsOf(client, 'readings_1m');
    expect(minute).toHaveLength(minutes.length);
    expect(minute.find((r) => r.point_id === 21 && r.bucket === changed.bucketMs)).toMatchObject({
      max: 2e6,
      count: changed.count,
    });
    const hour = await rowsOf(client, 'readings_1h');
    expect(
      hour.find((r) => r.point_id === 21 && r.bucket === Math.floor(changed.bucketMs / HOUR) * HOUR)?.max,
    ).toBe(2e6);
    expect(await m.storeMinutes([])).toEqual({ slices: 0, sourceRows: 0, buckets: 0, busyMs: 0 });
  });

  it('lets two instances refresh the same range at once without deadlock or a stale result', async () => {
    await client.exec('TRUNCATE readings_1m, readings_1h');
    const [a, b] = [maintainer({ targetSliceRows: 500 }), maintainer({ targetSliceRows: 300 })];
    await Promise.all([
      a.refresh(T0, T0 + 2 * HOUR, { pace: false }),
      b.refresh(T0, T0 + 2 * HOUR, { pace: false }),
    ]);
    expectSameRollups(await rowsOf(client, 'readings_1m'), await rowsOf(client, 'ref_1m'));
    expectSameRollups(await rowsOf(client, 'readings_1h'), await rowsOf(client, 'ref_1h'));
  });

  it('reads raw readings by a time index on every partition, not a scan of the day', async () => {
    const { rows: indexes } = await client.query<{ name: string }>(
      `SELECT indexrelid::regclass::text AS name FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
       JOIN pg_am am ON am.oid = c.relam
       WHERE am.amname = 'brin' AND indrelid::regclass::text LIKE 'readings_p%' ORDER BY 1`,
    );
    expect(indexes.map((r) => r.name)).toEqual(['readings_p20250630_ts_idx', 'readings_p20250701_ts_idx']);
    const plan = await client.transaction(async (tx) => {
      await tx.exec('SET LOCAL enable_seqscan = off');
      const { rows } = await tx.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN SELECT count(*) FROM readings WHERE ts >= $1 AND ts < $2`,
        [new Date(T0 + 50 * MIN), new Date(T0 + 51 * MIN)],
      );
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    });
    expect(plan).toMatch(/Bitmap Index Scan on readings_p20250630_ts_idx/);
  });

  it('rollUp: scattered spans and stored minutes of one hour recompute that hour once', async () => {
    await client.exec('TRUNCATE readings_1m, readings_1h');
    await maintainer().refresh(T0, T0 + 2 * HOUR, { pace: false });
    const [minute] = (await rowsOf(client, 'readings_1m')).filter((r) => r.bucket === T0 + 20 * MIN);
    await client.exec('TRUNCATE readings_1h');
    const statements: string[] = [];
    const recording = (inner: SqlClient): SqlClient => ({
      query: <R>(text: string, params?: readonly unknown[]) => {
        statements.push(text);
        return inner.query<R>(text, params);
      },
      exec: (sql) => {
        statements.push(sql);
        return inner.exec(sql);
      },
      transaction: (fn) => inner.transaction((tx) => fn(recording(tx))),
    });
    const stats = await maintainer({ client: recording(client) }).rollUp(
      {
        minutes: [
          {
            bucketMs: minute!.bucket,
            pointId: minute!.point_id,
            min: minute!.min,
            max: minute!.max,
            sum: minute!.avg * minute!.count,
            last: minute!.last,
            count: minute!.count,
          },
        ],
        recompute: [5, 17, 33].map((m) => ({ fromMs: T0 + m * MIN, toMs: T0 + (m + 1) * MIN })),
      },
      { pace: false },
    );
    expect(statements.filter((q) => /INSERT INTO readings_1h/.test(q))).toHaveLength(1);
    expect(statements.filter((q) => /brin_summarize_new_values/.test(q))).toHaveLength(1);
    expect(stats.buckets).toBeGreaterThan(0);
    const hourT0 = (rows: RollupRow[]): RollupRow[] => rows.filter((r) => r.bucket === T0);
    expectSameRollups(hourT0(await rowsOf(client, 'readings_1h')), hourT0(await rowsOf(client, 'ref_1h')));
    expectSameRollups(await rowsOf(client, 'readings_1m'), await rowsOf(client, 'ref_1m'));
  });

  it('a refresh reads the day partitions through the time index even with no statistics', async () => {
    // No ANALYZE has run on these partitions (autovacuum is kept off them, in case the server's is
    // on): the planner then prefers scanning a whole partition for each slice of time.
    const { rows: stats } = await client.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_stats WHERE tablename LIKE 'readings_p2025%'",
    );
    expect(stats[0]!.n).toBe(0);
    // One connection, so its scan counters can be flushed and read back without waiting.
    const pool = openTestPool(db.url, { max: 1 });
    try {
      const one = sqlClientFromPg(pool);
      const scans = async (): Promise<{ seq: number; idx: number }> => {
        await one.query('SELECT pg_stat_force_next_flush()');
        const { rows } = await one.query<{ seq: number; idx: number }>(
          `SELECT sum(seq_scan)::int AS seq, sum(idx_scan)::int AS idx FROM pg_stat_user_tables
           WHERE relname IN ('readings_p20250630', 'readings_p20250701')`,
        );
        return rows[0]!;
      };
      const before = await scans();
      await maintainer({ client: one, targetSliceRows: 500 }).refresh(T0, T0 + 2 * HOUR, { pace: false });
      const after = await scans();
      expect(after.idx).toBeGreaterThan(before.idx);
      expect(after.seq).toBe(before.seq);
    } finally {
      await pool.end();
    }
    expectSameRollups(await rowsOf(client, 'readings_1m'), await rowsOf(client, 'ref_1m'));
  });

  it('summarises the time index over new pages only, once', async () => {
    const rollups = maintainer();
    await rollups.summarizeTimeIndex();
    expect(await rollups.summarizeTimeIndex()).toBe(0);
    await insertReadings(
      client,
      Array.from({ length: 20_000 }, (_, i) => ({ pointId: 40, ts: T0 + 2 * HOUR + i * 100, value: i })),
    );
    expect(await rollups.summarizeTimeIndex()).toBeGreaterThan(0);
    expect(await rollups.summarizeTimeIndex()).toBe(0);
  });

  it('refuses a duty cycle outside (0, 1]', () => {
    expect(() => maintainer({ dutyCycle: 0 })).toThrow(/dutyCycle/);
    expect(() => maintainer({ dutyCycle: 1.5 })).toThrow(/dutyCycle/);
  });
});
