import type { Logger } from 'pino';
import { storeErrors } from './errors.js';
import { AdvisoryLock, lockForTransaction } from './locks.js';
import type { SqlClient } from './sql-client.js';

/** `postgres`: plain PostgreSQL ≥ 14 with service-managed partitions and rollups. */
export type StoreDialect = 'timescaledb' | 'postgres';
/**
 * `auto` picks TimescaleDB when the extension is available, preloaded (on a server) and can be
 * created, plain PostgreSQL otherwise (with a warning when the extension is there but unusable).
 */
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

/** What the session can tell about TimescaleDB before trying CREATE EXTENSION. */
export interface TimescaleProbe {
  /** The server has the extension's files (`pg_available_extensions`). */
  readonly available: boolean;
  /** The extension is created in this database already (`pg_extension`). */
  readonly installed: boolean;
  /**
   * `shared_preload_libraries` names timescaledb; undefined when the role may not read the setting
   * (it is superuser-only: pg_settings hides it), then CREATE EXTENSION is tried and its failure
   * falls back.
   */
  readonly preloaded: boolean | undefined;
  /** The host loads extension libraries itself (PGlite), so no preload setting applies. */
  readonly hostLoaded: boolean;
}

export type TimescaleUsability =
  { readonly usable: true } | { readonly usable: false; readonly reason: string };

/**
 * Whether the TimescaleDB dialect can work here. On a server, timescaledb must be preloaded: the
 * CREATE EXTENSION of an installed but not preloaded library ends the session with a FATAL
 * ("extension "timescaledb" must be preloaded"), and an existing extension fails every use.
 */
export function timescaleUsability(probe: TimescaleProbe): TimescaleUsability {
  if (!probe.available) return { usable: false, reason: 'extension not installed on the server' };
  if (probe.hostLoaded || probe.preloaded !== false) return { usable: true };
  return { usable: false, reason: 'timescaledb is not in shared_preload_libraries' };
}

/** True when a `shared_preload_libraries` value names timescaledb (a path or versioned name too). */
export function preloadsTimescale(setting: string): boolean {
  return setting
    .split(',')
    .map((entry) => entry.trim().replace(/^"(.*)"$/, '$1'))
    .map((entry) => entry.slice(entry.lastIndexOf('/') + 1))
    .some((library) => /^timescaledb(?:-\d+(?:\.\d+)*)?$/.test(library));
}

async function probeTimescale(client: SqlClient): Promise<TimescaleProbe> {
  const { rows } = await client.query<{ available: boolean; installed: boolean; preload: string | null }>(
    `SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb') AS available,
            EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb') AS installed,
            (SELECT setting FROM pg_settings WHERE name = 'shared_preload_libraries') AS preload`,
  );
  const row = rows[0];
  return {
    available: row?.available === true,
    installed: row?.installed === true,
    preloaded: typeof row?.preload === 'string' ? preloadsTimescale(row.preload) : undefined,
    hostLoaded: client.loadsExtensionsItself === true,
  };
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
    throw storeErrors.create('HW_STORE_POSTGRES_TOO_OLD', {
      serverVersionNum: version,
      minimumVersionNum: MIN_SERVER_VERSION_NUM,
    });
  }
  const recorded = await recordedDialect(client);
  if (recorded !== undefined && prefer !== 'auto' && prefer !== recorded) {
    throw storeErrors.create('HW_STORE_DIALECT_MISMATCH', { recorded, requested: prefer });
  }
  const wanted = recorded ?? prefer;
  if (wanted === 'postgres') return 'postgres';

  const probe = await probeTimescale(client);
  const usability = timescaleUsability(probe);
  if (!usability.usable) {
    if (wanted === 'timescaledb')
      throw storeErrors.create('HW_STORE_TIMESCALE_UNAVAILABLE', { reason: usability.reason });
    const level = probe.available ? 'warn' : 'info';
    log[level](
      { dialect: 'postgres', code: 'HW_STORE_TIMESCALE_UNAVAILABLE', reason: usability.reason },
      'timescaledb cannot be used, using plain PostgreSQL',
    );
    return 'postgres';
  }
  try {
    await createTimescaleExtension(client);
  } catch (err) {
    // Preloaded and still refused (a version mismatch, missing privileges): fall back, never crash.
    const reason = errorMessage(err);
    if (wanted === 'timescaledb') {
      throw storeErrors.create('HW_STORE_TIMESCALE_UNAVAILABLE', { reason }, { cause: err });
    }
    log.warn(
      { err, dialect: 'postgres', code: 'HW_STORE_TIMESCALE_UNAVAILABLE', reason },
      'timescaledb available but cannot be created, using plain PostgreSQL',
    );
    return 'postgres';
  }
  log.info({ dialect: 'timescaledb' }, 'using TimescaleDB');
  return 'timescaledb';
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
