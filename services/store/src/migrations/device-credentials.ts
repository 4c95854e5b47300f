import type { Migration } from './types.js';

/**
 * MQTT credentials of gateways, issued through the API. Only a salted hash of each secret is
 * stored; a rotation replaces it, a revocation keeps the row (who, when) and refuses the login.
 */
export const deviceCredentials: Migration = {
  version: 6,
  name: 'device-credentials',
  async up(tx) {
    await tx.exec(`
      CREATE TABLE device_credentials (
        username text PRIMARY KEY,
        enterprise_code text NOT NULL,
        gateway_code text NOT NULL,
        salt text NOT NULL,
        secret_hash text NOT NULL,
        created_at timestamptz NOT NULL,
        created_by text NOT NULL,
        rotated_at timestamptz,
        revoked_at timestamptz,
        revoked_by text,
        UNIQUE (enterprise_code, gateway_code)
      );
    `);
  },
};
