import type { SqlClient } from './sql-client.js';

/**
 * NOTIFY channel of a credential issued, rotated or revoked (payload: its username). Sent by the
 * statement that stores the change, so it is delivered when, and only if, the change commits.
 */
export const DEVICE_CREDENTIAL_CHANNEL = 'hw_device_credentials';

/** A gateway's MQTT credential as stored (the secret only as a salted hash). */
export interface StoredDeviceCredential {
  readonly username: string;
  readonly enterprise: string;
  readonly gateway: string;
  readonly salt: string;
  readonly secretHash: string;
  /** ms since epoch */
  readonly createdAt: number;
  readonly createdBy: string;
  readonly rotatedAt: number | null;
  readonly revokedAt: number | null;
  readonly revokedBy: string | null;
}

interface Row {
  username: string;
  enterprise_code: string;
  gateway_code: string;
  salt: string;
  secret_hash: string;
  created_at_ms: number;
  created_by: string;
  rotated_at_ms: number | null;
  revoked_at_ms: number | null;
  revoked_by: string | null;
}

const ms = (column: string): string => `(extract(epoch FROM ${column}) * 1000)::float8 AS ${column}_ms`;
const COLUMNS = `username, enterprise_code, gateway_code, salt, secret_hash, ${ms('created_at')}, created_by,
  ${ms('rotated_at')}, ${ms('revoked_at')}, revoked_by`;

const toCredential = (r: Row): StoredDeviceCredential => ({
  username: r.username,
  enterprise: r.enterprise_code,
  gateway: r.gateway_code,
  salt: r.salt,
  secretHash: r.secret_hash,
  createdAt: r.created_at_ms,
  createdBy: r.created_by,
  rotatedAt: r.rotated_at_ms,
  revokedAt: r.revoked_at_ms,
  revokedBy: r.revoked_by,
});

/**
 * Gateways' MQTT credentials (issue, rotate, revoke, look up at connect). Every change notifies
 * DEVICE_CREDENTIAL_CHANNEL, so brokers in any process end the sessions of the old credential.
 */
export class DeviceCredentialRepository {
  constructor(private readonly client: SqlClient) {}

  async byUsername(username: string): Promise<StoredDeviceCredential | undefined> {
    const { rows } = await this.client.query<Row>(
      `SELECT ${COLUMNS} FROM device_credentials WHERE username = $1`,
      [username],
    );
    return rows[0] ? toCredential(rows[0]) : undefined;
  }

  /** Every stored credential, revoked ones included (a broker's account store is reconciled with it). */
  async all(): Promise<StoredDeviceCredential[]> {
    const { rows } = await this.client.query<Row>(
      `SELECT ${COLUMNS} FROM device_credentials ORDER BY username`,
    );
    return rows.map(toCredential);
  }

  async forGateway(enterprise: string, gateway: string): Promise<StoredDeviceCredential | undefined> {
    const { rows } = await this.client.query<Row>(
      `SELECT ${COLUMNS} FROM device_credentials WHERE enterprise_code = $1 AND gateway_code = $2`,
      [enterprise, gateway],
    );
    return rows[0] ? toCredential(rows[0]) : undefined;
  }

  /**
   * Stores a new secret hash for the gateway: the first issue, a rotation (the old secret stops
   * working at once) or a re-issue after a revocation.
   */
  async issue(
    credential: { username: string; enterprise: string; gateway: string; salt: string; secretHash: string },
    actor: string,
    nowMs: number,
  ): Promise<StoredDeviceCredential> {
    const { rows } = await this.client.query<Row>(
      `WITH stored AS (
         INSERT INTO device_credentials
           (username, enterprise_code, gateway_code, salt, secret_hash, created_at, created_by)
         VALUES ($1, $2, $3, $4, $5, to_timestamp($6 / 1000.0), $7)
         ON CONFLICT (enterprise_code, gateway_code) DO UPDATE SET
           salt = excluded.salt, secret_hash = excluded.secret_hash,
           rotated_at = excluded.created_at, revoked_at = NULL, revoked_by = NULL
         RETURNING ${COLUMNS})
       SELECT stored.*, pg_notify($8, stored.username) FROM stored`,
      [
        credential.username,
        credential.enterprise,
        credential.gateway,
        credential.salt,
        credential.secretHash,
        nowMs,
        actor,
        DEVICE_CREDENTIAL_CHANNEL,
      ],
    );
    return toCredential(rows[0]!);
  }

  /** @returns false when the gateway has no credential. */
  async revoke(enterprise: string, gateway: string, actor: string, nowMs: number): Promise<boolean> {
    const { rows } = await this.client.query(
      `WITH revoked AS (
         UPDATE device_credentials SET revoked_at = to_timestamp($3 / 1000.0), revoked_by = $4
         WHERE enterprise_code = $1 AND gateway_code = $2 RETURNING username)
       SELECT username, pg_notify($5, username) FROM revoked`,
      [enterprise, gateway, nowMs, actor, DEVICE_CREDENTIAL_CHANNEL],
    );
    return rows.length > 0;
  }
}
