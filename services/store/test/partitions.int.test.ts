import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlClient } from '@hazardwatch/store';
import {
  MS_PER_DAY,
  PartitionMaintainer,
  compileRetention,
  latestValues,
  migrate,
  queryHistory,
  sqlClientFromPg,
} from '@hazardwatch/store';
import { ManualClock } from './support/clock.js';
import type { TestDatabase } from './support/db.js';
import { createTestDatabase } from './support/db.js';
import { silentLogger } from './support/logger.js';
import { countReadings, insertReadings } from './support/readings.js';

const T0 = Date.UTC(2025, 0, 10, 15, 30); // 2025-01-10T15:30Z

async function partitionNames(client: SqlClient): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = 'readings_encoded'::regclass ORDER BY 1`,
  );
  return rows.map((r) => r.name);
}

describe('PartitionMaintainer (plain PostgreSQL server)', () => {
  let db: TestDatabase;
  let client: SqlClient;
  const clock = new ManualClock(T0);
  const retention = compileRetention({ rawRetentionDays: 30 });
  let maintainer: PartitionMaintainer;

  beforeAll(async () => {
    db = await createTestDatabase();
    client = sqlClientFromPg(db.pool());
    await migrate(client, { logger: silentLogger, dialect: 'postgres' });
    maintainer = new PartitionMaintainer({
      client,
      logger: silentLogger,
      now: clock.now,
      retention,
      maxAcceptedAgeMs: MS_PER_DAY,
      aheadDays: 2,
    });
  });
  afterAll(async () => {
    await db.drop();
  });

  it('creates daily partitions from now − maxAcceptedAge to now + aheadDays, once', async () => {
    const run = await maintainer.run();
    expect(run).toEqual({
      created: ['readings_p20250109', 'readings_p20250110', 'readings_p20250111', 'readings_p20250112'],
      dropped: [],
    });
    expect(await maintainer.run()).toEqual({ created: [], dropped: [] });
    const { rows } = await client.query<{ bound: string }>(
      `SELECT pg_get_expr(c.relpartbound, c.oid) AS bound FROM pg_class c WHERE relname = 'readings_p20250110'`,
    );
    expect(rows[0]!.bound).toBe("FOR VALUES FROM ('2025-01-10 00:00:00+00') TO ('2025-01-11 00:00:00+00')");
  });

  it('is safe when several maintainers run at once', async () => {
    clock.advance(5 * MS_PER_DAY);
    const runs = await Promise.all([maintainer.run(), maintainer.run(), maintainer.run()]);
    const created = runs.flatMap((r) => r.created).sort();
    expect(created).toEqual([
      'readings_p20250114',
      'readings_p20250115',
      'readings_p20250116',
      'readings_p20250117',
    ]);
    clock.set(T0);
  });

  it('keeps a 30-day-old value queryable and drops days older than retention (Order 40)', async () => {
    // Values at T0 and one day earlier.
    await insertReadings(client, [
      { pointId: 7, ts: T0 - MS_PER_DAY, value: 1 },
      { pointId: 7, ts: T0, value: 2 },
    ]);
    clock.set(T0 + 30 * MS_PER_DAY);
    const at30 = await maintainer.run();
    expect(at30.dropped).toEqual(['readings_p20250109']);
    expect(
      await queryHistory(client, 'postgres', { pointIds: [7], fromMs: T0 - 1, toMs: T0 + 1, maxPoints: 10 }),
    ).toEqual([
      { pointId: 7, resolution: 'raw', buckets: [{ ts: T0, min: 2, max: 2, avg: 2, last: 2, count: 1 }] },
    ]);

    clock.set(T0 + 32 * MS_PER_DAY);
    const at32 = await maintainer.run();
    expect(at32.dropped).toContain('readings_p20250110');
    expect(await countReadings(client)).toBe(0);
    expect(await latestValues(client, [7])).toEqual([]);
    // Cutoff 2025-01-12T15:30Z: the day containing it stays, every earlier day is gone.
    const names = await partitionNames(client);
    expect(names[0]).toBe('readings_p20250112');
    expect(names.at(-1)).toBe('readings_p20250213');
  });

  it('ensureCovering creates partitions for a backfill but never beyond retention', async () => {
    clock.set(T0 + 32 * MS_PER_DAY); // cutoff 2025-01-12T15:30Z
    expect(await maintainer.ensureCovering(T0 - 10 * MS_PER_DAY, T0 + 2 * MS_PER_DAY)).toEqual([]);
    expect(await maintainer.ensureCovering(T0 + 10 * MS_PER_DAY, T0 + 12 * MS_PER_DAY)).toEqual([
      'readings_p20250120',
      'readings_p20250121',
      'readings_p20250122',
    ]);
  });

  it('rejects a reading with no partition (writers must keep within the maintained window)', async () => {
    const err: unknown = await insertReadings(client, [
      { pointId: 7, ts: T0 + 400 * MS_PER_DAY, value: 1 },
    ]).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: '23514' });
  });
});
