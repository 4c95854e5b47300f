import { afterEach, describe, expect, it } from 'vitest';
import {
  LATEST_SCHEMA_VERSION,
  storeErrors,
  migrate,
  recordedDialect,
  sqlClientFromPg,
  type SqlClient,
} from '@hazardwatch/store';
import type { TestDatabase } from './support/db.js';
import { createTestDatabase } from './support/db.js';
import { silentLogger } from './support/logger.js';

/**
 * True when the test server offers TimescaleDB (HW_TEST_DATABASE_URL pointing at a TimescaleDB
 * server): `auto` then picks it, so the plain-server detection cases do not apply there.
 */
async function serverOffersTimescale(client: SqlClient): Promise<boolean> {
  const { rows } = await client.query<{ offered: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb') AS offered`,
  );
  return rows[0]?.offered === true;
}

describe('migrate (plain PostgreSQL server)', () => {
  let db: TestDatabase | undefined;
  afterEach(async () => {
    await db?.drop();
    db = undefined;
  });

  it('detects plain PostgreSQL and creates every table', async (ctx) => {
    db = await createTestDatabase();
    const client = sqlClientFromPg(db.pool());
    if (await serverOffersTimescale(client)) ctx.skip();
    const result = await migrate(client, { logger: silentLogger });
    expect(result).toMatchObject({
      dialect: 'postgres',
      applied: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24],
      schemaVersion: LATEST_SCHEMA_VERSION,
    });
    expect(await recordedDialect(client)).toBe('postgres');
    const { rows } = await client.query<{ name: string; kind: string }>(
      `SELECT relname AS name, relkind::text AS kind FROM pg_class
       WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p') ORDER BY relname`,
    );
    expect(rows).toEqual([
      { name: 'alarm_action_requests', kind: 'r' },
      { name: 'alarm_events', kind: 'r' },
      { name: 'alarms', kind: 'r' },
      { name: 'audit_log', kind: 'r' },
      { name: 'colour_events', kind: 'r' },
      { name: 'data_loss_events', kind: 'r' },
      { name: 'dead_letters', kind: 'r' },
      { name: 'device_credentials', kind: 'r' },
      { name: 'enterprise_colours', kind: 'r' },
      { name: 'floor_plans', kind: 'r' },
      { name: 'gateway_status', kind: 'r' },
      { name: 'handovers', kind: 'r' },
      { name: 'hw_schema_migrations', kind: 'r' },
      { name: 'ingest_workers', kind: 'r' },
      { name: 'monitoring_changes', kind: 'r' },
      { name: 'notification_outbox', kind: 'r' },
      { name: 'partition_leases', kind: 'r' },
      { name: 'point_ids', kind: 'r' },
      { name: 'readings_1h', kind: 'r' },
      { name: 'readings_1m', kind: 'r' },
      { name: 'readings_encoded', kind: 'p' },
      { name: 'refresh_tokens', kind: 'r' },
      { name: 'region_colours', kind: 'r' },
      { name: 'site_documents', kind: 'r' },
      { name: 'users', kind: 'r' },
      { name: 'warning_events', kind: 'r' },
      { name: 'warnings', kind: 'r' },
    ]);
    const { rows: key } = await client.query<{ def: string }>(
      `SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = 'readings_encoded'::regclass AND contype = 'p'`,
    );
    expect(key).toEqual([{ def: 'PRIMARY KEY (point_id, ts)' }]);
    // Readers read the view over it (version 23), with the columns the table had.
    const { rows: view } = await client.query<{ name: string; type: string }>(
      `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type FROM pg_attribute a
       WHERE a.attrelid = 'readings'::regclass AND a.attnum > 0 ORDER BY a.attnum`,
    );
    expect(view).toEqual([
      { name: 'point_id', type: 'integer' },
      { name: 'ts', type: 'timestamp with time zone' },
      { name: 'value', type: 'double precision' },
      { name: 'quality', type: 'smallint' },
    ]);
  });

  it('is a no-op when run again', async () => {
    db = await createTestDatabase();
    const client = sqlClientFromPg(db.pool());
    await migrate(client, { logger: silentLogger });
    const again = await migrate(client, { logger: silentLogger });
    expect(again.applied).toEqual([]);
    expect(again.schemaVersion).toBe(LATEST_SCHEMA_VERSION);
  });

  it('lets concurrent migrators apply each migration exactly once', async () => {
    db = await createTestDatabase();
    const clients = [db.pool(), db.pool(), db.pool()].map((p) => sqlClientFromPg(p));
    const results = await Promise.all(clients.map((c) => migrate(c, { logger: silentLogger })));
    const applied = results.flatMap((r) => r.applied).sort((a, b) => a - b);
    expect(applied).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24,
    ]);
    const { rows } = await clients[0]!.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM hw_schema_migrations',
    );
    expect(rows[0]!.n).toBe(LATEST_SCHEMA_VERSION);
  });

  it('refuses a database migrated by newer code', async () => {
    db = await createTestDatabase();
    const client = sqlClientFromPg(db.pool());
    await migrate(client, { logger: silentLogger });
    await client.query(
      `INSERT INTO hw_schema_migrations (version, name, dialect) VALUES (999, 'future', 'postgres')`,
    );
    const err: unknown = await migrate(client, { logger: silentLogger }).catch((e: unknown) => e);
    expect(storeErrors.is(err, 'HW_STORE_SCHEMA_TOO_NEW')).toBe(true);
    expect(err).toMatchObject({
      data: { databaseVersion: 999, codeVersion: LATEST_SCHEMA_VERSION },
      retryable: false,
    });
  });

  it('refuses TimescaleDB where the extension is not installed, and a dialect switch', async (ctx) => {
    db = await createTestDatabase();
    const client = sqlClientFromPg(db.pool());
    if (await serverOffersTimescale(client)) ctx.skip();
    const unavailable: unknown = await migrate(client, {
      logger: silentLogger,
      dialect: 'timescaledb',
    }).catch((e: unknown) => e);
    expect(storeErrors.is(unavailable, 'HW_STORE_TIMESCALE_UNAVAILABLE')).toBe(true);
    await migrate(client, { logger: silentLogger, dialect: 'postgres' });
    const mismatch: unknown = await migrate(client, { logger: silentLogger, dialect: 'timescaledb' }).catch(
      (e: unknown) => e,
    );
    expect(storeErrors.is(mismatch, 'HW_STORE_DIALECT_MISMATCH')).toBe(true);
    expect(mismatch).toMatchObject({ data: { recorded: 'postgres', requested: 'timescaledb' } });
  });

  it('rejects raw retention below 30 days before touching the database', async () => {
    db = await createTestDatabase();
    const client = sqlClientFromPg(db.pool());
    const err: unknown = await migrate(client, { logger: silentLogger, rawRetentionDays: 7 }).catch(
      (e: unknown) => e,
    );
    expect(storeErrors.is(err, 'HW_STORE_CONFIG_INVALID')).toBe(true);
    expect(await recordedDialect(client)).toBeUndefined();
  });
});
