import { describe, expect, it } from 'vitest';
import { engineWith, feed, isLadder, point, type PointSpec } from './evaluation-fixture.js';

/** The four start-up clears of a point whose first sample is normal (restart semantics). */
const cleared = (ts: number) => [`HH-@${ts}`, `H-@${ts}`, `LL-@${ts}`, `L-@${ts}`];

const ladder: PointSpec['limits'] = { ll: 0, l: 10, h: 50, hh: 80 };

/** ±0.5 around the H limit (50), one sample a second. */
const oscillation = Array.from({ length: 20 }, (_, k) => [k * 1000, k % 2 === 0 ? 49.5 : 50.5] as const);

interface Case {
  readonly name: string;
  readonly spec: PointSpec;
  readonly samples: ReadonlyArray<readonly [number, number]>;
  /** Limit-condition changes (HH/H/L/LL), in emission order. */
  readonly expected: readonly string[];
}

const cases: Case[] = [
  {
    name: 'REFERENCE §8 item 13: ±0.5 around a limit with deadband 1 raises exactly one alarm',
    spec: { limits: { h: 50 }, deadband: 1 },
    samples: [...oscillation, [20_000, 49.2], [21_000, 48.9]],
    expected: [...cleared(0), 'H+@1000', 'H-@21000'],
  },
  {
    name: 'without a deadband the same oscillation chatters (what the deadband is for)',
    spec: { limits: { h: 50 }, deadband: 0 },
    samples: oscillation.slice(0, 5),
    expected: [...cleared(0), 'H+@1000', 'H-@2000', 'H+@3000', 'H-@4000'],
  },
  {
    name: 'reaching the limit exactly raises (GB/T 50493 set point), clearing needs v < limit − deadband',
    spec: { limits: { h: 50 }, deadband: 2 },
    samples: [
      [0, 40],
      [1000, 50],
      [2000, 48],
      [3000, 47.99],
    ],
    expected: [...cleared(0), 'H+@1000', 'H-@3000'],
  },
  {
    name: 'on-delay not met: back inside before the delay ran out ⇒ no alarm',
    spec: { limits: { h: 50 }, onDelayMs: 5000 },
    samples: [
      [0, 40],
      [1000, 55],
      [3000, 55],
      [5999, 45],
      [7000, 40],
    ],
    expected: cleared(0),
  },
  {
    name: 'on-delay met: raised by the sample that completes it, dated by that sample',
    spec: { limits: { h: 50 }, onDelayMs: 5000 },
    samples: [
      [0, 40],
      [1000, 55],
      [3000, 55],
      [5999, 55],
      [6000, 55],
      [7000, 55],
    ],
    expected: [...cleared(0), 'H+@6000'],
  },
  {
    name: 'on-delay restarts when the value dips back inside',
    spec: { limits: { h: 50 }, onDelayMs: 5000 },
    samples: [
      [0, 40],
      [1000, 55],
      [3000, 45],
      [4000, 55],
      [8000, 55],
      [9000, 55],
    ],
    expected: [...cleared(0), 'H+@9000'],
  },
  {
    name: 'off-delay holds through a dip shorter than it, clears after a longer one',
    spec: { limits: { h: 50 }, offDelayMs: 5000 },
    samples: [
      [0, 40],
      [1000, 55],
      [2000, 40],
      [4000, 55],
      [5000, 40],
      [9000, 40],
      [9999, 40],
      [10_000, 40],
    ],
    expected: [...cleared(0), 'H+@1000', 'H-@10000'],
  },
  {
    name: 'off-delay and deadband together: the off-delay starts only once the deadband is cleared',
    spec: { limits: { h: 50 }, deadband: 2, offDelayMs: 3000 },
    samples: [
      [0, 40],
      [1000, 55],
      [2000, 49],
      [6000, 49],
      [7000, 47],
      [9000, 47],
      [10_000, 47],
    ],
    expected: [...cleared(0), 'H+@1000', 'H-@10000'],
  },
  {
    name: 'straight from normal to HH raises HH only (ISA-18.2: highest of the ladder)',
    spec: { limits: ladder },
    samples: [
      [0, 40],
      [1000, 90],
      [2000, 95],
    ],
    expected: [...cleared(0), 'HH+@1000'],
  },
  {
    name: 'HH back between H and HH: H raised first, then HH cleared (never momentarily normal)',
    spec: { limits: ladder, deadband: { hh: 2 } },
    samples: [
      [0, 40],
      [1000, 90],
      [2000, 79],
      [3000, 77],
      [4000, 40],
    ],
    expected: [...cleared(0), 'HH+@1000', 'H+@3000', 'HH-@3000', 'H-@4000'],
  },
  {
    name: 'rising through H then HH: HH raised, then H cleared',
    spec: { limits: ladder },
    samples: [
      [0, 40],
      [1000, 60],
      [2000, 85],
      [3000, 40],
    ],
    expected: [...cleared(0), 'H+@1000', 'HH+@2000', 'H-@2000', 'HH-@3000'],
  },
  {
    name: 'HH straight back to normal clears HH without an H in between',
    spec: { limits: ladder },
    samples: [
      [0, 90],
      [1000, 40],
    ],
    expected: ['HH+@0', 'H-@0', 'LL-@0', 'L-@0', 'HH-@1000'],
  },
  {
    name: 'LL / L mirror the high side',
    spec: { limits: ladder, deadband: 1 },
    samples: [
      [0, 20],
      [1000, -5],
      [2000, 0.5],
      [3000, 5],
      [4000, 10.5],
      [5000, 11.5],
    ],
    expected: [...cleared(0), 'LL+@1000', 'L+@3000', 'LL-@3000', 'L-@5000'],
  },
  {
    name: 'O₂ deficiency (L 19.5 %VOL) and excess (H 23.5 %VOL), GB/T 50493-2019 §5.5.2',
    spec: { limits: { l: 19.5, h: 23.5 }, deadband: 0.2 },
    samples: [
      [0, 20.9],
      [1000, 19.5],
      [2000, 19.6],
      [3000, 19.8],
      [4000, 23.6],
    ],
    expected: [...cleared(0), 'L+@1000', 'L-@3000', 'H+@4000'],
  },
  {
    name: 'first sample beyond HH with an on-delay: clears the normal side now, raises HH after the delay',
    spec: { limits: ladder, onDelayMs: 5000 },
    samples: [
      [0, 90],
      [3000, 90],
      [5000, 90],
    ],
    expected: ['LL-@0', 'L-@0', 'HH+@5000', 'H-@5000'],
  },
];

