/**
 * GB 18218-2018 checks on each declared major hazard (REFERENCE §4, §8 items 4–6): the inventory
 * must resolve to Q and β; a computed level that differs from the declared one, or S < 1, is a
 * defect (the declaration is the enterprise's, the computation is ours: report, don't reject).
 */
import { coreErrors } from './errors.js';
import { HAZARD_LEVEL_ZH } from './gb18218-constants.js';
import { assessHazard, resolveInventoryLine, type HazardAssessment } from './gb18218.js';
import { fmt, type IssueCollector } from './site-issues.js';
import type { HazardFile } from './site-schema.js';

export function checkHazard(
  hazard: HazardFile,
  index: number,
  out: IssueCollector,
  computedAt?: number,
): HazardAssessment | null {
  const subject = { type: 'hazard', enterprise: hazard.enterprise, code: hazard.code } as const;
  const path = `/hazards/${index}`;
  let resolved = true;
  hazard.inventory.forEach((line, i) => {
    try {
      const term = resolveInventoryLine(line);
      if (!term.confirmed) {
        out.add(
          'GB18218_UNCONFIRMED_CONSTANT',
          `${path}/inventory/${i}`,
          subject,
          `Q/β for "${term.substance}" comes from a table entry not yet checked against the standard's text`,
        );
      }
    } catch (err) {
      if (!coreErrors.is(err)) throw err;
      resolved = false;
      out.add(
        'HAZARD_INVENTORY_UNRESOLVED',
        `${path}/inventory/${i}`,
        subject,
        `${err.message} (${err.code})`,
      );
    }
  });
  if (!resolved) return null;

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
