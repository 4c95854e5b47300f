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

/**
 * Colour context of an alarm; an unknown point, a gateway or a platform source has no kind and
 * no hazard.
 */
export function alarmContext(
  index: SiteIndex,
  source: AlarmSource,
  condition: AlarmCondition,
): AlarmColourContext {
  if (source.kind !== 'point') return { condition, pointKind: null, hazardLevel: null };
  const point = index.pointById(source.pointId);
  if (point === undefined) return { condition, pointKind: null, hazardLevel: null };
  const hazard = point.hazard === null ? undefined : index.hazard(point.enterprise, point.hazard);
  return {
    condition,
    pointKind: point.kind,
    hazardLevel: hazard === undefined ? null : effectiveHazardLevel(hazard),
  };
}

/**
 * Colour stored on an alarm of the platform's own machinery. Blue, beside the data-quality
 * conditions it resembles; fixed rather than configurable, because it colours nothing: platform
 * alarms stay out of every roll-up (colour-rollup.ts) and so never open a 预警.
 */
export const PLATFORM_ALARM_COLOUR: WarningColour = 'blue';

/** `colourOf` for the alarm book: the policy applied to the site's context. */
export function siteColourOf(
  index: SiteIndex,
  policy: ColourPolicy,
): (source: AlarmSource, condition: AlarmCondition) => WarningColour {
  return (source, condition) =>
    source.kind === 'platform'
      ? PLATFORM_ALARM_COLOUR
      : alarmColour(policy, alarmContext(index, source, condition));
}
