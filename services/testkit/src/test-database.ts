import pg from 'pg';
import { createScratchDatabase, type ScratchDatabase } from '@hazardwatch/store';

export type TestDatabase = ScratchDatabase;

/** Creates a fresh, uniquely named database on the test server; `drop()` removes it. */
export function createTestDatabase(adminUrl: string, prefix = 'hw_t'): Promise<TestDatabase> {
  return createScratchDatabase(adminUrl, prefix);
}

/**
 * A pool on a test database that tolerates what its teardown does: DROP DATABASE … WITH (FORCE)
 * terminates connections still closing (57P01 admin_shutdown; pg-pool's end() resolves before the
 * sockets are closed), which an error-less pool would raise as an uncaught exception. Anything
 * else on an idle client is a real failure and fails the run.
 */
export function openTestPool(url: string, options: Omit<pg.PoolConfig, 'connectionString'> = {}): pg.Pool {
  const pool = new pg.Pool({ ...options, connectionString: url });
  pool.on('error', (err: Error & { code?: string }) => {
    if (err.code !== '57P01') throw err;
  });
  return pool;
}
