/**
 * `validateSite`: structure (TypeBox) → identity/references → point, gas and GB 18218 rules →
 * normalised frozen site. Never throws on bad input; collects every finding.
 *
 * Semantic rules run only on a structurally valid document: on a malformed one they would
 * report noise (a missing `tag` makes every tag rule meaningless).
 */
import { coreErrors } from './errors.js';
import { checkHazard } from './hazard-rules.js';
import { IssueCollector, type SiteIssue } from './site-issues.js';
import { normaliseSite } from './site-normalise.js';
import type { NormalisedSite } from './site-normal-schema.js';
import { checkPoints, independentTags } from './point-rules.js';
import { checkReferences } from './site-references.js';
import type { SiteFile } from './site-schema.js';
import { structuralIssues } from './site-structure.js';

export type SiteValidationResult =
  | { readonly ok: true; readonly site: NormalisedSite; readonly defects: readonly SiteIssue[] }
  | { readonly ok: false; readonly errors: readonly SiteIssue[]; readonly defects: readonly SiteIssue[] };

export interface ValidateSiteOptions {
  /** Epoch ms recorded as `computedAt` on each GB 18218 assessment (core has no clock). */
  readonly now?: number;
}

export function validateSite(input: unknown, options: ValidateSiteOptions = {}): SiteValidationResult {
  const structural = structuralIssues(input);
  if (structural.length > 0)
    return Object.freeze({ ok: false, errors: Object.freeze(structural), defects: Object.freeze([]) });
  const site = input as SiteFile;

  const out = new IssueCollector();
  const tables = checkReferences(site, out);
  const limits = checkPoints(site, tables, out);
  const assessments = (site.hazards ?? []).map((h, i) => checkHazard(h, i, out, options.now));

  const defects = Object.freeze(out.defects);
  if (out.errors.length > 0) return Object.freeze({ ok: false, errors: Object.freeze(out.errors), defects });
  const normalised = normaliseSite({ site, limits, assessments, independent: independentTags(site) });
  return Object.freeze({ ok: true, site: normalised, defects });
}

/** Like `validateSite`, but throws HW_CORE_SITE_INVALID (with `errors` in `data`) when invalid. */
export function requireValidSite(
  input: unknown,
  options: ValidateSiteOptions = {},
): { readonly site: NormalisedSite; readonly defects: readonly SiteIssue[] } {
  const result = validateSite(input, options);
  if (result.ok) return result;
  throw coreErrors.create('HW_CORE_SITE_INVALID', {
    count: result.errors.length,
    first: result.errors[0]?.message ?? '',
    errors: result.errors,
  });
}
