/**
 * `alarmKpiReport`: ISA-18.2 alarm-system performance for one console or site over [fromMs, toMs)
 * (REFERENCE §7 and §8 item 19). Pure; one pass over the events plus sorts, so 30 days of a busy
 * site (hundreds of thousands of events) is cheap. The caller scopes the events (`include`).
 */
import type { AlarmEvent, WarningColour } from '@hazardwatch/contracts';
import { isAlarmActivation, isAlarmAnnunciation, sourceConditionKey } from './alarm-annunciation.js';
import { countAlarmIntervals, type KpiIntervalStats, type KpiRange } from './alarm-intervals.js';
import {
  findChatteringAlarms,
  type KpiActivationSeries,
  type KpiChatteringAlarm,
} from './chattering-alarms.js';
import { findFloodEpisodes, type KpiFloodStats } from './flood-episodes.js';
import { kpiErrors } from './kpi-errors.js';
import {
  DEFAULT_KPI_TARGETS,
  checkTarget,
  kpiAlerts,
  type KpiAlert,
  type KpiTargetCheck,
  type KpiTargets,
} from './kpi-targets.js';
import { alarmPriorityMix, type KpiPriorityMix } from './priority-mix.js';
import { findStaleAlarms, type KpiStaleAlarm } from './stale-alarms.js';
import { topAlarmSources, type KpiTopAlarms } from './top-alarms.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** ISA-18.2 KPIs are computed over at least 30 days (REFERENCE §7). */
export const KPI_RECOMMENDED_PERIOD_MS = 30 * 24 * HOUR;

export interface AlarmKpiOptions {
  /** Scope to one console or site. @default every event */
  readonly include?: (event: AlarmEvent) => boolean;
  /** Colour (priority) of an alarm, for the priority mix. Without it the mix is null. */
  readonly colourOf?: (alarmId: string) => WarningColour | undefined;
  /** Interval and flood window. @default 600000 (10 min) */
  readonly intervalMs?: number;
  /** Flood: more than this many alarms in one interval/window. @default 10 */
  readonly floodThreshold?: number;
  /** @default 3 */
  readonly chatterActivations?: number;
  /** @default 60000 */
  readonly chatterWindowMs?: number;
  /** Active longer than this at `toMs` ⇒ stale. @default 86400000 (24 h) */
  readonly staleAfterMs?: number;
  /** @default 10 */
  readonly topN?: number;
  /** Overrides of DEFAULT_KPI_TARGETS. */
  readonly targets?: Partial<KpiTargets>;
}

export interface AlarmKpiReport {
  readonly range: KpiRange & { readonly hours: number; readonly coversRecommendedPeriod: boolean };
  /** Annunciations in the range (see alarm-annunciation.ts). */
  readonly total: number;
  readonly avgPerHour: number;
  readonly avgPer10Min: number;
  readonly intervals: KpiIntervalStats;
  readonly floods: KpiFloodStats;
  readonly top: KpiTopAlarms;
  readonly chattering: { readonly count: number; readonly alarms: readonly KpiChatteringAlarm[] };
  readonly stale: { readonly count: number; readonly alarms: readonly KpiStaleAlarm[] };
  /**
   * Late alarms: raised in the range from replayed readings (a collector's spool after an uplink
   * outage). Counted apart and left out of the rates, floods, top and chattering above: those
   * measure what was annunciated to the operator, and a late alarm never was at the time it
   * happened (docs/operations.md §8).
   */
  readonly late: { readonly count: number };
  /** null without `colourOf`. */
  readonly priority: KpiPriorityMix | null;
  readonly targets: readonly KpiTargetCheck[];
  readonly alerts: readonly KpiAlert[];
}

const OPTION_KEYS = new Set([
  'include',
  'colourOf',
  'intervalMs',
  'floodThreshold',
  'chatterActivations',
  'chatterWindowMs',
  'staleAfterMs',
  'topN',
  'targets',
]);

function positive(key: string, value: number, integer: boolean): number {
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value)))
    throw kpiErrors.create('HW_CORE_KPI_INVALID_OPTION', {
      key,
      problem: `must be a positive ${integer ? 'integer' : 'number'}, got ${String(value)}`,
    });
  return value;
}

function compileTargets(overrides: Partial<KpiTargets> = {}): KpiTargets {
  const out: Record<string, number> = { ...DEFAULT_KPI_TARGETS };
  for (const [k, v] of Object.entries(overrides)) {
    if (!(k in DEFAULT_KPI_TARGETS))
      throw kpiErrors.create('HW_CORE_KPI_INVALID_OPTION', {
        key: `targets.${k}`,
        problem: 'is not a known target',
      });
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
      throw kpiErrors.create('HW_CORE_KPI_INVALID_OPTION', {
        key: `targets.${k}`,
        problem: 'must be a finite number ≥ 0',
      });
    out[k] = v;
  }
  return out as unknown as KpiTargets;
}

interface Collected {
  times: number[];
  alarmIds: string[];
  bySource: Map<
    string,
    { sourceKey: string; pointId: number | null; condition: AlarmEvent['condition']; count: number }
  >;
  activations: Map<string, KpiActivationSeries>;
  late: number;
}

