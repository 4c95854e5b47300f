import { storeErrors } from './errors.js';
import { sqlState } from './storage-errors.js';
import type { SqlClient } from './sql-client.js';

/** A partition held at an epoch: the fencing token of one worker's tenure. */
export interface LeaseGrant {
  readonly partition: number;
  readonly epoch: number;
}

/** What every worker plans from: the live members and the live owner of each held partition. */
export interface LeaseSnapshot {
  readonly workers: readonly string[];
  readonly owners: ReadonlyMap<number, string>;
  /**
   * Milliseconds (database clock) until the earliest expiry of another worker's membership or
   * lease; null when there is none. A dead worker's share can be taken from then on.
   */
  readonly nextExpiryInMs: number | null;
}

/**
 * The epochs an alarm-state write is made under. The database refuses the write unless every
 * partition is still held at its epoch (migration 20, `hw_lease_fence`).
 */
export interface LeaseFence {
  readonly partitions: readonly number[];
  readonly epochs: readonly number[];
}

/** SQLSTATE `hw_lease_fence` raises for a stale epoch. */
export const STALE_LEASE_SQLSTATE = 'P0HWF';

/**
 * Partition leases in PostgreSQL (issue #23, migration 20). Every expiry is computed and compared
 * on the database's clock (`now()`), never a worker's: `leaseMs` is a duration the caller asks for.
 */
export class LeaseRepository {
  constructor(private readonly client: SqlClient) {}

  /** Creates the rows of partitions 0 … count − 1 that do not exist yet (free, epoch 0). */
  async ensurePartitions(count: number): Promise<void> {
    await this.client.query(
      `INSERT INTO partition_leases (partition) SELECT generate_series(0, $1::int - 1) ON CONFLICT DO NOTHING`,
      [count],
    );
  }

  /**
   * The worker's heartbeat: its membership kept alive for `leaseMs`, and those of `held` it still
   * holds (same owner and epoch, not expired) renewed for `leaseMs`. Returns the renewed ones; a
   * lease missing from the answer is lost.
   */
  async heartbeat(workerId: string, held: readonly LeaseGrant[], leaseMs: number): Promise<LeaseGrant[]> {
    const { rows } = await this.client.query<{ partition: number; epoch: number }>(
      // A data-modifying WITH runs whether or not it is referenced (one round trip, one snapshot).
      `WITH member AS (
         INSERT INTO ingest_workers (worker_id, expires_at) VALUES ($1, now() + $2 * interval '1 millisecond')
         ON CONFLICT (worker_id) DO UPDATE SET expires_at = excluded.expires_at
       )
       UPDATE partition_leases l SET expires_at = now() + $2 * interval '1 millisecond'
       FROM unnest($3::int[], $4::bigint[]) AS h(p, e)
       WHERE l.partition = h.p AND l.epoch = h.e AND l.owner = $1 AND l.expires_at > now()
       RETURNING l.partition, l.epoch::float8 AS epoch`,
      [workerId, leaseMs, held.map((h) => h.partition), held.map((h) => h.epoch)],
    );
    return rows.map(grant).sort(byPartition);
  }

  /** Live members (membership not expired) and the live owner of each held partition. */
  /** Live members and owners now; `self`: whose expiries `nextExpiryInMs` leaves out. */
  async snapshot(self?: string): Promise<LeaseSnapshot> {
    const workers = await this.client.query<{ worker_id: string; in_ms: number }>(
      `SELECT worker_id, (extract(epoch FROM expires_at - now()) * 1000)::float8 AS in_ms
         FROM ingest_workers WHERE expires_at > now() ORDER BY worker_id`,
    );
    const leases = await this.client.query<{ partition: number; owner: string; in_ms: number }>(
      `SELECT partition, owner, (extract(epoch FROM expires_at - now()) * 1000)::float8 AS in_ms
         FROM partition_leases WHERE owner IS NOT NULL AND expires_at > now()`,
    );
    const others = [
      ...workers.rows.filter((r) => r.worker_id !== self),
      ...leases.rows.filter((r) => r.owner !== self),
    ];
    return {
      workers: workers.rows.map((r) => r.worker_id),
      owners: new Map(leases.rows.map((r) => [r.partition, r.owner])),
      nextExpiryInMs: others.length === 0 ? null : Math.min(...others.map((r) => r.in_ms)),
    };
  }

