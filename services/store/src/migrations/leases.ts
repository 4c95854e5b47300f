import type { Migration } from './types.js';

/**
 * 20 (issue #23): ingest partitions owned by lease, with a fencing epoch (docs/operations.md §5).
 * Same in both dialects (small tables).
 *
 * `ingest_workers`: each worker's membership, kept alive by its heartbeat; a worker whose
 * `expires_at` has passed is dead to the others and gets no share. `partition_leases`: one row per
 * partition; the owner holds it until `expires_at` (on the database's clock — the only clock every
 * worker agrees on). Every acquisition raises `epoch` by one, a renewal keeps it: (partition,
 * epoch) names one worker's tenure and never comes back.
 *
 * `hw_lease_fence` is the fence: every alarm-state write of a leased worker calls it in the same
 * statement or transaction with the epochs it holds. It refuses (SQLSTATE P0HWF) unless each
 * partition is still held at that epoch, and takes a share lock on those lease rows, so a takeover
 * (which updates the row) waits until the write has committed — the new owner then restores a state
 * that includes it — or, when the takeover came first, the write is refused and nothing of it kept.
 * Expiry is not checked here: until another worker has acquired (a new epoch) the old owner is still
 * the only one acting; the worker itself stops before its lease ends (held-leases.ts).
 */
export const partitionLeases: Migration = {
  version: 20,
  name: 'partition-leases',
  async up(tx) {
    await tx.exec(`
      CREATE TABLE ingest_workers (
        worker_id text PRIMARY KEY,
        started_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL
      );
      CREATE TABLE partition_leases (
        partition integer PRIMARY KEY CHECK (partition >= 0),
        -- NULL: free (never taken, or released).
        owner text,
        epoch bigint NOT NULL DEFAULT 0 CHECK (epoch >= 0),
        expires_at timestamptz NOT NULL DEFAULT '-infinity',
        acquired_at timestamptz
      );
      CREATE FUNCTION hw_lease_fence(p_partitions integer[], p_epochs bigint[]) RETURNS boolean
      LANGUAGE plpgsql AS $fence$
      DECLARE
        held integer;
      BEGIN
        IF cardinality(p_partitions) IS DISTINCT FROM cardinality(p_epochs) THEN
          RAISE EXCEPTION 'hw_lease_fence: % partitions but % epochs',
            cardinality(p_partitions), cardinality(p_epochs) USING ERRCODE = '22023';
        END IF;
        SELECT count(*) INTO held FROM (
          SELECT 1 FROM partition_leases l
          JOIN unnest(p_partitions, p_epochs) AS f(p, e) ON l.partition = f.p AND l.epoch = f.e
          WHERE l.owner IS NOT NULL
          FOR SHARE OF l
        ) AS current_leases;
        IF held <> coalesce(cardinality(p_partitions), 0) THEN
          RAISE EXCEPTION 'stale partition lease: % at epochs % no longer held', p_partitions, p_epochs
            USING ERRCODE = 'P0HWF';
        END IF;
        RETURN true;
      END
      $fence$;
    `);
  },
};
