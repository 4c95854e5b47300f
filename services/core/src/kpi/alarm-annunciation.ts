/**
 * What the KPIs count. ISA-18.2 rates count *annunciated* alarms: each time an alarm is put in
 * front of the operator as new (REFERENCE §7 state model).
 *
 * Our definition: an annunciation is a transition into UNACK from
 * - NORM  (A→B, a new alarm),
 * - RTNUN (D→B, re-alarm before the operator acknowledged the return), or
 * - ACKED (C→B, re-alarm at higher severity or after the re-alarm time).
 * Returns to UNACK from SHLVD / DSUPR / OOSRV are not counted: they re-present an alarm the
 * operator or the design had set aside, not a new process event.
 *
 * An activation (the condition going active, used for chattering) is the narrower NORM→UNACK or
 * RTNUN→UNACK: ACKED→UNACK happens while the condition stays active.
 */
import type { AlarmCondition, AlarmEvent, AlarmState } from '@hazardwatch/contracts';

export const ANNUNCIATION_FROM_STATES: readonly AlarmState[] = Object.freeze(['NORM', 'RTNUN', 'ACKED']);
export const ACTIVATION_FROM_STATES: readonly AlarmState[] = Object.freeze(['NORM', 'RTNUN']);

export function isAlarmAnnunciation(e: Pick<AlarmEvent, 'from' | 'to'>): boolean {
  return e.to === 'UNACK' && ANNUNCIATION_FROM_STATES.includes(e.from);
}

export function isAlarmActivation(e: Pick<AlarmEvent, 'from' | 'to'>): boolean {
  return e.to === 'UNACK' && ACTIVATION_FROM_STATES.includes(e.from);
}

/** Plain code-unit order, the same in every locale. */
export const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Key of a (source, condition) pair — the unit of top-10 and chattering. `sourceKey`: `point:<id>` or `gateway:<e>/<gw>`. */
export const sourceConditionKey = (sourceKey: string, condition: AlarmCondition): string =>
  `${sourceKey}\u0000${condition}`;
