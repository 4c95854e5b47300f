/**
 * Structural validation of a site file against the TypeBox schema, turned into SiteIssues that
 * name the offending key and, inside `points`, the point (enterprise + tag).
 */
import { Value, ValueErrorType, type ValueError } from '@sinclair/typebox/value';
import { type SiteIssue, type Subject, issue } from './site-issues.js';
import { SiteFileSchema } from './site-schema.js';

/** Decode one JSON-pointer segment (`~1` → `/`, `~0` → `~`). */
const decodeSegment = (s: string): string => s.replace(/~1/g, '/').replace(/~0/g, '~');

function lastSegment(path: string): string {
  const parts = path.split('/');
  return decodeSegment(parts[parts.length - 1] ?? '');
}

/** Find the object an error is about, to name it: `/points/4/limits/h` → point 4. */
function subjectAt(input: unknown, path: string): Subject {
  const m = /^\/(points|hazards|gateways|enterprises|regions)\/(\d+)/.exec(path);
  if (m === null || typeof input !== 'object' || input === null) return { type: 'document' };
  const list = (input as Record<string, unknown>)[m[1]!];
  const item: unknown = Array.isArray(list) ? list[Number(m[2])] : undefined;
  const rec = typeof item === 'object' && item !== null ? (item as Record<string, unknown>) : {};
  const str = (v: unknown): string => (typeof v === 'string' ? v : '?');
  switch (m[1]) {
    case 'points':
      return { type: 'point', enterprise: str(rec['enterprise']), tag: str(rec['tag']) };
    case 'hazards':
      return { type: 'hazard', enterprise: str(rec['enterprise']), code: str(rec['code']) };
    case 'gateways':
      return { type: 'gateway', enterprise: str(rec['enterprise']), code: str(rec['code']) };
    case 'enterprises':
      return { type: 'enterprise', code: str(rec['code']) };
    default:
      return { type: 'region', code: str(rec['code']) };
  }
}

function describeValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (v === undefined) return 'nothing';
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  return Array.isArray(v) ? 'an array' : 'an object';
}

/** For unions of literals, list the allowed values instead of TypeBox's "Expected union value". */
function literalChoices(e: ValueError): string | undefined {
  const anyOf = (e.schema as { anyOf?: unknown }).anyOf;
  if (!Array.isArray(anyOf)) return undefined;
  const consts = anyOf.map((s) => (s as { const?: unknown }).const);
  if (consts.some((c) => c === undefined)) return undefined;
  return consts.map((c) => JSON.stringify(c)).join(' | ');
}

function toIssue(input: unknown, e: ValueError): SiteIssue {
  const subject = subjectAt(input, e.path);
  const at = e.path === '' ? 'the document root' : e.path;
  switch (e.type) {
    case ValueErrorType.ObjectAdditionalProperties:
      return issue('SCHEMA_UNKNOWN_KEY', e.path, subject, `unknown key "${lastSegment(e.path)}" at ${at}`);
    case ValueErrorType.ObjectRequiredProperty:
      return issue(
        'SCHEMA_MISSING_KEY',
        e.path,
        subject,
        `missing required key "${lastSegment(e.path)}" at ${at}`,
      );
    case ValueErrorType.StringPattern: {
      // A pattern says little to a site engineer; its field's description says what is expected
      // (e.g. a person's phone: a mainland mobile or a landline with area code).
      const description = (e.schema as { description?: unknown }).description;
      if (typeof description === 'string')
        return issue(
          'SCHEMA_INVALID_VALUE',
          e.path,
          subject,
          `expected ${description} at ${at}, got ${describeValue(e.value)}`,
        );
      return issue(
        'SCHEMA_INVALID_VALUE',
        e.path,
        subject,
        `${e.message.replace(/^Expected/, 'expected')} at ${at}, got ${describeValue(e.value)}`,
      );
    }
    default: {
      const choices = literalChoices(e);
      const expected =
        choices === undefined ? e.message.replace(/^Expected/, 'expected') : `expected one of ${choices}`;
      return issue(
        'SCHEMA_INVALID_VALUE',
        e.path,
        subject,
        `${expected} at ${at}, got ${describeValue(e.value)}`,
      );
    }
  }
}

/** All structural problems, at most one per JSON path (the first TypeBox reports). */
export function structuralIssues(input: unknown): SiteIssue[] {
  if (Value.Check(SiteFileSchema, input)) return [];
  const seen = new Set<string>();
  const out: SiteIssue[] = [];
  for (const e of Value.Errors(SiteFileSchema, input)) {
    if (seen.has(e.path)) continue;
    seen.add(e.path);
    out.push(toIssue(input, e));
  }
  return out;
}
