import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parseSiteDocument, siteFileJsonSchema, type SiteIssue } from '@hazardwatch/core';

/** The JSON Schema of the site file, as committed in docs/site-file.schema.json. */
export function siteSchemaText(): string {
  return `${JSON.stringify(siteFileJsonSchema(), null, 2)}\n`;
}

export interface SiteCheckReport {
  readonly ok: boolean;
  readonly errors: readonly SiteIssue[];
  readonly defects: readonly SiteIssue[];
  readonly points: number;
}

/** Validates a site file without touching any database (`hazardwatch site check FILE`). */
export async function checkSiteFile(path: string, nowMs: number): Promise<SiteCheckReport> {
  const text = await readFile(path, 'utf8');
  const result = parseSiteDocument(text, extname(path).toLowerCase() === '.json' ? 'json' : 'yaml', {
    now: nowMs,
  });
  return result.ok
    ? { ok: true, errors: [], defects: result.defects, points: result.site.points.length }
    : { ok: false, errors: result.errors, defects: result.defects, points: 0 };
}

export function formatIssue(kind: 'error' | 'defect', issue: SiteIssue): string {
  const where = issue.line !== undefined ? `:${issue.line}:${issue.column ?? 0}` : '';
  return `${kind} ${issue.rule}${where} ${issue.path} — ${issue.message}`;
}
