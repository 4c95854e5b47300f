import type pg from 'pg';
import { storeErrors } from './errors.js';
import { asConnectionLost } from './storage-errors.js';

/**
 * The narrow seam every migration, repository and query in this package runs on, so the same
 * code serves node-postgres (server PostgreSQL / TimescaleDB) and PGlite (in-process WASM).
 *
 * Result values are whatever the driver parses: callers cast in SQL (`::float8`, `::int`) so both
 * drivers return plain numbers (node-postgres returns int8/numeric as strings).
 */
export interface SqlClient {
  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<{ rows: R[] }>;
  /** Runs one or more statements without parameters (simple-query protocol), for DDL. */
  exec(sql: string): Promise<void>;
  /**
   * Runs `fn` inside one transaction on one connection; commits when it resolves, rolls back when
   * it rejects. Nested calls use savepoints.
   */
  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T>;
  /**
   * True when the host loads extension libraries itself (PGlite's `extensions` option), so a
   * server's `shared_preload_libraries` does not apply. @default false
   */
  readonly loadsExtensionsItself?: boolean;
}

/** The part of a node-postgres `Client`/`PoolClient` this adapter uses. */
type PgQueryable = Pick<pg.ClientBase, 'query'>;

/** A statement without parameters (transaction control, DDL); a connection failure is named. */
async function pgRaw(target: PgQueryable, sql: string): Promise<void> {
  await target.query(sql).catch((error: unknown) => {
    throw asConnectionLost(error, 'query');
  });
}

function pgQuery(target: PgQueryable): SqlClient['query'] {
  return async <R>(text: string, params?: readonly unknown[]) => {
    // A connection that ended is named (retryable) so callers can tell it from a bug.
    const result = await target.query(text, params as unknown[] | undefined).catch((error: unknown) => {
      throw asConnectionLost(error, 'query');
    });
    return { rows: result.rows as R[] };
  };
}

/** A transaction already open on one connection: nested transactions become savepoints. */
function pgTransactionClient(conn: PgQueryable, depth: number): SqlClient {
  const client: SqlClient = {
    query: pgQuery(conn),
    exec: async (sql) => {
      await pgRaw(conn, sql);
    },
    transaction: async (fn) => {
      const savepoint = `hw_sp_${depth}`;
      await pgRaw(conn, `SAVEPOINT ${savepoint}`);
      try {
        const value = await fn(pgTransactionClient(conn, depth + 1));
        await pgRaw(conn, `RELEASE SAVEPOINT ${savepoint}`);
        return value;
      } catch (err) {
        await pgRaw(conn, `ROLLBACK TO SAVEPOINT ${savepoint}`);
        throw err;
      }
    },
  };
  return client;
}

async function runPgTransaction<T>(conn: PgQueryable, fn: (tx: SqlClient) => Promise<T>): Promise<T> {
  await pgRaw(conn, 'BEGIN');
  try {
    const value = await fn(pgTransactionClient(conn, 1));
    await pgRaw(conn, 'COMMIT');
    return value;
  } catch (err) {
    await pgRaw(conn, 'ROLLBACK');
    throw err;
  }
}

function isPool(target: pg.Pool | pg.ClientBase): target is pg.Pool {
  return 'totalCount' in target;
}

/**
 * Adapter for node-postgres. With a `pg.Pool` each transaction checks out its own connection, so
 * concurrent callers are safe. With a single `pg.Client`, a transaction owns the whole client
 * until it ends: do not share that client with concurrent work meanwhile.
 */
export function sqlClientFromPg(target: pg.Pool | pg.ClientBase): SqlClient {
  return {
    query: pgQuery(target),
    exec: async (sql) => {
      await pgRaw(target, sql);
    },
    transaction: async (fn) => {
      if (!isPool(target)) return runPgTransaction(target, fn);
      const conn = await target.connect().catch((error: unknown) => {
        throw asConnectionLost(error, 'connect');
      });
      // pg-pool listens for 'error' only on idle clients. A session the server closes while the
      // client is out (a FATAL such as CREATE EXTENSION timescaledb without preload, or a
      // terminated backend) emits 'error' after the statement rejects: unheard, Node would exit.
      // The statement's own rejection reports the failure; the listener only marks the client.
      let broken = false;
      const onLost = (): void => {
        broken = true;
      };
      conn.on('error', onLost);
      try {
        return await runPgTransaction(conn, fn);
      } catch (err) {
        // A failed ROLLBACK leaves the connection in an unknown state: destroy it, don't reuse it.
        broken ||= isConnectionError(err);
        throw err;
      } finally {
        conn.removeListener('error', onLost);
        conn.release(broken);
      }
    },
  };
}

function isConnectionError(err: unknown): boolean {
  // Class 08: connection exception (SQLSTATE); no code at all means a socket-level failure.
  if (storeErrors.is(err, 'HW_STORE_CONNECTION_LOST')) return true;
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code !== 'string' || code.startsWith('08');
}

/** Structural view of a PGlite instance or transaction (no runtime dependency on PGlite). */
export interface PGliteQueryable {
  query<R>(text: string, params?: unknown[]): Promise<{ rows: R[] }>;
  exec(sql: string): Promise<unknown>;
}

export interface PGliteLike extends PGliteQueryable {
  transaction<T>(fn: (tx: PGliteQueryable) => Promise<T>): Promise<T>;
}

function pgliteTransactionClient(tx: PGliteQueryable, depth: number): SqlClient {
  return {
    query: async <R>(text: string, params?: readonly unknown[]) =>
      tx.query<R>(text, params ? [...params] : undefined),
    exec: async (sql) => {
      await tx.exec(sql);
    },
    transaction: async (fn) => {
      const savepoint = `hw_sp_${depth}`;
      await tx.exec(`SAVEPOINT ${savepoint}`);
      try {
        const value = await fn(pgliteTransactionClient(tx, depth + 1));
        await tx.exec(`RELEASE SAVEPOINT ${savepoint}`);
        return value;
      } catch (err) {
        await tx.exec(`ROLLBACK TO SAVEPOINT ${savepoint}`);
        throw err;
      }
    },
  };
}

/** Adapter for PGlite (`new PGlite(...)`): one in-process session, transactions are exclusive. */
export function sqlClientFromPGlite(db: PGliteLike): SqlClient {
  return {
    loadsExtensionsItself: true,
    query: async <R>(text: string, params?: readonly unknown[]) =>
      db.query<R>(text, params ? [...params] : undefined),
    exec: async (sql) => {
      await db.exec(sql);
    },
    transaction: async (fn) => db.transaction(async (tx) => fn(pgliteTransactionClient(tx, 1))),
  };
}
