/**
 * The edit forms of the site model (issue #22): how an entity as the API shows it becomes the
 * form's text (scalar fields and list rows), how that text becomes the entity (create) or a JSON
 * merge patch (edit: only what changed; an emptied field removed with null; a list changed in any
 * row sent whole, as RFC 7386 replaces arrays), and where a finding of the server's check goes.
 * Field paths are the site document's (site-file.md), dotted: `limits.h`, `inventory.1.cas`.
 */
import type { SiteCheckIssue, SiteEntityName } from '@hazardwatch/contracts';
import {
  ENTERPRISE_OWNED,
  FIELDS,
  LISTS,
  RESPONSIBLE_ROLES,
  type FieldSpec,
  type ListSpec,
} from './site-field-specs.js';

export {
  ENTERPRISE_OWNED,
  FIELDS,
  GROUPS,
  LISTS,
  PERSON_COLUMNS,
  RESPONSIBLE_ROLES,
  type FieldGroup,
  type FieldSpec,
  type ListSpec,
  type UnitHint,
} from './site-field-specs.js';

/** Scalar fields' text by dotted path (in a list row: by column path, '' for a plain string row). */
export type FormValues = Record<string, string>;
/** Each list's rows, by the list's path. */
export type ListValues = Record<string, FormValues[]>;

function get(obj: unknown, path: string): unknown {
  if (path === '') return obj;
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
 * A field's text from the API's shape: its document path, or where GET shows it instead
 * (`onDelayMs` in ms for `onDelaySec`, shown in seconds as the site file writes them).
 */
function shownText(f: FieldSpec, shown: unknown): string {
  let v = get(shown, f.from ?? f.path);
  if (f.from !== undefined && /Ms$/.test(f.from) && /Sec$/.test(f.path))
    v = typeof v === 'number' ? v / 1000 : undefined;
  if (typeof v === 'boolean') return String(v);
  return typeof v === 'number' || typeof v === 'string' ? String(v) : '';
}

/** The form's scalar text for an entity as the API shows it (GET …), or empty for a new one. */
export function formValues(
  entity: SiteEntityName,
  shown: Readonly<Record<string, unknown>> | null,
): FormValues {
  const out: FormValues = {};
  for (const f of FIELDS[entity]) out[f.path] = shown === null ? '' : shownText(f, shown);
  return out;
}

/** The form's list rows for an entity as the API shows it (nulls as empty cells). */
export function listValues(
  entity: SiteEntityName,
  shown: Readonly<Record<string, unknown>> | null,
): ListValues {
  const out: ListValues = {};
  for (const l of LISTS[entity]) {
    const rows = shown === null ? undefined : get(shown, l.path);
    out[l.path] = Array.isArray(rows)
      ? rows.map((row: unknown) => Object.fromEntries(l.columns.map((c) => [c.path, shownText(c, row)])))
      : [];
  }
  return out;
}

/** An empty row of a list, to add. */
export const emptyRow = (list: ListSpec): FormValues =>
  Object.fromEntries(list.columns.map((c) => [c.path, '']));

/** A field's text as the value the document takes; null when emptied. */
function parsed(f: FieldSpec, raw: string): unknown {
  const s = raw.trim();
  if (s === '') return null;
  if (f.type === 'boolean' && (s === 'true' || s === 'false')) return s === 'true';
  if (f.type === 'number' || f.path === 'declaredLevel') {
    const n = Number(s);
    // Not a number: sent as typed, so the server's check names the field (SCHEMA_INVALID_VALUE).
    return Number.isFinite(n) ? n : s;
  }
  return s;
}

const blank = (row: FormValues): boolean => Object.values(row).every((v) => v.trim() === '');

/** A list's rows as the document's array: empty cells left out, wholly empty rows dropped. */
function listValue(list: ListSpec, rows: readonly FormValues[]): unknown[] {
  return rows
    .filter((row) => !blank(row))
    .map((row) => {
      if (list.columns.length === 1 && list.columns[0]!.path === '')
        return parsed(list.columns[0]!, row[''] ?? '');
      const out: Record<string, unknown> = {};
      for (const c of list.columns) {
        const v = parsed(c, row[c.path] ?? '');
        if (v !== null) set(out, c.path, v);
      }
      return out;
    });
}

/** What a form holds: its scalar fields and its lists. */
export interface FormState {
  readonly values: FormValues;
  readonly lists: ListValues;
}

/**
 * The entity a create form describes: every filled field and non-empty list, plus the advanced
 * fields written as JSON, plus the enterprise it is created in.
 */
export function createValue(
  entity: SiteEntityName,
  form: FormState,
  extra: Readonly<Record<string, unknown>>,
  enterprise: string | null,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...extra };
  for (const f of FIELDS[entity]) {
    const v = parsed(f, form.values[f.path] ?? '');
    if (v !== null) set(out, f.path, v);
  }
  for (const l of LISTS[entity]) {
    const rows = listValue(l, form.lists[l.path] ?? []);
    if (rows.length > 0) set(out, l.path, rows);
  }
  if (ENTERPRISE_OWNED.has(entity) && enterprise !== null) out['enterprise'] = enterprise;
  return out;
}

/**
 * The JSON merge patch of an edit form: the fields changed, an emptied one as null, key fields
 * never; a list changed anywhere (a cell, a row added or removed) as its whole new array, null
 * when emptied.
 */
export function patchOf(
  entity: SiteEntityName,
  initial: FormState,
  now: FormState,
  extra: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...extra };
  for (const f of FIELDS[entity]) {
    if (f.key) continue;
    const text = (now.values[f.path] ?? '').trim();
    if (text === (initial.values[f.path] ?? '').trim()) continue;
    set(out, f.path, parsed(f, text));
  }
  for (const l of LISTS[entity]) {
    const before = listValue(l, initial.lists[l.path] ?? []);
    const after = listValue(l, now.lists[l.path] ?? []);
    if (JSON.stringify(before) === JSON.stringify(after)) continue;
    set(out, l.path, after.length === 0 ? null : after);
  }
  return out;
}

/**
 * Every place in the form a finding can be shown: each field, the 包保责任人 block and its rows,
 * each list, its rows (`inventory.1`) and their cells (`inventory.1.cas`).
 */
export function findingPlaces(entity: SiteEntityName, lists: ListValues): Set<string> {
  const places = new Set(FIELDS[entity].map((f) => f.path));
  if (entity === 'hazard') {
    places.add('responsible');
    for (const role of RESPONSIBLE_ROLES) places.add(`responsible.${role}`);
  }
  for (const l of LISTS[entity]) {
    places.add(l.path);
    (lists[l.path] ?? []).forEach((_row, i) => {
      places.add(`${l.path}.${i}`);
      for (const c of l.columns) if (c.path !== '') places.add(`${l.path}.${i}.${c.path}`);
    });
  }
  return places;
}

/**
 * The server's findings by place in the form: each under the field or row it names, or the
 * nearest enclosing place the form has (`limits` → the form's top); `''` collects the rest (the
 * entity as a whole, or another entity of the site), so no finding is dropped.
 */
export function issuesByField<T extends SiteCheckIssue>(
  entity: SiteEntityName,
  issues: readonly T[],
  lists: ListValues = {},
): Map<string, T[]> {
  const places = findingPlaces(entity, lists);
  const out = new Map<string, T[]>();
  for (const issue of issues) {
    let at = issue.field ?? '';
    while (at !== '' && !places.has(at)) at = at.includes('.') ? at.slice(0, at.lastIndexOf('.')) : '';
    out.set(at, [...(out.get(at) ?? []), issue]);
  }
  return out;
}
