import type { Migration } from './types.js';

/**
 * 17 (issue #21): the shift handover log, 交接班记录 (docs/handover.md). One row per handover of a
 * duty desk — an enterprise's duty room or a regulator's duty centre for one region: who handed
 * over (交班人, role), the notes, when, and what was open then (the snapshot the server took); who
 * took over (接班人), when, with what note. Same in both dialects (a small table).
 *
 * The database keeps the rules a bug in the API must not break: at most one pending handover per
 * desk (a partial unique index), nobody accepts their own handover, and a row is append-only — the
 * one change allowed is a pending row becoming accepted, touching only the incoming person's
 * columns. (Deleting stays possible, for retention pruning, as with audit_log.)
 */
export const handovers: Migration = {
  version: 17,
  name: 'handovers',
  async up(tx) {
    await tx.exec(`
      CREATE TABLE handovers (
        id bigserial PRIMARY KEY,
        desk_kind text NOT NULL CHECK (desk_kind IN ('enterprise', 'region')),
        -- The enterprise's code or the region's code.
        desk_code text NOT NULL,
        -- The desk's region at handover, so its regulators keep seeing the record if an enterprise moves.
        region text,
        outgoing_user text NOT NULL,
        outgoing_role text NOT NULL,
        notes text NOT NULL,
        created_at timestamptz NOT NULL,
        -- { takenAt, alarms: [...], alarmTotal, warnings: [...], warningTotal }, as the API serves it.
        snapshot jsonb NOT NULL,
        status text NOT NULL CHECK (status IN ('pending', 'accepted')),
        incoming_user text,
        incoming_role text,
        accepted_at timestamptz,
        accept_note text,
        CHECK (
          (status = 'pending' AND incoming_user IS NULL AND incoming_role IS NULL AND accepted_at IS NULL
            AND accept_note IS NULL)
          OR (status = 'accepted' AND incoming_user IS NOT NULL AND incoming_role IS NOT NULL
            AND accepted_at IS NOT NULL)
        ),
        CONSTRAINT handovers_not_self CHECK (incoming_user IS DISTINCT FROM outgoing_user)
      );
      CREATE UNIQUE INDEX handovers_one_pending ON handovers (desk_kind, desk_code) WHERE status = 'pending';
      CREATE INDEX handovers_desk_idx ON handovers (desk_kind, desk_code, created_at DESC);
      CREATE INDEX handovers_region_idx ON handovers (region, created_at DESC);

      CREATE FUNCTION handovers_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF OLD.status <> 'pending' OR NEW.status <> 'accepted'
          OR NEW.id <> OLD.id OR NEW.desk_kind <> OLD.desk_kind OR NEW.desk_code <> OLD.desk_code
          OR NEW.region IS DISTINCT FROM OLD.region OR NEW.outgoing_user <> OLD.outgoing_user
          OR NEW.outgoing_role <> OLD.outgoing_role OR NEW.notes <> OLD.notes
          OR NEW.created_at <> OLD.created_at OR NEW.snapshot::text <> OLD.snapshot::text THEN
          RAISE EXCEPTION 'handovers are append-only: a pending handover may only be accepted'
            USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
      END
      $$;
      CREATE TRIGGER handovers_append_only BEFORE UPDATE ON handovers
        FOR EACH ROW EXECUTE FUNCTION handovers_append_only();
    `);
  },
};
