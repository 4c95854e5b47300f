import type { Role } from '@hazardwatch/contracts';
import type { SqlClient } from './sql-client.js';

/** Roles are the wire vocabulary of @hazardwatch/contracts; the `users.role` CHECK lists the same. */
export { USER_ROLES } from '@hazardwatch/contracts';
export type UserRole = Role;

export interface StoredUser {
  readonly id: string;
  readonly username: string;
  /** KDF string as written by the API (algorithm, parameters, salt, hash). */
  readonly passwordHash: string;
  readonly role: UserRole;
  readonly regionCode: string | null;
  readonly enterpriseCode: string | null;
  readonly disabled: boolean;
  /**
   * Raised whenever the user's grant shrinks or changes (disabled, role or scope changed); every
   * access token carries the value at issue, and one with another value is refused.
   */
  readonly sessionVersion: number;
  /** ms since epoch */
  readonly createdAtMs: number;
}

/** A role and scope to give a user (the API checks the combination first). */
export interface UserGrant {
  readonly role: UserRole;
  readonly regionCode: string | null;
  readonly enterpriseCode: string | null;
}

export interface NewUser {
  readonly username: string;
  readonly passwordHash: string;
  readonly role: UserRole;
  readonly regionCode: string | null;
  readonly enterpriseCode: string | null;
}

/** Outcome of presenting a refresh token for rotation. */
export type RefreshRotation =
  | { readonly kind: 'rotated'; readonly userId: string; readonly family: string }
  /** Not known (never issued, or pruned). */
  | { readonly kind: 'unknown' }
  | { readonly kind: 'expired'; readonly userId: string }
  /** Already used or revoked: a stolen copy may be in play, so the whole family is now revoked. */
  | { readonly kind: 'reused'; readonly userId: string; readonly family: string };

interface UserRow {
  id: string;
  username: string;
  password_hash: string;
  role: UserRole;
  region_code: string | null;
  enterprise_code: string | null;
  disabled: boolean;
  session_version: number;
  created_at_ms: number;
}

const USER_COLUMNS = `id::text, username, password_hash, role, region_code, enterprise_code, disabled,
  session_version, (extract(epoch FROM created_at) * 1000)::float8 AS created_at_ms`;

const UUID = /^[0-9a-f-]{36}$/i;

const toUser = (r: UserRow): StoredUser => ({
  id: r.id,
  username: r.username,
  passwordHash: r.password_hash,
  role: r.role,
  regionCode: r.region_code,
  enterpriseCode: r.enterprise_code,
  disabled: r.disabled,
  sessionVersion: r.session_version,
  createdAtMs: r.created_at_ms,
});

/**
 * Users and their refresh tokens. The repository never sees a password or a refresh token in
 * clear: the API hashes both before they get here.
 */
export class UserRepository {
  constructor(private readonly client: SqlClient) {}

  /** Inserts a user; a taken username fails with SQLSTATE 23505 (`sqlState(err)`). */
  async create(user: NewUser): Promise<StoredUser> {
    const { rows } = await this.client.query<UserRow>(
      `INSERT INTO users (username, password_hash, role, region_code, enterprise_code)
       VALUES ($1, $2, $3, $4, $5) RETURNING ${USER_COLUMNS}`,
      [user.username, user.passwordHash, user.role, user.regionCode, user.enterpriseCode],
    );
    return toUser(rows[0]!);
  }

  async byUsername(username: string): Promise<StoredUser | undefined> {
    const { rows } = await this.client.query<UserRow>(
      `SELECT ${USER_COLUMNS} FROM users WHERE username = $1`,
      [username],
    );
    return rows[0] ? toUser(rows[0]) : undefined;
  }

  async byId(id: string): Promise<StoredUser | undefined> {
    // A malformed id is simply unknown, not a database error.
    if (!UUID.test(id)) return undefined;
    const { rows } = await this.client.query<UserRow>(
      `SELECT ${USER_COLUMNS} FROM users WHERE id = $1::uuid`,
      [id],
    );
    return rows[0] ? toUser(rows[0]) : undefined;
  }

  async list(options: { limit: number; offset: number }): Promise<{ items: StoredUser[]; total: number }> {
    const { rows } = await this.client.query<UserRow & { total: number }>(
      `SELECT ${USER_COLUMNS}, (count(*) OVER ())::int AS total FROM users ORDER BY username LIMIT $1 OFFSET $2`,
      [options.limit, options.offset],
    );
    return { items: rows.map(toUser), total: rows[0]?.total ?? (await this.count()) };
  }

  async count(): Promise<number> {
    const { rows } = await this.client.query<{ n: number }>('SELECT count(*)::int AS n FROM users');
    return rows[0]?.n ?? 0;
  }

  /** Users by id, in no particular order; unknown (or malformed) ids are left out. */
  async byIds(ids: readonly string[]): Promise<StoredUser[]> {
    const wellFormed = ids.filter((id) => UUID.test(id));
    if (wellFormed.length === 0) return [];
    const { rows } = await this.client.query<UserRow>(
      `SELECT ${USER_COLUMNS} FROM users WHERE id = ANY($1::uuid[])`,
      [wellFormed],
    );
    return rows.map(toUser);
  }

  /**
   * Disables or re-enables a user. Disabling also raises the session version (access tokens
   * issued before are refused) and revokes every refresh token. Undefined when unknown.
   */
  async setDisabled(id: string, disabled: boolean, nowMs: number): Promise<StoredUser | undefined> {
    return this.client.transaction(async (tx) => {
      const { rows } = await tx.query<UserRow>(
        `UPDATE users SET disabled = $2,
           session_version = session_version + CASE WHEN $2 AND NOT disabled THEN 1 ELSE 0 END
         WHERE id = $1::uuid RETURNING ${USER_COLUMNS}`,
        [id, disabled],
      );
      if (rows[0] && disabled) await revokeWhere(tx, 'user_id = $1::uuid', [id], nowMs);
      return rows[0] ? toUser(rows[0]) : undefined;
    });
  }

