import { storeErrors } from './errors.js';
import { AdvisoryLock, lockForTransaction } from './locks.js';
import type { SqlClient } from './sql-client.js';

/**
 * NOTIFY channel of a new site document version (payload: the version). Sent in the storing
 * transaction, so listeners hear of it only once it is committed.
 */
export const SITE_CHANGED_CHANNEL = 'hw_site_changed';

export interface SiteDocumentVersion {
  version: number;
  sha256: string | null;
  document: unknown;
  /** ms since epoch */
  loadedAtMs: number;
}

const SELECT_LATEST = `
  SELECT version::float8 AS version, sha256, document, (extract(epoch FROM loaded_at) * 1000)::float8 AS loaded_at_ms
  FROM site_documents ORDER BY version DESC LIMIT 1`;

interface Row {
  version: number;
  sha256: string | null;
  document: unknown;
  loaded_at_ms: number;
}

const toVersion = (r: Row): SiteDocumentVersion => ({
  version: r.version,
  sha256: r.sha256,
  document: r.document,
  loadedAtMs: r.loaded_at_ms,
});

export async function latestSiteDocument(client: SqlClient): Promise<SiteDocumentVersion | undefined> {
  const { rows } = await client.query<Row>(SELECT_LATEST);
  const row = rows[0];
  return row ? toVersion(row) : undefined;
}

/** The latest stored version's number (cheap: no document), or null when none is stored. */
export async function latestSiteVersion(client: SqlClient): Promise<number | null> {
  const { rows } = await client.query<{ version: number | null }>(
    'SELECT max(version)::float8 AS version FROM site_documents',
  );
  return rows[0]?.version ?? null;
}

/** What saveSiteDocument did. `kept`: a file unchanged since it was last stored; the newest version stays. */
export interface SavedSiteDocument {
  readonly version: number;
  readonly created: boolean;
  readonly kept?: boolean;
}

/**
 * Stores `document` as a new version unless the latest version has the same sha256 (a restart
 * with an unchanged site file adds nothing). Serialised so two instances loading the same file
 * together still add one version.
 *
 * `fromFile` (a site file read at start, migration 24): stored only when it differs from the last
 * version stored from a file. Unchanged since, it is `kept` — nothing stored, `version` the newest,
 * so edits made through the API since stay in force; the same content as the newest is marked as
 * from the file.
 */
export async function saveSiteDocument(
  client: SqlClient,
  document: unknown,
  sha256: string,
  basedOnVersion?: number,
  options: { readonly fromFile?: boolean } = {},
): Promise<SavedSiteDocument> {
  return client.transaction(async (tx) => {
    await lockForTransaction(tx, AdvisoryLock.siteDocuments);
    const latest = (await tx.query<Row>(SELECT_LATEST)).rows[0];
    // Optimistic concurrency for edits (read, change, write): another writer in between wins.
    if (basedOnVersion !== undefined && (latest?.version ?? 0) !== basedOnVersion) {
      throw storeErrors.create('HW_STORE_SITE_CONFLICT', {
        basedOn: basedOnVersion,
        latest: latest?.version ?? 0,
      });
    }
    if (options.fromFile === true && latest) {
      const { rows: files } = await tx.query<{ sha256: string | null }>(
        'SELECT sha256 FROM site_documents WHERE from_file ORDER BY version DESC LIMIT 1',
      );
      if (files[0]?.sha256 === sha256) return { version: latest.version, created: false, kept: true };
      if (latest.sha256 === sha256) {
        await tx.query('UPDATE site_documents SET from_file = true WHERE version = $1', [latest.version]);
        return { version: latest.version, created: false };
      }
    } else if (latest && latest.sha256 === sha256) return { version: latest.version, created: false };
    const { rows } = await tx.query<{ version: number }>(
      'INSERT INTO site_documents (sha256, document, from_file) VALUES ($1, $2::jsonb, $3) RETURNING version::float8 AS version',
      [sha256, JSON.stringify(document), options.fromFile === true],
    );
    const version = rows[0]!.version;
    await tx.query('SELECT pg_notify($1, $2)', [SITE_CHANGED_CHANNEL, String(version)]);
    return { version, created: true };
  });
}
