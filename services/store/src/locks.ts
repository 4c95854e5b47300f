import type { SqlClient } from './sql-client.js';

/**
 * Transaction-scoped advisory locks (`pg_advisory_xact_lock(namespace, key)`). Transaction-scoped
 * rather than session-scoped so they work through a pool and are released on commit, rollback or
 * a dropped connection, never leaked.
 */
const NAMESPACE = 0x4857_0000; // "HW"

export const AdvisoryLock = Object.freeze({
  migrate: 1,
  partitions: 2,
  siteDocuments: 3,
  rollups: 4,
});

export type AdvisoryLockKey = (typeof AdvisoryLock)[keyof typeof AdvisoryLock];

/** Blocks until this transaction holds the lock; call first inside `transaction()`. */
export async function lockForTransaction(tx: SqlClient, key: AdvisoryLockKey): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock($1::int, $2::int)', [NAMESPACE, key]);
}
