/**
 * A site-model edit checked without storing it (issue #22): the edit applied to the latest stored
 * document, the result validated exactly like a site file (`hazardwatch site check`, the import,
 * every per-entity write), and each finding placed on the field of the edited entity it is about,
 * so the admin screen shows the server's own findings beside the fields — by rule code, which the
 * dashboard translates, with the `site check` message kept.
 */
import type { SiteIssue } from '@hazardwatch/core';
import { validateSite } from '@hazardwatch/core';
import type { SiteCheckIssue } from '@hazardwatch/contracts';
import { apiErrors } from './errors.js';
import { applySiteEdit, keyOf, type SiteEdit, type SiteEntity } from './site-edit.js';

/** Where each entity lives in the site document (site-edit.ts SHAPE). */
const LIST: Readonly<Record<SiteEntity, string>> = {
  region: 'regions',
  enterprise: 'enterprises',
  hazard: 'hazards',
  gateway: 'gateways',
  point: 'points',
};

export interface CheckedEdit {
  readonly ok: boolean;
  readonly errors: readonly SiteCheckIssue[];
  readonly defects: readonly SiteCheckIssue[];
  /** The entity as it would be written (null never: create and update only). */
  readonly value: Record<string, unknown> | null;
}

/**
 * The field of the edited entity a finding's JSON pointer names: `/points/3/limits/h` → `limits.h`
 * when the entity is at `/points/3`, `''` for the entity itself, null for another entity.
 */
export function fieldOf(path: string, entityPath: string | null): string | null {
  if (entityPath === null) return null;
  if (path === entityPath) return '';
  if (!path.startsWith(`${entityPath}/`)) return null;
  return path
    .slice(entityPath.length + 1)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');
}

/**
 * Applies `edit` to `document` and validates the result. Throws the coded answers of the write
 * itself for an edit that cannot be applied: 404 unknown entity, 409 exists, 400 key changed.
 */
export function checkSiteEdit(document: unknown, edit: SiteEdit, nowMs: number): CheckedEdit {
  const result = applySiteEdit(document, edit);
  const key = edit.op === 'create' ? keyOf(edit.entity, edit.value) : edit.key;
  if (!result.ok) {
    const id = Object.values(key).join('/');
    if (result.reason === 'not_found') throw apiErrors.create('HW_API_NOT_FOUND', { kind: edit.entity, id });
    if (result.reason === 'exists')
      throw apiErrors.create('HW_API_SITE_ENTITY_EXISTS', { kind: edit.entity, id });
    throw apiErrors.create('HW_API_SITE_KEY_IMMUTABLE', { kind: edit.entity, field: result.field ?? '' });
  }
  const list = result.document[LIST[edit.entity]] as unknown[];
  const at = result.after === null ? -1 : list.indexOf(result.after);
  const entityPath = at < 0 ? null : `/${LIST[edit.entity]}/${at}`;
  const placed = (issue: SiteIssue): SiteCheckIssue => ({
    rule: issue.rule,
    path: issue.path,
    field: fieldOf(issue.path, entityPath),
    message: issue.message,
  });
  const checked = validateSite(result.document, { now: nowMs });
  return {
    ok: checked.ok,
    errors: checked.ok ? [] : checked.errors.map(placed),
    defects: checked.defects.map(placed),
    value: result.after,
  };
}
