/**
 * The alarm part of a duty report: alarms raised in the period by colour, per enterprise (the
 * "top offenders" a duty centre names first) and the sources that alarmed most.
 *
 * An alarm counts once, in the period it was raised (`alarms.raised_at`): one alarm record is one
 * occurrence in the ISA-18.2 sense (a new alarm from NORM; a re-alarm of a standing record is not a
 * second one). Its colour is the record's (the colour policy's colour for its condition and the
 * hazard); a condition the policy colours nothing (a platform job, NO_LIMITS by default) counts
 * under `none`. Platform alarms belong to no enterprise and are never in a report.
 */
import {
  colourRank,
  QUALITY_CONDITIONS,
  WARNING_COLOURS,
  type AlarmCondition,
  type WarningColour,
} from '@hazardwatch/contracts';

/** Alarms of one (enterprise, source, condition, colour) raised in the period, as the store groups them. */
export interface ReportAlarmGroup {
  readonly enterprise: string;
  /** null for a gateway alarm. */
  readonly pointId: number | null;
  /** The gateway of a gateway alarm (or of the point); null when unknown. */
  readonly gateway: string | null;
  readonly condition: AlarmCondition;
  readonly colour: WarningColour | null;
  readonly count: number;
}

export interface ReportColourCounts {
  readonly red: number;
  readonly orange: number;
  readonly yellow: number;
  readonly blue: number;
  /** Alarms the colour policy colours nothing. */
  readonly none: number;
}

export interface ReportEnterpriseAlarms {
  readonly enterprise: string;
  readonly total: number;
  readonly byColour: ReportColourCounts;
}

export interface ReportAlarmSource {
  readonly enterprise: string;
  readonly pointId: number | null;
  readonly gateway: string | null;
  readonly condition: AlarmCondition;
  /** The worst colour its alarms had; null when none was coloured. */
  readonly colour: WarningColour | null;
  readonly count: number;
}

export interface ReportAlarms {
  readonly total: number;
  readonly byColour: ReportColourCounts;
  /** Limit and rate-of-change alarms (HH, H, L, LL, ROC). */
  readonly process: number;
  /** Data-quality alarms (stale, sensor fault, gateway offline, data loss, …). */
  readonly quality: number;
  /** Every enterprise of the scope, most alarms first (ties: more red, orange, yellow, blue; then code). */
  readonly byEnterprise: readonly ReportEnterpriseAlarms[];
  /** The sources (point or gateway, and condition) with the most alarms, at most `topN`. */
  readonly topSources: readonly ReportAlarmSource[];
}

/** Sources listed as top offenders. */
export const REPORT_TOP_SOURCES = 10;

const ZERO: ReportColourCounts = Object.freeze({ red: 0, orange: 0, yellow: 0, blue: 0, none: 0 });
const quality: readonly string[] = QUALITY_CONDITIONS;
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function add(c: ReportColourCounts, colour: WarningColour | null, n: number): ReportColourCounts {
  const key = colour ?? 'none';
  return { ...c, [key]: c[key] + n };
}

/** Most first, then the worse colours, then the code: the order never depends on the input's. */
function bySeverity(a: ReportEnterpriseAlarms, b: ReportEnterpriseAlarms): number {
  if (a.total !== b.total) return b.total - a.total;
  for (const colour of [...WARNING_COLOURS].reverse())
    if (a.byColour[colour] !== b.byColour[colour]) return b.byColour[colour] - a.byColour[colour];
  return cmp(a.enterprise, b.enterprise);
}

/**
 * @param enterprises every enterprise of the scope (each gets a row, with or without alarms);
 * groups of other enterprises are ignored.
 */
export function reportAlarms(
  enterprises: readonly string[],
  groups: readonly ReportAlarmGroup[],
  topN = REPORT_TOP_SOURCES,
): ReportAlarms {
  const inScope = new Set(enterprises);
  const perEnterprise = new Map<string, ReportEnterpriseAlarms>(
    enterprises.map((e) => [e, { enterprise: e, total: 0, byColour: ZERO }]),
  );
  const sources = new Map<string, ReportAlarmSource>();
  let byColour = ZERO;
  let total = 0;
  let qualityCount = 0;
  for (const g of groups) {
    if (!inScope.has(g.enterprise) || g.count <= 0) continue;
    total += g.count;
    byColour = add(byColour, g.colour, g.count);
    if (quality.includes(g.condition)) qualityCount += g.count;
    const e = perEnterprise.get(g.enterprise)!;
    perEnterprise.set(g.enterprise, {
      ...e,
      total: e.total + g.count,
      byColour: add(e.byColour, g.colour, g.count),
    });
    const key = `${g.enterprise}\u0000${g.pointId ?? ''}\u0000${g.pointId === null ? (g.gateway ?? '') : ''}\u0000${g.condition}`;
    const s = sources.get(key);
    sources.set(key, {
      enterprise: g.enterprise,
      pointId: g.pointId,
      gateway: g.gateway,
      condition: g.condition,
      colour: s === undefined || colourRank(g.colour) > colourRank(s.colour) ? g.colour : s.colour,
      count: (s?.count ?? 0) + g.count,
    });
  }
  const topSources = [...sources.values()]
    .sort(
      (a, b) =>
        b.count - a.count ||
        colourRank(b.colour) - colourRank(a.colour) ||
        cmp(a.enterprise, b.enterprise) ||
        (a.pointId ?? -1) - (b.pointId ?? -1) ||
        cmp(a.gateway ?? '', b.gateway ?? '') ||
        cmp(a.condition, b.condition),
    )
    .slice(0, topN);
  return {
    total,
    byColour,
    process: total - qualityCount,
    quality: qualityCount,
    byEnterprise: [...perEnterprise.values()].sort(bySeverity),
    topSources,
  };
}
