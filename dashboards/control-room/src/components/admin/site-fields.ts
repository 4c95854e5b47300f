/**
 * The edit forms of the site model (issue #22): which fields each entity's form offers, how a
 * form's text becomes the entity (create) or a JSON merge patch (edit: only what changed; an
 * emptied field is removed with null), and where a finding of the server's check goes. Field
 * paths are the site document's (site-file.md), dotted: `limits.h`, `range.min`.
 */
import {
  HAZARD_TYPES,
  POINT_KINDS,
  REGION_KINDS,
  type SiteCheckIssue,
  type SiteEntityName,
} from '@hazardwatch/contracts';

export interface FieldSpec {
  /** Dotted path in the entity as the site document writes it. */
  readonly path: string;
  readonly type: 'text' | 'number' | 'select';
  readonly options?: readonly string[];
  /** An identifying field: set on create, never patched (readings and alarms refer to it). */
  readonly key?: boolean;
}

const text = (path: string, key = false): FieldSpec => ({ path, type: 'text', ...(key ? { key } : {}) });
const num = (path: string): FieldSpec => ({ path, type: 'number' });
const select = (path: string, options: readonly string[]): FieldSpec => ({ path, type: 'select', options });

export const FIELDS: Readonly<Record<SiteEntityName, readonly FieldSpec[]>> = {
  region: [
    text('code', true),
    text('name'),
    select('kind', REGION_KINDS),
    text('parent'),
    num('centroid.lon'),
    num('centroid.lat'),
  ],
  enterprise: [text('code', true), text('name'), text('region'), num('location.lon'), num('location.lat')],
  hazard: [
    text('code', true),
    text('name'),
    select('type', HAZARD_TYPES),
    select('declaredLevel', ['1', '2', '3', '4']),
    num('location.lon'),
    num('location.lat'),
    num('exposedPopulation'),
  ],
  gateway: [text('code', true), text('name'), num('offlineAfterSec')],
  point: [
    text('tag', true),
    text('gateway'),
    text('hazard'),
    text('name'),
    select('kind', POINT_KINDS),
    text('unit'),
    num('range.min'),
    num('range.max'),
    num('limits.ll'),
    num('limits.l'),
    num('limits.h'),
    num('limits.hh'),
    num('onDelaySec'),
    num('offDelaySec'),
    num('staleAfterSec'),
  ],
};

/** Entities that belong to an enterprise: it is in their key, and in the URL of their collection. */
export const ENTERPRISE_OWNED: ReadonlySet<SiteEntityName> = new Set(['hazard', 'gateway', 'point']);

export type FormValues = Record<string, string>;

function get(obj: unknown, path: string): unknown {
  let node = obj;
  for (const part of path.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

function set(obj: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = obj;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    node = (typeof next === 'object' && next !== null ? next : (node[part] = {})) as Record<string, unknown>;
  }
  node[parts[parts.length - 1]!] = value;
}

/**
 * The form's text for an entity as the API shows it (GET …): its document fields as they are;
 * durations come in ms there (`onDelayMs`) and are shown in seconds, as the site file writes them.
 */
export function formValues(
  entity: SiteEntityName,
  shown: Readonly<Record<string, unknown>> | null,
): FormValues {
  const out: FormValues = {};
  for (const f of FIELDS[entity]) {
    let v = shown === null ? undefined : get(shown, f.path);
    const ms = /^(onDelay|offDelay|staleAfter|offlineAfter)Sec$/.exec(f.path);
    if (shown !== null && ms) {
      const inMs = shown[`${ms[1]}Ms`];
      v = typeof inMs === 'number' ? inMs / 1000 : undefined;
    }
    out[f.path] = typeof v === 'number' || typeof v === 'string' ? String(v) : '';
  }
  return out;
}

/** A field's text as the value the document takes; null when emptied. */
function parsed(f: FieldSpec, raw: string): unknown {
  const s = raw.trim();
  if (s === '') return null;
  if (f.type === 'number' || f.path === 'declaredLevel') {
    const n = Number(s);
    // Not a number: sent as typed, so the server's check names the field (SCHEMA_INVALID_VALUE).
    return Number.isFinite(n) ? n : s;
  }
  return s;
}

/**
 * The entity a create form describes: every filled field, plus the extra fields written as JSON
 * (a hazard's 包保责任人 and inventory), plus the enterprise it is created in.
 */
export function createValue(
  entity: SiteEntityName,
  values: FormValues,
  extra: Readonly<Record<string, unknown>>,
  enterprise: string | null,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...extra };
  for (const f of FIELDS[entity]) {
    const v = parsed(f, values[f.path] ?? '');
    if (v !== null) set(out, f.path, v);
  }
  if (ENTERPRISE_OWNED.has(entity) && enterprise !== null) out['enterprise'] = enterprise;
  return out;
}

/** The JSON merge patch of an edit form: the fields changed, an emptied one as null; key fields never. */
export function patchOf(
  entity: SiteEntityName,
  initial: FormValues,
  values: FormValues,
  extra: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...extra };
  for (const f of FIELDS[entity]) {
    if (f.key) continue;
    const now = (values[f.path] ?? '').trim();
    if (now === (initial[f.path] ?? '').trim()) continue;
    set(out, f.path, parsed(f, now));
  }
  return out;
}

/**
 * The server's findings by form field: each under the field it names, or the nearest enclosing
 * one the form has (`limits` → shown at the form's top); `''` collects the rest (the entity as a
 * whole, or another entity of the site).
 */
export function issuesByField(
  entity: SiteEntityName,
  issues: readonly SiteCheckIssue[],
): Map<string, SiteCheckIssue[]> {
  const paths = new Set(FIELDS[entity].map((f) => f.path));
  const out = new Map<string, SiteCheckIssue[]>();
  for (const issue of issues) {
    let at = issue.field ?? '';
    while (at !== '' && !paths.has(at)) at = at.includes('.') ? at.slice(0, at.lastIndexOf('.')) : '';
    out.set(at, [...(out.get(at) ?? []), issue]);
  }
  return out;
}
