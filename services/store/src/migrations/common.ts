import type { Migration } from './types.js';

/** Tables that are the same in both dialects. */
export const coreTables: Migration = {
  version: 1,
  name: 'core-tables',
  async up(tx) {
    await tx.exec(`
      -- Dense, stable numeric ids for (enterprise, tag): readings are keyed by a 4-byte int, not text.
      CREATE TABLE point_ids (
        id serial PRIMARY KEY,
        enterprise_code text NOT NULL,
        tag text NOT NULL,
        UNIQUE (enterprise_code, tag)
      );

      -- Messages ingestion could not accept, kept for diagnosis and bounded by pruning.
      CREATE TABLE dead_letters (
        id bigserial PRIMARY KEY,
        received_at timestamptz NOT NULL,
        topic text NOT NULL,
        enterprise text,
        gateway text,
        reason text NOT NULL,
        detail text,
        tag text,
        raw bytea
      );
      CREATE INDEX dead_letters_received_at_idx ON dead_letters (received_at);
      CREATE INDEX dead_letters_reason_idx ON dead_letters (reason);

      -- Every distinct site model ever loaded, so history can be read against the model of its day.
      CREATE TABLE site_documents (
        version bigserial PRIMARY KEY,
        sha256 text,
        document jsonb NOT NULL,
        loaded_at timestamptz NOT NULL DEFAULT now()
      );
    `);
  },
};
