import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlClient } from '@hazardwatch/store';
import { MS_PER_DAY, RollupMaintainer, compileRetention, migrate, sqlClientFromPg } from '@hazardwatch/store';
import { ManualClock } from './support/clock.js';
import type { TestDatabase } from './support/db.js';
import { createTestDatabase } from './support/db.js';
import { silentLogger } from './support/logger.js';

const NOW = Date.UTC(2025, 6, 1);

describe('RollupMaintainer.prune (plain PostgreSQL server)', () => {
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
    const rollups = new RollupMaintainer({
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
