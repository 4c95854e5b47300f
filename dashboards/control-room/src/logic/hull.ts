/**
 * Convex hull (Andrew's monotone chain) of lon/lat points, for the offline basemap: the site model
 * has no region polygons, so a region is drawn as the hull of what it contains, padded so one or
 * two enterprises still make a visible area. Planar in degrees: fine at county scale.
 */
import type { LonLat } from '@hazardwatch/contracts';

const cross = (o: LonLat, a: LonLat, b: LonLat): number =>
  (a.lon - o.lon) * (b.lat - o.lat) - (a.lat - o.lat) * (b.lon - o.lon);

export function convexHull(points: readonly LonLat[]): LonLat[] {
  const p = [...points].sort((a, b) => a.lon - b.lon || a.lat - b.lat);
  if (p.length <= 2) return p;
  const lower: LonLat[] = [];
  for (const q of p) {
    while (lower.length >= 2 && cross(lower[lower.length - 2]!, lower[lower.length - 1]!, q) <= 0)
      lower.pop();
    lower.push(q);
  }
  const upper: LonLat[] = [];
  for (const q of [...p].reverse()) {
    while (upper.length >= 2 && cross(upper[upper.length - 2]!, upper[upper.length - 1]!, q) <= 0)
      upper.pop();
    upper.push(q);
  }
  return [...lower.slice(0, -1), ...upper.slice(0, -1)];
}

/**
 * The hull of the points each surrounded by a ring of `padDeg` (12 vertices): always a proper
 * polygon, even for a single point.
 */
export function paddedHull(points: readonly LonLat[], padDeg: number): LonLat[] {
  const ring: LonLat[] = [];
  for (const c of points) {
    for (let i = 0; i < 12; i += 1) {
      const a = (i / 12) * 2 * Math.PI;
      ring.push({ lon: c.lon + padDeg * Math.cos(a), lat: c.lat + padDeg * Math.sin(a) });
    }
  }
  return convexHull(ring);
}