  /**
   * Whether every one of the `count` partitions is held by a live owner that acquired it at least
   * `settleMs` ago (database clock): each held partition's session has been opened by then, so a
   * message published now reaches a partition's session whoever holds it.
   */
  async allHeldSince(count: number, settleMs: number): Promise<boolean> {
    const { rows } = await this.client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM partition_leases
        WHERE partition < $1 AND owner IS NOT NULL AND expires_at > now()
          AND acquired_at <= now() - $2 * interval '1 millisecond'`,
      [count, settleMs],
    );
    return rows[0]!.n === count;
  }

  /**
   * Takes those of `partitions` that are free or whose lease has expired, each at a new epoch (its
   * previous one + 1), for `leaseMs`. Returns what was taken; the rest are held by someone alive.
   */
  async acquire(workerId: string, partitions: readonly number[], leaseMs: number): Promise<LeaseGrant[]> {
    if (partitions.length === 0) return [];
    const { rows } = await this.client.query<{ partition: number; epoch: number }>(
      `UPDATE partition_leases SET owner = $1, epoch = epoch + 1,
         expires_at = now() + $2 * interval '1 millisecond', acquired_at = now()
       WHERE partition = ANY($3::int[]) AND (owner IS NULL OR expires_at <= now())
       RETURNING partition, epoch::float8 AS epoch`,
      [workerId, leaseMs, [...partitions]],
    );
    return rows.map(grant).sort(byPartition);
  }

  /** Gives up leases at once (the worker has stopped acting for them): free for the next owner. */
  async release(workerId: string, held: readonly LeaseGrant[]): Promise<void> {
    if (held.length === 0) return;
    await this.client.query(
      `UPDATE partition_leases l SET owner = NULL, expires_at = '-infinity'
       FROM unnest($2::int[], $3::bigint[]) AS h(p, e)
       WHERE l.partition = h.p AND l.epoch = h.e AND l.owner = $1`,
      [workerId, held.map((h) => h.partition), held.map((h) => h.epoch)],
    );
  }

  /** A clean stop: every lease of the worker released and its membership ended. */
  async leave(workerId: string): Promise<void> {
    await this.client.query(
      `WITH released AS (
         UPDATE partition_leases SET owner = NULL, expires_at = '-infinity' WHERE owner = $1
       )
       DELETE FROM ingest_workers WHERE worker_id = $1`,
      [workerId],
    );
  }

  /**
   * Memberships whose heartbeat ended more than `olderThanMs` ago are deleted: each start of a
   * worker is a new member, so without this a row would stay for every start (they are ignored
   * once expired). Returns how many.
   */
  async pruneWorkers(olderThanMs: number): Promise<number> {
    const { rows } = await this.client.query<{ n: number }>(
      `WITH gone AS (DELETE FROM ingest_workers WHERE expires_at < now() - $1 * interval '1 millisecond' RETURNING 1)
       SELECT count(*)::int AS n FROM gone`,
      [olderThanMs],
    );
    return rows[0]?.n ?? 0;
  }
}

/** A refusal of `hw_lease_fence` as the store's coded error; anything else unchanged. */
export function asStaleLease(error: unknown, fence: LeaseFence): unknown {
  if (sqlState(error) !== STALE_LEASE_SQLSTATE) return error;
  return storeErrors.create(
    'HW_STORE_LEASE_STALE',
    { partitions: fence.partitions.join(','), epochs: fence.epochs.join(',') },
    { cause: error },
  );
}

const grant = (r: { partition: number; epoch: number }): LeaseGrant => ({
  partition: r.partition,
  epoch: Number(r.epoch),
});
const byPartition = (a: LeaseGrant, b: LeaseGrant): number => a.partition - b.partition;
