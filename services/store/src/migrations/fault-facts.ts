import type { Migration } from './types.js';

/**
 * Faults are facts (ARCHITECTURE; issue #16):
 * - `alarm_events.late`: the transition was decided from readings a collector replayed from its
 *   spool after an uplink outage; `ts` is then the source time it happened, `recorded_at` when it
 *   became known.
 * - `data_loss_events`: what a gateway's bounded spool had to drop, as it reported it
 *   (`{"type":"data_loss"}` on its status topic): which gateway, which span of source time, how
 *   many readings. The hole in the stored readings is explained here, and the online-rate KPI
 *   counts it. Idempotent on the report (QoS 1 may deliver it twice).
 */
export const faultFacts: Migration = {
  version: 11,
  name: 'fault-facts',
  async up(tx) {
    await tx.exec(`
      ALTER TABLE alarm_events ADD COLUMN late boolean NOT NULL DEFAULT false;

      CREATE TABLE data_loss_events (
        id bigserial PRIMARY KEY,
        enterprise text NOT NULL,
        gateway text NOT NULL,
        -- Why the spool dropped (e.g. 'max_bytes', 'max_age').
        reason text NOT NULL,
        readings integer NOT NULL CHECK (readings >= 0),
        entries integer NOT NULL CHECK (entries >= 0),
        -- Source times of the oldest and newest dropped reading; NULL when the gateway did not say.
        from_ts timestamptz,
        to_ts timestamptz,
        -- The gateway's clock when it reported the loss.
        reported_at timestamptz NOT NULL,
        -- The ingest's clock when the report arrived.
        received_at timestamptz NOT NULL,
        CHECK (from_ts IS NULL OR to_ts IS NULL OR from_ts <= to_ts)
      );
      CREATE UNIQUE INDEX data_loss_events_report_idx
        ON data_loss_events (enterprise, gateway, reported_at, reason, readings);
      CREATE INDEX data_loss_events_from_idx ON data_loss_events (from_ts);
      CREATE INDEX data_loss_events_received_idx ON data_loss_events (received_at);
    `);
  },
};
