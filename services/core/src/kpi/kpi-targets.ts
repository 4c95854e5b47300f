/**
 * ISA-18.2 alarm-management targets (Tables 5/6 as summarised in REFERENCE §7) and the alert
 * rule of REFERENCE §8 item 19. The numbers are configurable; these are the defaults.
 */
export interface KpiTargets {
  /** Average alarms per hour "very likely acceptable". @default 6 */
  readonly acceptablePerHour: number;
  /** Average alarms per hour "maximum manageable"; above it the alert fires. @default 12 */
  readonly manageablePerHour: number;
  /** Percent of 10-min intervals with more than `maxPer10Min` alarms must stay below. @default 1 */
  readonly floodIntervalSharePct: number;
  /** Percent of time in flood must stay below; above it the alert fires. @default 1 */
  readonly floodTimeSharePct: number;
  /** Alarms in any 10-min interval. @default 10 */
  readonly maxPer10Min: number;
  /** Combined share of the top-10 alarms, percent, at most. @default 5 */
  readonly top10SharePct: number;
  /** Chattering alarms, at most. @default 0 */
  readonly chattering: number;
  /** Stale alarms must stay below. @default 5 */
  readonly stale: number;
  /** Highest priority (red) share must stay below, percent. @default 1 */
  readonly redMaxPct: number;
  /** High priority (orange) share, percent, at most. @default 5 */
  readonly orangeMaxPct: number;
  /** Medium priority (yellow) share, percent, at most. @default 15 */
  readonly yellowMaxPct: number;
}

export const DEFAULT_KPI_TARGETS: KpiTargets = Object.freeze({
  acceptablePerHour: 6,
  manageablePerHour: 12,
  floodIntervalSharePct: 1,
  floodTimeSharePct: 1,
  maxPer10Min: 10,
  top10SharePct: 5,
  chattering: 0,
  stale: 5,
  redMaxPct: 1,
  orangeMaxPct: 5,
  yellowMaxPct: 15,
});

export const KPI_TARGET_IDS = [
  'avgPerHourAcceptable',
  'avgPerHourManageable',
  'floodIntervalShare',
  'floodTimeShare',
  'peakPer10Min',
  'top10Share',
  'chattering',
  'stale',
  'priorityRed',
  'priorityOrange',
  'priorityYellow',
] as const;
export type KpiTargetId = (typeof KPI_TARGET_IDS)[number];

export interface KpiTargetCheck {
  readonly id: KpiTargetId;
  /** Measured value; null when not measurable (no colour lookup, no coloured alarms). */
  readonly value: number | null;
  readonly limit: number;
  /** `<`: value must be strictly below the limit; `<=`: at most the limit. */
  readonly comparison: '<' | '<=';
  /** null when `value` is null. */
  readonly pass: boolean | null;
}

export function checkTarget(
  id: KpiTargetId,
  value: number | null,
  limit: number,
  comparison: '<' | '<=',
): KpiTargetCheck {
  const pass = value === null ? null : comparison === '<' ? value < limit : value <= limit;
  return Object.freeze({ id, value, limit, comparison, pass });
}

export const KPI_ALERT_CODES = ['ALARM_RATE_OVER_MANAGEABLE', 'FLOOD_TIME_OVER_TARGET'] as const;
export type KpiAlertCode = (typeof KPI_ALERT_CODES)[number];

export interface KpiAlert {
  readonly code: KpiAlertCode;
  readonly value: number;
  readonly limit: number;
}

/** REFERENCE §8 item 19: alert when the average exceeds 12/h or the flood time exceeds 1 %. */
export function kpiAlerts(avgPerHour: number, floodTimeSharePct: number, targets: KpiTargets): KpiAlert[] {
  const out: KpiAlert[] = [];
  if (avgPerHour > targets.manageablePerHour)
    out.push(
      Object.freeze({
        code: 'ALARM_RATE_OVER_MANAGEABLE',
        value: avgPerHour,
        limit: targets.manageablePerHour,
      }),
    );
  if (floodTimeSharePct > targets.floodTimeSharePct)
    out.push(
      Object.freeze({
        code: 'FLOOD_TIME_OVER_TARGET',
        value: floodTimeSharePct,
        limit: targets.floodTimeSharePct,
      }),
    );
  return out;
}
