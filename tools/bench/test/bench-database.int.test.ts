import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { pino } from 'pino';
import { providedServices } from '@hazardwatch/testkit';
import { createBenchDatabase } from '../src/bench-database.js';

async function benchDatabases(adminUrl: string): Promise<Set<string>> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname LIKE 'hw\\_bench\\_%'",
    );
    return new Set(rows.map((r) => r.datname));
  } finally {
    await client.end();
  }
}

/** The bench prepares a throw-away database; whatever fails on the way, it is dropped (issue #20). */
describe('createBenchDatabase', () => {
  let adminUrl: string;
  let before: Set<string>;
  beforeAll(async () => {
    adminUrl = providedServices().postgresAdminUrl;
    before = await benchDatabases(adminUrl);
  });
  afterAll(async () => {
    // Nothing this suite made may be left behind (another suite's bench may run meanwhile).
    const left = [...(await benchDatabases(adminUrl))].filter((name) => !before.has(name));
    expect(left).toEqual([]);
  });

  it('migrates plain PostgreSQL, makes its partitions, and drops the database', async () => {
    const db = await createBenchDatabase(adminUrl, pino({ level: 'silent' }), 2);
    try {
      const { rows } = await db.pool.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_inherits WHERE inhparent = 'readings_encoded'::regclass",
      );
      expect(rows[0]!.n).toBeGreaterThan(0);
    } finally {
      await db.drop();
    }
    expect(await benchDatabases(adminUrl)).not.toContain(db.name);
  });

  it('drops its scratch database when the preparation fails', async () => {
    // A log destination that fails once the schema is in place: the preparation rejects after
    // the database exists (as the partition step did on TimescaleDB: "readings" is not partitioned).
    const failing = pino(
      { level: 'info' },
      {
        write(line: string) {
          if (line.includes('schema current')) throw new Error('preparation failed');
        },
      },
    );
    await expect(createBenchDatabase(adminUrl, failing, 2)).rejects.toThrow('preparation failed');
    const left = [...(await benchDatabases(adminUrl))].filter((name) => !before.has(name));
    expect(left).toEqual([]);
  });
});
