import { describe, expect, it } from 'vitest';
import { WARNING_COLOURS } from '@hazardwatch/contracts';
import { hourlyCounts } from '../src/components/kpi/kpi-series.js';
import { hazardAreas, hazardsOn, placedOn, toPlan } from '../src/components/plan/plan-geometry.js';
import type { Hazard, Point } from '@hazardwatch/contracts';
import { COLOURS } from '../src/logic/colour.js';
import { convexHull } from '../src/logic/hull.js';
import { formatRoute, parseRoute, type Route } from '../src/logic/router.js';
import { virtualWindow } from '../src/logic/virtual-window.js';
import { en } from '../src/i18n/en.js';
import { zhCN } from '../src/i18n/zh-CN.js';

describe('contracts copies', () => {
  it('orders colours exactly like @hazardwatch/contracts', () => {
    expect([...COLOURS]).toEqual([...WARNING_COLOURS]);
  });
  it('has the same message keys in English and Chinese', () => {
    const keys = (o: object, p = ''): string[] =>
      Object.entries(o).flatMap(([k, v]) =>
        typeof v === 'object' && v !== null ? keys(v as object, `${p}${k}.`) : [`${p}${k}`],
      );
    expect(keys(en).sort()).toEqual(keys(zhCN).sort());
  });
});

describe('hash routes', () => {
  const routes: Route[] = [
    { view: 'map', region: null },
    { view: 'map', region: 'P32062301' },
    { view: 'alarms' },
    { view: 'plan', enterprise: '91320623MA1W000001', hazard: null },
    { view: 'plan', enterprise: '91320623MA1W000001', hazard: 'CL-TF01' },
    { view: 'point', id: 12 },
    { view: 'quality' },
    { view: 'kpi' },
  ];
  it.each(routes)('round-trips %o', (r) => expect(parseRoute(formatRoute(r))).toEqual(r));
  it('falls back to the map for unknown or malformed hashes', () => {
    expect(parseRoute('')).toEqual({ view: 'map', region: null });
    expect(parseRoute('#/nope')).toEqual({ view: 'map', region: null });
    expect(parseRoute('#/point/-3')).toEqual({ view: 'map', region: null });
  });
});

describe('virtual window', () => {
  it('renders only the rows in view plus overscan for 2,000 alarms', () => {
    const w = virtualWindow(2000, 28, 28 * 1000, 560, 8);
    expect(w.start).toBe(992);
    expect(w.end).toBe(1029);
    expect(w.end - w.start).toBeLessThan(50);
    expect(w.offsetTop).toBe(992 * 28);
    expect(w.totalHeight).toBe(56_000);
  });
  it('clamps at both ends', () => {
    expect(virtualWindow(5, 28, 0, 560)).toMatchObject({ start: 0, end: 5 });
    expect(virtualWindow(100, 28, 1e9, 560)).toMatchObject({ start: 100, end: 100 });
  });
});

describe('geometry', () => {
  it('convex hull drops interior points', () => {
    const hull = convexHull([
      { lon: 0, lat: 0 },
      { lon: 2, lat: 0 },
      { lon: 2, lat: 2 },
      { lon: 0, lat: 2 },
      { lon: 1, lat: 1 },
    ]);
    expect(hull).toHaveLength(4);
    expect(hull).not.toContainEqual({ lon: 1, lat: 1 });
  });

  const point = (id: number, hazard: string | null, floorPlan: Point['floorPlan']): Point =>
    ({ id, tag: `T${id}`, hazard, floorPlan }) as unknown as Point;

  it('shades a hazard area with the highest colour of the points inside it', () => {
    const pts = [
      point(1, 'H1', { plan: null, x: 100, y: 100 }),
      point(2, 'H1', { plan: 'H1', x: 200, y: 120 }),
      point(3, 'H1', { plan: 'other', x: 5, y: 5 }),
      point(4, 'H1', null),
    ];
    const placed = placedOn(pts, 'H1');
    expect(placed.map((p) => p.point.id)).toEqual([1, 2]);
    const colours: Record<number, 'yellow' | 'red' | null> = { 1: 'yellow', 2: 'red' };
    const [area] = hazardAreas(
      placed,
      (id) => colours[id] ?? null,
      () => 'blue',
    );
    expect(area).toMatchObject({ hazard: 'H1', colour: 'red' });
    expect(
      hazardAreas(
        placed,
        () => null,
        () => null,
      )[0]?.colour,
    ).toBeNull();
  });

  it("places hazards by their own floor-plan position; an area holds its hazard's position", () => {
    const hazard = (code: string, floorPlan: Hazard['floorPlan']): Hazard =>
      ({ code, enterprise: 'E1', floorPlan }) as unknown as Hazard;
    const anchors = hazardsOn(
      [
        hazard('H1', { plan: null, x: 400, y: 300 }),
        hazard('H2', { plan: 'site', x: 700, y: 500 }),
        hazard('H3', { plan: 'other', x: 1, y: 1 }),
        hazard('H4', null),
      ],
      'site',
    );
    expect(anchors).toEqual([
      { hazard: 'H1', x: 400, y: 300 },
      { hazard: 'H2', x: 700, y: 500 },
    ]);
    const placed = placedOn([point(1, 'H1', { plan: null, x: 100, y: 100 })], 'site');
    const areas = hazardAreas(
      placed,
      () => 'yellow',
      (h) => (h === 'H2' ? 'orange' : null),
      anchors,
    );
    expect(areas.map((a) => [a.hazard, a.colour, a.anchor])).toEqual([
      ['H1', 'yellow', { x: 400, y: 300 }],
      ['H2', 'orange', { x: 700, y: 500 }],
    ]);
    // H1's hull spans its point and its own position (padded), the label sits over the position.
    const xs = [...areas[0]!.path.matchAll(/[ML](-?[\d.]+),/g)].map((m) => Number(m[1]));
    expect(Math.min(...xs)).toBeLessThan(100);
    expect(Math.max(...xs)).toBeGreaterThan(400);
    expect(areas[0]!.labelX).toBe(400);
  });

  it('maps a click on a letterboxed plan back to plan pixels', () => {
    // 1000×700 plan in a 2000×700 box: scale 1, 500 px bars left and right.
    expect(toPlan(500 + 250, 350, { left: 0, top: 0, width: 2000, height: 700 }, 1000, 700)).toEqual({
      x: 250,
      y: 350,
    });
    expect(toPlan(10, 10, { left: 0, top: 0, width: 2000, height: 700 }, 1000, 700)).toEqual({ x: 0, y: 10 });
  });
});

describe('KPI series', () => {
  it('sums six 10-minute intervals into each hour', () => {
    expect(hourlyCounts([1, 2, 3, 0, 0, 4, 10, 1], 0)).toEqual([
      [0, 10],
      [3_600_000, 11],
    ]);
  });
});
