import type { Migration } from './types.js';

/**
 * Issue #19, duties and oversight. Same in both dialects (small tables).
 *
 * 13: the enterprise safety manager (安全管理人员) joins the roles: like an operator it belongs to
 * one enterprise; it owns the monitoring configuration under the regulator's oversight.
 */
export const safetyManagerRole: Migration = {
  version: 13,
  name: 'safety-manager-role',
  async up(tx) {
    await tx.exec(`
      ALTER TABLE users DROP CONSTRAINT users_role_check;
      ALTER TABLE users DROP CONSTRAINT users_check;
      ALTER TABLE users ADD CONSTRAINT users_role_check
        CHECK (role IN ('admin', 'regulator', 'operator', 'safety_manager', 'viewer'));
      ALTER TABLE users ADD CONSTRAINT users_scope_check CHECK (
        (role = 'admin' AND region_code IS NULL AND enterprise_code IS NULL)
        OR (role IN ('regulator', 'viewer') AND region_code IS NOT NULL AND enterprise_code IS NULL)
        OR (role IN ('operator', 'safety_manager') AND enterprise_code IS NOT NULL AND region_code IS NULL)
      );
    `);
  },
};

/**
 * 14: changes that weaken monitoring (停用 of a point, a raised H/HH or lowered L/LL limit, a
 * wider deadband or longer delay, a lowered hazard level, a deleted point or hazard, a long shelve
 * or out-of-service alarm), kept in the shape provincial platforms ask for: who, when, what,
 * before/after, reason; and, when the authority table says so, waiting for the regulator's
 * decision. `region` is the enterprise's region when the change was asked for, so the regulator
 * who supervised the enterprise then keeps seeing it.
 */
export const monitoringChanges: Migration = {
  version: 14,
  name: 'monitoring-changes',
  async up(tx) {
    await tx.exec(`
      CREATE TABLE monitoring_changes (
        id bigserial PRIMARY KEY,
        enterprise text NOT NULL,
        region text,
        -- point | hazard | enterprise | gateway | alarm
        target_type text NOT NULL,
        target_id text NOT NULL,
        -- The monitoring.* kinds (authority actions) the change contains.
        kinds text[] NOT NULL,
        -- [{ kind, field, before, after }]: one line per weakened field.
        summary jsonb NOT NULL,
        before jsonb,
        after jsonb,
        -- What is applied when a pending change is approved.
        edit jsonb,
        reason text NOT NULL,
        requested_by text NOT NULL,
        requested_role text NOT NULL,
        requested_at timestamptz NOT NULL,
        status text NOT NULL CHECK (status IN ('applied', 'pending', 'approved', 'denied', 'withdrawn', 'failed')),
        decided_by text,
        decided_at timestamptz,
        decision_note text,
        -- Site version the change took effect in (applied / approved).
        site_version integer
      );
      CREATE INDEX monitoring_changes_enterprise_idx ON monitoring_changes (enterprise, requested_at DESC);
      CREATE INDEX monitoring_changes_region_idx ON monitoring_changes (region, requested_at DESC);
      CREATE INDEX monitoring_changes_pending_idx ON monitoring_changes (requested_at) WHERE status = 'pending';
    `);
  },
};

/**
 * 15: one outbox row is one delivery — a notification to one recipient over one channel — so the
 * 预警 record can show who was notified, how, when, and whether delivery succeeded.
 * Rows written before this version keep these columns null (a whole notification to a channel).
 */
export const notificationDeliveries: Migration = {
  version: 15,
  name: 'notification-deliveries',
  async up(tx) {
    await tx.exec(`
      ALTER TABLE notification_outbox
        ADD COLUMN warning_id text,
        ADD COLUMN alarm_id text,
        ADD COLUMN kind text,
        ADD COLUMN recipient jsonb;
      CREATE INDEX notification_outbox_warning_idx ON notification_outbox (warning_id, id)
        WHERE warning_id IS NOT NULL;
      CREATE INDEX notification_outbox_alarm_idx ON notification_outbox (alarm_id, id)
        WHERE alarm_id IS NOT NULL;
    `);
  },
};
