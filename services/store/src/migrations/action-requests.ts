import type { Migration } from './types.js';

/**
 * Alarm and 预警 actions forwarded from API instances to the ingest worker that owns the
 * enterprise (its alarm engine holds the alarm state). A row is the durable request; `deadline`
 * (database clock) bounds when it may still be applied: after it, no worker claims it and the API
 * marks it expired, so an action the caller was told had failed is never applied later.
 * `done_at` and `outcome` are written in the same transaction as the claim.
 */
export const actionRequests: Migration = {
  version: 8,
  name: 'alarm-action-requests',
  async up(tx) {
    await tx.exec(`
      CREATE TABLE alarm_action_requests (
        id bigserial PRIMARY KEY,
        enterprise text NOT NULL,
        kind text NOT NULL
          CHECK (kind IN ('alarm.act', 'warning.sign', 'warning.feedback', 'warning.close')),
        target_id text NOT NULL,
        actor text NOT NULL,
        request jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        deadline timestamptz NOT NULL,
        claimed_by text,
        claimed_at timestamptz,
        done_at timestamptz,
        -- { ok, before, after } | { ok: false, error } | { expired: true }
        outcome jsonb
      );
      -- Workers look for open requests of their enterprises, oldest first.
      CREATE INDEX alarm_action_requests_open ON alarm_action_requests (enterprise, id)
        WHERE done_at IS NULL;
      CREATE INDEX alarm_action_requests_done ON alarm_action_requests (done_at)
        WHERE done_at IS NOT NULL;
    `);
  },
};
