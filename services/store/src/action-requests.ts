import type { AlarmCommandRow, AlarmCommandType } from '@hazardwatch/contracts';
import type { SqlClient } from './sql-client.js';

/** NOTIFY channel of new requests; the payload is the enterprise code. */
export const ACTION_REQUEST_CHANNEL = 'hw_actions';
/** NOTIFY channel of finished requests; the payload is the request id. */
export const ACTION_DONE_CHANNEL = 'hw_action_done';

/** A request to store: an action command's row (contracts `commandRow`), routed and bounded. */
export interface NewActionRequest extends AlarmCommandRow {
  /** Routing key: the ingest worker owning this enterprise applies the request. */
  readonly enterprise: string;
  /** How long it may still be applied, ms from now (database clock). */
  readonly ttlMs: number;
}

/** A claimed request; its command is read back with contracts `commandOfRow`. */
export interface ClaimedActionRequest extends AlarmCommandRow {
  readonly id: string;
  readonly enterprise: string;
}

/** What is stored in `outcome` when a request passed its deadline unapplied. */
export const EXPIRED_OUTCOME = Object.freeze({ expired: true });

/**
 * What `claimAndApply`'s `apply` returns for a request this worker may no longer apply (a leased
 * worker that lost the enterprise's partition between claim and apply): the claim is undone and
 * the request stays open for the worker that holds the partition now.
 */
export const NOT_APPLIED: unique symbol = Symbol('hw.action.not-applied');

interface ClaimedRow {
  id: string;
  enterprise: string;
  kind: AlarmCommandType;
  target_id: string;
  actor: string;
  request: Record<string, unknown>;
}

/**
 * `alarm_action_requests`: alarm and 预警 actions forwarded from API instances to the ingest
 * worker that owns the enterprise, durably (a worker that is down finds them when it is back).
 * A request ends exactly once: applied by one worker (`claimAndApply`: claim, apply and outcome
 * in one transaction, so a claimed row is never left half-done), or expired (`expire`,
 * `expireOverdue`) — never both, because either writes `done_at` only where it is still null
 * and the claim holds the row lock until its outcome is committed.
 */
export class ActionRequestRepository {
  constructor(private readonly client: SqlClient) {}

  /** Stores a request and wakes the workers (NOTIFY on commit); returns its id. */
  async submit(request: NewActionRequest): Promise<string> {
    return this.client.transaction(async (tx) => {
      const { rows } = await tx.query<{ id: string }>(
        `INSERT INTO alarm_action_requests (enterprise, kind, target_id, actor, request, deadline)
         VALUES ($1, $2, $3, $4, $5::jsonb, now() + make_interval(secs => $6::float8 / 1000))
         RETURNING id::text AS id`,
        [
          request.enterprise,
          request.kind,
          request.targetId,
          request.actor,
          JSON.stringify(request.request),
          request.ttlMs,
        ],
      );
      await tx.query('SELECT pg_notify($1, $2)', [ACTION_REQUEST_CHANNEL, request.enterprise]);
      return rows[0]!.id;
    });
  }

