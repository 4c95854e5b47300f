import { describe, expect, it } from 'vitest';
import {
  ATMOSPHERE_MPA,
  DEFAULT_REACTOR,
  MEDIUM_DATA,
  ReactorModel,
  TankModel,
  concentrationIn,
  plumeConcentration,
  vapourPressureMPa,
  type Medium,
  type TankSpec,
} from '@hazardwatch/simulators';

const tank = (over: Partial<TankSpec> = {}): TankSpec => ({
  id: 'V-1',
  medium: 'chlorine',
  kind: 'pressure',
  capacityM3: 40,
  heightM: 10,
  levelPct: 55,
  feedM3PerH: 4,
  hhInterlockPct: 85,
  llInterlockPct: undefined,
  valveStrokeSec: 20,
  padMPa: 0,
  reliefSetMPa: 1.77,
  thermalTimeConstantH: 24,
  ...over,
});

/** Runs a tank for `minutes` in 1 s steps; returns the highest level seen. */
function maxLevel(spec: TankSpec, minutes: number, overfillFeedM3PerH?: number): number {
  const t = new TankModel(spec, 22);
  let max = 0;
  for (let s = 0; s < minutes * 60; s++) {
    t.step(1000, { ambientC: 22, ...(overfillFeedM3PerH !== undefined ? { overfillFeedM3PerH } : {}) });
    max = Math.max(max, t.outputs().levelPct);
  }
  return max;
}

describe('media', () => {
  it.each(['lpg', 'chlorine', 'ammonia', 'toluene', 'methanol', 'lng'] as Medium[])(
    '%s boils at 1 atm at its normal boiling point and rises with temperature',
    (m) => {
      const tb = MEDIUM_DATA[m].boilingPointC;
      expect(vapourPressureMPa(m, tb)).toBeCloseTo(ATMOSPHERE_MPA, 6);
      expect(vapourPressureMPa(m, tb + 10)).toBeGreaterThan(vapourPressureMPa(m, tb));
    },
  );
  it('chlorine at 20 °C is about 0.68 MPa abs, and 1 atm at −34 °C', () => {
    expect(vapourPressureMPa('chlorine', 20)).toBeCloseTo(0.68, 3);
    expect(vapourPressureMPa('chlorine', -34)).toBeCloseTo(ATMOSPHERE_MPA, 4);
  });
  it.each([
    ['mg/m3', 1e-6, 'chlorine', 1],
    ['ppm', 1e-6, 'ammonia', 24.45 / 17.03],
    ['%LEL', (1e-6 * (40_000 * 2.016)) / 24.45, 'hydrogen', 100],
  ] as const)('converts kg/m³ to %s', (unit, kg, medium, expected) => {
    expect(concentrationIn(unit, kg, medium)).toBeCloseTo(expected, 3);
  });
});

describe('tank: HH interlock closes the feed (GB 17681-2024 §6.3.3.1)', () => {
  it.each([
    { interlock: 85, feed: 30, max: [85, 85.6] },
    { interlock: undefined, feed: 30, max: [99.99, 100] },
  ])('overfill at $feed m³/h with interlock $interlock ⇒ level peaks in $max', ({ interlock, feed, max }) => {
    const peak = maxLevel(tank({ hhInterlockPct: interlock }), 90, feed);
    expect(peak).toBeGreaterThanOrEqual(max[0]!);
    expect(peak).toBeLessThanOrEqual(max[1]!);
  });
  it('holds its level in normal operation', () => {
    const peak = maxLevel(tank(), 60);
    expect(peak).toBeLessThan(56);
  });
  it('pressure follows temperature under external heating', () => {
    const t = new TankModel(tank(), 22);
    const p0 = t.outputs().pressureMPa;
    for (let s = 0; s < 1200; s++) t.step(1000, { ambientC: 22, heatingKPerMin: 1 });
    expect(t.outputs().temperatureC).toBeGreaterThan(40);
    expect(t.outputs().pressureMPa).toBeGreaterThan(p0 + 0.3);
  });
});

describe('reactor: loss of cooling runs away with an accelerating rise', () => {
  const run = (minutes: number, cooling: number) => {
    const r = new ReactorModel({ ...DEFAULT_REACTOR, id: 'R' });
    const rises: number[] = [];
    for (let s = 0; s < minutes * 60; s++) {
      r.step(1000, { ambientC: 25, coolingFraction: cooling });
      if (s % 60 === 59) rises.push(r.outputs().riseKPerMin);
    }
    return { r, rises };
  };
  it('stays at its set point with cooling', () => {
    const { r } = run(30, 1);
    expect(Math.abs(r.outputs().temperatureC - DEFAULT_REACTOR.setpointC)).toBeLessThan(2);
  });
  it('without cooling: the rate of rise grows, temperature and pressure climb', () => {
    const { r, rises } = run(12, 0);
    expect(rises[1]!).toBeGreaterThan(0.5);
    expect(rises[10]!).toBeGreaterThan(2 * rises[1]!);
    expect(r.outputs().temperatureC).toBeGreaterThan(140);
    expect(r.outputs().pressureMPa).toBeGreaterThan(DEFAULT_REACTOR.pressureMPa + 0.3);
  });
});

describe('gas plume', () => {
  const leak = { at: { x: 0, y: 0 }, rateKgPerS: 0.001, elapsedMs: 600_000 };
  const wind = { speedMs: 2, fromDeg: 270 }; // from the west: blows east (+x)
  it.each([
    ['downwind near', { x: 10, y: 0 }, 'positive'],
    ['upwind', { x: -20, y: 0 }, 'zero'],
    ['far crosswind', { x: 10, y: 30 }, 'zero'],
  ] as const)('%s', (_name, where, expected) => {
    const c = plumeConcentration(leak, where, wind);
    if (expected === 'zero') expect(c).toBeLessThan(1e-12);
    else expect(c).toBeGreaterThan(0);
  });
  it('falls with distance and arrives after the travel time', () => {
    expect(plumeConcentration(leak, { x: 10, y: 0 }, wind)).toBeGreaterThan(
      plumeConcentration(leak, { x: 40, y: 0 }, wind),
    );
    expect(plumeConcentration({ ...leak, elapsedMs: 10_000 }, { x: 40, y: 0 }, wind)).toBe(0); // 20 s to arrive
    expect(plumeConcentration({ ...leak, elapsedMs: 21_000 }, { x: 40, y: 0 }, wind)).toBeGreaterThan(0);
  });
});
