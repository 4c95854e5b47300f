import type { Migration } from './types.js';

/**
 * Last known state of each gateway, from its birth / heartbeat / death status messages (and
 * telemetry bringing it back online), so that an API process reading only the database can show
 * presence and spool backlog. One row per gateway, overwritten in place: a cache of the newest
 * state, not a history (the alarm log keeps GATEWAY_OFFLINE episodes).
 */
export const gatewayStatus: Migration = {
  version: 9,
  name: 'gateway-status',
  async up(tx) {
    await tx.exec(`
      CREATE TABLE gateway_status (
        enterprise text NOT NULL,
        gateway text NOT NULL,
        online boolean NOT NULL,
        -- Ingest clock when the gateway was last heard from (status message or state change).
        last_seen timestamptz NOT NULL,
        -- Readings waiting in the gateway's disk spool as last reported; NULL = never reported.
        spool_depth integer CHECK (spool_depth >= 0),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (enterprise, gateway)
      );
    `);
  },
};

/**
 * 18 (issue #21): since when each gateway has been in its current state (online or offline), for
 * the data-quality view's "since" — `last_seen` moves with every heartbeat and says nothing of it.
 * Set when a row is created and whenever `online` changes (GatewayStatusRepository.upsert). Rows
 * from before this migration have none (NULL) until their next write, which takes the ingest's
 * own since (at the earliest the ingest's start).
 */
export const gatewayStatusSince: Migration = {
  version: 18,
  name: 'gateway-status-since',
  async up(tx) {
    await tx.exec(`ALTER TABLE gateway_status ADD COLUMN since timestamptz;`);
  },
};
