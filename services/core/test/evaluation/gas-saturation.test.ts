import { describe, expect, it } from 'vitest';
import { QUALITY_CODES } from '@hazardwatch/contracts';
import type { ConditionChange } from '@hazardwatch/core';
import {
  E1,
  GW1,
  engineWith,
  gateway,
  isLadder,
  point,
  type PointSpec,
  type RecordingSink,
} from './evaluation-fixture.js';

const { good, uncertain, bad } = QUALITY_CODES;

const limitsAndRange = (c: ConditionChange): boolean => isLadder(c) || c.condition === 'OUT_OF_RANGE';
/** Start-up emissions of a point whose first sample is in range and normal. */
const started = (ts: number) => [`OUT_OF_RANGE-@${ts}`, `HH-@${ts}`, `H-@${ts}`, `LL-@${ts}`, `L-@${ts}`];

/** GB/T 50493-2019 §5.5.2 set points: combustible level-1 ≤ 25 %LEL, level-2 ≤ 50 %LEL; range 0–100 %LEL. */
const combustible: PointSpec = {
  kind: 'combustible_gas',
  range: { min: 0, max: 100 },
  limits: { h: 25, hh: 50 },
  deadband: 1,
  onDelayMs: 2000,
  offDelayMs: 2000,
};
/** H₂S in ppm, range 0–100: level-1 10 ppm (≤ 100 %OEL), level-2 20 ppm (≤ 200 %OEL). */
const toxic: PointSpec = {
  kind: 'toxic_gas',
  range: { min: 0, max: 100 },
  limits: { h: 10, hh: 20 },
  deadband: 1,
  onDelayMs: 2000,
  offDelayMs: 2000,
};
/** Open-path detector: level-1 1 LEL·m, level-2 2 LEL·m (§5.5.2), range 0–5 LEL·m. */
const openPath: PointSpec = {
  kind: 'open_path_gas',
  range: { min: 0, max: 5 },
  limits: { h: 1, hh: 2 },
  deadband: 0.1,
};
/** O₂ %VOL, range 0–25: deficiency 19.5 (L), 18 (LL); excess 23.5 (H), §5.5.2. */
const oxygen: PointSpec = {
  kind: 'oxygen',
  range: { min: 0, max: 25 },
  limits: { ll: 18, l: 19.5, h: 23.5 },
  deadband: 0.2,
  onDelayMs: 1000,
};

interface Case {
  readonly name: string;
  readonly spec: PointSpec;
  /** [ts, value, quality (default good)] */
  readonly samples: ReadonlyArray<readonly [number, number, number?]>;
  /** Limit and OUT_OF_RANGE changes, in emission order. */
  readonly expected: readonly string[];
}

