/**
 * Error registry of @hazardwatch/store (STYLE rule 4): every error has a stable code, a message
 * template filled from its data, and says whether retrying the same call can help. Callers match
 * on `code` (`storeErrors.is(err, 'HW_STORE_SITE_CONFLICT')`), never on message text. No code has
 * an HTTP status: a store error reaching a REST answer is a 500 unless the route maps it.
 */
import { defineErrors } from '@hazardwatch/kit';

export const storeErrors = defineErrors('HW_STORE', {
  /** The database carries migrations this build does not know: never run old code on it. */
  HW_STORE_SCHEMA_TOO_NEW: {
    template: 'database schema version {databaseVersion} is newer than this build supports ({codeVersion})',
    retryable: false,
  },
  /**
   * The embedded PostgreSQL server ended before it accepted connections (a data directory it may
   * not use, a port taken, a damaged cluster): `reason` carries its last log lines.
   */
  HW_STORE_EMBEDDED_POSTGRES_FAILED: {
    template: 'embedded PostgreSQL in {dataDir} did not start: {reason}',
    retryable: false,
  },
  /**
   * A PostgreSQL server left running by an earlier run (killed before it could stop it) holds the
   * data directory and did not stop when asked.
   */
  HW_STORE_EMBEDDED_POSTGRES_BUSY: {
    template:
      'the data directory {dataDir} is held by PostgreSQL process {pid} from an earlier run, which could not be stopped ({reason}): stop it, then start again',
    retryable: false,
  },
  HW_STORE_DIALECT_MISMATCH: {
    template: 'database was migrated as {recorded} but {requested} was requested',
    retryable: false,
  },
  HW_STORE_TIMESCALE_UNAVAILABLE: {
    template: 'TimescaleDB dialect requested but the extension cannot be used: {reason}',
    retryable: false,
  },
  HW_STORE_POSTGRES_TOO_OLD: {
    template:
      'PostgreSQL server version {serverVersionNum} is older than the supported minimum {minimumVersionNum}',
    retryable: false,
  },
  HW_STORE_MIGRATION_FAILED: {
    template: 'migration {version} ({migration}) failed and was rolled back',
    retryable: false,
  },
  HW_STORE_CONFIG_INVALID: {
    template: 'store option {key} is invalid: {reason}',
    retryable: false,
  },
  HW_STORE_HISTORY_RANGE_INVALID: {
    template: 'history range [{fromMs}, {toMs}) with maxPoints {maxPoints} is invalid',
    retryable: false,
  },
  /** An edit was made on a site version that is no longer the newest: re-read and edit again. */
  HW_STORE_SITE_CONFLICT: {
    template: 'the site changed while this edit was made (edited version {basedOn}, newest {latest})',
    retryable: true,
  },
  /**
   * The database connection failed under a call (socket closed, pool connect timed out): the
   * driver reports these as plain errors without a SQLSTATE, so the store names them here.
   */
  HW_STORE_CONNECTION_LOST: {
    template: 'the database connection failed during {operation}',
    retryable: true,
  },
  /**
   * An alarm-state write made under a partition lease another worker has since taken (a new epoch,
   * issue #23): refused by the database's fence, nothing of it stored. Retrying cannot help — the
   * new owner acts for the partition now.
   */
  HW_STORE_LEASE_STALE: {
    template: 'partitions {partitions} are no longer held at epochs {epochs}: another worker took them over',
    retryable: false,
  },
});

export type StoreErrorCode = (typeof storeErrors.codes)[number];
