/**
 * Error registry of @hazardwatch/store (STYLE rule 4): every error has a stable code, a message
 * template filled from its data, and says whether retrying the same call can help. Callers match
 * on `code`, never on message text.
 *
 * `defineStoreError` is a local stand-in for the `defineErrors` factory coming to @hazardwatch/core;
 * the shape (code, template, retryable, data) is the same so the swap is mechanical.
 */

export interface StoreErrorDefinition {
  readonly code: string;
  /** Message template; `{name}` is replaced by `String(data.name)`. */
  readonly template: string;
  /** True when the same call may succeed later (connection loss, lock timeout). */
  readonly retryable: boolean;
}

export class StoreError<D extends object = Record<string, unknown>> extends Error {
  override readonly name = 'StoreError';
  readonly code: string;
  readonly retryable: boolean;
  readonly data: Readonly<D>;

  constructor(definition: StoreErrorDefinition, data: D, options?: { cause?: unknown }) {
    super(formatTemplate(definition.template, data), options);
    this.code = definition.code;
    this.retryable = definition.retryable;
    this.data = Object.freeze({ ...data });
  }
}

export interface StoreErrorFactory<D extends object> extends StoreErrorDefinition {
  (data: D, options?: { cause?: unknown }): StoreError<D>;
  /** Type guard that checks the code, never the message. */
  is(err: unknown): err is StoreError<D>;
}

export function defineStoreError<D extends object>(
  code: string,
  template: string,
  retryable: boolean,
): StoreErrorFactory<D> {
  const definition: StoreErrorDefinition = Object.freeze({ code, template, retryable });
  const create = (data: D, options?: { cause?: unknown }): StoreError<D> =>
    new StoreError(definition, data, options);
  const is = (err: unknown): err is StoreError<D> => err instanceof StoreError && err.code === code;
  return Object.freeze(Object.assign(create, { code, template, retryable, is }));
}

export function formatTemplate(template: string, data: object): string {
  const values = data as Record<string, unknown>;
  return template.replace(/\{(\w+)\}/g, (whole, key: string) =>
    key in values ? String(values[key]) : whole,
  );
}

export const StoreErrors = Object.freeze({
  /** The database carries migrations this build does not know: never run old code on it. */
  schemaTooNew: defineStoreError<{ databaseVersion: number; codeVersion: number }>(
    'STORE_SCHEMA_TOO_NEW',
    'database schema version {databaseVersion} is newer than this build supports ({codeVersion})',
    false,
  ),
  /**
   * The embedded PostgreSQL server ended before it accepted connections (a data directory it may
   * not use, a port taken, a damaged cluster): `reason` carries its last log lines.
   */
  embeddedPostgresFailed: defineStoreError<{ dataDir: string; reason: string }>(
    'STORE_EMBEDDED_POSTGRES_FAILED',
    'embedded PostgreSQL in {dataDir} did not start: {reason}',
    false,
  ),
  /**
   * A PostgreSQL server left running by an earlier run (killed before it could stop it) holds the
   * data directory and did not stop when asked.
   */
  embeddedPostgresBusy: defineStoreError<{ dataDir: string; pid: number; reason: string }>(
    'STORE_EMBEDDED_POSTGRES_BUSY',
    'the data directory {dataDir} is held by PostgreSQL process {pid} from an earlier run, which could not be stopped ({reason}): stop it, then start again',
    false,
  ),
  dialectMismatch: defineStoreError<{ recorded: string; requested: string }>(
    'STORE_DIALECT_MISMATCH',
    'database was migrated as {recorded} but {requested} was requested',
    false,
  ),
  timescaleUnavailable: defineStoreError<{ reason: string }>(
    'STORE_TIMESCALE_UNAVAILABLE',
    'TimescaleDB dialect requested but the extension cannot be used: {reason}',
    false,
  ),
  postgresTooOld: defineStoreError<{ serverVersionNum: number; minimumVersionNum: number }>(
    'STORE_POSTGRES_TOO_OLD',
    'PostgreSQL server version {serverVersionNum} is older than the supported minimum {minimumVersionNum}',
    false,
  ),
  migrationFailed: defineStoreError<{ version: number; migration: string }>(
    'STORE_MIGRATION_FAILED',
    'migration {version} ({migration}) failed and was rolled back',
    false,
  ),
  configInvalid: defineStoreError<{ key: string; reason: string }>(
    'STORE_CONFIG_INVALID',
    'store option {key} is invalid: {reason}',
    false,
  ),
  historyRangeInvalid: defineStoreError<{ fromMs: number; toMs: number; maxPoints: number }>(
    'STORE_HISTORY_RANGE_INVALID',
    'history range [{fromMs}, {toMs}) with maxPoints {maxPoints} is invalid',
    false,
  ),
  /** An edit was made on a site version that is no longer the newest: re-read and edit again. */
  siteConflict: defineStoreError<{ basedOn: number; latest: number }>(
    'STORE_SITE_CONFLICT',
    'the site changed while this edit was made (edited version {basedOn}, newest {latest})',
    true,
  ),
  /**
   * The database connection failed under a call (socket closed, pool connect timed out): the
   * driver reports these as plain errors without a SQLSTATE, so the store names them here.
   */
  connectionLost: defineStoreError<{ operation: string }>(
    'STORE_CONNECTION_LOST',
    'the database connection failed during {operation}',
    true,
  ),
});
