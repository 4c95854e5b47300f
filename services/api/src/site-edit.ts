/**
 * Edits of one entity of the site document (region, enterprise, major hazard, gateway, point),
 * as pure functions over the stored document. The edited document is then validated exactly like
 * a site file and stored as a new version, so a per-entity edit can never produce a site that the
 * file import would refuse.
 *
 * Updates are JSON merge patches (RFC 7396): objects merge recursively, `null` removes a key,
 * arrays and scalars replace. Key fields (codes, tags, the owning enterprise) cannot be patched:
 * readings, alarms and history refer to them, so a rename is a delete and a create.
 */

export type SiteEntity = 'region' | 'enterprise' | 'hazard' | 'gateway' | 'point';

/** Where the entity lives in the document and which fields identify it. */
const SHAPE: Readonly<Record<SiteEntity, { list: string; keys: readonly string[] }>> = {
  region: { list: 'regions', keys: ['code'] },
  enterprise: { list: 'enterprises', keys: ['code'] },
  hazard: { list: 'hazards', keys: ['enterprise', 'code'] },
  gateway: { list: 'gateways', keys: ['enterprise', 'code'] },
  point: { list: 'points', keys: ['enterprise', 'tag'] },
};

/** The identifying fields of an entity, e.g. `{ enterprise: 'E1', tag: 'PT-101' }`. */
export type EntityKey = Readonly<Record<string, string>>;

export type SiteEdit =
  | { readonly op: 'create'; readonly entity: SiteEntity; readonly value: Readonly<Record<string, unknown>> }
  | { readonly op: 'update'; readonly entity: SiteEntity; readonly key: EntityKey; readonly patch: unknown }
  | { readonly op: 'delete'; readonly entity: SiteEntity; readonly key: EntityKey };

export type SiteEditResult =
  | {
      readonly ok: true;
      readonly document: Record<string, unknown>;
      readonly before: Record<string, unknown> | null;
      readonly after: Record<string, unknown> | null;
    }
  | { readonly ok: false; readonly reason: 'not_found' | 'exists' | 'key_changed'; readonly field?: string };

/** A document with nothing in it, for the first edit on a deployment without a site. */
export function emptySiteDocument(): Record<string, unknown> {
  return { version: 1, regions: [], enterprises: [], hazards: [], gateways: [], points: [] };
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** RFC 7396 JSON merge patch. Returns a new value; neither argument is modified. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return structuredClone(patch);
  const result: Record<string, unknown> = isObject(target) ? structuredClone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

export function keyOf(entity: SiteEntity, value: Readonly<Record<string, unknown>>): EntityKey {
  const key: Record<string, string> = {};
  for (const field of SHAPE[entity].keys) key[field] = String(value[field]);
  return key;
}

const matches = (entity: SiteEntity, item: unknown, key: EntityKey): boolean =>
  isObject(item) && SHAPE[entity].keys.every((field) => item[field] === key[field]);

/** Applies one edit to a copy of the document. */
export function applySiteEdit(document: unknown, edit: SiteEdit): SiteEditResult {
  const doc = isObject(document) ? structuredClone(document) : emptySiteDocument();
  const { list, keys } = SHAPE[edit.entity];
  const items: unknown[] = Array.isArray(doc[list]) ? (doc[list] as unknown[]) : [];
  doc[list] = items;
  const key = edit.op === 'create' ? keyOf(edit.entity, edit.value) : edit.key;
  const at = items.findIndex((item) => matches(edit.entity, item, key));

  if (edit.op === 'create') {
    if (at >= 0) return { ok: false, reason: 'exists' };
    const value = structuredClone(edit.value) as Record<string, unknown>;
    items.push(value);
    return { ok: true, document: doc, before: null, after: value };
  }
  if (at < 0) return { ok: false, reason: 'not_found' };
  const before = items[at] as Record<string, unknown>;
  if (edit.op === 'delete') {
    items.splice(at, 1);
    return { ok: true, document: doc, before, after: null };
  }
  const after = mergePatch(before, edit.patch) as Record<string, unknown>;
  for (const field of keys) {
    if (after[field] !== before[field]) return { ok: false, reason: 'key_changed', field };
  }
  items[at] = after;
  return { ok: true, document: doc, before, after };
}
