/**
 * GB 18218-2018 checks on each declared major hazard (REFERENCE §4, §8 items 4–6): the inventory
 * must resolve to Q and β, each CAS a valid CAS Registry Number (its check digit), each name/CAS
 * pair naming one Table 1 substance, each substance on one line (issue #19); a computed level that differs from the declared one, or S < 1, is a defect
 * (the declaration is the enterprise's, the computation is ours: report, don't reject), and so is
 * an implausible quantity (a warning: most likely kg typed as t).
 */
import { casCheckDigitOk } from './cas-number.js';
import { coreErrors, type CoreErrorCode } from './errors.js';
import { HAZARD_LEVEL_ZH } from './gb18218-constants.js';
import {
  IMPLAUSIBLE_QUANTITY_RATIO,
  assessHazard,
  findDoubleEntries,
  isImplausibleQuantity,
  resolveInventoryLineDetailed,
  type HazardAssessment,
  type ResolvedLine,
} from './gb18218.js';
import { fmt, type IssueCollector, type SiteRule } from './site-issues.js';
import type { HazardFile } from './site-schema.js';

/** Resolution errors with a rule of their own; the other coded errors are HAZARD_INVENTORY_UNRESOLVED. */
const RULE_OF_CODE: Partial<Record<CoreErrorCode, SiteRule>> = {
  HW_CORE_GB18218_NAME_CAS_CONFLICT: 'HAZARD_NAME_CAS_CONFLICT',
  HW_CORE_GB18218_AMBIGUOUS_SUBSTANCE: 'HAZARD_SUBSTANCE_AMBIGUOUS',
};

export function checkHazard(
  hazard: HazardFile,
  index: number,
  out: IssueCollector,
  computedAt?: number,
): HazardAssessment | null {
  const subject = { type: 'hazard', enterprise: hazard.enterprise, code: hazard.code } as const;
  const path = `/hazards/${index}`;
  const resolved: ResolvedLine[] = [];
  hazard.inventory.forEach((line, i) => {
    if (line.cas !== undefined && !casCheckDigitOk(line.cas)) {
      out.add(
        'HAZARD_CAS_CHECK_DIGIT',
        `${path}/inventory/${i}/cas`,
        subject,
        `CAS ${line.cas} has a wrong check digit: it is no CAS Registry Number (a typo?)`,
      );
      return;
    }
    try {
      const r = resolveInventoryLineDetailed(line);
      resolved.push(r);
      const { term } = r;
      if (isImplausibleQuantity(term)) {
        out.add(
          'HAZARD_QUANTITY_IMPLAUSIBLE',
          `${path}/inventory/${i}/designMaxTonnes`,
          subject,
          `${fmt(term.q)} t of "${term.substance}" is ${fmt(Math.round(term.ratio))}·Q (Q = ${fmt(term.criticalQ)} t, ` +
            `${term.qSource === 'table1' ? 'Table 1' : 'Table 2'}); ≥ ${fmt(IMPLAUSIBLE_QUANTITY_RATIO)}·Q is not one unit's inventory — was it entered in kg?`,
        );
      }
    } catch (err) {
      if (!coreErrors.is(err)) throw err;
      out.add(
        RULE_OF_CODE[err.code] ?? 'HAZARD_INVENTORY_UNRESOLVED',
        `${path}/inventory/${i}`,
        subject,
        `${err.message} (${err.code})`,
      );
    }
  });
  if (resolved.length !== hazard.inventory.length) return null;

  for (const twice of findDoubleEntries(resolved)) {
    out.add(
      'HAZARD_SUBSTANCE_ENTERED_TWICE',
      `${path}/inventory/${twice.lines[1]!}`,
      subject,
      `"${twice.substance}" is entered on lines ${twice.lines.join(', ')} under different categories, which counts it twice; ` +
        `enter it once with β = ${fmt(twice.beta)} (the larger) and Q = ${fmt(twice.criticalQ)} t`,
    );
  }

  const assessment = assessHazard(hazard.inventory, hazard.exposedPopulation, computedAt);
  if (!assessment.isMajorHazard) {
    out.add(
      'HAZARD_BELOW_THRESHOLD',
      `${path}/inventory`,
      subject,
      `S = ${fmt(assessment.s)} < 1: the inventory does not make this unit a major hazard`,
    );
  } else if (assessment.level !== hazard.declaredLevel) {
    out.add(
      'HAZARD_LEVEL_MISMATCH',
      `${path}/declaredLevel`,
      subject,
      `declared ${HAZARD_LEVEL_ZH[hazard.declaredLevel]} but R = ${fmt(assessment.r)} gives ${HAZARD_LEVEL_ZH[assessment.level]}`,
    );
  }
  return assessment;
}