const cases: Case[] = [
  {
    name: 'combustible 10 → 120 %LEL (over range): HH after the on-delay with OUT_OF_RANGE; back to 5 clears both, HH after the off-delay',
    spec: combustible,
    samples: [
      [0, 10],
      [1000, 120],
      [2000, 120],
      [3000, 120],
      [4000, 5],
      [5000, 5],
      [6000, 5],
    ],
    expected: [...started(0), 'OUT_OF_RANGE+@1000', 'HH+@3000', 'OUT_OF_RANGE-@4000', 'HH-@6000'],
  },
  {
    name: 'combustible: the on-delay applies to a saturated reading (one pegged sample raises nothing)',
    spec: combustible,
    samples: [
      [0, 10],
      [1000, 120],
      [2000, 10],
      [4000, 10],
    ],
    expected: [...started(0), 'OUT_OF_RANGE+@1000', 'OUT_OF_RANGE-@2000'],
  },
  {
    name: 'combustible: a dip shorter than the off-delay keeps HH; inside the deadband it never starts clearing',
    spec: combustible,
    samples: [
      [0, 10],
      [1000, 120],
      [3000, 120],
      [4000, 5],
      [5000, 120],
      [6000, 49.5],
      [9000, 49.5],
      [10_000, 40],
      [11_000, 40],
      [12_000, 40],
    ],
    expected: [
      ...started(0),
      'OUT_OF_RANGE+@1000',
      'HH+@3000',
      'OUT_OF_RANGE-@4000',
      'OUT_OF_RANGE+@5000',
      'OUT_OF_RANGE-@6000',
      // 40 clears HH by its deadband; H (still reached) takes over when the off-delay ends.
      'H+@12000',
      'HH-@12000',
    ],
  },
  {
    name: 'toxic 2 → 150 ppm (over range): HH after the on-delay with OUT_OF_RANGE; back to 2 clears both',
    spec: toxic,
    samples: [
      [0, 2],
      [1000, 150],
      [3000, 150],
      [4000, 2],
      [6000, 2],
    ],
    expected: [...started(0), 'OUT_OF_RANGE+@1000', 'HH+@3000', 'OUT_OF_RANGE-@4000', 'HH-@6000'],
  },
  {
    name: 'toxic: HH configured above the range still raises (the pegged value counts as ≥ HH)',
    spec: { ...toxic, range: { min: 0, max: 50 }, limits: { h: 40, hh: 60 }, onDelayMs: 0 },
    samples: [
      [0, 2],
      [1000, 55],
    ],
    expected: [...started(0), 'OUT_OF_RANGE+@1000', 'HH+@1000'],
  },
  {
    name: 'open-path over range: HH at once (no on-delay)',
    spec: openPath,
    samples: [
      [0, 0.2],
      [1000, 7],
      [2000, 0.5],
    ],
    expected: [...started(0), 'OUT_OF_RANGE+@1000', 'HH+@1000', 'OUT_OF_RANGE-@2000', 'HH-@2000'],
  },
  {
    name: 'combustible +Infinity (transmitter reports overflow) saturates too',
    spec: { ...combustible, onDelayMs: 0 },
    samples: [
      [0, 10],
      [1000, Infinity],
    ],
    expected: [...started(0), 'OUT_OF_RANGE+@1000', 'HH+@1000'],
  },
  {
    name: 'combustible below range min (negative drift): OUT_OF_RANGE only, an active H is held',
    spec: { ...combustible, onDelayMs: 0, offDelayMs: 0 },
    samples: [
      [0, 30],
      [1000, -5],
      [2000, -Infinity],
      [3000, 30],
    ],
    expected: [
      'OUT_OF_RANGE-@0',
      'H+@0',
      'HH-@0',
      'LL-@0',
      'L-@0',
      'OUT_OF_RANGE+@1000',
      'OUT_OF_RANGE-@3000',
    ],
  },
  {
    name: 'combustible NaN: OUT_OF_RANGE only, state held',
    spec: { ...combustible, onDelayMs: 0 },
    samples: [
      [0, 10],
      [1000, Number.NaN],
      [2000, 10],
    ],
    expected: [...started(0), 'OUT_OF_RANGE+@1000', 'OUT_OF_RANGE-@2000'],
  },
  {
    name: 'combustible pegged with bad quality: SENSOR_BAD, limits held (a declared sensor fault)',
    spec: { ...combustible, onDelayMs: 0 },
    samples: [
      [0, 10],
      [1000, 120, bad],
      [2000, 120, bad],
    ],
    expected: started(0),
  },
  {
    name: 'combustible pegged with uncertain quality (EngineeringUnitsExceeded) saturates',
    spec: { ...combustible, onDelayMs: 0 },
    samples: [
      [0, 10],
      [1000, 120, uncertain],
    ],
    expected: [...started(0), 'OUT_OF_RANGE+@1000', 'HH+@1000'],
  },
  {
    name: 'O₂ below range min (deficiency side): LL after the on-delay with OUT_OF_RANGE; back to 20.9 clears',
    spec: oxygen,
    samples: [
      [0, 20.9],
      [1000, -1],
      [2000, -1],
      [3000, 20.9],
    ],
    expected: [...started(0), 'OUT_OF_RANGE+@1000', 'LL+@2000', 'OUT_OF_RANGE-@3000', 'LL-@3000'],
  },
  {
    name: 'O₂ above range max (enrichment side): H (no HH configured) with OUT_OF_RANGE',
    spec: oxygen,
    samples: [
      [0, 20.9],
      [1000, 30],
      [2000, 30],
      [3000, 20.9],
    ],
    expected: [...started(0), 'OUT_OF_RANGE+@1000', 'H+@2000', 'OUT_OF_RANGE-@3000', 'H-@3000'],
  },
  {
    name: 'temperature above its range keeps the hold-state behaviour: OUT_OF_RANGE only',
    spec: { kind: 'temperature', range: { min: -40, max: 200 }, limits: { h: 60, hh: 80 } },
    samples: [
      [0, 30],
      [1000, 250],
      [2000, 250],
      [3000, 30],
    ],
    expected: [...started(0), 'OUT_OF_RANGE+@1000', 'OUT_OF_RANGE-@3000'],
  },
  {
    name: 'temperature: an active H is held, not escalated, by an over-range reading',
    spec: { kind: 'temperature', range: { min: -40, max: 200 }, limits: { h: 60, hh: 80 } },
    samples: [
      [0, 70],
      [1000, 250],
    ],
    expected: ['OUT_OF_RANGE-@0', 'H+@0', 'HH-@0', 'LL-@0', 'L-@0', 'OUT_OF_RANGE+@1000'],
  },
];

