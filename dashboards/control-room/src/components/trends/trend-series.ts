/**
 * The trends view's drawing rules, kept apart from ECharts so they are tested as plain data:
 * one y-axis per unit (points measured in the same unit share one), a colour per point, and the
 * line of a series broken wherever the plant said nothing — never drawn across a hole.
 */
import type { DataLossReport, HistoryBucket, HistoryResolution, LimitName } from '@hazardwatch/contracts';

/**
 * Point colours, in the order points are added. None is a warning colour (red, orange, yellow,
 * blue mean alarm levels on this console, GB/T 33001 four colours), and none is the data-loss grey.
 */
export const TREND_PALETTE = [
  '#39d0d8',
  '#bc8cff',
  '#7ee787',
  '#ff7bd5',
  '#e6edf3',
  '#56d4bc',
  '#c3e88d',
  '#f0b6ff',
] as const;

export function trendColour(index: number): string {
  return TREND_PALETTE[index % TREND_PALETTE.length]!;
}

export interface UnitAxis {
  readonly unit: string;
  /** Ids of the points drawn against this axis, in the order they were chosen. */
  readonly pointIds: readonly number[];
}

/**
 * One axis per distinct unit, in the order the units first appear; the unit text is compared as
 * written (trimmed), so `MPa` and `kPa` are two axes — converting would show a number the plant
 * did not send.
 */
export function unitAxes(points: ReadonlyArray<{ readonly id: number; readonly unit: string }>): UnitAxis[] {
  const byUnit = new Map<string, number[]>();
  for (const p of points) {
    const unit = p.unit.trim();
    const ids = byUnit.get(unit);
    if (ids) ids.push(p.id);
    else byUnit.set(unit, [p.id]);
  }
  return [...byUnit].map(([unit, pointIds]) => ({ unit, pointIds }));
}

/** The index of the axis a point is drawn against (its unit's). */
export function axisIndexOf(axes: readonly UnitAxis[], pointId: number): number {
  return axes.findIndex((a) => a.pointIds.includes(pointId));
}

/** Width of a bucket, ms: 0 for raw readings. */
export function bucketWidthMs(resolution: HistoryResolution): number {
  return resolution === '1m' ? 60_000 : resolution === '1h' ? 3_600_000 : 0;
}

export interface GapRule {
  readonly resolution: HistoryResolution;
  /** The point's staleness timeout (ms): longer than that without a reading, the point said nothing. */
  readonly staleAfterMs: number;
  /** Holes the point's gateway reported; those with a span break the line where they fall. */
  readonly dataLoss: readonly DataLossReport[];
}

/** One drawn point: [time, value], or [time, null] where the line must break. */
export type LinePoint = readonly [number, number | null];

/**
 * The line of one series: each bucket's last value, with a break (a null, which ECharts does not
 * connect) between two neighbours when they are further apart than both a bucket and the point's
 * staleness timeout, or when a reported data loss falls between them. The break sits between the
 * two, so no drawn value is moved or invented.
 */
export function lineWithGaps(buckets: readonly HistoryBucket[], rule: GapRule): LinePoint[] {
  const allowedMs = Math.max(bucketWidthMs(rule.resolution), rule.staleAfterMs);
  const spans = rule.dataLoss
    .filter((l) => l.fromMs !== null && l.toMs !== null)
    .map((l) => [l.fromMs!, l.toMs!] as const);
  const out: LinePoint[] = [];
  let prev: HistoryBucket | undefined;
  for (const b of buckets) {
    if (prev !== undefined) {
      const a = prev.ts;
      const lost = spans.some(([from, to]) => from < b.ts && to > a);
      if (b.ts - a > allowedMs || lost) out.push([a + (b.ts - a) / 2, null]);
    }
    out.push([b.ts, b.last]);
    prev = b;
  }
  return out;
}

/** Each report once, in the order first seen (points of one gateway carry the same reports). */
export function distinctLosses(lists: ReadonlyArray<readonly DataLossReport[]>): DataLossReport[] {
  const seen = new Set<number>();
  const out: DataLossReport[] = [];
  for (const list of lists) {
    for (const l of list) {
      if (seen.has(l.id)) continue;
      seen.add(l.id);
      out.push(l);
    }
  }
  return out;
}

/** One point as the chart draws it. */
export interface DrawnSeries {
  readonly id: number;
  readonly label: string;
  readonly unit: string;
  readonly colour: string;
  /** Index of its unit's axis (unitAxes). */
  readonly axis: number;
  /** Its line, breaks included (lineWithGaps). */
  readonly line: readonly LinePoint[];
  readonly limits: Readonly<Record<LimitName, number | null>>;
}
