/**
 * Validation findings for a site file. Every finding has a stable rule code (callers and tests
 * match on `rule`, never on text), the JSON pointer into the file, and a message that names the
 * object (for points: enterprise + tag) and the rule with the clause it implements.
 *
 * Errors reject the file; defects are data-quality/compliance findings reported alongside an
 * accepted site (REFERENCE §1: points with no thresholds, §8 items 1, 6, 12).
 */

export const SITE_RULES = {
  // Structure (TypeBox).
  SCHEMA_UNKNOWN_KEY: { severity: 'error', ref: 'site file schema' },
  SCHEMA_MISSING_KEY: { severity: 'error', ref: 'site file schema' },
  SCHEMA_INVALID_VALUE: { severity: 'error', ref: 'site file schema' },
  PARSE_ERROR: { severity: 'error', ref: 'YAML 1.2 / JSON syntax' },
  // Identity and references.
  DUPLICATE_CODE: { severity: 'error', ref: 'codes are unique (per enterprise for hazards and gateways)' },
  DUPLICATE_TAG: { severity: 'error', ref: 'tags (位号) are unique per enterprise' },
  REGION_PARENT_UNKNOWN: { severity: 'error', ref: 'region hierarchy, REFERENCE §1' },
  REGION_KIND_NESTING: { severity: 'error', ref: 'region hierarchy, REFERENCE §1' },
  REGION_CYCLE: { severity: 'error', ref: 'region hierarchy, REFERENCE §1' },
  ENTERPRISE_REGION_UNKNOWN: { severity: 'error', ref: 'REFERENCE §8 item 20' },
  HAZARD_ENTERPRISE_UNKNOWN: { severity: 'error', ref: 'REFERENCE §8 item 1' },
  HAZARD_INVENTORY_UNRESOLVED: { severity: 'error', ref: 'GB 18218-2018 Tables 1–4' },
  HAZARD_NAME_CAS_CONFLICT: {
    severity: 'error',
    ref: 'GB 18218-2018 Table 1: name and CAS name one substance',
  },
  HAZARD_CAS_CHECK_DIGIT: {
    severity: 'error',
    ref: 'CAS Registry Number check digit: a mistyped CAS names no substance',
  },
  HAZARD_SUBSTANCE_AMBIGUOUS: {
    severity: 'error',
    ref: 'GB 18218-2018 Table 1: nitrocellulose / ammonium nitrate variants differ in Q',
  },
  HAZARD_SUBSTANCE_ENTERED_TWICE: {
    severity: 'error',
    ref: 'GB 18218-2018 §4.1.2 b), §4.3.2: one substance, one line, the larger β',
  },
  GATEWAY_ENTERPRISE_UNKNOWN: { severity: 'error', ref: 'REFERENCE §8 item 1' },
  POINT_ENTERPRISE_UNKNOWN: { severity: 'error', ref: 'REFERENCE §8 item 1' },
  POINT_HAZARD_UNKNOWN: { severity: 'error', ref: 'REFERENCE §8 item 1' },
  POINT_GATEWAY_UNKNOWN: { severity: 'error', ref: 'REFERENCE §8 item 1' },
  POINT_INDEPENDENT_OF_UNKNOWN: { severity: 'error', ref: 'GB/T 41394-2022 independent HH' },
  // Limits and ranges.
  RANGE_ORDER: { severity: 'error', ref: 'range min < max, REFERENCE §6' },
  LIMIT_ORDER: { severity: 'error', ref: 'LL < L < H < HH, REFERENCE §6' },
  LIMIT_OUTSIDE_RANGE: { severity: 'error', ref: 'limits inside the measurement range, REFERENCE §6' },
  // Gas channels, GB/T 50493-2019 §5.5.2.
  GAS_UNIT: { severity: 'error', ref: 'GB/T 50493-2019 §5.5.2 units' },
  GAS_COMBUSTIBLE_L1_MAX: { severity: 'error', ref: 'GB/T 50493-2019 §5.5.2: level-1 ≤ 25 %LEL' },
  GAS_COMBUSTIBLE_L2_MAX: { severity: 'error', ref: 'GB/T 50493-2019 §5.5.2: level-2 ≤ 50 %LEL' },
  GAS_L1_NOT_BELOW_L2: { severity: 'error', ref: 'GB/T 50493-2019 §5.5.2: level-1 < level-2' },
  GAS_TOXIC_BASIS_MISSING: { severity: 'error', ref: 'GB/T 50493-2019 §5.5.2: OEL/IDLH per substance' },
  GAS_TOXIC_L1_MAX: { severity: 'error', ref: 'GB/T 50493-2019 §5.5.2: level-1 ≤ 100 %OEL (≤ 5 %IDLH)' },
  GAS_TOXIC_L2_MAX: { severity: 'error', ref: 'GB/T 50493-2019 §5.5.2: level-2 ≤ 200 %OEL (≤ 10 %IDLH)' },
  GAS_OXYGEN_DEFICIENCY_LIMIT: {
    severity: 'error',
    ref: 'GB/T 50493-2019 §5.5.2: oxygen-deficiency alarm 19.5 %VOL, below normal air',
  },
  GAS_OXYGEN_ENRICHMENT_LIMIT: {
    severity: 'error',
    ref: 'GB/T 50493-2019 §5.5.2: over-oxygen alarm 23.5 %VOL, above normal air',
  },
  // Defects.
  POINT_NO_LIMITS: { severity: 'defect', ref: 'REFERENCE §1, §8 item 1: point without alarm thresholds' },
  GAS_LEVEL_MISSING: { severity: 'defect', ref: 'GB/T 50493-2019 §5.5.2: two alarm levels' },
  HH_NOT_INDEPENDENT: {
    severity: 'defect',
    ref: 'GB 17681-2024 §6.3.3.1, GB/T 41394-2022: independent high-high level alarm',
  },
  HAZARD_LEVEL_MISMATCH: { severity: 'defect', ref: 'GB 18218-2018 §4.3, Table 6' },
  HAZARD_BELOW_THRESHOLD: { severity: 'defect', ref: 'GB 18218-2018 §4.2.1: S ≥ 1' },
  // Warnings: accepted and reported with the defects.
  GAS_OEL_OVERRIDDEN: {
    severity: 'defect',
    ref: 'GBZ 2.1-2019 表1: a typed OEL differs from the standard; the lower applies',
  },
  HAZARD_QUANTITY_IMPLAUSIBLE: {
    severity: 'defect',
    ref: 'GB 18218-2018 §4.2.2: q ≥ 10,000·Q is not one unit (kg typed as t?)',
  },
} as const satisfies Record<string, { severity: 'error' | 'defect'; ref: string }>;

