import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  NormalOperation,
  PointSignal,
  isSimulatorError,
  loadSimulatedSite,
  resolutionFor,
  rngFor,
  roundToStep,
  signalProfile,
  type SignalPoint,
  type SimulatedPoint,
} from '@hazardwatch/simulators';
import { EXAMPLE_SITE_YAML } from './example-site.js';

const site = loadSimulatedSite(EXAMPLE_SITE_YAML);
const STEPS = 10_000;
const TICK_MS = 1000;

function run(point: SignalPoint, seed: number | string = 1, steps = STEPS, tickMs = TICK_MS): number[] {
  const signal = new PointSignal(signalProfile(point), rngFor(seed, 'test'), 0);
  return Array.from({ length: steps }, (_, i) => signal.valueAt((i + 1) * tickMs));
}

const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
const sd = (xs: number[]): number => {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / xs.length);
};

/** True when `value` is on the normal side of every limit the point has (alarm at ≥ H, ≤ L). */
function insideLimits(point: SignalPoint, value: number): boolean {
  const { ll, l, h, hh } = point.limits;
  return (
    [h, hh].every((x) => x === undefined || value < x) && [l, ll].every((x) => x === undefined || value > x)
  );
}

describe('normal operation on the example site', () => {
  it.each(site.points.map((p) => [p.tag, p] as const))(
    '%s stays in range, inside its limits and on its resolution over 10,000 steps',
    (_tag, point) => {
      const profile = signalProfile(point);
      const values = run(point);
      // Every step checked, the failures gathered and asserted once: 60,000 expect() calls per
      // point made this file the unit project's slowest (11 s).
      const failures = values.flatMap((v, i) => {
        const broken = [
          !Number.isFinite(v) && 'not finite',
          !(v >= point.range.min && v <= point.range.max) && 'outside the range',
          !(v >= profile.min && v <= profile.max) && 'outside the profile',
          !insideLimits(point, v) && 'past a limit',
          !(Math.abs(v / profile.step - Math.round(v / profile.step)) < 1e-6) && 'off the resolution',
        ].filter((why) => why !== false);
        return broken.length > 0 ? [{ step: i + 1, value: v, broken }] : [];
      });
      expect(failures.slice(0, 5), `${failures.length} of ${values.length} steps`).toEqual([]);
      // It moves: a stuck value would hide stale-detection bugs downstream.
      expect(new Set(values).size).toBeGreaterThan(3);
    },
  );

  it('sits midway between L and H when both are set', () => {
    const lt = site.points.find((p) => p.tag === 'LT-1101')!; // L 20, H 80
    expect(signalProfile(lt).normal).toBe(50);
    expect(mean(run(lt, 1, 20_000, 60_000))).toBeCloseTo(50, -1);
  });

  it('keeps gas detectors near zero with small noise', () => {
    for (const tag of ['AT-1101', 'AT-2101', 'AT-2102', 'AT-2110']) {
      const point = site.points.find((p) => p.tag === tag)!;
      const span = point.range.max - point.range.min;
      const values = run(point);
      expect(mean(values)).toBeLessThan(0.02 * span);
      expect(Math.max(...values)).toBeLessThanOrEqual(0.1 * span);
      expect(Math.min(...values)).toBeGreaterThanOrEqual(point.range.min);
    }
  });

  it('reads oxygen at 20.9 %VOL, inside the GB/T 50493-2019 defaults when the site gives no limits', () => {
    const o2 = site.points.find((p) => p.kind === 'oxygen')!;
    expect(o2.limits).toEqual({});
    const values = run(o2);
    expect(mean(values)).toBeCloseTo(20.9, 1);
    expect(Math.min(...values)).toBeGreaterThan(19.5);
    expect(Math.max(...values)).toBeLessThan(23.5);
    expect(values.every((v) => Number.isInteger(Math.round(v * 10)) && roundToStep(v, 0.1) === v)).toBe(true);
  });

  it('moves a valve position within 0–100 % around the middle', () => {
    const valve: SignalPoint = { kind: 'valve_position', unit: '%', range: { min: 0, max: 100 }, limits: {} };
    const values = run(valve);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThanOrEqual(100);
    expect(mean(values)).toBeGreaterThan(35);
    expect(mean(values)).toBeLessThan(65);
  });
});

