/**
 * Bridges the normalised site and the colour policy: what an alarm's colour depends on
 * (point kind, hazard level) looked up from the site index.
 */
import type { AlarmCondition, WarningColour } from '@hazardwatch/contracts';
import type { HazardLevel } from '../gb18218-constants.js';
import type { SiteIndex } from '../site-index.js';
import type { NormalisedHazard } from '../site-normal-schema.js';
import type { AlarmSource } from './alarm-types.js';
import { alarmColour, type AlarmColourContext, type ColourPolicy } from './colour-policy.js';

/**
 * The level used for colours: the more severe of the declared level and the GB 18218-2018
 * assessment (lower number = more severe). Our choice: when they disagree (a site defect), warn
 * as for the worse one.
 */
export function effectiveHazardLevel(hazard: NormalisedHazard): HazardLevel {
  const assessed = hazard.assessment?.level ?? hazard.declaredLevel;
  return Math.min(hazard.declaredLevel, assessed) as HazardLevel;
}

/** Colour context of an alarm; an unknown point or a gateway has no kind and no hazard. */
export function alarmContext(
  index: SiteIndex,
  source: AlarmSource,
  condition: AlarmCondition,
): AlarmColourContext {
  if (source.kind === 'gateway') return { condition, pointKind: null, hazardLevel: null };
  const point = index.pointById(source.pointId);
  if (point === undefined) return { condition, pointKind: null, hazardLevel: null };
  const hazard = point.hazard === null ? undefined : index.hazard(point.enterprise, point.hazard);
  return {
    condition,
    pointKind: point.kind,
    hazardLevel: hazard === undefined ? null : effectiveHazardLevel(hazard),
  };
}

/** `colourOf` for the alarm book: the policy applied to the site's context. */
export function siteColourOf(
  index: SiteIndex,
  policy: ColourPolicy,
): (source: AlarmSource, condition: AlarmCondition) => WarningColour {
  return (source, condition) => alarmColour(policy, alarmContext(index, source, condition));
}