/** The single pass: annunciations and activations within the range. */
function collect(
  events: readonly AlarmEvent[],
  range: KpiRange,
  include: (e: AlarmEvent) => boolean,
): Collected {
  const c: Collected = { times: [], alarmIds: [], bySource: new Map(), activations: new Map(), late: 0 };
  for (const e of events) {
    if (e.ts < range.fromMs || e.ts >= range.toMs || e.to !== 'UNACK' || !include(e)) continue;
    if (e.late === true) {
      if (e.from === 'NORM') c.late++;
      continue;
    }
    const key = sourceConditionKey(e.sourceKey, e.condition);
    if (isAlarmAnnunciation(e)) {
      c.times.push(e.ts);
      c.alarmIds.push(e.alarmId);
      const s = c.bySource.get(key);
      if (s === undefined)
        c.bySource.set(key, { sourceKey: e.sourceKey, pointId: e.pointId, condition: e.condition, count: 1 });
      else s.count++;
    }
    if (isAlarmActivation(e)) {
      const a = c.activations.get(key);
      if (a === undefined)
        c.activations.set(key, {
          sourceKey: e.sourceKey,
          pointId: e.pointId,
          condition: e.condition,
          times: [e.ts],
        });
      else a.times.push(e.ts);
    }
  }
  return c;
}

/**
 * Every KPI of REFERENCE §8 item 19, the §7 targets with pass/fail, and the alerts. Throws
 * HW_CORE_KPI_INVALID_RANGE / HW_CORE_KPI_INVALID_OPTION for a bad call.
 */
export function alarmKpiReport(
  events: readonly AlarmEvent[],
  range: KpiRange,
  options: AlarmKpiOptions = {},
): AlarmKpiReport {
  const { fromMs, toMs } = range;
  if (!Number.isFinite(fromMs) || !Number.isFinite(toMs) || fromMs >= toMs)
    throw kpiErrors.create('HW_CORE_KPI_INVALID_RANGE', { fromMs, toMs });
  for (const k of Object.keys(options))
    if (!OPTION_KEYS.has(k))
      throw kpiErrors.create('HW_CORE_KPI_INVALID_OPTION', { key: k, problem: 'is not a known option' });
  const intervalMs = positive('intervalMs', options.intervalMs ?? 10 * MINUTE, false);
  const floodThreshold = positive('floodThreshold', options.floodThreshold ?? 10, true);
  const chatterActivations = positive('chatterActivations', options.chatterActivations ?? 3, true);
  const chatterWindowMs = positive('chatterWindowMs', options.chatterWindowMs ?? MINUTE, false);
  const staleAfterMs = positive('staleAfterMs', options.staleAfterMs ?? 24 * HOUR, false);
  const topN = positive('topN', options.topN ?? 10, true);
  const targets = compileTargets(options.targets);
  const include = options.include ?? (() => true);

  const c = collect(events, range, include);
  const sorted = Float64Array.from(c.times).sort();
  const total = sorted.length;
  const rangeMs = toMs - fromMs;
  const hours = rangeMs / HOUR;
  const avgPerHour = total / hours;
  const avgPer10Min = total / (rangeMs / (10 * MINUTE));

  const intervals = countAlarmIntervals(sorted, range, intervalMs, floodThreshold);
  const floods = findFloodEpisodes(sorted, range, intervalMs, floodThreshold);
  const top = topAlarmSources(c.bySource.values(), total, topN);
  const chattering = findChatteringAlarms(c.activations.values(), chatterActivations, chatterWindowMs);
  const stale = findStaleAlarms(events, include, toMs, staleAfterMs);
  const priority = options.colourOf === undefined ? null : alarmPriorityMix(c.alarmIds, options.colourOf);
  const coloured = priority === null ? 0 : total - priority.unknown;
  const share = (colour: WarningColour) =>
    priority === null || coloured === 0 ? null : priority.sharePct[colour];

  const checks = [
    checkTarget('avgPerHourAcceptable', avgPerHour, targets.acceptablePerHour, '<='),
    checkTarget('avgPerHourManageable', avgPerHour, targets.manageablePerHour, '<='),
    checkTarget('floodIntervalShare', intervals.overThresholdSharePct, targets.floodIntervalSharePct, '<'),
    checkTarget('floodTimeShare', floods.floodTimeSharePct, targets.floodTimeSharePct, '<'),
    checkTarget('peakPer10Min', intervals.peak, targets.maxPer10Min, '<='),
    checkTarget('top10Share', top.sharePct, targets.top10SharePct, '<='),
    checkTarget('chattering', chattering.length, targets.chattering, '<='),
    checkTarget('stale', stale.length, targets.stale, '<'),
    checkTarget('priorityRed', share('red'), targets.redMaxPct, '<'),
    checkTarget('priorityOrange', share('orange'), targets.orangeMaxPct, '<='),
    checkTarget('priorityYellow', share('yellow'), targets.yellowMaxPct, '<='),
  ];

  return Object.freeze({
    range: Object.freeze({
      fromMs,
      toMs,
      hours,
      coversRecommendedPeriod: rangeMs >= KPI_RECOMMENDED_PERIOD_MS,
    }),
    total,
    avgPerHour,
    avgPer10Min,
    intervals,
    floods,
    top,
    chattering: Object.freeze({ count: chattering.length, alarms: Object.freeze(chattering) }),
    stale: Object.freeze({ count: stale.length, alarms: Object.freeze(stale) }),
    late: Object.freeze({ count: c.late }),
    priority,
    targets: Object.freeze(checks),
    alerts: Object.freeze(kpiAlerts(avgPerHour, floods.floodTimeSharePct, targets)),
  });
}