export type SiteRule = keyof typeof SITE_RULES;

export interface SiteIssue {
  readonly rule: SiteRule;
  /** JSON pointer into the site file, e.g. `/points/3/limits/h`; '' for the document. */
  readonly path: string;
  readonly message: string;
  readonly enterprise?: string;
  /** Point tag, when the finding is about a point. */
  readonly tag?: string;
  /** Code of the region / enterprise / hazard / gateway the finding is about. */
  readonly code?: string;
  /** 1-based source position, when parsed from YAML. */
  readonly line?: number;
  readonly column?: number;
}

/** Who a finding is about; rendered first in the message. */
export type Subject =
  | { readonly type: 'point'; readonly enterprise: string; readonly tag: string }
  | { readonly type: 'region' | 'enterprise'; readonly code: string }
  | { readonly type: 'hazard' | 'gateway'; readonly enterprise: string; readonly code: string }
  | { readonly type: 'document' };

export function describeSubject(s: Subject): string {
  switch (s.type) {
    case 'point':
      return `point ${s.enterprise}/${s.tag}`;
    case 'hazard':
    case 'gateway':
      return `${s.type} ${s.enterprise}/${s.code}`;
    case 'region':
    case 'enterprise':
      return `${s.type} ${s.code}`;
    case 'document':
      return 'site file';
  }
}

export function issue(rule: SiteRule, path: string, subject: Subject, detail: string): SiteIssue {
  const base = {
    rule,
    path,
    message: `${describeSubject(subject)}: ${detail} [${rule}; ${SITE_RULES[rule].ref}]`,
  };
  switch (subject.type) {
    case 'point':
      return Object.freeze({ ...base, enterprise: subject.enterprise, tag: subject.tag });
    case 'hazard':
    case 'gateway':
      return Object.freeze({ ...base, enterprise: subject.enterprise, code: subject.code });
    case 'enterprise':
      return Object.freeze({ ...base, enterprise: subject.code, code: subject.code });
    case 'region':
      return Object.freeze({ ...base, code: subject.code });
    case 'document':
      return Object.freeze(base);
  }
}

/** Sink passed to the rule modules: each pushes to errors or defects by the rule's severity. */
export class IssueCollector {
  readonly errors: SiteIssue[] = [];
  readonly defects: SiteIssue[] = [];

  add(rule: SiteRule, path: string, subject: Subject, detail: string): void {
    const found = issue(rule, path, subject, detail);
    if (SITE_RULES[rule].severity === 'error') this.errors.push(found);
    else this.defects.push(found);
  }
}

/** Format a number for messages without float noise (0.30000000000000004 → 0.3). */
export function fmt(n: number): string {
  return String(Number(n.toPrecision(12)));
}
