import { randomBytes } from 'node:crypto';
import pg from 'pg';

import { openTestPool, providedServices } from '@hazardwatch/testkit';

/**
 * A fresh database per suite on the test server (the local one, or the embedded one the global
 * setup started on a machine without PostgreSQL), dropped with its connections afterwards.
 */
const adminUrl = (): string => providedServices().postgresAdminUrl;

export interface TestDatabase {
  readonly name: string;
  readonly url: string;
  /** Opens a pool on the test database; closed by drop(). */
  pool(): pg.Pool;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `hw_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  const pools: pg.Pool[] = [];
  return {
    name,
    url: url.toString(),
    pool() {
      const p = openTestPool(url.toString(), { max: 4 });
      pools.push(p);
      return p;
    },
    async drop() {
      await Promise.all(pools.map((p) => p.end()));
      const c = new pg.Client({ connectionString: adminUrl() });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
