import type { Migration } from './types.js';

/**
 * Alarms, their append-only events, colour changes, 预警 (early warnings) and the notification
 * outbox. Same in both dialects: these tables are small beside readings and are kept longer
 * (REFERENCE §8 item 17: alarm history ≥ 30 days; ours defaults to a year), pruned by the service.
 */
export const alarmTables: Migration = {
  version: 4,
  name: 'alarms',
  async up(tx) {
    await tx.exec(`
      CREATE TABLE alarms (
        id text PRIMARY KEY,
        -- 'point:<id>' or 'gateway:<enterprise>/<gateway>'
        source_key text NOT NULL,
        condition text NOT NULL,
        point_id integer,
        enterprise text,
        gateway text,
        state text NOT NULL CHECK (state IN ('NORM', 'UNACK', 'ACKED', 'RTNUN', 'SHLVD', 'DSUPR', 'OOSRV')),
        colour text CHECK (colour IN ('blue', 'yellow', 'orange', 'red')),
        raised_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        -- Set when the alarm returns to NORM; a later occurrence is a new alarm.
        closed_at timestamptz,
        -- The full lifecycle record, reloaded after a restart.
        record jsonb NOT NULL
      );
      -- ISA-18.2: at most one open alarm per point (or gateway) and condition, enforced here as well
      -- as in code, so bursts and concurrent writers can never create a duplicate.
      CREATE UNIQUE INDEX alarms_one_open_idx ON alarms (source_key, condition) WHERE closed_at IS NULL;
      CREATE INDEX alarms_raised_at_idx ON alarms (raised_at);
      CREATE INDEX alarms_point_idx ON alarms (point_id) WHERE point_id IS NOT NULL;

      -- REFERENCE §8 item 15: every state change is an append-only event with user, time and reason.
      CREATE TABLE alarm_events (
        id bigserial PRIMARY KEY,
        alarm_id text NOT NULL REFERENCES alarms (id) ON DELETE CASCADE,
        source_key text NOT NULL,
        condition text NOT NULL,
        from_state text NOT NULL,
        to_state text NOT NULL,
        ts timestamptz NOT NULL,
        actor text NOT NULL,
        reason text,
        value double precision,
        colour text,
        recorded_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX alarm_events_ts_idx ON alarm_events (ts);
      CREATE INDEX alarm_events_alarm_idx ON alarm_events (alarm_id, id);

      -- Roll-up colour changes at every level (point, hazard, enterprise, region).
      CREATE TABLE colour_events (
        id bigserial PRIMARY KEY,
        level text NOT NULL,
        code text NOT NULL,
        from_colour text,
        to_colour text,
        ts timestamptz NOT NULL
      );
      CREATE INDEX colour_events_ts_idx ON colour_events (ts);
      CREATE INDEX colour_events_code_idx ON colour_events (level, code, id);

      -- 预警: pushed → signed → feedback → closed, with escalation.
      CREATE TABLE warnings (
        id text PRIMARY KEY,
        enterprise text NOT NULL,
        hazard text,
        colour text NOT NULL,
        state text NOT NULL,
        opened_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        closed_at timestamptz,
        -- The open warning's handling record (timers, notified tiers), reloaded after a restart.
        record jsonb
      );
      CREATE UNIQUE INDEX warnings_one_open_idx ON warnings (enterprise, coalesce(hazard, '')) WHERE closed_at IS NULL;
      CREATE INDEX warnings_opened_at_idx ON warnings (opened_at);

      CREATE TABLE warning_events (
        id bigserial PRIMARY KEY,
        warning_id text NOT NULL REFERENCES warnings (id) ON DELETE CASCADE,
        type text NOT NULL,
        from_state text,
        to_state text,
        ts timestamptz NOT NULL,
        actor text NOT NULL,
        colour text NOT NULL,
        level text NOT NULL,
        detail jsonb
      );
      CREATE INDEX warning_events_ts_idx ON warning_events (ts);
      CREATE INDEX warning_events_warning_idx ON warning_events (warning_id, id);

      -- Transactional outbox: a notification is stored with the events that caused it and delivered
      -- by a worker with retries, so a failing channel never blocks or loses alarm processing.
      CREATE TABLE notification_outbox (
        id bigserial PRIMARY KEY,
        channel text NOT NULL,
        payload jsonb NOT NULL,
        created_at timestamptz NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL,
        delivered_at timestamptz,
        failed_at timestamptz,
        last_error text
      );
      CREATE INDEX notification_outbox_due_idx ON notification_outbox (next_attempt_at)
        WHERE delivered_at IS NULL AND failed_at IS NULL;
    `);
  },
};