describe('threshold evaluation (H/HH/L/LL, deadband, on/off-delay)', () => {
  it.each(cases)('$name', ({ spec, samples, expected }) => {
    const { engine, sink } = engineWith([point(spec)]);
    feed(engine, samples);
    expect(sink.log(isLadder)).toEqual(expected);
  });

  it('a raise carries the deciding value and the limit, a clear the value that cleared it', () => {
    const { engine, sink } = engineWith([point({ limits: { h: 50 }, deadband: 1 })]);
    feed(engine, [
      [0, 40],
      [1000, 50.5],
      [2000, 48.5],
    ]);
    const h = sink.changes.filter((c) => c.condition === 'H');
    expect(h.map(({ active, ts, value, limit }) => ({ active, ts, value, limit }))).toEqual([
      { active: false, ts: 0, value: 40, limit: 50 },
      { active: true, ts: 1000, value: 50.5, limit: 50 },
      { active: false, ts: 2000, value: 48.5, limit: 50 },
    ]);
    expect(h[1]!.source).toEqual({ kind: 'point', pointId: 1 });
  });

  it('reports the active conditions of a point', () => {
    const { engine } = engineWith([point({ limits: ladder })]);
    feed(engine, [[0, 90]]);
    expect(engine.activeConditions(1)).toEqual(['HH']);
    expect(engine.activeConditions(99)).toEqual([]);
  });
});