  /**
   * Gives a user another role and scope: raises the session version and revokes every refresh
   * token, so the user logs in again under the new grant. Undefined when unknown.
   */
  async setGrant(id: string, grant: UserGrant, nowMs: number): Promise<StoredUser | undefined> {
    return this.client.transaction(async (tx) => {
      const { rows } = await tx.query<UserRow>(
        `UPDATE users SET role = $2, region_code = $3, enterprise_code = $4,
           session_version = session_version + 1
         WHERE id = $1::uuid RETURNING ${USER_COLUMNS}`,
        [id, grant.role, grant.regionCode, grant.enterpriseCode],
      );
      if (rows[0]) await revokeWhere(tx, 'user_id = $1::uuid', [id], nowMs);
      return rows[0] ? toUser(rows[0]) : undefined;
    });
  }

  /** Deletes a user and (cascade) their refresh tokens; the deleted user, or undefined when unknown. */
  async delete(id: string): Promise<StoredUser | undefined> {
    if (!UUID.test(id)) return undefined;
    const { rows } = await this.client.query<UserRow>(
      `DELETE FROM users WHERE id = $1::uuid RETURNING ${USER_COLUMNS}`,
      [id],
    );
    return rows[0] ? toUser(rows[0]) : undefined;
  }

  async setPasswordHash(id: string, passwordHash: string): Promise<boolean> {
    const { rows } = await this.client.query(
      `UPDATE users SET password_hash = $2 WHERE id = $1::uuid RETURNING 1`,
      [id, passwordHash],
    );
    return rows.length > 0;
  }

  async insertRefreshToken(token: {
    tokenHash: string;
    userId: string;
    family: string;
    nowMs: number;
    expiresAtMs: number;
  }): Promise<void> {
    await this.client.query(
      `INSERT INTO refresh_tokens (token_hash, user_id, family, created_at, expires_at)
       VALUES ($1, $2::uuid, $3::uuid, to_timestamp($4 / 1000.0), to_timestamp($5 / 1000.0))`,
      [token.tokenHash, token.userId, token.family, token.nowMs, token.expiresAtMs],
    );
  }

  /**
   * Rotation in one transaction: the presented token (by hash) is marked used and its successor
   * stored in the same family. A token presented a second time, or after revocation, revokes the
   * family (OAuth 2.0 Security BCP, refresh token rotation with reuse detection).
   */
  async rotateRefreshToken(
    presentedHash: string,
    next: { tokenHash: string; nowMs: number; expiresAtMs: number },
  ): Promise<RefreshRotation> {
    return this.client.transaction(async (tx) => {
      const { rows } = await tx.query<{
        user_id: string;
        family: string;
        expires_ms: number;
        used: boolean;
        revoked: boolean;
      }>(
        `SELECT user_id::text, family::text, (extract(epoch FROM expires_at) * 1000)::float8 AS expires_ms,
                used_at IS NOT NULL AS used, revoked_at IS NOT NULL AS revoked
         FROM refresh_tokens WHERE token_hash = $1 FOR UPDATE`,
        [presentedHash],
      );
      const row = rows[0];
      if (!row) return { kind: 'unknown' } as const;
      if (row.used || row.revoked) {
        await revokeWhere(tx, 'family = $1::uuid', [row.family], next.nowMs);
        return { kind: 'reused', userId: row.user_id, family: row.family } as const;
      }
      if (row.expires_ms <= next.nowMs) return { kind: 'expired', userId: row.user_id } as const;
      await tx.query('UPDATE refresh_tokens SET used_at = to_timestamp($2 / 1000.0) WHERE token_hash = $1', [
        presentedHash,
        next.nowMs,
      ]);
      await tx.query(
        `INSERT INTO refresh_tokens (token_hash, user_id, family, created_at, expires_at)
         VALUES ($1, $2::uuid, $3::uuid, to_timestamp($4 / 1000.0), to_timestamp($5 / 1000.0))`,
        [next.tokenHash, row.user_id, row.family, next.nowMs, next.expiresAtMs],
      );
      return { kind: 'rotated', userId: row.user_id, family: row.family } as const;
    });
  }

  /** Revokes the family of the presented token (logout); returns its user, or undefined when unknown. */
  async revokeRefreshFamily(presentedHash: string, nowMs: number): Promise<string | undefined> {
    const { rows } = await this.client.query<{ user_id: string; family: string }>(
      'SELECT user_id::text, family::text FROM refresh_tokens WHERE token_hash = $1',
      [presentedHash],
    );
    const row = rows[0];
    if (!row) return undefined;
    await revokeWhere(this.client, 'family = $1::uuid', [row.family], nowMs);
    return row.user_id;
  }

  /** Deletes tokens that expired before the cutoff (used or not). */
  async pruneRefreshTokens(cutoffMs: number): Promise<number> {
    const { rows } = await this.client.query<{ n: number }>(
      `WITH gone AS (DELETE FROM refresh_tokens WHERE expires_at < to_timestamp($1 / 1000.0) RETURNING 1)
       SELECT count(*)::int AS n FROM gone`,
      [cutoffMs],
    );
    return rows[0]?.n ?? 0;
  }
}

async function revokeWhere(
  client: SqlClient,
  where: string,
  params: unknown[],
  nowMs: number,
): Promise<void> {
  await client.query(
    `UPDATE refresh_tokens SET revoked_at = to_timestamp($${params.length + 1} / 1000.0) WHERE ${where} AND revoked_at IS NULL`,
    [...params, nowMs],
  );
}
