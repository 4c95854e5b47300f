/**
 * Floor-plan geometry in plan-image pixels (site model FloorPlanPosition: x right, y down from the
 * top-left). A hazard's area is the padded convex hull of its placed points, shaded with the
 * highest colour inside it (风险四色图: an area takes the colour of its highest risk, REFERENCE §5).
 * A hazard placed on the plan itself (its `floorPlan`) joins that hull and is marked, so a hazard
 * whose points are not placed yet still shows as an area in its colour.
 */
import type { Hazard, Point, WarningColour } from '@hazardwatch/contracts';
import { worstColour } from '../../logic/colour.js';
import { paddedHull } from '../../logic/hull.js';

/** Size of the generated schematic when no plan image exists. */
export const SCHEMATIC = { width: 1000, height: 700 } as const;
/** px around each point of an area. */
export const AREA_PAD_PX = 45;

export interface PlacedPoint {
  readonly point: Point;
  readonly x: number;
  readonly y: number;
}

/** A major hazard's own position on a plan. */
export interface PlacedHazard {
  readonly hazard: string;
  readonly x: number;
  readonly y: number;
}

export interface PlanArea {
  readonly hazard: string;
  /** The hazard's own position, when it is placed on this plan. */
  readonly anchor: { readonly x: number; readonly y: number } | null;
  readonly path: string;
  readonly labelX: number;
  readonly labelY: number;
  readonly colour: WarningColour | null;
}

/** Points drawn on plan `planId`: those placed on it, or placed without naming a plan (the default plan). */
export function placedOn(points: readonly Point[], planId: string): PlacedPoint[] {
  return points
    .filter((p) => p.floorPlan !== null && (p.floorPlan.plan === null || p.floorPlan.plan === planId))
    .map((p) => ({ point: p, x: p.floorPlan!.x, y: p.floorPlan!.y }));
}

/** Hazards drawn on plan `planId`, by the same rule as points (no plan named = the default plan). */
export function hazardsOn(hazards: readonly Hazard[], planId: string): PlacedHazard[] {
  return hazards
    .filter((h) => h.floorPlan !== null && (h.floorPlan.plan === null || h.floorPlan.plan === planId))
    .map((h) => ({ hazard: h.code, x: h.floorPlan!.x, y: h.floorPlan!.y }));
}

export function hazardAreas(
  placed: readonly PlacedPoint[],
  colourOf: (pointId: number) => WarningColour | null,
  hazardColour: (hazard: string) => WarningColour | null,
  anchors: readonly PlacedHazard[] = [],
): PlanArea[] {
  const byHazard = new Map<string, PlacedPoint[]>();
  for (const a of anchors) byHazard.set(a.hazard, []);
  for (const p of placed) {
    if (p.point.hazard === null) continue;
    const list = byHazard.get(p.point.hazard) ?? [];
    list.push(p);
    byHazard.set(p.point.hazard, list);
  }
  const anchorOf = new Map(anchors.map((a) => [a.hazard, { x: a.x, y: a.y }]));
  return [...byHazard].map(([hazard, pts]) => {
    const anchor = anchorOf.get(hazard) ?? null;
    const xy = [...pts.map((p) => ({ x: p.x, y: p.y })), ...(anchor ? [anchor] : [])];
    // hull.ts works on lon/lat; x → lon, y → lat is a plain planar relabelling.
    const hull = paddedHull(
      xy.map((p) => ({ lon: p.x, lat: p.y })),
      AREA_PAD_PX,
    );
    const path =
      hull.map((q, i) => `${i === 0 ? 'M' : 'L'}${q.lon.toFixed(1)},${q.lat.toFixed(1)}`).join(' ') + ' Z';
    const top = Math.min(...hull.map((q) => q.lat));
    const cx = anchor ? anchor.x : xy.reduce((s, p) => s + p.x, 0) / xy.length;
    return {
      hazard,
      anchor,
      path,
      labelX: cx,
      labelY: Math.max(14, top - 6),
      colour: worstColour([hazardColour(hazard), ...pts.map((p) => colourOf(p.point.id))]),
    };
  });
}

/** The plan's extent: the image's, grown to hold every placed point and hazard. */
export function planExtent(
  base: { width: number; height: number },
  placed: readonly { readonly x: number; readonly y: number }[],
): { width: number; height: number } {
  return {
    width: Math.max(base.width, ...placed.map((p) => p.x + 60)),
    height: Math.max(base.height, ...placed.map((p) => p.y + 60)),
  };
}

/** Screen position inside an element showing a `viewW × viewH` viewBox scaled to fit (xMidYMid meet) → plan px. */
export function toPlan(
  clientX: number,
  clientY: number,
  rect: { left: number; top: number; width: number; height: number },
  viewW: number,
  viewH: number,
): { x: number; y: number } {
  const scale = Math.min(rect.width / viewW, rect.height / viewH);
  const offX = (rect.width - viewW * scale) / 2;
  const offY = (rect.height - viewH * scale) / 2;
  const x = (clientX - rect.left - offX) / scale;
  const y = (clientY - rect.top - offY) / scale;
  return { x: Math.round(Math.min(viewW, Math.max(0, x))), y: Math.round(Math.min(viewH, Math.max(0, y))) };
}
