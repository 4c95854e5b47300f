/**
 * A finding of the server's check as the site form shows it (issue #22): an error blocks the
 * write; a warning (a data-quality finding, `defects` of POST /site/check) is shown beside its
 * field too, in another colour, and does not block.
 */
import { useI18n } from 'vue-i18n';
import type { SiteCheckIssue, SiteCheckResult } from '@hazardwatch/contracts';
import type { UnitHint } from './site-field-specs.js';

export interface Finding extends SiteCheckIssue {
  readonly severity: 'error' | 'warning';
}

export const findingsOf = (checked: Pick<SiteCheckResult, 'errors' | 'defects'>): Finding[] => [
  ...checked.errors.map((i) => ({ ...i, severity: 'error' as const })),
  ...checked.defects.map((i) => ({ ...i, severity: 'warning' as const })),
];

/** Labels, units and rule texts of the site form, in the reader's language. */
export function useSiteFormText() {
  const i18n = useI18n();
  const t = (key: string, named?: Record<string, unknown>): string =>
    named === undefined ? i18n.t(key) : i18n.t(key, named);
  const maybe = (key: string, fallback: string): string => (i18n.te(key) ? t(key) : fallback);
  return {
    /** A finding as the reader reads it: the rule translated when we have it, else the server's message. */
    rule: (i: SiteCheckIssue): string => maybe(`admin.rules.${i.rule}`, i.message),
    /**
     * What the field's value should be, in the reader's language, for an invalid value the check
     * describes in a form we know (schemaExpectation); otherwise the server's message as it is.
     */
    detail: (i: SiteCheckIssue): string => {
      const e = i.rule === 'SCHEMA_INVALID_VALUE' ? schemaExpectation(i.message, i.path) : undefined;
      if (e === undefined) return i.message;
      const expected = t(`admin.expect.${e.key}`, e.named);
      return e.got === undefined ? expected : `${expected}，${t('admin.expect.got', { value: e.got })}`;
    },
    /** A field's label by its dotted path (`limits.h` → admin.fields.limits_h). */
    label: (path: string): string => maybe(`admin.fields.${path.replace(/\./g, '_')}`, path),
    /** An enumeration value in words, the value itself when there are none. */
    option: (value: string): string => maybe(`admin.options.${value}`, value),
    /** A unit hint; `point` units are the point's own (°C, %LEL, ppm…). */
    unit: (hint: UnitHint | undefined, pointUnit: string): string => {
      if (hint === undefined) return '';
      if (hint === 'point') return pointUnit;
      return t(`admin.units.${hint}`, { unit: pointUnit === '' ? '…' : pointUnit });
    },
  };
}

/** A known expectation of the site schema's check, as an i18n key of admin.expect and its values. */
export interface SchemaExpectation {
  readonly key: string;
  readonly named?: Record<string, string>;
  /** The value the check found, as it describes it ("-20", "\"7664-41\""). */
  readonly got?: string;
}

/** Fields whose format (a pattern) has its own words: the last key of the finding's path. */
const PATTERN_FIELDS: ReadonlySet<string> = new Set(['phone', 'cas', 'tag']);

const BOUNDS: ReadonlyArray<readonly [RegExp, string]> = [
  [/^number to be greater or equal to (\S+)$/, 'min'],
  [/^number to be less or equal to (\S+)$/, 'max'],
  [/^number to be greater than (\S+)$/, 'above'],
  [/^number to be less than (\S+)$/, 'below'],
  [/^string length greater or equal to (\S+)$/, 'minLength'],
  [/^string length less or equal to (\S+)$/, 'maxLength'],
  [/^array length to be greater or equal to (\S+)$/, 'minItems'],
  [/^array length to be less or equal to (\S+)$/, 'maxItems'],
];
const KINDS: Readonly<Record<string, string>> = {
  number: 'number',
  integer: 'integer',
  string: 'string',
  boolean: 'boolean',
};

/**
 * Reads the check's SCHEMA_INVALID_VALUE message (core site-structure.ts: "<subject>: expected
 * <what> at <path>, got <value>", <what> TypeBox's words or the field's description) into an
 * expectation the form can say in the reader's language; undefined when the words are not known,
 * and the message is then shown as the server wrote it.
 */
export function schemaExpectation(message: string, path: string): SchemaExpectation | undefined {
  const m = /(?:^|: )expected (.+) at (\S+), got (.+)$/.exec(message);
  if (m === null) return undefined;
  const [, what, , got] = m as unknown as [string, string, string, string];
  const field = path.split(/[./]/).pop() ?? '';
  const withGot = (key: string, named?: Record<string, string>): SchemaExpectation =>
    named === undefined ? { key, got } : { key, named, got };
  if (PATTERN_FIELDS.has(field) && !/^(number|integer|boolean)/.test(what)) return withGot(field);
  for (const [re, key] of BOUNDS) {
    const b = re.exec(what);
    if (b !== null) return withGot(key, { n: b[1]! });
  }
  if (what.startsWith('one of ')) return withGot('oneOf', { choices: what.slice('one of '.length) });
  if (KINDS[what] !== undefined) return withGot(KINDS[what]);
  if (what.startsWith('string to match ')) return withGot('pattern');
  return undefined;
}
