import { describe, expect, it } from 'vitest';
import type { EvaluatedPoint } from '@hazardwatch/core';
import { engineWith, feed, point, type RecordingSink } from './evaluation-fixture.js';

const isRoc = (c: { condition: string }) => c.condition === 'ROC_RISE' || c.condition === 'ROC_FALL';
const rocRaises = (sink: RecordingSink) => sink.log((c) => c.active && isRoc(c));
const rising = (slopePerMin: number, windowMs = 60_000) => ({
  direction: 'rising' as const,
  slopePerMin,
  windowMs,
});
const falling = (slopePerMin: number, windowMs = 60_000) => ({
  direction: 'falling' as const,
  slopePerMin,
  windowMs,
});

/** Samples of `f(t)` at the given times. */
const at = (times: readonly number[], f: (t: number) => number) => times.map((t) => [t, f(t)] as const);
const every = (stepMs: number, untilMs: number, from = 0) =>
  Array.from({ length: Math.floor((untilMs - from) / stepMs) + 1 }, (_, k) => from + k * stepMs);
/** Irregular spacing: 1 s, 13 s, 2 s, 27 s, 0.5 s, 8 s, 4 s, repeated. */
function irregular(untilMs: number): number[] {
  const gaps = [1000, 13_000, 2000, 27_000, 500, 8000, 4000];
  const out = [0];
  for (let k = 0; out[out.length - 1]! < untilMs; k++)
    out.push(out[out.length - 1]! + gaps[k % gaps.length]!);
  return out;
}
const ramp =
  (perMin: number, base = 50) =>
  (t: number) =>
    base + (perMin * t) / 60_000;

function run(
  rateOfChange: EvaluatedPoint['rateOfChange'],
  samples: ReadonlyArray<readonly [number, number]>,
  rocMinSamples?: number,
) {
  const options = rocMinSamples === undefined ? {} : { rocMinSamples };
  const { engine, sink } = engineWith(
    [point({ rateOfChange, range: { min: -1e6, max: 1e6 } })],
    undefined,
    options,
  );
  feed(engine, samples);
  return sink;
}

describe('rate of change (REFERENCE §6, §8 item 14)', () => {
  it('raises ROC_RISE once the history spans the window; slope in units/min, limit as configured', () => {
    const sink = run([rising(10)], at(every(10_000, 200_000), ramp(20)));
    expect(sink.log(isRoc)).toEqual(['ROC_RISE-@0', 'ROC_FALL-@0', 'ROC_RISE+@80000']);
    const raise = sink.changes.find((c) => c.active && isRoc(c))!;
    expect(raise.value).toBeCloseTo(20, 9);
    expect(raise.limit).toBe(10);
  });

  it('raises ROC_FALL on a falling ramp, with a negative slope and limit', () => {
    const sink = run([falling(10)], at(every(10_000, 200_000), ramp(-20)));
    expect(sink.log(isRoc)).toEqual(['ROC_RISE-@0', 'ROC_FALL-@0', 'ROC_FALL+@80000']);
    const raise = sink.changes.find((c) => c.active && isRoc(c))!;
    expect(raise.value).toBeCloseTo(-20, 9);
    expect(raise.limit).toBe(-10);
  });

  it('clears when the value levels off', () => {
    const level = (t: number) => Math.min(ramp(20)(t), ramp(20)(150_000));
    const sink = run([rising(10)], at(every(10_000, 400_000), level));
    const log = sink.log(isRoc);
    expect(log.slice(0, 3)).toEqual(['ROC_RISE-@0', 'ROC_FALL-@0', 'ROC_RISE+@80000']);
    expect(log).toHaveLength(4);
    expect(log[3]).toMatch(/^ROC_RISE-@/);
  });

  it.each([
    { name: 'steep ramp, irregular spacing ⇒ raise', perMin: 20, raises: true },
    { name: 'gentle ramp, irregular spacing ⇒ nothing', perMin: 5, raises: false },
    { name: 'steep fall on a rising-only point ⇒ nothing', perMin: -20, raises: false },
  ])('$name', ({ perMin, raises }) => {
    const sink = run([rising(10)], at(irregular(600_000), ramp(perMin)));
    const active = sink.changes.filter((c) => c.active && isRoc(c));
    expect(active.length > 0).toBe(raises);
    for (const c of active) {
      expect(c.ts).toBeGreaterThanOrEqual(60_000);
      expect(c.value!).toBeCloseTo(perMin, 6);
    }
  });

  it('a burst of closely spaced samples does not turn a small real step into a steep slope', () => {
    const times = [
      ...every(10_000, 120_000),
      ...every(100, 122_000, 120_100),
      ...every(10_000, 300_000, 130_000),
    ];
    const sink = run(
      [rising(10), falling(10)],
      at(times, (t) => (t > 120_000 ? 52 : 50)),
    );
    expect(rocRaises(sink)).toEqual([]);
  });

  it('a single outlier never raises (median of 3)', () => {
    const times = every(5000, 300_000);
    const sink = run(
      [rising(10), falling(10)],
      at(times, (t) => (t === 150_000 ? 500 : 50)),
    );
    expect(rocRaises(sink)).toEqual([]);
  });

  it('two consecutive outliers pass a median of 3 but not a median of 5 (rocMinSamples)', () => {
    const samples = at(every(5000, 300_000), (t) => (t === 150_000 || t === 155_000 ? 500 : 50));
    expect(rocRaises(run([rising(10)], samples))).toEqual(['ROC_RISE+@155000']);
    expect(rocRaises(run([rising(10)], samples, 5))).toEqual([]);
  });

  it('judges nothing before minSamples samples and one window of history', () => {
    // The median of three is the middle sample, so a slope needs one more sample than that.
    const samples = [
      [0, 0],
      [61_000, 1000],
      [122_000, 2000],
      [183_000, 3000],
    ] as const;
    expect(rocRaises(run([rising(1)], samples.slice(0, 3)))).toEqual([]);
    expect(rocRaises(run([rising(1)], samples))).toEqual(['ROC_RISE+@183000']);
  });

  it('no rate-of-change alarm without configuration: there is no default (REFERENCE §6)', () => {
    const sink = run([], at(every(1000, 300_000), ramp(10_000)));
    expect(sink.log(isRoc)).toEqual(['ROC_RISE-@0', 'ROC_FALL-@0']);
  });

  it('several windows of one direction raise one condition', () => {
    const sink = run([rising(100, 10_000), rising(10, 60_000)], at(every(5000, 200_000), ramp(20)));
    expect(rocRaises(sink)).toEqual(['ROC_RISE+@70000']);
  });

  it('the point on-delay applies to rate of change', () => {
    const samples = at(every(10_000, 200_000), ramp(20));
    const { engine, sink } = engineWith([
      point({ rateOfChange: [rising(10)], onDelayMs: 30_000, range: { min: -1e6, max: 1e6 } }),
    ]);
    feed(engine, samples);
    expect(rocRaises(sink)).toEqual(['ROC_RISE+@110000']);
  });
});
