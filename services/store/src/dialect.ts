import type { Logger } from 'pino';
import { StoreErrors } from './errors.js';
import { AdvisoryLock, lockForTransaction } from './locks.js';
import type { SqlClient } from './sql-client.js';

/** `postgres`: plain PostgreSQL ≥ 14 with service-managed partitions and rollups. */
export type StoreDialect = 'timescaledb' | 'postgres';
/** `auto` picks TimescaleDB when the extension can be created, plain PostgreSQL otherwise. */
export type DialectPreference = StoreDialect | 'auto';

/** `date_bin`, used by the plain rollups, arrived in PostgreSQL 14. */
export const MIN_SERVER_VERSION_NUM = 140000;

export const MIGRATIONS_TABLE = 'hw_schema_migrations';

export async function serverVersionNum(client: SqlClient): Promise<number> {
  const { rows } = await client.query<{ v: number }>(
    "SELECT current_setting('server_version_num')::int AS v",
  );
  return rows[0]?.v ?? 0;
}

/** The dialect recorded by an earlier `migrate`, or undefined on a fresh database. */
export async function recordedDialect(client: SqlClient): Promise<StoreDialect | undefined> {
  const { rows: exists } = await client.query<{ t: string | null }>(
    `SELECT to_regclass('${MIGRATIONS_TABLE}')::text AS t`,
  );
  if (!exists[0]?.t) return undefined;
  const { rows } = await client.query<{ dialect: StoreDialect }>(
    `SELECT dialect FROM ${MIGRATIONS_TABLE} ORDER BY version LIMIT 1`,
  );
  return rows[0]?.dialect;
}

async function timescaleAvailable(client: SqlClient): Promise<boolean> {
  const { rows } = await client.query("SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'");
  return rows.length > 0;
}

async function createTimescaleExtension(client: SqlClient): Promise<void> {
  // Serialised: two migrators racing on CREATE EXTENSION IF NOT EXISTS can hit a unique violation.
  await client.transaction(async (tx) => {
    await lockForTransaction(tx, AdvisoryLock.migrate);
    await tx.exec('CREATE EXTENSION IF NOT EXISTS timescaledb');
  });
}

/**
 * Decides the dialect and, for TimescaleDB, creates the extension. A dialect already recorded in
 * the database wins over `auto` (switching dialect needs a data migration, never a silent flip).
 */
export async function detectDialect(
  client: SqlClient,
  options: { prefer?: DialectPreference; logger: Logger },
): Promise<StoreDialect> {
  const prefer = options.prefer ?? 'auto';
  const log = options.logger.child({ component: 'store-dialect' });
  const version = await serverVersionNum(client);
  if (version < MIN_SERVER_VERSION_NUM) {
    throw StoreErrors.postgresTooOld({
      serverVersionNum: version,
      minimumVersionNum: MIN_SERVER_VERSION_NUM,
    });
  }
  const recorded = await recordedDialect(client);
  if (recorded !== undefined && prefer !== 'auto' && prefer !== recorded) {
    throw StoreErrors.dialectMismatch({ recorded, requested: prefer });
  }
  const wanted = recorded ?? prefer;
  if (wanted === 'postgres') return 'postgres';

  if (!(await timescaleAvailable(client))) {
    if (wanted === 'timescaledb') {
      throw StoreErrors.timescaleUnavailable({ reason: 'extension not installed on the server' });
    }
    log.info({ dialect: 'postgres' }, 'timescaledb not available, using plain PostgreSQL');
    return 'postgres';
  }
  try {
    await createTimescaleExtension(client);
  } catch (err) {
    // Typical cause: installed but missing from shared_preload_libraries.
    if (wanted === 'timescaledb') {
      throw StoreErrors.timescaleUnavailable({ reason: errorMessage(err) }, { cause: err });
    }
    log.warn({ err }, 'timescaledb available but cannot be created, using plain PostgreSQL');
    return 'postgres';
  }
  log.info({ dialect: 'timescaledb' }, 'using TimescaleDB');
  return 'timescaledb';
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