describe('PointSignal', () => {
  const point = site.points.find((p) => p.tag === 'PT-2101')!;

  it('is deterministic: same seed and times, same values; another seed, other values', () => {
    expect(run(point, 7)).toEqual(run(point, 7));
    expect(run(point, 7)).not.toEqual(run(point, 8));
  });

  it('never moves backwards in time and answers the same time with the same value', () => {
    const signal = new PointSignal(signalProfile(point), rngFor(1, 'x'), 1000);
    const first = signal.value;
    expect(signal.valueAt(1000)).toBe(first);
    const v = signal.valueAt(2000);
    expect(signal.valueAt(2000)).toBe(v);
    expect(signal.valueAt(1500)).toBe(v);
    expect(signal.value).toBe(v);
  });

  it('reverts to its normal value with the stationary σ whatever the tick interval', () => {
    const wide: SignalPoint = { kind: 'pressure', unit: 'MPa', range: { min: 0, max: 10 }, limits: {} };
    const profile = signalProfile(wide, { noiseStdDev: 0 });
    for (const tickMs of [1000, 60_000]) {
      const signal = new PointSignal(profile, rngFor(3, String(tickMs)), 0);
      // Samples 3 τ apart are nearly independent draws from the stationary distribution.
      const spacing = 3 * profile.timeConstantMs;
      const sampled = Array.from({ length: 1500 }, (_, i) => {
        const end = (i + 1) * spacing;
        for (let t = i * spacing + tickMs; t < end; t += tickMs) signal.valueAt(t);
        return signal.valueAt(end);
      });
      expect(Math.abs(mean(sampled) - profile.normal)).toBeLessThan(0.15 * profile.stdDev);
      expect(sd(sampled) / profile.stdDev).toBeGreaterThan(0.9);
      expect(sd(sampled) / profile.stdDev).toBeLessThan(1.1);
    }
  });

  it('refuses an impossible profile with a coded error', () => {
    const bad = { ...signalProfile(point), step: 0 };
    expect(() => new PointSignal(bad, rngFor(1), 0)).toThrow(
      expect.objectContaining({ code: 'HW_SIM_SIGNAL_INVALID' }) as Error,
    );
    try {
      new PointSignal({ ...bad, min: 5, max: 1 }, rngFor(1), 0);
    } catch (err) {
      expect(isSimulatorError(err, 'HW_SIM_SIGNAL_INVALID')).toBe(true);
    }
  });
});

describe('NormalOperation', () => {
  it('gives every point its own stream, independent of the order points are asked in', () => {
    const [a, b] = site.points as [SimulatedPoint, SimulatedPoint];
    const one = new NormalOperation(5);
    const two = new NormalOperation(5);
    const seqOne: number[] = [];
    const seqTwo: number[] = [];
    for (let t = 0; t < 50_000; t += 1000) {
      seqOne.push(one.valueAt(a, t), one.valueAt(b, t));
      const vb = two.valueAt(b, t);
      seqTwo.push(two.valueAt(a, t), vb);
    }
    expect(seqOne).toEqual(seqTwo);
  });
});

describe('resolution and rounding', () => {
  it.each([
    [200, 0.1],
    [100, 0.05],
    [2.5, 0.001],
    [500, 0.2],
    [10, 0.005],
    [60, 0.02],
  ])('range span %d ⇒ step %d', (span, step) => {
    expect(resolutionFor(span)).toBe(step);
  });

  it('rounds without binary fractions leaking out', () => {
    expect(roundToStep(0.1 + 0.2, 0.1)).toBe(0.3);
    expect(roundToStep(20.94, 0.1)).toBe(20.9);
    expect(roundToStep(1.0004999, 0.001)).toBe(1);
  });
});

describe('invariant: normal operation never reaches a limit (property)', () => {
  const pointArb = fc
    .record({
      kind: fc.constantFrom(
        'temperature',
        'pressure',
        'level',
        'flow',
        'valve_position',
        'combustible_gas',
        'toxic_gas',
        'oxygen',
        'other',
      ),
      min: fc.double({ min: -1000, max: 1000, noNaN: true }),
      span: fc.double({ min: 0.01, max: 5000, noNaN: true }),
      // Limit positions in % of the range, sorted so that ll < l < h < hh, at least 1 % apart.
      cuts: fc.uniqueArray(fc.integer({ min: 2, max: 98 }), { minLength: 4, maxLength: 4 }),
      present: fc.record({ ll: fc.boolean(), l: fc.boolean(), h: fc.boolean(), hh: fc.boolean() }),
      seed: fc.integer({ min: 0, max: 2 ** 31 }),
    })
    .map(({ kind, min, span, cuts, present, seed }) => {
      const [ll, l, h, hh] = [...cuts].sort((x, y) => x - y).map((c) => min + (c / 100) * span) as [
        number,
        number,
        number,
        number,
      ];
      const limits = {
        ...(present.ll ? { ll } : {}),
        ...(present.l ? { l } : {}),
        ...(present.h ? { h } : {}),
        ...(present.hh ? { hh } : {}),
      };
      const point: SignalPoint = { kind, unit: 'u', range: { min, max: min + span }, limits };
      return { point, seed };
    });

  it('holds for any range and limits', () => {
    fc.assert(
      fc.property(pointArb, ({ point, seed }) => {
        for (const v of run(point, seed, 500, 5000)) {
          if (!insideLimits(point, v)) return false;
          if (v < point.range.min || v > point.range.max) return false;
        }
        return true;
      }),
      { numRuns: 300 },
    );
  });
});