describe('saturated gas and O₂ readings drive the limits (fail-safe, GB/T 50493-2019 §5.5.2)', () => {
  it.each(cases)('$name', ({ spec, samples, expected }) => {
    const { engine, sink } = engineWith([point(spec)]);
    for (const [ts, v, q] of samples) engine.observe(1, ts, v, q ?? good);
    expect(sink.log(limitsAndRange)).toEqual(expected);
  });

  it('a saturated raise carries the reading and the limit; a non-finite reading carries no value', () => {
    const { engine, sink } = engineWith([
      point({ ...combustible, onDelayMs: 0 }),
      point({ ...combustible, id: 2, onDelayMs: 0 }),
    ]);
    engine.observe(1, 0, 120, good);
    engine.observe(2, 0, Infinity, good);
    const hh = sink.changes.filter((c) => c.condition === 'HH' && c.active);
    expect(hh.map(({ value, limit }) => ({ value, limit }))).toEqual([
      { value: 120, limit: 50 },
      { value: null, limit: 50 },
    ]);
  });

  it('a saturated gas reading does not feed the rate of change (history held)', () => {
    const { engine, sink } = engineWith([
      point({
        ...combustible,
        onDelayMs: 0,
        rateOfChange: [{ direction: 'rising', slopePerMin: 60, windowMs: 3000 }],
      }),
    ]);
    for (let t = 0; t <= 10_000; t += 1000) engine.observe(1, t, t < 5000 ? 10 : 120, good);
    expect(sink.raises().filter((r) => r.startsWith('ROC'))).toEqual([]);
    expect(engine.activeConditions(1)).toEqual(['HH', 'OUT_OF_RANGE']);
  });

  it('changing only the kind counts as a configuration change (re-judged at the next sample)', () => {
    const { engine, sink } = engineWith([point({ ...combustible, kind: 'other', onDelayMs: 0 })]);
    engine.observe(1, 0, 10, good);
    engine.observe(1, 1000, 120, good);
    expect(engine.activeConditions(1)).toEqual(['OUT_OF_RANGE']);
    engine.reconfigure([point({ ...combustible, onDelayMs: 0 })], [gateway()]);
    engine.observe(1, 2000, 120, good);
    expect(sink.raises()).toEqual(['OUT_OF_RANGE+@1000', 'HH+@2000']);
  });
});

describe('a lost measurement never clears a process alarm (fail-safe)', () => {
  const watched = { ...combustible, onDelayMs: 0, offDelayMs: 0, staleAfterMs: 10_000 };
  const hhLog = (sink: RecordingSink) => sink.log((c) => c.condition === 'HH');

  it('a gas HH stays active while the point goes STALE and when it comes back still pegged', () => {
    const { engine, sink } = engineWith([point(watched)], [gateway(GW1, 0)]);
    engine.tick(0);
    engine.observe(1, 1000, 120, good);
    for (let now = 1000; now <= 30_000; now += 1000) engine.tick(now);
    expect(engine.isStale(1)).toBe(true);
    expect(engine.activeConditions(1)).toEqual(['HH', 'STALE', 'OUT_OF_RANGE']);
    engine.observe(1, 31_000, 120, good);
    expect(engine.activeConditions(1)).toEqual(['HH', 'OUT_OF_RANGE']);
    expect(hhLog(sink)).toEqual(['HH+@1000']);
  });

  it('a gas HH stays active through GATEWAY_OFFLINE (last will and missed heartbeats) and the return', () => {
    const { engine, sink } = engineWith(
      [point(watched), point({ ...watched, id: 2 })],
      [gateway(GW1, 20_000)],
    );
    engine.tick(0);
    engine.observe(1, 1000, 60, good);
    engine.observe(2, 1000, 60, good);
    engine.gatewayOffline(E1, GW1, 2000);
    for (let now = 2000; now <= 60_000; now += 1000) engine.tick(now);
    engine.gatewayOnline(E1, GW1, 61_000);
    for (let now = 61_000; now <= 120_000; now += 1000) engine.tick(now);
    expect(hhLog(sink)).toEqual(['HH+@1000', '#2:HH+@1000']);
    // Only a real in-range sample below HH − deadband clears it.
    engine.observe(1, 121_000, 5, good);
    expect(hhLog(sink)).toEqual(['HH+@1000', '#2:HH+@1000', 'HH-@121000']);
  });

  it('a pending off-delay does not complete on the evaluation clock alone', () => {
    const { engine } = engineWith([point({ ...watched, offDelayMs: 5000 })], [gateway(GW1, 0)]);
    engine.tick(0);
    engine.observe(1, 1000, 120, good);
    engine.observe(1, 2000, 5, good);
    for (let now = 2000; now <= 60_000; now += 1000) engine.tick(now);
    expect(engine.activeConditions(1)).toEqual(['HH', 'STALE']);
  });
});
