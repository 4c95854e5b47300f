/**
 * Colour of one major hazard from the alarms of its points (REFERENCE §5: an area takes the colour
 * of its highest risk, plus the hazard-level rules of the colour policy):
 *   1. base = highest colour among the points' counted alarms;
 *   2. multi-detector: ≥ `minDetectors` independent gas detectors in level-1 ⇒ at least its colour;
 *   3. escalation: ≥ `minPoints` distinct points in process alarm ⇒ `steps` up, capped at red.
 */
import { PROCESS_CONDITIONS, type AlarmCondition, type WarningColour } from '@hazardwatch/contracts';
import type { PointKind } from '../site-schema.js';
import { maxColour, raiseColour, type ColourPolicy } from './colour-policy.js';

/** One point of the hazard with the alarms that count for the roll-up (active, annunciated). */
export interface HazardPointAlarms {
  readonly pointId: number;
  readonly pointKind: PointKind;
  /**
   * Device code, when known: two channels of one device are not independent detectors, so the
   * multi-detector rule counts distinct devices (a point without a device code is its own device).
   */
  readonly deviceCode: string | null;
  readonly alarms: readonly { readonly condition: AlarmCondition; readonly colour: WarningColour }[];
}

export interface HazardColourVerdict {
  /** null: no counted alarm on the hazard. */
  readonly colour: WarningColour | null;
  readonly base: WarningColour | null;
  readonly detectorsInLevel1: number;
  readonly multiDetector: boolean;
  readonly pointsInAlarm: number;
  readonly escalated: boolean;
}

const isProcess = (c: AlarmCondition): boolean =>
  (PROCESS_CONDITIONS as readonly AlarmCondition[]).includes(c);

export function hazardColour(policy: ColourPolicy, points: Iterable<HazardPointAlarms>): HazardColourVerdict {
  const { multiDetector: md, escalation: esc } = policy;
  let base: WarningColour | null = null;
  const detectors = new Set<string>();
  let pointsInAlarm = 0;
  for (const p of points) {
    let counted = false;
    let level1 = false;
    for (const a of p.alarms) {
      base = maxColour(base, a.colour);
      if (esc.countQuality || isProcess(a.condition)) counted = true;
      if (md.conditions.includes(a.condition)) level1 = true;
    }
    if (counted) pointsInAlarm += 1;
    if (level1 && md.pointKinds.includes(p.pointKind)) detectors.add(p.deviceCode ?? `#${p.pointId}`);
  }
  const multiDetector = md.enabled && detectors.size >= md.minDetectors;
  let colour = multiDetector ? maxColour(base, md.colour) : base;
  const escalated = esc.enabled && colour !== null && pointsInAlarm >= esc.minPoints;
  if (escalated && colour !== null) colour = raiseColour(colour, esc.steps);
  return { colour, base, detectorsInLevel1: detectors.size, multiDetector, pointsInAlarm, escalated };
}
