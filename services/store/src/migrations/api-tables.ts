import type { Migration } from './types.js';

/**
 * Control-room backend: users with their role and scope, rotating refresh tokens, and the audit
 * log. Same in both dialects: small tables, never hypertables.
 */
export const apiTables: Migration = {
  version: 5,
  name: 'api-tables',
  async up(tx) {
    await tx.exec(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        username text NOT NULL UNIQUE,
        -- Self-describing KDF string (algorithm, cost parameters, per-user salt, hash): old hashes
        -- stay verifiable when the default cost is raised.
        password_hash text NOT NULL,
        role text NOT NULL CHECK (role IN ('admin', 'regulator', 'operator', 'viewer')),
        -- Regulators and viewers see a region subtree; operators one enterprise; admins everything.
        region_code text,
        enterprise_code text,
        disabled boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK (
          (role = 'admin' AND region_code IS NULL AND enterprise_code IS NULL)
          OR (role IN ('regulator', 'viewer') AND region_code IS NOT NULL AND enterprise_code IS NULL)
          OR (role = 'operator' AND enterprise_code IS NOT NULL AND region_code IS NULL)
        )
      );

      -- Only a hash of each refresh token is stored. A token is used once: refreshing marks it used
      -- and issues the next one of the same family; presenting a used token again revokes the family.
      CREATE TABLE refresh_tokens (
        token_hash text PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        family uuid NOT NULL,
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        revoked_at timestamptz
      );
      CREATE INDEX refresh_tokens_user_idx ON refresh_tokens (user_id);
      CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family);

      -- Who did what, when, to what, from where; scope columns let a regulator read only entries of
      -- their subtree.
      CREATE TABLE audit_log (
        id bigserial PRIMARY KEY,
        ts timestamptz NOT NULL,
        actor text NOT NULL,
        action text NOT NULL,
        target_type text NOT NULL,
        target_id text,
        before jsonb,
        after jsonb,
        ip text,
        scope_region text,
        scope_enterprise text
      );
      CREATE INDEX audit_log_ts_idx ON audit_log (ts);
      CREATE INDEX audit_log_scope_idx ON audit_log (scope_enterprise, ts);

      -- Append-only: an entry is never edited. (Deleting stays possible, for retention pruning.)
      CREATE FUNCTION audit_log_no_update() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
      END
      $$;
      CREATE TRIGGER audit_log_append_only BEFORE UPDATE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION audit_log_no_update();
    `);
  },
};
