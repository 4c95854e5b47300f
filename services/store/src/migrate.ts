import type { Logger } from 'pino';
import type { DialectPreference, StoreDialect } from './dialect.js';
import { MIGRATIONS_TABLE, detectDialect } from './dialect.js';
import { storeErrors } from './errors.js';
import { AdvisoryLock, lockForTransaction } from './locks.js';
import { plainMigrations } from './migrations/plain.js';
import { timescaleMigrations } from './migrations/timescale.js';
import type { Migration } from './migrations/types.js';
import type { Retention, RetentionOptions } from './options.js';
import { compileRetention } from './options.js';
import type { SqlClient } from './sql-client.js';
import { applyTimescalePolicies } from './timescale-policies.js';

export interface MigrateOptions extends RetentionOptions {
  logger: Logger;
  /** Force a dialect; `auto` detects it. @default 'auto' */
  dialect?: DialectPreference;
}

export interface MigrateResult {
  readonly dialect: StoreDialect;
  /** Versions applied by this call (empty when the database was already current). */
  readonly applied: readonly number[];
  /** Highest version present after this call. */
  readonly schemaVersion: number;
  readonly retention: Retention;
}

export function migrationsFor(dialect: StoreDialect): readonly Migration[] {
  return (dialect === 'timescaledb' ? timescaleMigrations : plainMigrations).migrations;
}

/** The schema version this build writes (same for both dialects). */
export const LATEST_SCHEMA_VERSION = Math.max(
  ...plainMigrations.migrations.map((m) => m.version),
  ...timescaleMigrations.migrations.map((m) => m.version),
);

async function appliedVersions(tx: SqlClient): Promise<Set<number>> {
  const { rows } = await tx.query<{ version: number }>(`SELECT version FROM ${MIGRATIONS_TABLE}`);
  return new Set(rows.map((r) => r.version));
}

function refuseNewerSchema(applied: Set<number>): void {
  const newest = Math.max(0, ...applied);
  if (newest > LATEST_SCHEMA_VERSION) {
    throw storeErrors.create('HW_STORE_SCHEMA_TOO_NEW', {
      databaseVersion: newest,
      codeVersion: LATEST_SCHEMA_VERSION,
    });
  }
}

/**
 * Brings the database to LATEST_SCHEMA_VERSION. Each migration runs once, in its own transaction,
 * under a transaction-scoped advisory lock, re-checking under the lock whether another migrator got
 * there first: two processes starting together never collide, and running it again is a no-op.
 * Then (TimescaleDB) the background policies are re-registered from the configured retention.
 */
export async function migrate(client: SqlClient, options: MigrateOptions): Promise<MigrateResult> {
  const retention = compileRetention(options);
  const log = options.logger.child({ component: 'store-migrate' });
  const dialect = await detectDialect(client, { prefer: options.dialect ?? 'auto', logger: options.logger });

  await client.transaction(async (tx) => {
    await lockForTransaction(tx, AdvisoryLock.migrate);
    await tx.exec(`
      CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (
        version integer PRIMARY KEY,
        name text NOT NULL,
        dialect text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )
    `);
    refuseNewerSchema(await appliedVersions(tx));
  });

  const applied: number[] = [];
  for (const migration of migrationsFor(dialect)) {
    const ran = await client.transaction(async (tx) => {
      await lockForTransaction(tx, AdvisoryLock.migrate);
      const done = await appliedVersions(tx);
      refuseNewerSchema(done);
      if (done.has(migration.version)) return false;
      try {
        await migration.up(tx);
      } catch (err) {
        throw storeErrors.create(
          'HW_STORE_MIGRATION_FAILED',
          { version: migration.version, migration: migration.name },
          { cause: err },
        );
      }
      await tx.query(`INSERT INTO ${MIGRATIONS_TABLE} (version, name, dialect) VALUES ($1, $2, $3)`, [
        migration.version,
        migration.name,
        dialect,
      ]);
      return true;
    });
    if (ran) {
      applied.push(migration.version);
      log.info({ version: migration.version, migration: migration.name, dialect }, 'migration applied');
    }
  }

  if (dialect === 'timescaledb') {
    await client.transaction(async (tx) => {
      await lockForTransaction(tx, AdvisoryLock.migrate);
      await applyTimescalePolicies(tx, retention);
    });
  }

  const schemaVersion = Math.max(0, ...(await appliedVersions(client)));
  log.info({ dialect, schemaVersion, applied: applied.length }, 'schema current');
  return { dialect, applied, schemaVersion, retention };
}
