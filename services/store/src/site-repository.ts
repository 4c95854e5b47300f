import { createHash } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import {
  parseSiteDocument,
  SiteIndex,
  validateSite,
  type NormalisedSite,
  type SiteDocumentFormat,
  type SiteIssue,
} from '@hazardwatch/core';
import { ensurePointIds } from './point-ids.js';
import { latestSiteDocument, saveSiteDocument } from './site-documents.js';
import type { SqlClient } from './sql-client.js';

export type LoadedSite =
  | {
      readonly ok: true;
      readonly index: SiteIndex;
      readonly defects: readonly SiteIssue[];
      readonly version: number;
      /** A site file unchanged since it was last stored: this is the newest stored version instead. */
      readonly keptFile?: boolean;
    }
  | { readonly ok: false; readonly errors: readonly SiteIssue[] };

/**
 * Validates a site file and, when it is valid, stores it as the newest site document (a new
 * version only when its content changed) and gives every point its stable numeric id.
 * An invalid file changes nothing in the database.
 */
export async function importSiteDocument(
  client: SqlClient,
  text: string,
  format: SiteDocumentFormat,
  nowMs: number,
  options: { readonly basedOnVersion?: number; readonly fromFile?: boolean } = {},
): Promise<LoadedSite> {
  const checked = parseSiteDocument(text, format, { now: nowMs });
  if (!checked.ok) return { ok: false, errors: checked.errors };
  // The document is kept as written (defaults not applied), so a later export round-trips.
  const document: unknown = format === 'json' ? JSON.parse(text) : parseYaml(text);
  const sha256 = createHash('sha256').update(JSON.stringify(document)).digest('hex');
  const saved = await saveSiteDocument(client, document, sha256, options.basedOnVersion, {
    ...(options.fromFile !== undefined ? { fromFile: options.fromFile } : {}),
  });
  if (saved.kept) {
    // The file is unchanged since it was last stored: the newest version (API edits included) stays.
    const newest = await loadStoredSite(client, nowMs);
    if (newest) return { ...newest, ...(newest.ok ? { keptFile: true } : {}) };
  }
  return indexSite(client, checked.site, checked.defects, saved.version);
}

/** The newest stored site document, validated and indexed; undefined when none was ever stored. */
export async function loadStoredSite(client: SqlClient, nowMs: number): Promise<LoadedSite | undefined> {
  const latest = await latestSiteDocument(client);
  if (!latest) return undefined;
  const checked = validateSite(latest.document, { now: nowMs });
  if (!checked.ok) return { ok: false, errors: checked.errors };
  return indexSite(client, checked.site, checked.defects, latest.version);
}

async function indexSite(
  client: SqlClient,
  site: NormalisedSite,
  defects: readonly SiteIssue[],
  version: number,
): Promise<LoadedSite> {
  const ids = await ensurePointIds(
    client,
    site.points.map((p) => ({ enterprise: p.enterprise, tag: p.tag })),
  );
  return { ok: true, index: new SiteIndex(site, { ids }), defects, version };
}
