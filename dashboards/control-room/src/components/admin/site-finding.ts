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