  /**
   * Claims open, not yet overdue requests of the given enterprises (`null`: every enterprise),
   * oldest first, skipping rows another worker holds; applies each with `apply` and stores its
   * outcome, all in one transaction, and notifies ACTION_DONE_CHANNEL on commit. Returns how
   * many were applied. `apply` must not throw: its result is the stored outcome, or `NOT_APPLIED`
   * to leave the request open (unclaimed) for another worker.
   */
  async claimAndApply(
    workerId: string,
    enterprises: readonly string[] | null,
    limit: number,
    apply: (request: ClaimedActionRequest) => unknown,
  ): Promise<number> {
    if (enterprises !== null && enterprises.length === 0) return 0;
    return this.client.transaction(async (tx) => {
      const { rows } = await tx.query<ClaimedRow>(
        `UPDATE alarm_action_requests SET claimed_by = $1, claimed_at = now()
         WHERE id IN (
           SELECT id FROM alarm_action_requests
           WHERE done_at IS NULL AND deadline > now()
             AND ($2::text[] IS NULL OR enterprise = ANY($2::text[]))
           ORDER BY id
           LIMIT $3
           FOR UPDATE SKIP LOCKED)
         RETURNING id::text AS id, enterprise, kind, target_id, actor, request`,
        [workerId, enterprises, limit],
      );
      if (rows.length === 0) return 0;
      // Actions on one alarm must be applied in the order they were asked for.
      rows.sort((a, b) => Number(BigInt(a.id) - BigInt(b.id)));
      const ids: string[] = [];
      const outcomes: string[] = [];
      const left: string[] = [];
      for (const row of rows) {
        const outcome = apply({
          id: row.id,
          enterprise: row.enterprise,
          kind: row.kind,
          targetId: row.target_id,
          actor: row.actor,
          request: row.request,
        });
        if (outcome === NOT_APPLIED) {
          left.push(row.id);
          continue;
        }
        ids.push(row.id);
        outcomes.push(JSON.stringify(outcome ?? null));
      }
      if (left.length > 0)
        await tx.query(
          'UPDATE alarm_action_requests SET claimed_by = NULL, claimed_at = NULL WHERE id = ANY($1::bigint[])',
          [left],
        );
      if (ids.length === 0) return 0;
      await tx.query(
        `UPDATE alarm_action_requests r SET done_at = now(), outcome = o.outcome::jsonb
         FROM unnest($1::bigint[], $2::text[]) AS o(id, outcome)
         WHERE r.id = o.id`,
        [ids, outcomes],
      );
      await tx.query('SELECT pg_notify($1, id) FROM unnest($2::text[]) AS id', [ACTION_DONE_CHANNEL, ids]);
      return ids.length;
    });
  }

  /** Outcomes of the finished requests among `ids`. */
  async outcomes(ids: readonly string[]): Promise<Map<string, unknown>> {
    if (ids.length === 0) return new Map();
    const { rows } = await this.client.query<{ id: string; outcome: unknown }>(
      `SELECT id::text AS id, outcome FROM alarm_action_requests
       WHERE id = ANY($1::bigint[]) AND done_at IS NOT NULL`,
      [ids],
    );
    return new Map(rows.map((r) => [r.id, r.outcome]));
  }

  /**
   * Marks a request expired unless it has finished: true when this call expired it (it was not
   * and will never be applied), false when it had already been applied or expired. Waits for a
   * worker that holds the row to commit.
   */
  async expire(id: string): Promise<boolean> {
    const { rows } = await this.client.query(
      `UPDATE alarm_action_requests SET done_at = now(), outcome = $2::jsonb
       WHERE id = $1 AND done_at IS NULL
       RETURNING id`,
      [id, JSON.stringify(EXPIRED_OUTCOME)],
    );
    return rows.length > 0;
  }

  /** Expires open requests past their deadline (their API instance may be gone); returns how many. */
  async expireOverdue(enterprises: readonly string[] | null): Promise<number> {
    const { rows } = await this.client.query(
      `UPDATE alarm_action_requests SET done_at = now(), outcome = $2::jsonb
       WHERE done_at IS NULL AND deadline <= now()
         AND ($1::text[] IS NULL OR enterprise = ANY($1::text[]))
       RETURNING id`,
      [enterprises, JSON.stringify(EXPIRED_OUTCOME)],
    );
    return rows.length;
  }

  /** Deletes finished requests older than `beforeMs` (the audit log keeps what was done). */
  async pruneDoneBefore(beforeMs: number): Promise<number> {
    const { rows } = await this.client.query(
      `DELETE FROM alarm_action_requests WHERE done_at < to_timestamp($1::float8 / 1000) RETURNING id`,
      [beforeMs],
    );
    return rows.length;
  }
}
